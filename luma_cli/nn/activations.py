"""Activation functions by config name (`sigmoid`, `relu`, ...), each a Tensor -> Tensor function."""

from __future__ import annotations

from collections.abc import Callable

from luma_cli.autograd import Tensor, fused
from luma_cli.registry import Registry

Activation = Callable[[Tensor], Tensor]
ACTIVATIONS: Registry[Activation] = Registry("activation")


@ACTIVATIONS.register("identity", "linear", "none")
def identity(x: Tensor) -> Tensor:
    """identity(x) = x: no op is recorded."""
    return x


ACTIVATIONS.register("sigmoid")(fused.sigmoid)
ACTIVATIONS.register("tanh")(fused.tanh)
ACTIVATIONS.register("relu")(fused.relu)
ACTIVATIONS.register("leaky_relu")(fused.leaky_relu)
ACTIVATIONS.register("gelu")(fused.gelu)
ACTIVATIONS.register("softplus")(fused.softplus)

# Activations whose output is a probability in (0, 1), which binary_cross_entropy needs.
PROBABILITY_ACTIVATIONS = frozenset({"sigmoid"})
