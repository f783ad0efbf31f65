"""Shared fixtures: repository paths and small files written per test."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def write(tmp_path: Path):
    """write("name.csv", text) -> path inside the test's tmp dir."""

    def _write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path

    return _write


@pytest.fixture
def moons_config(tmp_path: Path, root: Path):
    """A small config on the shipped moons data; `moons_config(**training)` overrides training keys."""

    def _make(epochs: int = 3, extra: str = "", **training: object) -> Path:
        lines = [f"  epochs: {epochs}"] + [f"  {k}: {v}" for k, v in training.items()]
        text = f"""
name: tiny
seed: 0
data:
  train: {root / 'data/moons_train.csv'}
  test: {root / 'data/moons_test.csv'}
model:
  layers:
    - {{units: 8, activation: sigmoid}}
    - {{units: 4, activation: sigmoid}}
    - {{units: 1, activation: sigmoid}}
  init: {{weights: uniform, low: -0.6, high: 0.6, bias: zeros}}
loss: binary_cross_entropy
optimizer: {{name: sgd, lr: 0.5}}
training:
""" + "\n".join(lines) + "\n" + extra
        path = tmp_path / "tiny.yaml"
        path.write_text(text)
        return path

    return _make
