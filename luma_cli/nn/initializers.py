"""Weight initializers by config name; each returns an array of `shape` from an explicit rng.

`fan_in` and `fan_out` follow PyTorch: a weight of shape (out, in) has fan_in = in, fan_out = out.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from luma_cli.errors import ConfigError
from luma_cli.registry import Registry

Initializer = Callable[..., np.ndarray]
INITIALIZERS: Registry[Initializer] = Registry("initializer")


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    return shape[1], shape[0]


@INITIALIZERS.register("uniform")
def uniform(shape: tuple[int, ...], rng: np.random.Generator, low: float = -0.05, high: float = 0.05) -> np.ndarray:
    """U(low, high)."""
    return rng.uniform(low, high, size=shape)


@INITIALIZERS.register("normal")
def normal(shape: tuple[int, ...], rng: np.random.Generator, mean: float = 0.0, std: float = 0.05) -> np.ndarray:
    """N(mean, std^2)."""
    return rng.normal(mean, std, size=shape)


@INITIALIZERS.register("xavier_uniform", "glorot_uniform")
def xavier_uniform(shape: tuple[int, ...], rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape)


@INITIALIZERS.register("xavier_normal", "glorot_normal")
def xavier_normal(shape: tuple[int, ...], rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
    """N(0, s^2), s = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), size=shape)


@INITIALIZERS.register("he_uniform", "kaiming_uniform")
def he_uniform(shape: tuple[int, ...], rng: np.random.Generator, gain: float = np.sqrt(2.0)) -> np.ndarray:
    """U(-a, a), a = gain * sqrt(3 / fan_in)."""
    fan_in, _ = _fans(shape)
    bound = gain * np.sqrt(3.0 / fan_in)
    return rng.uniform(-bound, bound, size=shape)


@INITIALIZERS.register("he_normal", "kaiming_normal")
def he_normal(shape: tuple[int, ...], rng: np.random.Generator, gain: float = np.sqrt(2.0)) -> np.ndarray:
    """N(0, s^2), s = gain / sqrt(fan_in)."""
    fan_in, _ = _fans(shape)
    return rng.normal(0.0, gain / np.sqrt(fan_in), size=shape)


@INITIALIZERS.register("zeros")
def zeros(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """All 0."""
    return np.zeros(shape)


@INITIALIZERS.register("constant")
def constant(shape: tuple[int, ...], rng: np.random.Generator, value: float = 0.0) -> np.ndarray:
    """All `value`."""
    return np.full(shape, float(value))


def initialize(name: str, shape: tuple[int, ...], rng: np.random.Generator, **params: Any) -> np.ndarray:
    """Look up initializer `name` and call it; unknown parameters are reported, not ignored."""
    init = INITIALIZERS.get(name)
    try:
        return init(shape, rng, **params)
    except TypeError:
        allowed = [p for p in inspect.signature(init).parameters if p not in ("shape", "rng")]
        raise ConfigError(
            f"initializer '{name}' does not take {sorted(params)}",
            hint=f"it takes: {', '.join(allowed) or 'no parameters'}",
        ) from None
