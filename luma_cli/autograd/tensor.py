"""Tensor: a numpy array that knows its producer op, or that it is a leaf.

Leaves are `parameter` (trainable, named like `layers.0.weight`), `input` (a data batch)
or `constant` (anything else built from raw data). An op output's kind is `op`. There is no way
to attach an existing array to the graph after the fact: only `apply` makes op outputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from luma_cli.autograd.tape import Node, active, caller_location

if TYPE_CHECKING:
    from luma_cli.autograd.tape import Tape

LEAF_KINDS = ("parameter", "input", "constant")


def _as_float_array(data: Any, dtype: Any = None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data, dtype=dtype)
    if dtype is None and array.dtype.kind not in "fc":
        array = array.astype(np.float64)
    return array


class Tensor:
    """`Tensor(array)` is a constant leaf; `Tensor(array, requires_grad=True)` a trainable one."""

    __slots__ = (
        "data", "grad", "grad_owned", "requires_grad", "kind", "name",
        "node", "id", "tape_ref", "created_at", "__weakref__",
    )

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        kind: str | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        if kind is None:
            kind = "parameter" if requires_grad else "constant"
        if kind not in LEAF_KINDS:
            raise ValueError(f"a leaf's kind is one of {LEAF_KINDS}, not {kind!r}")
        self.data: np.ndarray = _as_float_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.grad_owned = False
        self.requires_grad = requires_grad
        self.kind = kind
        self.name = name
        self.node: Node | None = None
        self.id: int | None = None
        self.tape_ref: Callable[[], Tape | None] | None = None
        tape = active.tape
        self.created_at = caller_location() if tape is not None and tape.record_sources else None

    @classmethod
    def from_op(cls, data: np.ndarray, node: Node | None, requires_grad: bool) -> Tensor:
        """An op's output (only `apply` calls this): every slot set directly, no checks."""
        out = cls.__new__(cls)
        out.data = data
        out.grad = None
        out.grad_owned = False
        out.requires_grad = requires_grad
        out.kind = "op"
        out.name = None
        out.node = node
        out.id = None
        out.tape_ref = None
        out.created_at = None
        return out

    @classmethod
    def batch(cls, data: np.ndarray) -> Tensor:
        """An input leaf for a data batch that is already a float array (the training loop's fast path)."""
        out = cls.from_op(data, None, False)
        out.kind = "input"
        tape = active.tape
        if tape is not None and tape.record_sources:
            out.created_at = caller_location()
        return out

    # ---- identity -------------------------------------------------------------------------
    @property
    def label(self) -> str:
        """`t12`, or `t?` for a tensor no tape has seen."""
        return f"t{self.id}" if self.id is not None else "t?"

    @property
    def tape(self) -> Tape | None:
        """The tape that recorded this tensor, while that tape is alive."""
        return self.tape_ref() if self.tape_ref is not None else None

    @property
    def is_leaf(self) -> bool:
        return self.node is None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied); a Tensor built from it is a new constant."""
        return self.data

    def item(self) -> float:
        return float(self.data.reshape(-1)[0]) if self.data.size == 1 else float(self.data)

    def detach(self) -> Tensor:
        """A constant leaf sharing this tensor's data: gradients do not flow through it."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None
        self.grad_owned = False

    def backward(self, grad: np.ndarray | None = None) -> None:
        """Backpropagate from this tensor over the tape that recorded it."""
        tape = self.tape
        if tape is None:
            from luma_cli.errors import GraphError

            raise GraphError(
                "backward() on a tensor that no tape recorded",
                hint="compute it inside `with Tape() as tape:`; outside a tape no graph is kept",
            )
        tape.backward(self, grad)

    def __repr__(self) -> str:
        origin = self.node.label if self.node is not None else self.kind
        name = f" {self.name}" if self.name else ""
        return f"Tensor({self.label}{name}, shape={self.shape}, dtype={self.dtype}, from={origin})"

    # ---- arithmetic: dispatch to ops ------------------------------------------------------
    def _lift(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        return Tensor(np.asarray(other, dtype=self.data.dtype))

    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, self._lift(other))

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(self._lift(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, self._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(self._lift(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, self._lift(other))

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(self._lift(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, self._lift(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(self._lift(other), self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __pow__(self, exponent: float) -> Tensor:
        return ops.power(self, exponent)

    def __matmul__(self, other: Tensor) -> Tensor:
        return ops.matmul(self, self._lift(other))

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return ops.reshape(self, shape)

    def transpose(self, *axes: int) -> Tensor:
        return ops.transpose(self, axes or None)

    @property
    def T(self) -> Tensor:  # noqa: N802 - numpy's and PyTorch's name
        return ops.transpose(self, None)

    def maximum(self, other: Any) -> Tensor:
        return ops.maximum(self, self._lift(other))

    def sigmoid(self) -> Tensor:
        return fused.sigmoid(self)

    def tanh(self) -> Tensor:
        return fused.tanh(self)

    def relu(self) -> Tensor:
        return fused.relu(self)

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        return fused.leaky_relu(self, slope)

    def gelu(self) -> Tensor:
        return fused.gelu(self)

    def softplus(self) -> Tensor:
        return fused.softplus(self)


from luma_cli.autograd import fused, ops  # noqa: E402  (ops need Tensor defined first)
