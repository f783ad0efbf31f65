"""The origin bug, in Python: forward re-registers its final output as a fresh tensor.

The loss then consumes a tensor that no operation produced, so backpropagation stops there and
every gradient is zero: the loss sits still epoch after epoch.
"""

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn import Dense, Module, Sequential


class BrokenForward(Module):
    def __init__(self, in_features: int, rng: np.random.Generator) -> None:
        super().__init__()
        init = {"weight_init": "uniform", "weight_init_args": {"low": -0.6, "high": 0.6}, "rng": rng, "dtype": np.float32}
        self.layers = Sequential(
            Dense(in_features, 8, "sigmoid", **init),
            Dense(8, 4, "sigmoid", **init),
            Dense(4, 1, "sigmoid", **init),
        )

    def forward(self, x: Tensor) -> Tensor:
        probability = self.layers(x)
        return Tensor(probability.data)  # BUG: a new tensor, cut off from the op that made it
