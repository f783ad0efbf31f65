"""Fused ops: one node where composing primitives would cost speed or numerical stability.

Activations save their output (or input) so backward is one or two array operations.
Losses reduce to a scalar mean over all elements.
"""

from __future__ import annotations

import numpy as np

from luma_cli.autograd.function import Function, apply
from luma_cli.autograd.tape import Node
from luma_cli.autograd.tensor import Tensor

_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))
_GELU_C = 0.044715


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) computed as (1 + tanh(x/2)) / 2, which cannot overflow."""
    out = np.tanh(x * 0.5)
    out += 1
    out *= 0.5
    return out


class Linear(Function):
    """x @ W^T + b, W of shape (out, in); dx = g W, dW = g^T x, db = sum over rows of g."""

    name = "linear"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
        out = x @ weight.T
        out += bias
        return out

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, weight, bias = ctx.inputs
        grad_x = grad @ weight.data if x.requires_grad else None
        grad_w = grad.T @ x.data if weight.requires_grad else None
        grad_b = np.add.reduce(grad, axis=0) if bias.requires_grad else None
        return grad_x, grad_w, grad_b


class _LinearThenActivation(Function):
    """activation(x @ W^T + b) as one node: the speed path for Dense layers in training.

    Diagnostic tapes (record_sources=True) keep linear and the activation as separate ops, so the
    pre-activation stays visible; the math is the same.
    """

    @staticmethod
    def activate(z: np.ndarray) -> np.ndarray:  # in place
        raise NotImplementedError

    @staticmethod
    def local_gradient(out: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx: Node, x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
        z = x @ weight.T
        z += bias
        out = cls.activate(z)
        ctx.saved = out
        return out

    @classmethod
    def backward(cls, ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        x, weight, bias = ctx.inputs
        grad_z = cls.local_gradient(ctx.saved, grad)
        grad_x = grad_z @ weight.data if x.requires_grad else None
        grad_w = grad_z.T @ x.data if weight.requires_grad else None
        grad_b = np.add.reduce(grad_z, axis=0) if bias.requires_grad else None
        return grad_x, grad_w, grad_b


class LinearRelu(_LinearThenActivation):
    """relu(x @ W^T + b); d/dz = 1 where the output > 0."""

    name = "linear_relu"

    @staticmethod
    def activate(z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0, out=z)

    @staticmethod
    def local_gradient(out: np.ndarray, grad: np.ndarray) -> np.ndarray:
        return grad * (out > 0)


class LinearSigmoid(_LinearThenActivation):
    """sigmoid(x @ W^T + b); d/dz = s (1 - s)."""

    name = "linear_sigmoid"

    @staticmethod
    def activate(z: np.ndarray) -> np.ndarray:
        z *= 0.5
        np.tanh(z, out=z)
        z += 1
        z *= 0.5
        return z

    @staticmethod
    def local_gradient(out: np.ndarray, grad: np.ndarray) -> np.ndarray:
        local = 1 - out
        local *= out
        local *= grad
        return local


class LinearTanh(_LinearThenActivation):
    """tanh(x @ W^T + b); d/dz = 1 - t^2."""

    name = "linear_tanh"

    @staticmethod
    def activate(z: np.ndarray) -> np.ndarray:
        return np.tanh(z, out=z)

    @staticmethod
    def local_gradient(out: np.ndarray, grad: np.ndarray) -> np.ndarray:
        local = out * out
        np.subtract(1, local, out=local)
        local *= grad
        return local


LINEAR_THEN = {"relu": LinearRelu, "sigmoid": LinearSigmoid, "tanh": LinearTanh}


class Sigmoid(Function):
    """s(x) = 1 / (1 + e^-x); d/dx = s (1 - s)."""

    name = "sigmoid"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray) -> np.ndarray:
        out = stable_sigmoid(x)
        ctx.saved = out
        return out

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        s = ctx.saved
        local = 1 - s
        local *= s
        local *= grad
        return (local,)


class Tanh(Function):
    """tanh(x); d/dx = 1 - tanh(x)^2."""

    name = "tanh"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray) -> np.ndarray:
        out = np.tanh(x)
        ctx.saved = out
        return out

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        t = ctx.saved
        return (grad * (1 - t * t),)


class Relu(Function):
    """relu(x) = max(x, 0); d/dx = 1 where x > 0, else 0."""

    name = "relu"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray) -> np.ndarray:
        out = np.maximum(x, 0)
        ctx.saved = out
        return out

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * (ctx.saved > 0),)


class LeakyRelu(Function):
    """leaky_relu(x) = x if x > 0 else slope * x; d/dx = 1 or slope."""

    name = "leaky_relu"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray, slope: float) -> np.ndarray:
        positive = x > 0
        ctx.saved = positive
        ctx.attrs = slope
        return np.where(positive, x, x * slope)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (np.where(ctx.saved, grad, grad * ctx.attrs),)


class Gelu(Function):
    """gelu(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the tanh form; derivative by the chain rule."""

    name = "gelu"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray) -> np.ndarray:
        t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_C * x**3))
        ctx.saved = t
        return 0.5 * x * (1 + t)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        x = ctx.inputs[0].data
        t = ctx.saved
        inner_grad = _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * x * x)
        return (grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_grad),)


class Softplus(Function):
    """softplus(x) = ln(1 + e^x); d/dx = sigmoid(x)."""

    name = "softplus"

    @staticmethod
    def forward(ctx: Node, x: np.ndarray) -> np.ndarray:
        return np.logaddexp(0, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * stable_sigmoid(ctx.inputs[0].data),)


# PyTorch's BCELoss conventions: log clamped at -100, and the gradient's denominator p(1-p)
# floored at 1e-12, so a saturated wrong prediction still yields a finite, non-zero gradient.
_LOG_FLOOR = -100.0
_BCE_EPS = 1e-12


class BinaryCrossEntropy(Function):
    """bce(p, y) = mean(-(y ln p + (1-y) ln(1-p))); d/dp = (p - y) / (p (1-p)) / n."""

    name = "binary_cross_entropy"

    @staticmethod
    def forward(ctx: Node, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), _LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), _LOG_FLOOR)
        ctx.saved = (log_p, log_q)
        total = np.add.reduce(y * log_p + (1 - y) * log_q, axis=None)
        return np.asarray(-total / p.size, dtype=p.dtype)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        p, y = ctx.inputs
        scale = grad / p.data.size
        grad_p = None
        if p.requires_grad:
            denominator = np.maximum(p.data * (1 - p.data), _BCE_EPS)
            grad_p = (scale * (p.data - y.data) / denominator).astype(p.data.dtype, copy=False)
        grad_y = None
        if y.requires_grad:
            log_p, log_q = ctx.saved
            grad_y = np.broadcast_to(scale * (log_q - log_p), y.data.shape)
        return grad_p, grad_y


class BinaryCrossEntropyWithLogits(Function):
    """bce(sigmoid(z), y) computed stably as mean(max(z,0) - z y + ln(1 + e^-|z|)); d/dz = (s(z) - y) / n."""

    name = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx: Node, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        loss = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return np.asarray(loss.mean(), dtype=z.dtype)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        z, y = ctx.inputs
        scale = grad / z.data.size
        grad_z = scale * (stable_sigmoid(z.data) - y.data) if z.requires_grad else None
        grad_y = np.broadcast_to(-scale * z.data, y.data.shape) if y.requires_grad else None
        return grad_z, grad_y


class SigmoidBinaryCrossEntropy(Function):
    """bce(sigmoid(z), y) from the logits: mean(softplus(z) - y z); d/dz = (sigmoid(z) - y) / n.

    binary_cross_entropy uses this when its input comes straight from a sigmoid: the same loss,
    computed without clamping, and backward skips the sigmoid (one op, two array operations).
    `probability` is the sigmoid's output, already computed in forward.
    """

    name = "sigmoid_binary_cross_entropy"

    @staticmethod
    def forward(ctx: Node, z: np.ndarray, y: np.ndarray, probability: np.ndarray) -> np.ndarray:
        ctx.saved = probability
        loss = np.logaddexp(0, z)
        loss -= y * z
        return np.asarray(np.add.reduce(loss, axis=None) / loss.size, dtype=z.dtype)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        z, y = ctx.inputs
        scale = grad / z.data.size
        grad_z = None
        if z.requires_grad:
            grad_z = ctx.saved - y.data
            grad_z *= scale
        grad_y = np.broadcast_to(-scale * z.data, y.data.shape) if y.requires_grad else None
        return grad_z, grad_y


class MeanSquaredError(Function):
    """mse(p, y) = mean((p - y)^2); d/dp = 2 (p - y) / n, d/dy = -2 (p - y) / n."""

    name = "mse"

    @staticmethod
    def forward(ctx: Node, p: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = p - y
        ctx.saved = diff
        return np.asarray((diff * diff).mean(), dtype=p.dtype)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        p, y = ctx.inputs
        g = (2 * grad / p.data.size) * ctx.saved
        return (g if p.requires_grad else None), (-g if y.requires_grad else None)


def linear(x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    return apply(Linear, x, weight, bias)


def linear_then(activation: str, x: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """activation(linear(x)) as one op (relu, sigmoid or tanh)."""
    return apply(LINEAR_THEN[activation], x, weight, bias)


def sigmoid(x: Tensor) -> Tensor:
    return apply(Sigmoid, x)


def tanh(x: Tensor) -> Tensor:
    return apply(Tanh, x)


def relu(x: Tensor) -> Tensor:
    return apply(Relu, x)


def leaky_relu(x: Tensor, slope: float = 0.01) -> Tensor:
    return apply(LeakyRelu, x, slope=float(slope))


def gelu(x: Tensor) -> Tensor:
    return apply(Gelu, x)


def softplus(x: Tensor) -> Tensor:
    return apply(Softplus, x)


def _target_like(prediction: Tensor, target: Tensor) -> Tensor:
    if target.shape != prediction.shape:
        if target.data.size != prediction.data.size:
            raise ValueError(f"target shape {target.shape} does not match prediction {prediction.shape}")
        target = target.reshape(prediction.shape)
    return target


def binary_cross_entropy(p: Tensor, y: Tensor) -> Tensor:
    """BCE on probabilities; when `p` is a sigmoid's output on the tape, computed from its logits."""
    y = _target_like(p, y)
    producer = p.node
    if producer is not None and producer.op is Sigmoid:
        return apply(SigmoidBinaryCrossEntropy, producer.inputs[0], y, probability=p.data)
    return apply(BinaryCrossEntropy, p, y)


def sigmoid_binary_cross_entropy(z: Tensor, y: Tensor) -> Tensor:
    """bce(sigmoid(z), y), for logits z."""
    return apply(SigmoidBinaryCrossEntropy, z, _target_like(z, y), probability=stable_sigmoid(z.data))


def binary_cross_entropy_with_logits(z: Tensor, y: Tensor) -> Tensor:
    return apply(BinaryCrossEntropyWithLogits, z, _target_like(z, y))


def mse(p: Tensor, y: Tensor) -> Tensor:
    return apply(MeanSquaredError, p, _target_like(p, y))
