"""A hidden activation round-tripped through numpy: layers after it learn, the first layer cannot."""

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn import Dense, Module, Sequential


class MidBreak(Module):
    def __init__(self, in_features: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.layers = Sequential(
            Dense(in_features, 8, "tanh", rng=rng),
            Dense(8, 4, "tanh", rng=rng),
            Dense(4, 1, "sigmoid", rng=rng),
        )

    def forward(self, x: Tensor) -> Tensor:
        hidden = self.layers[0](x)
        hidden = Tensor(hidden.numpy().copy())  # BUG: leaves the graph; layers.0 gets no gradient
        return self.layers[2](self.layers[1](hidden))
