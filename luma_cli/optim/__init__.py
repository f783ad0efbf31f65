"""Optimizers (SGD, Adam, AdamW, RMSprop), LR schedules and gradient clipping."""

from luma_cli.optim import adam, rmsprop, schedules, sgd  # noqa: F401  (register the names)
from luma_cli.optim.adam import Adam, AdamW
from luma_cli.optim.clipping import clip_grad_norm, global_grad_norm
from luma_cli.optim.optimizer import Optimizer
from luma_cli.optim.registry import OPTIMIZERS, SCHEDULES
from luma_cli.optim.rmsprop import RMSprop
from luma_cli.optim.sgd import SGD

__all__ = [
    "OPTIMIZERS", "SCHEDULES", "SGD", "Adam", "AdamW", "Optimizer", "RMSprop",
    "clip_grad_norm", "global_grad_norm",
]
