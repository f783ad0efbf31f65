"""Datasets from CSV: features and 0/1 labels, matched to columns by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from luma_cli.data.csv_table import MISSING_MARKERS, CsvTable, read_csv
from luma_cli.data.labels import LabelMapping, infer_mapping
from luma_cli.errors import DataError
from luma_cli.registry import did_you_mean


@dataclass
class Dataset:
    """Rows of float64 features and (when the file has labels) 0/1 labels."""

    features: np.ndarray
    labels: np.ndarray | None
    feature_names: list[str]
    label_name: str
    mapping: LabelMapping
    source: Path
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.features)


def _some(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _column_error(table: CsvTable, column: str, role: str) -> DataError:
    return DataError(
        f"{table.path}: no column '{column}' ({role}){did_you_mean(column, table.columns)}",
        hint=f"the header has: {_some(table.columns, 12)}",
    )


def _encode_labels(table: CsvTable, mapping: LabelMapping, label: str) -> np.ndarray:
    try:
        return mapping.encode(table.column(label), str(table.path), table.lines)
    except DataError:
        careful = table.careful()
        mapping.encode(careful.column(label), str(careful.path), careful.lines)  # raises, now with the line
        raise


def _refuse_missing_labels(table: CsvTable, raw_labels: np.ndarray, label: str) -> None:
    if raw_labels.dtype.kind == "f":
        return  # parsed numbers are finite: nothing is missing
    stripped = np.char.lower(np.char.strip(raw_labels.astype(str)))
    missing = np.isin(stripped, list(MISSING_MARKERS))
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise DataError(
            f"{table.path}:{table.line_of(first)}: label column '{label}' is missing a value ('{raw_labels[first]}')",
            hint="every row needs a label; fix or drop that row",
        )


def load_training_data(path: str | Path, label: str | None = None, features: list[str] | None = None) -> Dataset:
    """Read a training CSV: label column by name (default: the last), features default to the rest."""
    table = read_csv(path)
    label = label or table.columns[-1]
    if label not in table.columns:
        raise _column_error(table, label, "data.label")
    if features is None:
        features = [c for c in table.columns if c != label]
    for name in features:
        if name not in table.columns:
            raise _column_error(table, name, "data.features")
        if name == label:
            raise DataError(f"{table.path}: column '{label}' is both the label and a feature", hint="remove it from data.features")
    if not features:
        raise DataError(f"{table.path}: no feature columns besides the label '{label}'")
    raw_labels = table.column(label)
    _refuse_missing_labels(table, raw_labels, label)
    mapping = infer_mapping(raw_labels, f"{table.path}: column '{label}'")
    return Dataset(
        features=table.numeric(features),
        labels=_encode_labels(table, mapping, label),
        feature_names=list(features),
        label_name=label,
        mapping=mapping,
        source=table.path,
    )


def load_data_for_model(
    path: str | Path, feature_names: list[str], label_name: str, mapping: LabelMapping, require_labels: bool
) -> Dataset:
    """Read a CSV for a trained model: columns matched by name, extra columns ignored with a note."""
    table = read_csv(path)
    missing = [c for c in feature_names if c not in table.columns]
    if missing:
        raise DataError(
            f"{table.path}: missing column(s) the model was trained on: {_some(missing)}",
            hint=f"this file has: {_some(table.columns)}; is it the right file for this model?",
        )
    has_labels = label_name in table.columns
    if require_labels and not has_labels:
        raise _column_error(table, label_name, "the model's label column")
    extra = [c for c in table.columns if c not in feature_names and c != label_name]
    notes = [f"ignored column(s) the model does not use: {', '.join(extra)}"] if extra else []
    labels = None
    if has_labels:
        raw_labels = table.column(label_name)
        _refuse_missing_labels(table, raw_labels, label_name)
        labels = _encode_labels(table, mapping, label_name)
    return Dataset(
        features=table.numeric(feature_names),
        labels=labels,
        feature_names=list(feature_names),
        label_name=label_name,
        mapping=mapping,
        source=table.path,
        notes=notes,
    )
