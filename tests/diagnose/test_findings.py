"""Each finding kind, triggered by a model with exactly that defect; healthy models report no error."""

from __future__ import annotations

from pathlib import Path

import pytest

from luma_cli import api
from tests.diagnose.conftest import MLP_INIT


def kinds(report) -> dict[str, str]:
    return {f.kind: f.severity for f in report.findings}


def error_kinds(report) -> set[str]:
    return {f.kind for f in report.errors}


@pytest.mark.parametrize("name", ["quickstart", "moons", "breast_cancer"])
def test_shipped_configs_are_healthy(root: Path, name: str) -> None:
    report = api.diagnose(root / "configs" / f"{name}.yaml", batches=3)
    assert report.healthy, [f.message for f in report.errors]
    assert all(stats.norm > 0 for stats in report.gradients.values())


def test_healthy_custom_model(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    return self.layers(x)
''')
    report = api.diagnose(config)
    assert report.healthy and not report.findings


@pytest.mark.parametrize(("rewrap", "relation"), [
    ("Tensor(p.data)", "same array"),
    ("Tensor(p.data[:])", "shared memory"),
    ("Tensor(p.numpy().copy())", "equal values"),
    ("p.detach()", "same array"),
])
def test_broken_edge_at_the_output_names_the_copy(plugin, rewrap: str, relation: str) -> None:
    config = plugin(MLP_INIT + f'''
def forward(self, x):
    p = self.layers(x)
    return {rewrap}
''')
    report = api.diagnose(config)
    assert error_kinds(report) == {"broken_edge"}
    finding = report.errors[0]
    assert finding.op == "binary_cross_entropy" and finding.copies.op == "sigmoid" and finding.copies.relation == relation
    assert finding.created_at.startswith(str(config.parent / "model.py")) or "model.py:" in finding.created_at
    assert "in forward" in finding.created_at
    assert finding.parameter_names == [f"layers.{i}.{k}" for i in range(3) for k in ("weight", "bias")]
    assert "no gradient reaches layers.0-2" in finding.message


def test_broken_edge_in_the_middle_starves_only_the_layers_before_it(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    h = self.layers[0](x)
    h = Tensor(np.asarray(h.numpy()))
    return self.layers[2](self.layers[1](h))
''')
    report = api.diagnose(config)
    (finding,) = report.errors
    assert finding.kind == "broken_edge" and finding.op == "linear" and finding.copies.op == "tanh"
    assert finding.parameter_names == ["layers.0.weight", "layers.0.bias"]


def test_a_constant_computed_in_numpy_is_still_found(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    h = self.layers[0](x)
    h = Tensor(np.tanh(h.numpy()))
    return self.layers[2](self.layers[1](h))
''')
    (finding,) = api.diagnose(config).errors
    assert finding.kind == "broken_edge" and finding.copies is None
    assert "matches no op output" in finding.message and finding.parameter_names == ["layers.0.weight", "layers.0.bias"]


def test_disconnected_side_branch(plugin) -> None:
    config = plugin(MLP_INIT + '''
    self.aux = Dense(in_features, 3, rng=rng)

def forward(self, x):
    self.aux(x)
    return self.layers(x)
''')
    report = api.diagnose(config)
    assert error_kinds(report) == {"disconnected"}
    assert report.errors[0].parameter_names == ["aux.weight", "aux.bias"]


def test_unused_parameters(plugin) -> None:
    config = plugin(MLP_INIT + '''
    self.spare = Dense(4, 4, rng=rng)

def forward(self, x):
    return self.layers(x)
''')
    report = api.diagnose(config)
    assert error_kinds(report) == {"unused"}
    assert report.errors[0].parameters == ["spare: every weight and bias (20 entries)"]


def test_dead_relu_layer_is_an_error_a_few_dead_units_a_warning(plugin) -> None:
    dead = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.hidden = Dense(in_features, 6, "relu", bias_init="constant", bias_init_args={"value": -50.0}, rng=rng)
    self.out = Dense(6, 1, "sigmoid", rng=rng)

def forward(self, x):
    return self.out(self.hidden(x))
''')
    report = api.diagnose(dead)
    assert error_kinds(report) == {"dead_unit"}
    assert "hidden[0-5]" in report.errors[0].message and "6 of 6 units" in report.errors[0].message
    assert kinds(report)["zero_input"] == "warning"

    few = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.hidden = Dense(in_features, 6, "relu", rng=rng)
    self.hidden.bias.data[0] = -50.0
    self.out = Dense(6, 1, "sigmoid", rng=rng)

