"""Functions for user models: activations and losses on Tensors (also Tensor methods)."""

from luma_cli.autograd.fused import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    gelu,
    leaky_relu,
    linear,
    mse,
    relu,
    sigmoid,
    softplus,
    tanh,
)
from luma_cli.autograd.ops import exp, log, matmul, maximum, mean

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "exp", "gelu", "leaky_relu", "linear",
    "log", "matmul", "maximum", "mean", "mse", "relu", "sigmoid", "softplus", "tanh",
]
