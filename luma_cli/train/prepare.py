"""From a config to arrays ready for training: load, split, standardize, cast."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from luma_cli.config import LoadedConfig
from luma_cli.data import Dataset, LabelMapping, Standardizer, load_data_for_model, load_training_data, stratified_split
from luma_cli.errors import DataError


@dataclass
class PreparedData:
    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray | None
    val_y: np.ndarray | None
    feature_names: list[str]
    label_name: str
    mapping: LabelMapping
    standardizer: Standardizer | None

    @property
    def in_features(self) -> int:
        return self.train_x.shape[1]

    def has_validation(self) -> bool:
        return self.val_x is not None and len(self.val_x) > 0


def data_file(loaded: LoadedConfig, key: str) -> Path:
    """The file a `data.<key>` entry names, resolved against the config; a missing one names the key."""
    relative = getattr(loaded.config.data, key)
    path = loaded.resolve(relative)
    if not path.exists():
        raise DataError(
            f"{path}: file not found (data.{key}: {relative!r} in {loaded.path})",
            hint=f"paths in a config are relative to the config file's folder, {loaded.path.parent}",
        )
    return path


def prepare_data(loaded: LoadedConfig, split_rng: np.random.Generator, dtype: type) -> PreparedData:
    """Training (and validation) rows as `dtype` arrays; labels shaped (n, 1) to match the output."""
    data_config = loaded.config.data
    train = load_training_data(data_file(loaded, "train"), data_config.label, data_config.features)
    if data_config.validation:
        validation = load_for(loaded, "validation", train)
        train_x, train_y = train.features, train.labels
        val_x, val_y = validation.features, validation.labels
    elif data_config.validation_split > 0:
        assert train.labels is not None
        train_idx, val_idx = stratified_split(train.labels, data_config.validation_split, split_rng)
        train_x, train_y = train.features[train_idx], train.labels[train_idx]
        val_x, val_y = train.features[val_idx], train.labels[val_idx]
    else:  # no split: no copy of a possibly large table
        train_x, train_y = train.features, train.labels
        val_x, val_y = train.features[:0], train.labels[:0]
    standardizer = Standardizer.fit(train_x) if data_config.standardize else None
    assert train_y is not None and val_y is not None
    return PreparedData(
        train_x=_to_model_input(train_x, standardizer, dtype),
        train_y=train_y.reshape(-1, 1).astype(dtype),
        val_x=_to_model_input(val_x, standardizer, dtype) if len(val_x) else None,
        val_y=val_y.reshape(-1, 1).astype(dtype) if len(val_x) else None,
        feature_names=train.feature_names,
        label_name=train.label_name,
        mapping=train.mapping,
        standardizer=standardizer,
    )


def _to_model_input(features: np.ndarray, standardizer: Standardizer | None, dtype: type) -> np.ndarray:
    """Standardized (if asked) and cast to the training dtype, writing one contiguous array only."""
    out = np.empty(features.shape, dtype=dtype)
    if standardizer is None:
        np.copyto(out, features, casting="same_kind")
    else:
        np.subtract(features, standardizer.mean, out=out, casting="same_kind")
        out /= standardizer.std.astype(dtype)
    return out


def load_for(loaded: LoadedConfig, key: str, train: Dataset | PreparedData) -> Dataset:
    """A second labelled file (`data.validation` or `data.test`) read with the training file's columns and labels."""
    return load_data_for_model(
        data_file(loaded, key), train.feature_names, train.label_name, train.mapping, require_labels=True
    )
