"""gradcheck: compare autograd gradients with central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from luma_cli.autograd.tape import Tape
from luma_cli.autograd.tensor import Tensor


@dataclass(frozen=True)
class GradcheckResult:
    """Per input: the relative error ||analytic - numeric|| / max(||analytic|| + ||numeric||, tiny)."""

    errors: tuple[float, ...]
    analytic: tuple[np.ndarray, ...]
    numeric: tuple[np.ndarray, ...]

    @property
    def max_error(self) -> float:
        return max(self.errors, default=0.0)

    def passed(self, tolerance: float = 1e-6) -> bool:
        return self.max_error <= tolerance


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / max(scale, 1e-12))


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[np.ndarray],
    eps: float = 1e-6,
    seed: int = 0,
) -> GradcheckResult:
    """Check d(sum(w * fn(*inputs)))/d(input) for a fixed random w, for every input, in float64.

    Weighting the output by random w makes a wrong gradient for any output element visible,
    even where the output is not a scalar.
    """
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    with Tape():
        probe = fn(*[Tensor(a) for a in arrays])
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=probe.shape)

    def objective(values: list[np.ndarray]) -> float:
        return float((fn(*[Tensor(v) for v in values]).data * weights).sum())

    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    with Tape() as tape:
        out = fn(*leaves)
    tape.backward(out, weights.astype(out.dtype))
    analytic = tuple(
        np.zeros_like(a) if leaf.grad is None else np.array(leaf.grad, dtype=np.float64)
        for a, leaf in zip(arrays, leaves)
    )

    numeric = []
    for array in arrays:
        grad = np.zeros_like(array)
        for j in range(array.size):
            flat = array.reshape(-1)
            original = flat[j]
            flat[j] = original + eps
            plus = objective(arrays)
            flat[j] = original - eps
            minus = objective(arrays)
            flat[j] = original
            grad.reshape(-1)[j] = (plus - minus) / (2 * eps)
        numeric.append(grad)
    errors = tuple(relative_error(a, n) for a, n in zip(analytic, numeric))
    return GradcheckResult(errors=errors, analytic=analytic, numeric=tuple(numeric))


def gradcheck_parameters(
    compute_loss: Callable[[], Tensor],
    params: Sequence[Tensor],
    eps: float = 1e-6,
) -> GradcheckResult:
    """Check d(loss)/d(param) for parameters a closure uses (a model's), perturbing them in place.

    The parameters should hold float64 data; each is restored exactly after its check.
    """
    for param in params:
        param.zero_grad()
    with Tape() as tape:
        loss = compute_loss()
    tape.backward(loss)
    analytic = tuple(np.zeros_like(p.data) if p.grad is None else np.array(p.grad, dtype=np.float64) for p in params)
    numeric = []
    for param in params:
        grad = np.zeros(param.data.shape, dtype=np.float64)
        flat = param.data.reshape(-1)
        for j in range(flat.size):
            original = flat[j]
            flat[j] = original + eps
            plus = float(compute_loss().data)
            flat[j] = original - eps
            minus = float(compute_loss().data)
            flat[j] = original
            grad.reshape(-1)[j] = (plus - minus) / (2 * eps)
        numeric.append(grad)
    errors = tuple(relative_error(a, n) for a, n in zip(analytic, numeric))
    return GradcheckResult(errors=errors, analytic=analytic, numeric=tuple(numeric))
