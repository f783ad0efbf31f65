"""Module: the parameter tree. Attribute assignment registers parameters and submodules.

Names are dotted paths from the root, as in PyTorch (`layers.0.weight`); checkpoints,
traces and diagnostics speak only in these names.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.errors import CheckpointError


def Parameter(data: Any, name: str | None = None) -> Tensor:  # noqa: N802 - reads like PyTorch's class
    """A trainable leaf tensor (kind `parameter`)."""
    return Tensor(data, requires_grad=True, kind="parameter", name=name)


class Module:
    """Base class for layers and models: subclasses define `forward` and assign parts as attributes."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Tensor) and value.kind == "parameter":
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        return self.forward(*args, **kwargs)

    # ---- the tree ----------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """(dotted name, parameter) pairs in registration order; each parameter once."""
        seen: set[int] = set()
        for module_name, module in self.named_modules(prefix):
            for name, param in module._parameters.items():
                if id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{module_name}.{name}" if module_name else name), param

    def parameters(self) -> list[Tensor]:
        return [p for _, p in self.named_parameters()]

    def label_parameters(self) -> None:
        """Stamp each parameter's `name` with its dotted path from this (root) module."""
        for name, param in self.named_parameters():
            param.name = name

    def zero_grad(self) -> None:
        for param in self.parameters():
            param.zero_grad()

    def train(self, mode: bool = True) -> Module:
        for _, module in self.named_modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    # ---- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter's array by dotted name."""
        return {name: param.data.copy() for name, param in self.named_parameters()}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Copy arrays into parameters; names and shapes must match exactly."""
        own = dict(self.named_parameters())
        missing = sorted(set(own) - set(state))
        unexpected = sorted(set(state) - set(own))
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if unexpected:
                parts.append(f"unexpected {', '.join(unexpected)}")
            raise CheckpointError(f"parameters do not match the model: {'; '.join(parts)}")
        for name, param in own.items():
            array = np.asarray(state[name])
            if array.shape != param.data.shape:
                raise CheckpointError(
                    f"parameter {name} has shape {array.shape} in the checkpoint, "
                    f"the model expects {param.data.shape}"
                )
            param.data = array.astype(param.data.dtype, copy=True)

    def to_dtype(self, dtype: Any) -> Module:
        """Cast every parameter to `dtype` (float32 or float64) in place."""
        for param in self.parameters():
            param.data = param.data.astype(dtype, copy=False)
        return self

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, child in self._modules.items():
            child_lines = repr(child).splitlines()
            lines.append(f"  ({name}): {child_lines[0]}")
            lines.extend("  " + line for line in child_lines[1:])
        return "\n".join(lines) + ")" if len(lines) > 1 else lines[0] + ")"


class Sequential(Module):
    """Modules applied in order; children are named `0`, `1`, ... so paths read `layers.0.weight`."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for index, module in enumerate(modules):
            setattr(self, str(index), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, index: int) -> Module:
        return list(self._modules.values())[index]

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def forward(self, x: Tensor) -> Tensor:
        for module in self._modules.values():
            x = module(x)
        return x
