"""Log of a ReLU output: wherever the ReLU is 0 the log is -inf, and NaN follows."""

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.nn import Dense, Module


class LogOfRelu(Module):
    def __init__(self, in_features: int, rng: np.random.Generator) -> None:
        super().__init__()
        self.hidden = Dense(in_features, 8, "relu", weight_init="he_normal", rng=rng)
        self.out = Dense(8, 1, "sigmoid", rng=rng)

    def forward(self, x: Tensor) -> Tensor:
        features = self.hidden(x).log()  # BUG: log(0) = -inf for every inactive ReLU
        return self.out(features)
