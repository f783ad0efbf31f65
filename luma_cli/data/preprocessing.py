"""Standardization, stratified splitting and batching, all with explicit random generators."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """x' = (x - mean) / std per column, statistics from training rows; a constant column keeps std 1."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, features: np.ndarray) -> Standardizer:
        mean = features.mean(axis=0)
        std = features.std(axis=0)
        std = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
        return cls(mean=mean, std=std)

    @classmethod
    def identity(cls, n_features: int) -> Standardizer:
        return cls(mean=np.zeros(n_features), std=np.ones(n_features))

    def transform(self, features: np.ndarray) -> np.ndarray:
        return (features - self.mean) / self.std

    def to_json(self) -> dict[str, list[float]]:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_json(cls, data: dict[str, list[float]]) -> Standardizer:
        return cls(mean=np.asarray(data["mean"], dtype=np.float64), std=np.asarray(data["std"], dtype=np.float64))


def stratified_split(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, validation indices): `fraction` of each class, rounded, goes to validation."""
    if fraction <= 0:
        return np.arange(len(labels)), np.array([], dtype=np.intp)
    validation = []
    for value in np.unique(labels):
        members = np.flatnonzero(labels == value)
        take = int(round(len(members) * fraction))
        take = min(take, len(members) - 1)  # keep every class in training
        validation.append(rng.permutation(members)[:take])
    val_idx = np.sort(np.concatenate(validation)) if validation else np.array([], dtype=np.intp)
    train_mask = np.ones(len(labels), dtype=bool)
    train_mask[val_idx] = False
    return np.flatnonzero(train_mask), val_idx


def batches(
    arrays: tuple[np.ndarray, ...], batch_size: int, shuffle: bool, rng: np.random.Generator
) -> Iterator[tuple[np.ndarray, ...]]:
    """Consecutive slices of row-aligned arrays; with `shuffle`, of one permuted copy per epoch
    (so each batch is a view, not a per-batch copy)."""
    if shuffle:
        order = rng.permutation(len(arrays[0]))
        arrays = tuple(a[order] for a in arrays)
    for start in range(0, len(arrays[0]), batch_size):
        yield tuple(a[start : start + batch_size] for a in arrays)
