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
    It runs once per op per step, so it is written for speed: no generators, no dict lookups.
    """
    ctx = Node(op, inputs, attrs)
    if len(inputs) == 1:
        data = op.forward(ctx, inputs[0].data, **attrs)
    else:
        data = op.forward(ctx, *[t.data for t in inputs], **attrs)
    tape = active.tape
    if tape is None:
        return Tensor.from_op(data, None, False)
    requires_grad = False
    for t in inputs:
        if t.requires_grad:
            requires_grad = True
            break
    out = Tensor.from_op(data, ctx, requires_grad)
    tape.record(ctx, out)
    if tape.record_sources:
        out.created_at = caller_location()
    return out
