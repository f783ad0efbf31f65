"""Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay)."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.optim.optimizer import Optimizer
from luma_cli.optim.registry import OPTIMIZERS


@OPTIMIZERS.register("adam")
class Adam(Optimizer):
    """m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  p -= lr m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps)."""

    decoupled = False

    def __init__(self, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay

    def update(self, name: str, param: Tensor, grad: np.ndarray) -> None:
        if self.weight_decay:
            if self.decoupled:
                param.data -= (self.lr * self.weight_decay) * param.data
            else:
                grad = grad + self.weight_decay * param.data
        m = self.buffer(name, "m", param.data)
        v = self.buffer(name, "v", param.data)
        work = self.scratch(name, 0, param.data)
        step = self.scratch(name, 1, param.data)
        # In place into reused work arrays: on wide layers, fresh temporaries cost more than the math.
        m *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=work)
        m += work
        v *= self.beta2
        np.multiply(grad, grad, out=work)
        work *= 1 - self.beta2
        v += work
        bias1 = 1 - self.beta1**self.steps
        bias2 = 1 - self.beta2**self.steps
        np.divide(v, bias2, out=work)
        np.sqrt(work, out=work)
        work += self.eps
        np.multiply(m, self.lr / bias1, out=step)
        step /= work
        param.data -= step


@OPTIMIZERS.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay: p -= lr wd p before the Adam step (default wd 0.01)."""

    decoupled = True

    def __init__(self, params, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, beta1, beta2, eps, weight_decay)
