"""A layer is built (and counted as a parameter) but forward never uses it."""

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn import Dense, Module


class UnusedLayer(Module):
    def __init__(self, in_features: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.hidden = Dense(in_features, 16, "relu", weight_init="he_normal", rng=rng)
        self.refine = Dense(16, 16, "relu", weight_init="he_normal", rng=rng)  # BUG: never called
        self.out = Dense(16, 1, "sigmoid", rng=rng)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.hidden(x))
