"""Every differentiable function in one table, checked against central finite differences (float64).

A new op joins by adding a row; the test ids name the op.
"""

from __future__ import annotations

import numpy as np
import pytest

from luma_cli.autograd import Tape, Tensor, fused, gradcheck, gradcheck_parameters, ops
from luma_cli.nn import MLP, LayerSpec

rng = np.random.default_rng(0)


def randn(*shape: int) -> np.ndarray:
    return rng.normal(size=shape)


def positive(*shape: int) -> np.ndarray:
    return rng.uniform(0.5, 2.0, size=shape)


def away_from_zero(*shape: int) -> np.ndarray:
    """Values with |x| >= 0.1, so kinks (relu, maximum) are not straddled by the finite difference."""
    x = rng.uniform(0.1, 2.0, size=shape)
    return x * rng.choice([-1.0, 1.0], size=shape)


def probabilities(*shape: int) -> np.ndarray:
    return rng.uniform(0.05, 0.95, size=shape)


def labels(*shape: int) -> np.ndarray:
    return rng.integers(0, 2, size=shape).astype(np.float64)


RESHAPE_WEIGHTS = Tensor(randn(4, 3))
TRANSPOSE_RIGHT = Tensor(randn(3, 2))

CASES = {
    "add": (lambda a, b: a + b, [randn(3, 4), randn(3, 4)]),
    "add_broadcast": (lambda a, b: a + b, [randn(3, 4), randn(4)]),
    "add_broadcast_keepdim": (lambda a, b: a + b, [randn(3, 4), randn(3, 1)]),
    "sub": (lambda a, b: a - b, [randn(3, 4), randn(1, 4)]),
    "mul": (lambda a, b: a * b, [randn(3, 4), randn(3, 4)]),
    "mul_broadcast": (lambda a, b: a * b, [randn(2, 3, 4), randn(4)]),
    "div": (lambda a, b: a / b, [randn(3, 4), positive(3, 4)]),
    "div_broadcast": (lambda a, b: a / b, [randn(3, 4), positive(3, 1)]),
    "neg": (lambda a: -a, [randn(3, 4)]),
    "pow_2": (lambda a: a**2, [randn(3, 4)]),
    "pow_half": (lambda a: a**0.5, [positive(3, 4)]),
    "pow_neg": (lambda a: a**-1.5, [positive(3, 4)]),
    "matmul": (lambda a, b: a @ b, [randn(3, 4), randn(4, 5)]),
    "matmul_vector": (lambda a, b: a @ b, [randn(3, 4), randn(4)]),
    "vector_matmul": (lambda a, b: a @ b, [randn(4), randn(4, 5)]),
    "sum_all": (lambda a: a.sum(), [randn(3, 4)]),
    "sum_axis0": (lambda a: a.sum(axis=0), [randn(3, 4)]),
    "sum_axis1_keepdims": (lambda a: a.sum(axis=1, keepdims=True), [randn(3, 4)]),
    "mean_all": (lambda a: a.mean(), [randn(3, 4)]),
    "mean_axis": (lambda a: a.mean(axis=1), [randn(3, 4)]),
    "exp": (lambda a: a.exp(), [randn(3, 4)]),
    "log": (lambda a: a.log(), [positive(3, 4)]),
    "maximum": (lambda a, b: a.maximum(b), [away_from_zero(3, 4), away_from_zero(3, 4) * 0.5]),
    "reshape": (lambda a: a.reshape(4, 3) * RESHAPE_WEIGHTS, [randn(3, 4)]),
    "transpose": (lambda a: a.T @ TRANSPOSE_RIGHT, [randn(3, 4)]),
    "getitem_rows": (lambda a: a[1:3], [randn(4, 3)]),
    "getitem_repeated": (lambda a: a[np.array([0, 0, 2])], [randn(4, 3)]),
    "linear": (fused.linear, [randn(5, 3), randn(4, 3), randn(4)]),
    "linear_relu": (lambda x, w, b: fused.linear_then("relu", x, w, b), [away_from_zero(5, 3), randn(4, 3), away_from_zero(4) * 3]),
    "linear_sigmoid": (lambda x, w, b: fused.linear_then("sigmoid", x, w, b), [randn(5, 3), randn(4, 3), randn(4)]),
    "linear_tanh": (lambda x, w, b: fused.linear_then("tanh", x, w, b), [randn(5, 3), randn(4, 3), randn(4)]),
    "sigmoid": (fused.sigmoid, [randn(3, 4) * 3]),
    "tanh": (fused.tanh, [randn(3, 4)]),
    "relu": (fused.relu, [away_from_zero(3, 4)]),
    "leaky_relu": (lambda a: fused.leaky_relu(a, 0.1), [away_from_zero(3, 4)]),
    "gelu": (fused.gelu, [randn(3, 4) * 2]),
    "softplus": (fused.softplus, [randn(3, 4) * 3]),
    "binary_cross_entropy": (fused.binary_cross_entropy, [probabilities(6, 1), probabilities(6, 1)]),
    "binary_cross_entropy_with_logits": (fused.binary_cross_entropy_with_logits, [randn(6, 1) * 3, probabilities(6, 1)]),
    "mse": (fused.mse, [randn(6, 1), randn(6, 1)]),
    "sigmoid_binary_cross_entropy": (fused.sigmoid_binary_cross_entropy, [randn(6, 1) * 3, probabilities(6, 1)]),
    "binary_cross_entropy_of_sigmoid": (lambda z, y: fused.binary_cross_entropy(z.sigmoid(), y), [randn(6, 1) * 3, probabilities(6, 1)]),
    "composed_expression": (lambda a, b: ((a * b).exp() + (a * a) / (b * b + 1.0)).log().mean(), [randn(3, 4), randn(3, 4)]),
    "mean_helper": (lambda a: ops.mean(a, axis=0), [randn(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    fn, inputs = CASES[name]
    result = gradcheck(fn, inputs)
    assert result.max_error <= 1e-6, f"{name}: relative errors {result.errors}"
    for analytic in result.analytic:
        assert np.any(analytic != 0), f"{name}: gradient is identically zero, the check proves nothing"


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "gelu", "softplus", "relu", "leaky_relu"])
def test_whole_mlp_gradients_match_finite_differences(activation: str) -> None:
    local = np.random.default_rng(7)  # its own stream: the table above must not shift these inputs
    x = Tensor(local.normal(size=(7, 3)), kind="input")
    y = Tensor(local.integers(0, 2, size=(7, 1)).astype(np.float64), kind="input")
    model = MLP(3, [LayerSpec(5, activation), LayerSpec(4, activation), LayerSpec(1, "sigmoid")],
                rng=np.random.default_rng(1), dtype=np.float64)
    names = [name for name, _ in model.named_parameters()]
    result = gradcheck_parameters(lambda: fused.binary_cross_entropy(model(x), y), model.parameters())
    assert result.max_error <= 1e-6, dict(zip(names, result.errors))
    assert all(np.any(a != 0) for a in result.analytic)


def test_gradcheck_detects_a_wrong_backward() -> None:
    """The oracle can fail: a deliberately wrong derivative is caught."""
    from luma_cli.autograd.function import Function, apply

    class WrongSquare(Function):
        name = "wrong_square"

        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, grad):
            return (grad * ctx.inputs[0].data,)  # should be 2a

    result = gradcheck(lambda a: apply(WrongSquare, a), [randn(3)])
    assert result.max_error > 0.1


def test_gradcheck_reports_per_input_errors() -> None:
    result = gradcheck(lambda a, b: a * b, [randn(2, 2), randn(2, 2)])
    assert len(result.errors) == 2
    assert result.passed()


def test_float32_ops_stay_float32() -> None:
    x = Tensor(randn(4, 3).astype(np.float32), requires_grad=True)
    w = Tensor(randn(2, 3).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32), requires_grad=True)
    with Tape() as tape:
        h = fused.linear(x, w, b)
        out = (h.sigmoid() * 2.0 + h.tanh() - h.relu() / 3.0 + h.gelu() + h.softplus() + h.leaky_relu()) ** 2
        loss = fused.binary_cross_entropy(h.sigmoid(), Tensor(np.ones((4, 2), np.float32))) + out.mean()
    tape.backward(loss)
    produced = [t.data for t in tape.outputs] + [x.grad, w.grad, b.grad]
    assert all(a.dtype == np.float32 for a in produced), {a.dtype for a in produced}