def forward(self, x):
    return self.out(self.hidden(x))
''')
    report = api.diagnose(few)
    assert report.healthy and kinds(report)["dead_unit"] == "warning"
    (finding,) = [f for f in report.findings if f.kind == "dead_unit"]
    assert finding.parameters == ["hidden[0]: every weight and bias (1 neuron)"]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_saturated_units(plugin, activation: str) -> None:
    config = plugin(f'''
def __init__(self, in_features, rng):
    super().__init__()
    self.hidden = Dense(in_features, 4, "{activation}", bias_init="constant", bias_init_args={{"value": 60.0}}, rng=rng)
    self.out = Dense(4, 1, "sigmoid", rng=rng)

def forward(self, x):
    return self.out(self.hidden(x))
''')
    report = api.diagnose(config)
    assert error_kinds(report) == {"saturated"}
    assert f"saturated {activation} units: hidden[0-3]" in report.errors[0].message


def test_zero_init_blocks_gradients_and_is_symmetric(root: Path) -> None:
    report = api.diagnose(root / "examples/zero_init/config.yaml")
    assert error_kinds(report) == {"zero_init"}
    assert {f.kind for f in report.findings if f.severity == "warning"} == {"symmetric_init"}
    messages = " ".join(f.message for f in report.errors)
    assert "layers.1.weight is zero" in messages and "layers.2.weight is zero" in messages


def test_zero_input_feature_is_a_warning(plugin, write) -> None:
    data = write("const.csv", "a,b,label\n" + "".join(f"{i % 7},0,{i % 2}\n" for i in range(60)))
    config = plugin(MLP_INIT + '''
def forward(self, x):
    return self.layers(x)
''', data=str(data))
    report = api.diagnose(config)
    assert report.healthy
    (finding,) = [f for f in report.findings if f.kind == "zero_input"]
    assert "input feature 1" in finding.message and finding.parameters == ["layers.0[*].weight[1]: input 1 of every neuron"]


def test_tiny_gradients_below_tolerance(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    return self.layers(x)
''')
    report = api.diagnose(config, tolerance=1e3)
    assert "tiny" in error_kinds(report)


def test_nan_in_forward_names_the_op_and_line(root: Path) -> None:
    report = api.diagnose(root / "examples/nan/config.yaml")
    finding = report.errors[0]
    assert finding.kind == "nan_or_inf" and finding.op == "log" and "forward pass" in finding.message
    assert finding.created_at.endswith("in forward") and "nan/model.py:16" in finding.created_at


def test_nan_in_backward(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    h = self.layers[0](x).relu() ** 0.5
    return self.layers[2](self.layers[1](h))
''')
    report = api.diagnose(config)
    finding = report.errors[0]
    assert finding.kind == "nan_or_inf" and finding.op == "pow" and "backward pass" in finding.message


def test_output_activation_that_cannot_be_a_probability(plugin) -> None:
    config = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.out = Dense(in_features, 1, "relu", rng=rng)

def forward(self, x):
    return self.out(x) * 0.01 + 0.5
''')
    assert kinds(api.diagnose(config))["output_activation"] == "warning"
    double = plugin(MLP_INIT + '''
def forward(self, x):
    return self.layers(x)
''', loss="binary_cross_entropy_with_logits")
    finding = [f for f in api.diagnose(double).findings if f.kind == "output_activation"][0]
    assert "applies a sigmoid itself" in finding.message


def test_vanishing_and_exploding_gradients(plugin) -> None:
    vanishing = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.a = Dense(in_features, 8, "tanh", rng=rng)
    self.b = Dense(8, 1, "sigmoid", rng=rng)
    self.b.weight.data *= 1e-7

def forward(self, x):
    return self.b(self.a(x))
