"""Synthetic two-class sets in two dimensions: moons, circles, xor, spirals."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from luma_cli.registry import Registry

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
SYNTHETIC: Registry[Generator] = Registry("synthetic dataset")


def _split_counts(rows: int) -> tuple[int, int]:
    return rows // 2, rows - rows // 2


@SYNTHETIC.register("moons")
def moons(rows: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's make_moons), plus Gaussian noise."""
    n0, n1 = _split_counts(rows)
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n1)
    x = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return x + rng.normal(0, noise, x.shape), y


@SYNTHETIC.register("circles")
def circles(rows: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """An outer circle (class 0) around an inner one of half the radius (class 1)."""
    n0, n1 = _split_counts(rows)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    x = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], 0.5 * np.c_[np.cos(t1), np.sin(t1)]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return x + rng.normal(0, noise, x.shape), y


@SYNTHETIC.register("xor")
def xor(rows: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points in the square [-1, 1]^2; class 1 where the coordinates' signs differ."""
    x = rng.uniform(-1, 1, size=(rows, 2))
    y = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(np.float64)
    return x + rng.normal(0, noise, x.shape), y


@SYNTHETIC.register("spirals")
def spirals(rows: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of one and a half turns."""
    n0, n1 = _split_counts(rows)

    def arm(n: int, phase: float) -> np.ndarray:
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        return np.c_[t * np.cos(t + phase), t * np.sin(t + phase)] / (3 * np.pi)

    x = np.concatenate([arm(n0, 0.0), arm(n1, np.pi)])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return x + rng.normal(0, noise, x.shape), y


def make_synthetic(kind: str, rows: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`rows` shuffled rows of dataset `kind`: (features (rows, 2), labels (rows,))."""
    rng = np.random.default_rng(seed)
    x, y = SYNTHETIC.get(kind)(rows, noise, rng)
    order = rng.permutation(rows)
    return x[order], y[order]


def to_csv_text(features: np.ndarray, labels: np.ndarray) -> str:
    lines = ["x1,x2,label"]
    lines += [f"{a:.6f},{b:.6f},{int(c)}" for (a, b), c in zip(features, labels)]
    return "\n".join(lines) + "\n"
