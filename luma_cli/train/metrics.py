"""Binary classification metrics from labels and predicted probabilities."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

_LOG_LOSS_EPS = 1e-15


@dataclass(frozen=True)
class BinaryReport:
    """What `luma eval` reports; confusion_matrix is [[tn, fp], [fn, tp]]."""

    n: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    roc_auc: float | None  # None when only one class is present
    log_loss: float
    confusion_matrix: list[list[int]]

    def to_dict(self) -> dict:
        return asdict(self)


def accuracy(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> float:
    return float(np.mean((probabilities >= threshold) == (labels >= 0.5))) if len(labels) else float("nan")


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """P(score of a random positive > score of a random negative), ties counting 1/2 (Mann-Whitney U)."""
    positive = labels >= 0.5
    n_pos = int(positive.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    # Average ranks over tied groups.
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.r_[0, boundaries]
    ends = np.r_[boundaries, len(scores)]
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end + 1) / 2.0
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = np.clip(probabilities.astype(np.float64), _LOG_LOSS_EPS, 1 - _LOG_LOSS_EPS)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log1p(-p)))


def binary_report(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> BinaryReport:
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    predicted = probabilities >= threshold
    actual = labels >= 0.5
    tp = int(np.sum(predicted & actual))
    tn = int(np.sum(~predicted & ~actual))
    fp = int(np.sum(predicted & ~actual))
    fn = int(np.sum(~predicted & actual))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryReport(
        n=len(labels),
        accuracy=(tp + tn) / len(labels) if len(labels) else float("nan"),
        precision=precision,
        recall=recall,
        f1=f1,
        roc_auc=roc_auc(labels, probabilities),
        log_loss=log_loss(labels, probabilities),
        confusion_matrix=[[tn, fp], [fn, tp]],
    )
