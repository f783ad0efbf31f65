"""Learning-rate schedules by config name: lr for epoch e (0-based) from the base lr."""

from __future__ import annotations

import math

from luma_cli.optim.registry import SCHEDULES


@SCHEDULES.register("constant")
class Constant:
    """lr(e) = lr0."""

    def __init__(self, base_lr: float, epochs: int) -> None:
        self.base_lr = base_lr

    def lr_at(self, epoch: int) -> float:
        return self.base_lr


@SCHEDULES.register("step")
class Step:
    """lr(e) = lr0 * gamma^floor(e / step_size)."""

    def __init__(self, base_lr: float, epochs: int, step_size: int = 10, gamma: float = 0.1) -> None:
        self.base_lr, self.step_size, self.gamma = base_lr, step_size, gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


@SCHEDULES.register("exponential")
class Exponential:
    """lr(e) = lr0 * gamma^e."""

    def __init__(self, base_lr: float, epochs: int, gamma: float = 0.95) -> None:
        self.base_lr, self.gamma = base_lr, gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


@SCHEDULES.register("cosine")
class Cosine:
    """lr(e) = min_lr + (lr0 - min_lr) (1 + cos(pi e / epochs)) / 2."""

    def __init__(self, base_lr: float, epochs: int, min_lr: float = 0.0) -> None:
        self.base_lr, self.epochs, self.min_lr = base_lr, max(epochs, 1), min_lr

    def lr_at(self, epoch: int) -> float:
        return self.min_lr + (self.base_lr - self.min_lr) * (1 + math.cos(math.pi * epoch / self.epochs)) / 2
