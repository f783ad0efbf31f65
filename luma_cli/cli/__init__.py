"""The command line: Typer commands and Rich rendering. The only layer that prints or exits."""
