"""Optimizer: updates parameters in place from their `.grad`; state is per parameter name."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from luma_cli.autograd import Tensor


class Optimizer:
    """Base class: subclasses implement `update(name, param, grad)`; `step()` visits every param with a grad."""

    def __init__(self, params: Iterable[tuple[str, Tensor]] | Iterable[Tensor], lr: float) -> None:
        named = []
        for index, item in enumerate(params):
            if isinstance(item, Tensor):
                named.append((item.name or str(index), item))
            else:
                named.append(item)
        self.params: list[tuple[str, Tensor]] = named
        self.lr = float(lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self._scratch: dict[tuple[str, int], np.ndarray] = {}
        self.steps = 0

    def zero_grad(self) -> None:
        for _, param in self.params:
            param.zero_grad()

    def step(self) -> None:
        self.steps += 1
        update = self.update
        for name, param in self.params:
            grad = param.grad
            if grad is not None:
                update(name, param, grad)

    def update(self, name: str, param: Tensor, grad: np.ndarray) -> None:
        raise NotImplementedError

    def buffer(self, name: str, key: str, like: np.ndarray) -> np.ndarray:
        """A zero-initialised state array for parameter `name`, created on first use."""
        slot = self.state.setdefault(name, {})
        if key not in slot:
            slot[key] = np.zeros_like(like)
        return slot[key]

    def scratch(self, name: str, index: int, like: np.ndarray) -> np.ndarray:
        """A reusable work array shaped like `like` (not state: its contents never outlive a step)."""
        key = (name, index)
        array = self._scratch.get(key)
        if array is None or array.shape != like.shape or array.dtype != like.dtype:
            array = self._scratch[key] = np.empty_like(like)
        return array

    def state_dict(self) -> dict[str, np.ndarray]:
        """Flat `param_name/key` -> array (momentum, moments, ...); `steps` is kept separately."""
        return {f"{name}/{key}": array.copy() for name, slot in self.state.items() for key, array in slot.items()}

    def load_state_dict(self, flat: dict[str, np.ndarray], steps: int) -> None:
        """Restore what state_dict() returned, and the step count (Adam's bias correction needs it)."""
        self.state = {}
        for key, array in flat.items():
            name, _, slot_key = key.rpartition("/")
            self.state.setdefault(name, {})[slot_key] = np.array(array)
        self.steps = steps
