"""One place where errors become a message on stderr and an exit code."""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from luma_cli.errors import LumaError

DEBUG = False
F = TypeVar("F", bound=Callable[..., Any])


def _stderr(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        pass


def guarded(command: F) -> F:
    """Run a command; a LumaError prints `error: ...` (and its hint) to stderr and exits with its code."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not DEBUG:
            # numpy's overflow/invalid warnings would duplicate Luma's own NaN/Inf report.
            warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return command(*args, **kwargs)
        except LumaError as exc:
            if DEBUG:
                raise
            _stderr(f"error: {exc.message}")
            if exc.hint:
                _stderr(f"  hint: {exc.hint}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if DEBUG:
                raise
            _stderr("interrupted")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (`luma eval ... | head -1`): stop quietly, as Unix tools do.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except MemoryError:
            _stderr("error: out of memory")
            raise typer.Exit(8) from None

    return run  # type: ignore[return-value]

