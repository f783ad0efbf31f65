"""Evaluation records no graph; float32 training stays float32 end to end (no silent upcasts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from luma_cli import api
from luma_cli.autograd import Tensor
from luma_cli.autograd.tape import Tape
from luma_cli.train.checkpoint import load_checkpoint


def test_evaluation_and_prediction_record_nothing(moons_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    run = api.train(moons_config(epochs=1), run_dir=tmp_path / "run").run_dir

    def no_recording(self, node, output):  # noqa: ANN001
        raise AssertionError(f"evaluation recorded op {node.op.name}")

    monkeypatch.setattr(Tape, "record", no_recording)
    report = api.evaluate(run, root / "data/moons_test.csv").report
    api.predict(run, root / "data/moons_test.csv", tmp_path / "p.csv")
    assert report.n == 500
    model = api.load_model(run).model
    out = model(Tensor(np.zeros((3, 2), np.float32)))
    assert out.node is None and out.tape is None and not out.requires_grad


def test_float32_training_never_makes_float64_arrays(moons_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: set[str] = set()
    original = Tensor.from_op.__func__

    def spy(cls, data, node, requires_grad):  # noqa: ANN001
        seen.add(str(np.asarray(data).dtype))
        return original(cls, data, node, requires_grad)

    monkeypatch.setattr(Tensor, "from_op", classmethod(spy))
    config = moons_config(epochs=2, batch_size=16)
    config.write_text(config.read_text().replace("name: sgd, lr: 0.5", "name: adam, lr: 0.01"))
    result = api.train(config, run_dir=tmp_path / "run")
    assert seen == {"float32"}
    assert {p.dtype for p in result.model.parameters()} == {np.dtype(np.float32)}
    last = load_checkpoint(result.run_dir / "checkpoints/last.json").state
    assert {str(a.dtype) for a in last.values()} == {"float32"}  # weights and Adam moments
