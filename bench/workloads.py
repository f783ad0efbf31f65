"""The four workloads of issue 5, their data, and the initial weights both sides start from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from luma_cli.data import make_synthetic


@dataclass(frozen=True)
class Workload:
    name: str
    sizes: tuple[int, ...]  # input, hidden..., output
    hidden: str  # sigmoid or relu
    rows: int
    batch: int | None  # None: full batch
    optimizer: str  # sgd or adam
    lr: float
    epochs: int
    dtype: type

    @property
    def batch_size(self) -> int:
        return self.batch or self.rows

    def describe(self) -> str:
        arch = "→".join(str(s) for s in self.sizes)
        return (f"{self.name}: {arch} {self.hidden}, {self.rows:,} rows, batch {self.batch or 'full'}, "
                f"{self.optimizer} lr {self.lr:g}, {self.epochs} epochs, {np.dtype(self.dtype).name}")


WORKLOADS = [
    Workload("W0 origin", (2, 8, 4, 1), "sigmoid", 200, None, "sgd", 0.5, 50, np.float64),
    Workload("W1 tabular-small", (30, 64, 32, 1), "relu", 600, 32, "adam", 1e-3, 50, np.float32),
    Workload("W2 tabular-medium", (64, 256, 256, 1), "relu", 100_000, 256, "adam", 1e-3, 3, np.float32),
    Workload("W3 wide", (256, 1024, 1024, 1), "relu", 50_000, 1024, "adam", 1e-3, 2, np.float32),
]


def make_data(workload: Workload, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standardized features and (rows, 1) labels in the workload's dtype."""
    if workload.sizes[0] == 2:
        x, y = make_synthetic("moons", workload.rows, 0.2, seed)
    else:
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(workload.rows, workload.sizes[0]))
        direction = rng.normal(size=workload.sizes[0])
        y = ((x @ direction + 0.5 * np.sin(3 * x[:, 0]) + rng.normal(0, 0.5, workload.rows)) > 0).astype(np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return np.ascontiguousarray(x, dtype=workload.dtype), y.reshape(-1, 1).astype(workload.dtype)


def initial_weights(workload: Workload, seed: int = 1) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight (out, in), bias (out,)) per layer: He-uniform for ReLU, U(-0.6, 0.6) for the origin."""
    rng = np.random.default_rng(seed)
    layers = []
    for fan_in, fan_out in zip(workload.sizes[:-1], workload.sizes[1:]):
        bound = 0.6 if workload.hidden == "sigmoid" else np.sqrt(6.0 / fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(workload.dtype), np.zeros(fan_out, workload.dtype)))
    return layers
