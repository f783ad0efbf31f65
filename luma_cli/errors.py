"""LumaError and its kinds; each kind carries the process exit code the CLI uses for it.

The library raises these and never exits; `luma_cli.cli` maps them to stderr and exit codes
in one place (see DESIGN.md, "Errors and exit codes").
"""

from __future__ import annotations


class LumaError(Exception):
    """A problem the user can fix; `str(error)` is the message, `hint` one line of advice."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(LumaError):
    """YAML syntax, unknown or misspelled key, wrong type, out-of-range value, unknown name."""

    exit_code = 3


class DataError(LumaError):
    """CSV missing, empty, ragged, non-numeric, bad labels, or columns that do not match."""

    exit_code = 4


class CheckpointError(LumaError):
    """Checkpoint missing, truncated, corrupt, hash mismatch, shape mismatch, bad version."""

    exit_code = 5


class PluginError(LumaError):
    """A custom model file is missing, does not import, is not a Module, or raised."""

    exit_code = 6


class DivergedError(LumaError):
    """Training produced a NaN or Inf loss or gradient."""

    exit_code = 7


class LumaIOError(LumaError):
    """Disk full, permission denied, or an unwritable run directory."""

    exit_code = 8


class GraphError(LumaError):
    """Misuse of the autograd API (backward on a non-scalar, on a tensor from another tape)."""

    exit_code = 1
