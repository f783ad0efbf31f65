"""Tape: the ordered record of every op run inside `with Tape() as tape:`, and backward over it.

Recording order is a topological order (an op can only consume tensors that already exist),
so backward is one reverse walk over the list: no graph search in the hot path.
"""

from __future__ import annotations

import os
import sys
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from luma_cli.errors import GraphError

if TYPE_CHECKING:
    from luma_cli.autograd.function import Function
    from luma_cli.autograd.tensor import Tensor

_LUMA_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# Frames in these folders are the op machinery itself; the first frame outside them made the tensor.
_MACHINERY = tuple(_LUMA_DIR + part + os.sep for part in ("autograd", "nn"))


class Node:
    """One recorded op: `#id name`, its input tensors, and what forward saved for backward."""

    __slots__ = ("id", "op", "inputs", "saved", "attrs", "kwargs")

    def __init__(self, op: type[Function], inputs: tuple[Tensor, ...], kwargs: dict[str, Any]) -> None:
        self.id = 0
        self.op = op
        self.inputs = inputs
        self.saved: Any = None
        self.attrs: Any = None
        self.kwargs = kwargs  # forward's keyword arguments, so the op can be re-run in isolation

    @property
    def label(self) -> str:
        return f"#{self.id} {self.op.name}"

    def __repr__(self) -> str:
        return f"<op {self.label}>"


class _ActiveTape:
    """The tape ops record on; a module-level slot so the hot path reads one attribute."""

    __slots__ = ("tape",)

    def __init__(self) -> None:
        self.tape: Tape | None = None


active = _ActiveTape()


def caller_location() -> str:
    """`file:line in function` of the nearest frame outside Luma's ops and layers: the user's
    model code, or Luma's own trainer when Luma itself made the tensor (e.g. the loss)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
        frame = frame.f_back
    if frame is None:
        return "<luma>"
    filename = frame.f_code.co_filename
    if filename.startswith(_LUMA_DIR):
        shown = "luma_cli/" + filename[len(_LUMA_DIR):]
    else:
        try:
            shown = os.path.relpath(filename)
        except ValueError:
            shown = filename
        if shown.startswith(".."):
            shown = filename
    return f"{shown}:{frame.f_lineno} in {frame.f_code.co_name}"


class Tape:
    """Records ops in order; `tape.backward(loss)` fills `.grad` of everything the loss needs.

    With `record_sources=True` every tensor created while the tape is active remembers the
    file and line that created it (slower; used by diagnostics, not by training).
    """

    __slots__ = ("nodes", "outputs", "record_sources", "_next_tensor_id", "_outer", "ref", "__weakref__")

    def __init__(self, record_sources: bool = False) -> None:
        self.nodes: list[Node] = []
        self.outputs: list[Tensor] = []
        self.record_sources = record_sources
        self._next_tensor_id = 1
        self._outer: Tape | None = None
        # Tensors point back to their tape through this one weak reference: a strong one would make
        # every step's tape a reference cycle, freed only by the garbage collector, so activations
        # would pile up between collections instead of being freed when the step ends.
        self.ref = weakref.ref(self)

    def __enter__(self) -> Tape:
        self._outer = active.tape
        active.tape = self
        return self

    def __exit__(self, *exc: object) -> None:
        active.tape = self._outer
        self._outer = None

    def record(self, node: Node, output: Tensor) -> None:
        next_id = self._next_tensor_id
        ref = self.ref
        for tensor in node.inputs:
            if tensor.tape_ref is not ref:
                tensor.tape_ref = ref
                tensor.id = next_id
                next_id += 1
        nodes = self.nodes
        nodes.append(node)
        self.outputs.append(output)
        node.id = len(nodes)
        output.tape_ref = ref
        output.id = next_id
        self._next_tensor_id = next_id + 1

    def producer_output(self, node: Node) -> Tensor:
        """The tensor that op `node` produced."""
        return self.outputs[node.id - 1]

    def backward(self, loss: Tensor, grad: np.ndarray | None = None) -> None:
        """Reverse-mode sweep from `loss`; gradients accumulate (`+=`) into every `.grad`."""
        if loss.tape_ref is not self.ref:
            raise GraphError(
                "backward() was called on a tensor this tape did not record",
                hint="compute the loss inside `with Tape() as tape:` and call tape.backward(loss)",
            )
        if grad is None:
            if loss.data.size != 1:
                raise GraphError(
                    f"backward() needs a scalar loss, got shape {loss.data.shape}",
                    hint="reduce it first, e.g. loss.mean(), or pass grad=",
                )
            grad = np.ones_like(loss.data)
        _accumulate(loss, np.asarray(grad, dtype=loss.data.dtype))
        last = loss.node.id if loss.node is not None else 0
        nodes, outputs = self.nodes, self.outputs
        for index in range(last - 1, -1, -1):
            out = outputs[index]
            g = out.grad
            if g is None or not out.requires_grad:
                continue
            node = nodes[index]
            for tensor, input_grad in zip(node.inputs, node.op.backward(node, g)):
                if input_grad is None or not tensor.requires_grad:
                    continue
                # Accumulate, copying only when the held array may be shared with another tensor.
                held = tensor.grad
                if held is None:
                    tensor.grad = input_grad
                    tensor.grad_owned = False
                elif tensor.grad_owned:
                    held += input_grad
                else:
                    tensor.grad = held + input_grad
                    tensor.grad_owned = True


def _accumulate(tensor: Tensor, grad: np.ndarray) -> None:
    """grad += g, copying only when the existing gradient array may be shared with another tensor."""
    if tensor.grad is None:
        tensor.grad = grad
        tensor.grad_owned = False
    elif tensor.grad_owned:
        tensor.grad += grad
    else:
        tensor.grad = tensor.grad + grad
        tensor.grad_owned = True
