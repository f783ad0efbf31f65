"""Gradient clipping by global norm."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from luma_cli.autograd import Tensor


def global_grad_norm(params: Iterable[Tensor]) -> float:
    """sqrt(sum over params of ||grad||^2), skipping params without a gradient."""
    total = 0.0
    for param in params:
        if param.grad is not None:
            total += float(np.vdot(param.grad, param.grad))
    return float(np.sqrt(total))


def clip_grad_norm(params: Iterable[Tensor], max_norm: float) -> float:
    """Scale all gradients by max_norm / norm when norm > max_norm; returns the norm before clipping."""
    params = list(params)
    norm = global_grad_norm(params)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for param in params:
            if param.grad is not None:
                # A new array, not in place: the gradient may be shared with another tensor.
                param.grad = param.grad * np.asarray(scale, dtype=param.grad.dtype)
                param.grad_owned = True
    return norm
