"""Losses by config name. Each knows how to turn the model's output into probabilities."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from luma_cli.autograd import Tensor, fused
from luma_cli.registry import Registry


@dataclass(frozen=True)
class Loss:
    """A scalar loss of (output, target) and the map from raw outputs to P(label = 1)."""

    name: str
    fn: Callable[[Tensor, Tensor], Tensor]
    output_is_logit: bool
    needs_probability_output: bool

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return self.fn(output, target)

    def predicts_positive(self, output: np.ndarray) -> np.ndarray:
        """P(label = 1) >= 0.5, decided in the output's own space (no sigmoid needed for logits)."""
        return output >= (0.0 if self.output_is_logit else 0.5)

    def probabilities(self, output: np.ndarray) -> np.ndarray:
        if self.output_is_logit:
            return fused.stable_sigmoid(output)
        return np.clip(output, 0.0, 1.0)


LOSSES: Registry[Loss] = Registry("loss")

for _loss in (
    Loss("binary_cross_entropy", fused.binary_cross_entropy, output_is_logit=False, needs_probability_output=True),
    Loss(
        "binary_cross_entropy_with_logits",
        fused.binary_cross_entropy_with_logits,
        output_is_logit=True,
        needs_probability_output=False,
    ),
    Loss("mse", fused.mse, output_is_logit=False, needs_probability_output=False),
):
    LOSSES.register(_loss.name)(_loss)
LOSSES.register("bce")(LOSSES.get("binary_cross_entropy"))
LOSSES.register("bce_with_logits")(LOSSES.get("binary_cross_entropy_with_logits"))
