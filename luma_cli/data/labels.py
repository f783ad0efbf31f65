"""Binary labels: two distinct values mapped to 0/1 by one deterministic rule.

Rule: if exactly one of the two values is `1`, `true` or `yes` (any case), it is 1. Otherwise
the values are sorted (numerically when both are numbers, else as text) and the second is 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from luma_cli.errors import DataError

_POSITIVE_WORDS = {"1", "1.0", "true", "yes"}


@dataclass(frozen=True)
class LabelMapping:
    """`negative` is read as 0 and `positive` as 1."""

    negative: str
    positive: str

    def describe(self) -> str:
        return f"'{self.negative}' → 0, '{self.positive}' → 1"

    def encode(self, values: np.ndarray, where: str, lines: np.ndarray | None = None) -> np.ndarray:
        """Map labels to 0/1; numeric labels compare as numbers (`1` = `1.0`). Unknown ones name their line."""
        numeric = _as_numbers(values) if self.is_numeric() else None
        if numeric is not None:
            positive = numeric == float(self.positive)
            known = positive | (numeric == float(self.negative))
            shown = np.array([_number_text(v) for v in numeric]) if not known.all() else None
        else:
            shown = np.char.strip(values.astype(str))
            positive = shown == self.positive
            known = positive | (shown == self.negative)
        if not known.all():
            assert shown is not None
            unknown = sorted(set(shown[~known].tolist()))[:5]
            first = int(np.flatnonzero(~known)[0])
            line = f":{lines[first]}" if lines is not None else ""
            raise DataError(
                f"{where}{line}: label '{shown[first]}' is not one of the model's labels "
                f"'{self.negative}' and '{self.positive}' (unknown values: {unknown})",
                hint="the label column must use the same two values as the training file",
            )
        return positive.astype(np.float64)

    def is_numeric(self) -> bool:
        return _sort_key(self.negative)[0] == 0 and _sort_key(self.positive)[0] == 0

    def to_json(self) -> dict[str, str]:
        return {"0": self.negative, "1": self.positive}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> LabelMapping:
        return cls(negative=str(data["0"]), positive=str(data["1"]))


def _sort_key(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _number_text(value: float) -> str:
    """1.0 -> '1', 2.5 -> '2.5': how a parsed numeric label is shown."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _as_numbers(values: np.ndarray) -> np.ndarray | None:
    if values.dtype.kind == "f":
        return values
    try:
        return np.char.strip(values.astype(str)).astype(np.float64)
    except ValueError:
        return None


def infer_mapping(values: np.ndarray, where: str) -> LabelMapping:
    """The mapping for a training label column, which must hold exactly two distinct values."""
    if values.dtype.kind == "f":
        distinct = [_number_text(v) for v in np.unique(values)]
    else:
        distinct = sorted({v.strip() for v in values.tolist()})
    if len(distinct) != 2:
        shown = distinct[:10]
        more = f" and {len(distinct) - 10} more" if len(distinct) > 10 else ""
        if len(distinct) == 1:
            raise DataError(
                f"{where}: every row has label '{distinct[0]}'; training needs both classes",
                hint="check the label column (data.label) and that the file has rows of each class",
            )
        raise DataError(
            f"{where}: the label column holds {len(distinct)} distinct values {shown}{more}; "
            "binary classification needs exactly 2",
            hint="pick the right column with data.label, or recode the labels to two values",
        )
    flagged = [v for v in distinct if v.lower() in _POSITIVE_WORDS]
    if len(flagged) == 1:
        positive = flagged[0]
        negative = distinct[0] if distinct[1] == positive else distinct[1]
        return LabelMapping(negative=negative, positive=positive)
    ordered = sorted(distinct, key=_sort_key) if all(_sort_key(v)[0] == 0 for v in distinct) else distinct
    return LabelMapping(negative=ordered[0], positive=ordered[1])
