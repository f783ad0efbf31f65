"""The preflight, the loss-plateau warning, neuron traces, gradcheck and graph export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from luma_cli import api
from luma_cli.autograd import Tape, Tensor
from luma_cli.errors import ConfigError
from luma_cli.train.events import NeuronTrace, TrainWarning
from tests.diagnose.conftest import MLP_INIT


def test_preflight_stops_the_origin_example_before_epoch_1(root: Path, tmp_path: Path) -> None:
    with pytest.raises(api.PreflightError) as caught:
        api.train(root / "examples/broken_forward/config.yaml", run_dir=tmp_path / "run")
    assert caught.value.exit_code == 1 and caught.value.report.errors[0].kind == "broken_edge"
    assert not (tmp_path / "run").exists()


def test_without_preflight_the_origin_loss_never_moves_and_is_flagged(root: Path, tmp_path: Path) -> None:
    events = []
    result = api.train(root / "examples/broken_forward/config.yaml", epochs=5, preflight=False,
                       run_dir=tmp_path / "run", on_event=events.append)
    losses = [m.train_loss for m in result.history]
    assert max(losses) - min(losses) < 1e-6
    assert len({round(m.train_accuracy, 6) for m in result.history}) == 1
    warnings = [e.message for e in events if isinstance(e, TrainWarning)]
    assert any("has not changed for 3 epochs" in w and "luma debug-grads" in w for w in warnings)


def test_healthy_training_raises_no_plateau_warning(moons_config, tmp_path: Path) -> None:
    events = []
    api.train(moons_config(epochs=5), run_dir=tmp_path / "run", on_event=events.append)
    assert not [e for e in events if isinstance(e, TrainWarning)]


def test_cli_train_prints_the_verdict_and_exits_1(root: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "luma_cli", "train", str(root / "examples/broken_forward/config.yaml"),
                             "--run-dir", str(tmp_path / "run")], capture_output=True, text=True)
    assert result.returncode == 1 and "broken edge" in result.stdout and "op #7 binary_cross_entropy" in result.stdout
    assert "error: preflight stopped training before epoch 1" in result.stderr and "Traceback" not in result.stderr


def test_neuron_traces_record_before_gradient_after(moons_config, tmp_path: Path) -> None:
    events = []
    result = api.train(moons_config(epochs=2), run_dir=tmp_path / "run", on_event=events.append,
                       trace_neurons=["layers.0[7]", "layers.2[0]"], trace_every=10)
    traces = [e for e in events if isinstance(e, NeuronTrace)]
    lines = [json.loads(line) for line in (result.run_dir / "trace.jsonl").read_text().splitlines()]
    steps = sorted({t.global_step for t in traces})
    assert steps == [1, 11, 21, 31, 41] and len(lines) == len(traces) == 10  # 25 steps per epoch
    first = lines[0]
    assert first["neuron"] == "layers.0[7]" and len(first["weight_before"]) == 2
    lr = 0.5
    expected = np.array(first["weight_before"]) - lr * np.array(first["weight_grad"])
    np.testing.assert_allclose(first["weight_after"], expected, rtol=1e-5)
    np.testing.assert_allclose(first["weight_change"], np.array(first["weight_after"]) - first["weight_before"])


def test_trace_default_is_first_step_of_each_epoch_and_config_key_works(moons_config, tmp_path: Path) -> None:
    config = moons_config(epochs=3, extra="debug: {trace_neurons: 'layers.1[0]'}\n")
    result = api.train(config, run_dir=tmp_path / "run")
    lines = [json.loads(line) for line in (result.run_dir / "trace.jsonl").read_text().splitlines()]
    assert [(r["epoch"], r["step"]) for r in lines] == [(1, 1), (2, 1), (3, 1)]


@pytest.mark.parametrize(("address", "message"), [
    ("layers.9[0]", "no Dense layer 'layers.9'"),
    ("layers.0[8]", "has 8 neurons"),
    ("layer.0[1]", "did you mean 'layers.0'"),
    ("layers.0", "not of the form"),
])
def test_bad_neuron_addresses(moons_config, tmp_path: Path, address: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("(", r"\(")):
        api.train(moons_config(), run_dir=tmp_path / "run", trace_neurons=[address])


def test_a_traced_neuron_without_gradient_shows_none(root: Path, tmp_path: Path) -> None:
    events = []
    api.train(root / "examples/broken_forward/config.yaml", epochs=1, preflight=False, run_dir=tmp_path / "run",
              trace_neurons=["layers.0[0]"], on_event=events.append)
    trace = [e for e in events if isinstance(e, NeuronTrace)][0]
    assert trace.weight_grad is None and trace.weight_after == trace.weight_before


def test_gradcheck_passes_on_shipped_configs_and_custom_models(root: Path) -> None:
    for config in (root / "configs/quickstart.yaml", root / "configs/moons.yaml", root / "examples/unused_layer/config.yaml"):
        report = api.gradcheck(config)
        assert report.passed, [(c.name, c.error) for c in report.checks]


def test_gradcheck_points_at_a_wrong_backward(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    return WrongSquareSigmoid.apply_to(self.layers(x))
''', header='''
from luma_cli.autograd.function import Function, apply

class WrongSquareSigmoid(Function):
    name = "wrong_square"

    @staticmethod
    def forward(ctx, a):
        return a * a

    @staticmethod
    def backward(ctx, grad):
        return (grad * ctx.inputs[0].data,)

    @staticmethod
    def apply_to(x):
        return apply(WrongSquareSigmoid, x)
''')
    report = api.gradcheck(config)
    assert not report.passed
    assert all(c.suspect_op and c.suspect_op.endswith("wrong_square") for c in report.checks)


def test_gradcheck_on_a_cut_graph_says_so(root: Path) -> None:
    report = api.gradcheck(root / "examples/mid_break/config.yaml")
    failing = [c for c in report.checks if not c.passed]
    assert [c.name for c in failing] == ["layers.0.weight", "layers.0.bias"]
    assert all("graph is cut" in c.note for c in failing)


def test_graph_formats_mark_the_broken_edge(root: Path) -> None:
    config = root / "examples/broken_forward/config.yaml"
    text = api.graph(config)
    assert "#7 binary_cross_entropy" in text and "✗ BROKEN EDGE: equals t13, output of #6 sigmoid" in text
    assert "parameter layers.0.weight" in text
    dot = api.graph(config, fmt="dot")
    assert dot.startswith("digraph luma {") and 't13 -> t14 [style=dashed, color=red' in dot
    mermaid = api.graph(config, fmt="mermaid")
    assert mermaid.startswith("flowchart TD") and 't13 -. "copied, not connected" .-> t14' in mermaid
    with pytest.raises(ConfigError, match="unknown graph format"):
        api.graph(config, fmt="png")


def test_debug_grads_cli_json_and_exit_codes(root: Path) -> None:
    broken = subprocess.run([sys.executable, "-m", "luma_cli", "debug-grads", str(root / "examples/broken_forward/config.yaml"),
                             "--json"], capture_output=True, text=True)
    assert broken.returncode == 1
    document = json.loads(broken.stdout)
    assert document["healthy"] is False and document["findings"][0]["kind"] == "broken_edge"
    healthy = subprocess.run([sys.executable, "-m", "luma_cli", "debug-grads", str(root / "configs/quickstart.yaml")],
                             capture_output=True, text=True)
    assert healthy.returncode == 0 and "healthy" in healthy.stdout


def test_debug_grads_with_a_checkpoint(moons_config, tmp_path: Path) -> None:
    config = moons_config(epochs=1)
    run = api.train(config, run_dir=tmp_path / "run").run_dir
    report = api.diagnose(config, checkpoint=run)
    assert report.healthy


def test_a_tensor_feeding_several_ops_accumulates_every_gradient() -> None:
    w = Tensor(np.array([1.5, -2.0]), requires_grad=True)
    with Tape() as tape:
        loss = (w * 3.0).sum() + (w * w).sum() + w.sigmoid().sum() + (w.exp() / 2.0).sum()
    tape.backward(loss)
    s = 1 / (1 + np.exp(-w.data))
    expected = 3.0 + 2 * w.data + s * (1 - s) + np.exp(w.data) / 2
    np.testing.assert_allclose(w.grad, expected)
