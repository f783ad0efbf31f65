"""Inspecting a configured model without training it: the steps debug-grads, gradcheck and graph run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from luma_cli.config import LoadedConfig
from luma_cli.config.build import build_loss, build_model, numpy_dtype
from luma_cli.data import batches
from luma_cli.diagnose import Report, StepRecord, analyze
from luma_cli.errors import ConfigError
from luma_cli.nn import Loss, Module
from luma_cli.train.checkpoint import load_checkpoint
from luma_cli.train.prepare import PreparedData, prepare_data
from luma_cli.train.probe import record_step
from luma_cli.train.state import restore_weights


@dataclass
class Subject:
    """A model as training would see it at step 1 (or with a checkpoint's weights), and its data."""

    model: Module
    loss: Loss
    data: PreparedData
    batch_size: int
    shuffle_rng: np.random.Generator
    shuffle: bool


def load_subject(loaded: LoadedConfig, checkpoint: str | Path | None = None, dtype: type | None = None) -> Subject:
    cfg = loaded.config
    init_seed, split_seed, shuffle_seed = np.random.SeedSequence(cfg.seed).spawn(3)
    dtype = dtype or numpy_dtype(loaded)
    data = prepare_data(loaded, np.random.default_rng(split_seed), dtype)
    model = build_model(loaded, data.in_features, np.random.default_rng(init_seed))
    if checkpoint is not None:
        restore_weights(model, load_checkpoint(checkpoint))
    model.to_dtype(dtype)
    size = cfg.training.batch_size
    batch_size = len(data.train_x) if size == "full" else int(size)
    return Subject(model, build_loss(loaded), data, batch_size, np.random.default_rng(shuffle_seed), cfg.training.shuffle)


def first_batches(subject: Subject, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first `count` batches of epoch 1, as training would draw them."""
    if count < 1:
        raise ConfigError(f"--batches must be at least 1, got {count}")
    drawn = []
    arrays = (subject.data.train_x, subject.data.train_y)
    for x, y in batches(arrays, subject.batch_size, subject.shuffle, subject.shuffle_rng):
        drawn.append((x, y))
        if len(drawn) == count:
            break
    return drawn


def record_steps(subject: Subject, count: int) -> list[StepRecord]:
    return [record_step(subject.model, subject.loss, x, y) for x, y in first_batches(subject, count)]


def diagnose_subject(subject: Subject, count: int, tolerance: float) -> Report:
    if tolerance < 0:
        raise ConfigError(f"--tolerance must be at least 0, got {tolerance}")
    return analyze(record_steps(subject, count), subject.model, tolerance)
