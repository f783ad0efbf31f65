"""Standardization, stratified splits, batching and synthetic sets."""

from __future__ import annotations

import numpy as np

from luma_cli.data import SYNTHETIC, Standardizer, batches, make_synthetic, stratified_split


def test_standardizer_uses_training_statistics_and_handles_constant_columns() -> None:
    x = np.array([[1.0, 5.0], [3.0, 5.0]])
    s = Standardizer.fit(x)
    np.testing.assert_allclose(s.transform(x), [[-1, 0], [1, 0]])
    assert np.all(np.isfinite(s.transform(np.array([[2.0, 7.0]]))))
    again = Standardizer.from_json(s.to_json())
    np.testing.assert_array_equal(again.mean, s.mean)


def test_stratified_split_keeps_class_ratio_and_is_seeded() -> None:
    labels = np.array([0.0] * 80 + [1.0] * 20)
    train, val = stratified_split(labels, 0.25, np.random.default_rng(3))
    assert len(val) == 25 and labels[val].sum() == 5
    assert set(train).isdisjoint(val) and len(train) + len(val) == 100
    again = stratified_split(labels, 0.25, np.random.default_rng(3))
    np.testing.assert_array_equal(val, again[1])
    assert len(stratified_split(labels, 0.0, np.random.default_rng(0))[1]) == 0


def test_batches_cover_every_row_once_per_epoch() -> None:
    x = np.arange(10.0).reshape(10, 1)
    y = np.arange(10.0)
    seen = np.concatenate([bx[:, 0] for bx, _ in batches((x, y), 3, True, np.random.default_rng(0))])
    assert sorted(seen) == list(range(10))
    sizes = [len(bx) for bx, _ in batches((x, y), 3, False, np.random.default_rng(0))]
    assert sizes == [3, 3, 3, 1]
    for bx, by in batches((x, y), 4, True, np.random.default_rng(1)):
        np.testing.assert_array_equal(bx[:, 0], by)


def test_synthetic_sets_are_balanced_and_reproducible() -> None:
    for kind in SYNTHETIC.names():
        x, y = make_synthetic(kind, 101, 0.1, seed=5)
        assert x.shape == (101, 2) and set(np.unique(y)) == {0.0, 1.0}
        x2, _ = make_synthetic(kind, 101, 0.1, seed=5)
        np.testing.assert_array_equal(x, x2)
    _, y = make_synthetic("moons", 100, 0.1, seed=0)
    assert y.sum() == 50
