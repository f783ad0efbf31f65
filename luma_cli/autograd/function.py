"""Function: an op's forward and backward side by side, and `apply`, which records it.

Contract, as in PyTorch: `forward(ctx, *arrays, **attrs) -> array` may store what backward
needs on `ctx.saved`; `backward(ctx, grad) -> tuple` returns one gradient (or None) per input,
already reduced to that input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from luma_cli.autograd.tape import Node, active, caller_location
from luma_cli.autograd.tensor import Tensor


class Function:
    name = "function"

    @staticmethod
    def forward(ctx: Node, *arrays: Any, **attrs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Node, grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError


def apply(op: type[Function], *inputs: Tensor, **attrs: Any) -> Tensor:
    """Run `op` forward on `inputs`; inside a tape, record it so backward can reach the inputs.

    This is the only way an op output comes into being, which is what keeps the graph whole.
    """
    ctx = Node(op, inputs, attrs)
    data = op.forward(ctx, *[t.data for t in inputs], **attrs)
    out = Tensor.__new__(Tensor)
    out.data = data
    out.grad = None
    out.grad_owned = False
    out.kind = "op"
    out.name = None
    out.id = None
    out.tape = None
    out.created_at = None
    tape = active.tape
    if tape is None:
        out.requires_grad = False
        out.node = None
        return out
    out.requires_grad = any(t.requires_grad for t in inputs)
    out.node = ctx
    tape.record(ctx, out)
    if tape.record_sources:
        out.created_at = caller_location()
    return out
