"""Binary metrics against brute-force definitions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from luma_cli.train.metrics import binary_report, roc_auc


def brute_force_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    pos = scores[labels == 1]
    neg = scores[labels == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_roc_auc_matches_pairwise_definition_with_ties() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 60).astype(float)
    scores = np.round(rng.uniform(size=60), 1)
    assert roc_auc(labels, scores) == pytest.approx(brute_force_auc(labels, scores))


def test_report_counts() -> None:
    labels = np.array([1, 1, 0, 0, 1])
    probs = np.array([0.9, 0.4, 0.6, 0.1, 0.5])
    r = binary_report(labels, probs)
    assert r.confusion_matrix == [[1, 1], [1, 2]]
    assert r.accuracy == pytest.approx(3 / 5) and r.precision == pytest.approx(2 / 3) and r.recall == pytest.approx(2 / 3)
    assert r.f1 == pytest.approx(2 / 3) and r.n == 5
    expected_log_loss = -np.mean([np.log(0.9), np.log(0.4), np.log(0.4), np.log(0.9), np.log(0.5)])
    assert r.log_loss == pytest.approx(expected_log_loss)


def test_single_class_has_no_auc_and_zero_division_is_zero() -> None:
    r = binary_report(np.zeros(3), np.array([0.1, 0.2, 0.3]))
    assert r.roc_auc is None and r.precision == 0.0 and r.recall == 0.0 and r.accuracy == 1.0


def test_threshold_changes_predictions() -> None:
    r = binary_report(np.array([1, 0]), np.array([0.6, 0.4]), threshold=0.7)
    assert r.confusion_matrix == [[1, 0], [1, 0]]
