"""Helpers for the adversarial suite: a trained run to corrupt, and a CLI runner that checks hygiene."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from luma_cli import api
from luma_cli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]

TINY_CONFIG = f"""\
name: tiny
seed: 0
data:
  train: {ROOT / 'data/moons_train.csv'}
  validation_split: 0.2
model:
  layers:
    - {{units: 4, activation: tanh}}
    - {{units: 1, activation: sigmoid}}
loss: binary_cross_entropy
optimizer: {{name: adam, lr: 0.01}}
training: {{epochs: 2, batch_size: 64}}
"""


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trained")
    config = folder / "tiny.yaml"
    config.write_text(TINY_CONFIG)
    return api.train(config, run_dir=folder / "run").run_dir


@pytest.fixture
def run_copy(trained_run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained_run, tmp_path / "run"))


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_cli(args: list[str]) -> Outcome:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {type(result.exception).__name__}: {result.exception}") from result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def assert_clean_error(outcome: Outcome, code: int, *fragments: str) -> None:
    assert outcome.code == code, (outcome.code, outcome.stderr, outcome.stdout)
    assert "Traceback" not in outcome.stderr + outcome.stdout
    lines = outcome.stderr.strip().splitlines()
    assert lines and lines[0].startswith("error: "), outcome.stderr
    assert len(lines) <= 2, outcome.stderr
    for fragment in fragments:
        assert fragment in outcome.stderr, (fragment, outcome.stderr)


def no_debris(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.endswith(".tmp") or ".write-test." in p.name]


def rewrite_weights(run: Path, payload: bytes, tensors: dict | None = None) -> None:
    """Replace the best checkpoint's weights with `payload`, keeping the description consistent with it."""
    description = run / "checkpoints" / "best.json"
    meta = json.loads(description.read_text())
    (run / "checkpoints" / meta["weights_file"]).write_bytes(payload)
    meta["sha256"] = hashlib.sha256(payload).hexdigest()
    if tensors is not None:
        meta["tensors"] = tensors
    description.write_text(json.dumps(meta))


def npz_bytes(arrays: dict[str, np.ndarray], allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()
