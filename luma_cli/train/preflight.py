"""The preflight: one recorded forward/backward before epoch 1 proves every parameter gets a gradient."""

from __future__ import annotations

import numpy as np

from luma_cli.diagnose import Report, analyze
from luma_cli.errors import LumaError
from luma_cli.nn import Loss, Module
from luma_cli.train.probe import record_step

PREFLIGHT_ROWS = 512


class PreflightError(LumaError):
    """Training was stopped before epoch 1 because some parameters receive no gradient."""

    exit_code = 1

    def __init__(self, report: Report) -> None:
        problems = report.errors
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"preflight stopped training before epoch 1: {count} would keep this model from learning "
            f"(first: {problems[0].kind.replace('_', ' ')})",
            hint="fix what the findings above name, or pass --no-preflight to train anyway",
        )
        self.report = report


def preflight(model: Module, loss: Loss, x: np.ndarray, y: np.ndarray) -> Report:
    """Diagnose one step on the first rows of the training data; raise PreflightError on any error finding."""
    step = record_step(model, loss, x[:PREFLIGHT_ROWS], y[:PREFLIGHT_ROWS])
    report = analyze([step], model, tolerance=0.0)
    if report.errors:
        raise PreflightError(report)
    return report
