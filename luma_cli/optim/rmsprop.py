"""RMSprop with optional momentum and L2 weight decay (PyTorch's formulation)."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.optim.optimizer import Optimizer
from luma_cli.optim.registry import OPTIMIZERS


@OPTIMIZERS.register("rmsprop")
class RMSprop(Optimizer):
    """s = a s + (1-a) g^2;  step = g / (sqrt(s) + eps) (through momentum if set);  p -= lr step."""

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.weight_decay = weight_decay

    def update(self, name: str, param: Tensor, grad: np.ndarray) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        square_avg = self.buffer(name, "square_avg", param.data)
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * (grad * grad)
        denominator = np.sqrt(square_avg)
        denominator += self.eps
        step = grad / denominator
        if self.momentum:
            velocity = self.buffer(name, "velocity", param.data)
            velocity *= self.momentum
            velocity += step
            step = velocity
        param.data -= self.lr * step
