"""`python -m luma_cli` runs the CLI."""

from luma_cli.cli.app import main

main()
