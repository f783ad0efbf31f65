"""SGD with optional momentum, Nesterov momentum and L2 weight decay (PyTorch's formulation)."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.optim.optimizer import Optimizer
from luma_cli.optim.registry import OPTIMIZERS


@OPTIMIZERS.register("sgd")
class SGD(Optimizer):
    """g += wd p;  v = mu v + g;  step = g + mu v (Nesterov) or v;  p -= lr step."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weight_decay = weight_decay

    def update(self, name: str, param: Tensor, grad: np.ndarray) -> None:
        if self.weight_decay:
            grad = grad + self.weight_decay * param.data
        if self.momentum:
            velocity = self.buffer(name, "velocity", param.data)
            velocity *= self.momentum
            velocity += grad
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        step = self.scratch(name, 0, param.data)
        np.multiply(grad, self.lr, out=step)
        param.data -= step
