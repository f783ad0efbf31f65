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
        grad_b = grad.sum(axis=0) if bias.requires_grad else None
        return grad_x, grad_w, grad_b


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
        return (grad * s * (1 - s),)


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
        return np.asarray(-(y * log_p + (1 - y) * log_q).mean(), dtype=p.dtype)

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
    return apply(BinaryCrossEntropy, p, _target_like(p, y))


def binary_cross_entropy_with_logits(z: Tensor, y: Tensor) -> Tensor:
    return apply(BinaryCrossEntropyWithLogits, z, _target_like(z, y))


def mse(p: Tensor, y: Tensor) -> Tensor:
    return apply(MeanSquaredError, p, _target_like(p, y))
