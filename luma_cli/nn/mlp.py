"""MLP: the model a config's `model.layers` describes, a stack of Dense layers at `layers.i`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn.dense import Dense
from luma_cli.nn.module import Module, Sequential


@dataclass(frozen=True)
class LayerSpec:
    units: int
    activation: str = "relu"


@dataclass(frozen=True)
class InitSpec:
    weights: str = "xavier_uniform"
    weights_args: dict = field(default_factory=dict)
    bias: str = "zeros"
    bias_args: dict = field(default_factory=dict)


class MLP(Module):
    """in_features -> units_0 -> ... -> units_k; `layers.i[j]` is neuron j of Dense layer i."""

    def __init__(
        self,
        in_features: int,
        layers: list[LayerSpec],
        init: InitSpec | None = None,
        rng: np.random.Generator | None = None,
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        init = init or InitSpec()
        rng = rng if rng is not None else np.random.default_rng(0)
        sizes = [in_features] + [spec.units for spec in layers]
        self.layers = Sequential(*[
            Dense(
                sizes[i], sizes[i + 1], spec.activation,
                weight_init=init.weights, weight_init_args=init.weights_args,
                bias_init=init.bias, bias_init_args=init.bias_args,
                rng=rng, dtype=dtype,
            )
            for i, spec in enumerate(layers)
        ])

        # The output layer keeps its activation as a separate op, so that a sigmoid output
        # followed by binary_cross_entropy is fused into one stable loss op instead.
        list(self.layers)[-1].fuse_activation = False

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    @property
    def architecture(self) -> str:
        dense = list(self.layers)
        return "→".join([str(dense[0].in_features)] + [str(d.out_features) for d in dense])
