"""One recorded forward/backward for diagnostics, and the guarded forward call for user models."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from luma_cli.autograd import Tape, Tensor
from luma_cli.config.plugin import call_user_code
from luma_cli.diagnose import StepRecord
from luma_cli.errors import PluginError
from luma_cli.nn import Loss, Module


def forward_function(model: Module) -> Callable[[Tensor], Tensor]:
    """`model` itself for Luma's models; for a user's model, a call that reports its errors at the user's line."""
    path: Path | None = getattr(model, "plugin_path", None)
    if path is None:
        return model

    def guarded_forward(x: Tensor) -> Tensor:
        out = call_user_code(path, f"in {type(model).__name__}.forward", model, x)
        if not isinstance(out, Tensor):
            raise PluginError(
                f"{path}: {type(model).__name__}.forward returned {type(out).__name__}, not a luma Tensor",
                hint="return the Tensor your last op produced",
            )
        rows = x.data.shape[0]
        if out.data.shape not in ((rows, 1), (rows,)):
            raise PluginError(
                f"{path}: {type(model).__name__}.forward returned shape {out.data.shape} for {rows} rows; expected ({rows}, 1)",
                hint="binary classification needs one output per row",
            )
        return out

    return guarded_forward


def record_step(model: Module, loss_fn: Loss, x: np.ndarray, y: np.ndarray, record_sources: bool = True) -> StepRecord:
    """Forward and backward on (x, y) with every op recorded; gradients are copied out and then cleared."""
    forward = forward_function(model)
    model.zero_grad()
    with Tape(record_sources=record_sources) as tape:
        output = forward(Tensor(x, kind="input"))
        loss = loss_fn(output, Tensor(y, kind="input"))
    tape.backward(loss)
    grads = {name: None if p.grad is None else np.array(p.grad) for name, p in model.named_parameters()}
    model.zero_grad()
    return StepRecord(tape=tape, loss=loss, grads=grads, rows=len(x))
