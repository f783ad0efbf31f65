"""Module tree, Dense layout, initializers, activations and losses by name."""

from __future__ import annotations

import numpy as np
import pytest

from luma_cli.autograd import Tape, Tensor
from luma_cli.errors import CheckpointError, ConfigError
from luma_cli.nn import ACTIVATIONS, INITIALIZERS, LOSSES, MLP, Dense, InitSpec, LayerSpec, Module, Parameter, Sequential
from luma_cli.nn.initializers import initialize


def origin_model() -> MLP:
    return MLP(2, [LayerSpec(8, "sigmoid"), LayerSpec(4, "sigmoid"), LayerSpec(1, "sigmoid")],
               InitSpec("uniform", {"low": -0.6, "high": 0.6}), rng=np.random.default_rng(0))


def test_parameters_have_stable_dotted_names_and_pytorch_shapes() -> None:
    shapes = {name: p.shape for name, p in origin_model().named_parameters()}
    assert shapes == {
        "layers.0.weight": (8, 2), "layers.0.bias": (8,),
        "layers.1.weight": (4, 8), "layers.1.bias": (4,),
        "layers.2.weight": (1, 4), "layers.2.bias": (1,),
    }


def test_label_parameters_stamps_names() -> None:
    model = origin_model()
    model.label_parameters()
    assert [p.name for p in model.parameters()][:2] == ["layers.0.weight", "layers.0.bias"]


def test_neuron_j_is_row_j_of_weight_plus_bias_j() -> None:
    layer = Dense(3, 2, "identity", rng=np.random.default_rng(0))
    x = np.array([[1.0, 2.0, 3.0]])
    out = layer(Tensor(x)).data
    np.testing.assert_allclose(out[0, 1], x[0] @ layer.weight.data[1] + layer.bias.data[1])


def test_uniform_init_respects_bounds_and_seed() -> None:
    a, b = origin_model(), origin_model()
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    w = a.layers[0].weight.data
    assert w.min() >= -0.6 and w.max() <= 0.6 and np.all(a.layers[0].bias.data == 0)


def test_state_dict_round_trip_and_mismatches() -> None:
    source, target = origin_model(), MLP(2, [LayerSpec(8, "sigmoid"), LayerSpec(4, "sigmoid"), LayerSpec(1, "sigmoid")])
    target.load_state_dict(source.state_dict())
    for (_, p), (_, q) in zip(source.named_parameters(), target.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    state = source.state_dict()
    state["layers.0.weight"] = np.zeros((3, 3))
    with pytest.raises(CheckpointError, match="layers.0.weight has shape"):
        target.load_state_dict(state)
    del state["layers.0.weight"]
    with pytest.raises(CheckpointError, match="missing layers.0.weight"):
        target.load_state_dict(state)


def test_state_dict_is_a_copy() -> None:
    model = origin_model()
    state = model.state_dict()
    model.layers[0].weight.data += 1
    assert not np.array_equal(state["layers.0.weight"], model.layers[0].weight.data)


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = origin_model().layerz  # noqa: B018


def test_assigning_before_super_init_says_what_to_do() -> None:
    class Broken(Module):
        def __init__(self) -> None:
            self.w = Parameter(np.ones(2))

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Broken()


def test_custom_module_registers_parameters_and_submodules() -> None:
    class Net(Module):
        def __init__(self) -> None:
            super().__init__()
            self.scale = Parameter(np.ones(1))
            self.body = Sequential(Dense(2, 3), Dense(3, 1))

        def forward(self, x: Tensor) -> Tensor:
            return self.body(x) * self.scale

    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias"]
    with Tape() as tape:
        loss = net(Tensor(np.ones((4, 2)))).sum()
    tape.backward(loss)
    assert all(p.grad is not None for p in net.parameters())


def test_train_and_eval_modes_reach_submodules() -> None:
    model = origin_model()
    model.eval()
    assert not model.layers[0].training
    model.train()
    assert model.layers[2].training


def test_to_dtype_casts_every_parameter() -> None:
    model = origin_model().to_dtype(np.float32)
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal"])
def test_scaled_initializers_have_the_documented_spread(name: str) -> None:
    w = initialize(name, (400, 300), np.random.default_rng(0))
    fan_in, fan_out = 300, 400
    expected_std = {
        "xavier_uniform": np.sqrt(2 / (fan_in + fan_out)),
        "xavier_normal": np.sqrt(2 / (fan_in + fan_out)),
        "he_uniform": np.sqrt(2 / fan_in),
        "he_normal": np.sqrt(2 / fan_in),
    }[name]
    assert abs(w.std() - expected_std) / expected_std < 0.02
    assert abs(w.mean()) < 0.01


def test_constant_zeros_and_normal_initializers() -> None:
    rng = np.random.default_rng(0)
    assert np.all(initialize("constant", (3,), rng, value=-5.0) == -5.0)
    assert np.all(initialize("zeros", (2, 2), rng) == 0)
    w = initialize("normal", (10000,), rng, mean=1.0, std=0.5)
    assert abs(w.mean() - 1.0) < 0.02 and abs(w.std() - 0.5) < 0.02


def test_initializer_with_a_wrong_argument_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="does not take"):
        initialize("he_normal", (2, 2), np.random.default_rng(0), low=1.0)


def test_registries_resolve_names_and_suggest_on_typos() -> None:
    assert {"sigmoid", "relu", "tanh", "leaky_relu", "gelu", "softplus"} <= set(ACTIVATIONS.names())
    assert {"he_normal", "kaiming_uniform", "glorot_uniform", "uniform", "zeros"} <= set(INITIALIZERS.names())
    with pytest.raises(ConfigError, match="did you mean 'sigmoid'"):
        ACTIVATIONS.get("sigmoidd")


def test_losses_map_outputs_to_probabilities() -> None:
    logits = LOSSES.get("binary_cross_entropy_with_logits")
    probs = LOSSES.get("binary_cross_entropy")
    np.testing.assert_allclose(logits.probabilities(np.array([0.0, 100.0])), [0.5, 1.0])
    np.testing.assert_allclose(probs.probabilities(np.array([0.25])), [0.25])


def test_bce_matches_the_formula_and_clamps_log() -> None:
    p, y = np.array([[0.9], [0.2], [0.0]]), np.array([[1.0], [0.0], [1.0]])
    loss = LOSSES.get("binary_cross_entropy")(Tensor(p), Tensor(y)).item()
    expected = -(np.log(0.9) + np.log(0.8) + (-100.0)) / 3
    assert loss == pytest.approx(expected)


def test_bce_with_logits_is_stable_for_large_logits() -> None:
    z, y = np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]])
    loss = LOSSES.get("binary_cross_entropy_with_logits")(Tensor(z), Tensor(y)).item()
    assert loss == pytest.approx(1000.0)