''')
    report = api.diagnose(vanishing)
    assert report.healthy and "a" in [f for f in report.findings if f.kind == "vanishing_gradient"][0].parameter_names
    exploding = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.a = Dense(in_features, 8, "identity", rng=rng)
    self.a.weight.data *= 1e4

def forward(self, x):
    return self.a(x).sum(axis=1, keepdims=True)
''', loss="mse")
    assert kinds(api.diagnose(exploding))["exploding_gradient"] == "warning"


@pytest.mark.parametrize(("example", "kind"), [
    ("broken_forward", "broken_edge"),
    ("mid_break", "broken_edge"),
    ("unused_layer", "unused"),
    ("dead_relu", "dead_unit"),
    ("saturated", "saturated"),
    ("zero_init", "zero_init"),
    ("nan", "nan_or_inf"),
])
def test_every_example_reports_exactly_its_defect(root: Path, example: str, kind: str) -> None:
    report = api.diagnose(root / "examples" / example / "config.yaml")
    assert error_kinds(report) == {kind}


def test_several_batches_must_all_agree(root: Path) -> None:
    report = api.diagnose(root / "examples/dead_relu/config.yaml", batches=4)
    assert report.batches == 4 and report.rows == 128 and error_kinds(report) == {"dead_unit"}


def test_report_json_shape(root: Path) -> None:
    document = api.diagnose(root / "examples/broken_forward/config.yaml").to_dict()
    finding = document["findings"][0]
    assert {"kind", "severity", "message", "parameters", "op_id", "tensor_id", "created_at", "copies"} <= set(finding)
    assert finding["copies"]["op"] == "sigmoid" and finding["tensor_id"].startswith("t")
    assert document["gradients"]["layers.0.weight"] == {"norm": 0.0, "max_abs": 0.0, "zero_count": 16, "size": 16}


MATMUL_LAYERS = '''
def __init__(self, in_features, rng):
    super().__init__()
    self.w1 = Parameter(rng.normal(size=(6, in_features)))
    self.b1 = Parameter(np.full(6, {bias}))
    self.w2 = Parameter(rng.normal(size=(1, 6)))
    self.b2 = Parameter(np.zeros(1))

def forward(self, x):
    h = (x @ self.w1.T + self.b1).{activation}()
    return (h @ self.w2.T + self.b2).sigmoid()
'''


@pytest.mark.parametrize(("activation", "bias", "kind"), [("relu", -50.0, "dead_unit"), ("sigmoid", 60.0, "saturated")])
def test_layers_written_with_matmul_are_explained_too(plugin, activation: str, bias: float, kind: str) -> None:
    config = plugin(MATMUL_LAYERS.format(activation=activation, bias=bias))
    report = api.diagnose(config)
    assert kind in error_kinds(report)
    finding = [f for f in report.errors if f.kind == kind][0]
    assert set(finding.parameter_names) >= {"w1", "b1"} and f"{activation} output[0-5]" in finding.message


def test_a_trainable_tensor_made_in_forward_is_a_broken_edge(plugin) -> None:
    config = plugin(MLP_INIT + '''
def forward(self, x):
    p = self.layers(x)
    return Tensor(p.data, requires_grad=True)
''')
    (finding,) = api.diagnose(config).errors
    assert finding.kind == "broken_edge" and "a new trainable leaf" in finding.message and finding.copies.op == "sigmoid"


def test_exact_cancellation_on_symmetric_data_is_a_warning(plugin, write) -> None:
    """p = 0.5 on every row and balanced labels: the bias's per-row terms (+0.5, -0.5) cancel exactly."""
    rows = "".join(f"{(-1) ** i * (1 + i // 2)},{'yes' if i % 2 else 'no'}\n" for i in range(32))  # 1/32: exact terms
    data = write("sym.csv", "x1,label\n" + rows)
    config = plugin('''
def __init__(self, in_features, rng):
    super().__init__()
    self.out = Dense(in_features, 1, "sigmoid", rng=rng)
    self.out.weight.data[:] = 0

def forward(self, x):
    return self.out(x)
''', data=str(data), batch_size=64)
    config.write_text(config.read_text().replace("validation_split: 0.2", "validation_split: 0.0"))
    report = api.diagnose(config)
    assert report.healthy
    (finding,) = [f for f in report.findings if f.kind == "cancelled"]
    assert finding.severity == "warning" and finding.parameter_names == ["out.bias"]
