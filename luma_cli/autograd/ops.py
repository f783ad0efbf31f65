"""Primitive ops: each states its math, computes forward, and gives its backward rule.

Gradients of broadcasting ops are summed back to each input's shape by `unbroadcast`.
Composed ops at the bottom (`mean`) are built from primitives and have no backward of their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from luma_cli.autograd.function import Function, apply
from luma_cli.autograd.tape import Node
from luma_cli.autograd.tensor import Tensor


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes numpy broadcast to reach it from `shape`."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


class Add(Function):
    """a + b; d/da = 1, d/db = 1."""

    name = "add"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.inputs
        return unbroadcast(grad, a.data.shape), unbroadcast(grad, b.data.shape)


class Sub(Function):
    """a - b; d/da = 1, d/db = -1."""

    name = "sub"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.inputs
        return unbroadcast(grad, a.data.shape), unbroadcast(-grad, b.data.shape)


class Mul(Function):
    """a * b; d/da = b, d/db = a."""

    name = "mul"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = ctx.inputs
        grad_a = unbroadcast(grad * b.data, a.data.shape) if a.requires_grad else None
        grad_b = unbroadcast(grad * a.data, b.data.shape) if b.requires_grad else None
        return grad_a, grad_b


class Div(Function):
    """a / b; d/da = 1/b, d/db = -a/b^2."""

    name = "div"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a / b

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = ctx.inputs
        grad_a = unbroadcast(grad / b.data, a.data.shape) if a.requires_grad else None
        grad_b = (
            unbroadcast(-grad * a.data / (b.data * b.data), b.data.shape) if b.requires_grad else None
        )
        return grad_a, grad_b


class Neg(Function):
    """-a; d/da = -1."""

    name = "neg"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray) -> np.ndarray:
        return -a

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (-grad,)


class Power(Function):
    """a ** p for a constant exponent p; d/da = p * a^(p-1)."""

    name = "pow"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, exponent: float) -> np.ndarray:
        ctx.attrs = exponent
        return a**exponent

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        a = ctx.inputs[0].data
        p = ctx.attrs
        return (grad * (p * a ** (p - 1)).astype(a.dtype, copy=False),)


class MatMul(Function):
    """a @ b; d/da = g @ b^T, d/db = a^T @ g (vectors promoted to matrices as numpy does)."""

    name = "matmul"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a @ b

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = ctx.inputs[0].data, ctx.inputs[1].data
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = grad.reshape(a2.shape[0], b2.shape[1])
        grad_a = (g2 @ b2.T).reshape(a.shape) if ctx.inputs[0].requires_grad else None
        grad_b = (a2.T @ g2).reshape(b.shape) if ctx.inputs[1].requires_grad else None
        return grad_a, grad_b


class Sum(Function):
    """sum(a, axis); d/da = 1 broadcast back to a's shape."""

    name = "sum"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        ctx.attrs = (axis, keepdims)
        return np.asarray(a.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        shape = ctx.inputs[0].data.shape
        axis, keepdims = ctx.attrs
        if axis is not None and not keepdims:
            grad = np.expand_dims(grad, axis)
        return (np.broadcast_to(grad, shape),)


class Exp(Function):
    """e^a; d/da = e^a."""

    name = "exp"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray) -> np.ndarray:
        out = np.exp(a)
        ctx.saved = out
        return out

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad * ctx.saved,)


class Log(Function):
    """ln(a); d/da = 1/a."""

    name = "log"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray) -> np.ndarray:
        return np.log(a)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad / ctx.inputs[0].data,)


class Maximum(Function):
    """max(a, b) elementwise; the gradient goes to a where a >= b, to b elsewhere."""

    name = "maximum"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.saved = a >= b
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = ctx.inputs
        mask = ctx.saved
        return (
            unbroadcast(np.where(mask, grad, 0).astype(grad.dtype, copy=False), a.data.shape),
            unbroadcast(np.where(mask, 0, grad).astype(grad.dtype, copy=False), b.data.shape),
        )


class Reshape(Function):
    """reshape(a, shape); the gradient is reshaped back."""

    name = "reshape"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return a.reshape(shape)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.reshape(ctx.inputs[0].data.shape),)


class Transpose(Function):
    """transpose(a, axes); the gradient is transposed by the inverse permutation."""

    name = "transpose"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
        ctx.attrs = axes
        return a.transpose(axes)

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        axes = ctx.attrs
        return (grad.transpose(None if axes is None else np.argsort(axes)),)


class GetItem(Function):
    """a[index]; the gradient is scattered (and summed, for repeated indices) back into a."""

    name = "getitem"

    @staticmethod
    def forward(ctx: Node, a: np.ndarray, index: Any) -> np.ndarray:
        ctx.attrs = index
        return np.asarray(a[index])

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray]:
        a = ctx.inputs[0].data
        out = np.zeros_like(a)
        np.add.at(out, ctx.attrs, grad)
        return (out,)


def add(a: Tensor, b: Tensor) -> Tensor:
    return apply(Add, a, b)


def sub(a: Tensor, b: Tensor) -> Tensor:
    return apply(Sub, a, b)


def mul(a: Tensor, b: Tensor) -> Tensor:
    return apply(Mul, a, b)


def div(a: Tensor, b: Tensor) -> Tensor:
    return apply(Div, a, b)


def neg(a: Tensor) -> Tensor:
    return apply(Neg, a)


def power(a: Tensor, exponent: float) -> Tensor:
    return apply(Power, a, exponent=float(exponent))


def matmul(a: Tensor, b: Tensor) -> Tensor:
    return apply(MatMul, a, b)


def sum(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return apply(Sum, a, axis=axis, keepdims=keepdims)


def mean(a: Tensor, axis: Any = None, keepdims: bool = False) -> Tensor:
    """mean(a) = sum(a) / n: composed, no backward of its own."""
    count = a.data.size if axis is None else int(np.prod([a.data.shape[i] for i in np.atleast_1d(axis)]))
    return sum(a, axis=axis, keepdims=keepdims) * (1.0 / count)


def exp(a: Tensor) -> Tensor:
    return apply(Exp, a)


def log(a: Tensor) -> Tensor:
    return apply(Log, a)


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return apply(Maximum, a, b)


def reshape(a: Tensor, shape: tuple[int, ...]) -> Tensor:
    return apply(Reshape, a, shape=tuple(shape))


def transpose(a: Tensor, axes: tuple[int, ...] | None = None) -> Tensor:
    return apply(Transpose, a, axes=axes)


def getitem(a: Tensor, index: Any) -> Tensor:
    if isinstance(index, Tensor):
        index = index.data.astype(np.intp)
    return apply(GetItem, a, index=index)
