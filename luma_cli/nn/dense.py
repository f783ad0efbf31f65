"""Dense: a fully connected layer with its activation; neuron j is row j of weight plus bias[j]."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor, fused
from luma_cli.autograd.tape import active
from luma_cli.nn.activations import ACTIVATIONS
from luma_cli.nn.initializers import initialize
from luma_cli.nn.module import Module, Parameter


class Dense(Module):
    """y = activation(x @ W^T + b), W of shape (out_features, in_features) as in PyTorch."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        activation: str = "identity",
        weight_init: str = "xavier_uniform",
        weight_init_args: dict | None = None,
        bias_init: str = "zeros",
        bias_init_args: dict | None = None,
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        rng = rng if rng is not None else np.random.default_rng(0)
        self.in_features = in_features
        self.out_features = out_features
        self.activation_name = activation
        # One op for linear + activation when speed matters; diagnostic tapes keep them apart.
        self.fuse_activation = True
        self._activation = ACTIVATIONS.get(activation)
        weight = initialize(weight_init, (out_features, in_features), rng, **(weight_init_args or {}))
        bias = initialize(bias_init, (out_features,), rng, **(bias_init_args or {}))
        self.weight = Parameter(weight.astype(dtype))
        self.bias = Parameter(bias.astype(dtype))

    def forward(self, x: Tensor) -> Tensor:
        if self.fuse_activation and self.activation_name in fused.LINEAR_THEN:
            tape = active.tape
            if tape is None or not tape.record_sources:
                return fused.linear_then(self.activation_name, x, self.weight, self.bias)
        return self._activation(fused.linear(x, self.weight, self.bias))

    def extra_repr(self) -> str:
        return f"{self.in_features} -> {self.out_features}, {self.activation_name}"
