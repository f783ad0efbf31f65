"""Everything needed to continue a run exactly: counters, partial sums, the shuffle RNG, best-so-far.

It travels in the `last` checkpoint's JSON; weights and optimizer state travel in its npz, and the
per-epoch history is the run's metrics.csv (cut back to `epochs_done` rows on resume).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from luma_cli.errors import LumaError

OPTIMIZER_PREFIX = "optimizer/"


@dataclass
class TrainState:
    epochs_done: int = 0
    steps_done_in_epoch: int = 0  # > 0 only when saved mid-epoch (after an interrupt)
    global_step: int = 0
    optimizer_steps: int = 0
    rng_at_epoch_start: dict[str, Any] | None = None  # shuffle RNG state at the start of epoch epochs_done + 1
    partial_loss: float = 0.0
    partial_correct: float = 0.0
    partial_rows: int = 0
    partial_seconds: float = 0.0
    best_value: float | None = None
    best_epoch: int = 0
    stop_best: float | None = None
    since_improvement: int = 0
    plateau_warned: bool = False

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrainState:
        return cls(**data)

    def start_epoch(self) -> None:
        self.steps_done_in_epoch = 0
        self.partial_loss = self.partial_correct = self.partial_seconds = 0.0
        self.partial_rows = 0


def split_state(state: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A checkpoint's arrays -> (model weights, optimizer state with the prefix removed)."""
    weights = {k: v for k, v in state.items() if not k.startswith(OPTIMIZER_PREFIX)}
    optimizer = {k[len(OPTIMIZER_PREFIX):]: v for k, v in state.items() if k.startswith(OPTIMIZER_PREFIX)}
    return weights, optimizer


def restore_weights(model: Any, checkpoint: Any) -> None:
    """Load a checkpoint's weights into `model`; a mismatch names the checkpoint file."""
    try:
        model.load_state_dict(split_state(checkpoint.state)[0])
    except LumaError as exc:
        raise type(exc)(f"{checkpoint.path}: {exc.message}", hint="was this checkpoint trained with another config?") from None


class StopRequest:
    """Set by a signal handler (in the CLI) or a test; the trainer checks it between steps."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def request(self, signum: int) -> None:
        if self.signum is None:
            self.signum = signum


class TrainingInterrupted(LumaError):
    """Training stopped on request after saving `last`; exit code 128 + signal number (130, 143)."""

    def __init__(self, signum: int, run_dir: str, epoch: int, step: int) -> None:
        super().__init__(
            f"interrupted in epoch {epoch} after step {step}; saved {run_dir}/checkpoints/last.json",
            hint=f"resume exactly where it stopped with: luma train --resume {run_dir}",
        )
        self.exit_code = 128 + signum
