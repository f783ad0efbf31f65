"""Neuron addressing: `layers.0[7].weight[1]` for entries, grouped so a starved layer is one line.

A parameter named `<module>.weight` of shape (out, in) with a sibling `<module>.bias` of shape
(out,) is a Dense-style layer: neuron j is row j of the weight plus bias[j].
"""

from __future__ import annotations

import numpy as np


def split_name(name: str) -> tuple[str, str]:
    """`layers.0.weight` -> (`layers.0`, `weight`)."""
    module, _, leaf = name.rpartition(".")
    return module, leaf


def is_dense_weight(name: str, shape: tuple[int, ...], names: set[str]) -> bool:
    module, leaf = split_name(name)
    return leaf == "weight" and len(shape) == 2 and f"{module}.bias" in names


def entry_address(name: str, index: tuple[int, ...], shape: tuple[int, ...], names: set[str]) -> str:
    module, leaf = split_name(name)
    if is_dense_weight(name, shape, names):
        return f"{module}[{index[0]}].weight[{index[1]}]"
    if leaf == "bias" and len(shape) == 1 and f"{module}.weight" in names:
        return f"{module}[{index[0]}].bias"
    return f"{name}[{', '.join(str(i) for i in index)}]" if index else name


def _compress(values: list[int]) -> str:
    """[0, 1, 2, 5] -> '0-2, 5'."""
    parts: list[str] = []
    start = prev = values[0]
    for v in values[1:] + [None]:  # type: ignore[list-item]
        if v is not None and v == prev + 1:
            prev = v
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if v is not None:
            start = prev = v
    return ", ".join(parts)


def group_entries(masks: dict[str, np.ndarray], names: set[str], limit: int = 12) -> list[str]:
    """Readable groups for the True entries of each parameter's mask.

    Whole layers (weight and bias) become one line, whole neurons are listed by index, and
    scattered entries are listed individually up to `limit`.
    """
    lines: list[str] = []
    done: set[str] = set()
    for name, mask in masks.items():
        if name in done or not mask.any():
            continue
        module, leaf = split_name(name)
        weight, bias = f"{module}.weight", f"{module}.bias"
        dense = weight in masks and is_dense_weight(weight, masks[weight].shape, names)
        if dense:
            w = masks[weight]
            b = masks.get(bias, np.zeros(w.shape[0], dtype=bool))
            done.update({weight, bias})
            if w.all() and b.all():
                lines.append(f"{module}: every weight and bias ({w.size + b.size} entries)")
                continue
            if w.all() and not b.any():
                lines.append(f"{weight}: all {w.size} entries")
                continue
            whole = [j for j in range(w.shape[0]) if w[j].all() and b[j]]
            if whole:
                lines.append(f"{module}[{_compress(whole)}]: every weight and bias ({len(whole)} neuron{'s' if len(whole) > 1 else ''})")
            rest_w = w.copy()
            rest_b = b.copy()
            rest_w[whole] = False
            rest_b[whole] = False
            columns = [k for k in range(w.shape[1]) if rest_w[:, k].all()] if rest_w.shape[0] > 1 else []
            if columns:
                lines.append(f"{module}[*].weight[{_compress(columns)}]: input {_compress(columns)} of every neuron")
                rest_w[:, columns] = False
            lines.extend(_individual(weight, rest_w, names, limit))
            lines.extend(_individual(bias, rest_b, names, limit))
        else:
            done.add(name)
            if mask.all():
                lines.append(f"{name}: all {mask.size} entries")
            else:
                lines.extend(_individual(name, mask, names, limit))
    return lines


def _individual(name: str, mask: np.ndarray, names: set[str], limit: int) -> list[str]:
    indices = [tuple(int(i) for i in idx) for idx in np.argwhere(mask)]
    if not indices:
        return []
    shown = [entry_address(name, idx, mask.shape, names) for idx in indices[:limit]]
    more = f" and {len(indices) - limit} more" if len(indices) > limit else ""
    return [", ".join(shown) + more]


def layer_of(name: str) -> str:
    """The module a parameter belongs to (`layers.0` for `layers.0.weight`; the name itself at top level)."""
    module, _ = split_name(name)
    return module or name


def summarize_layers(names: list[str]) -> str:
    """['layers.0.weight', 'layers.0.bias', 'layers.1.weight'] -> 'layers.0-1' where possible."""
    modules = list(dict.fromkeys(layer_of(n) for n in names))
    prefixes: dict[str, list[int]] = {}
    others: list[str] = []
    for module in modules:
        head, _, tail = module.rpartition(".")
        if tail.isdigit() and head:
            prefixes.setdefault(head, []).append(int(tail))
        else:
            others.append(module)
    parts = [f"{head}.{_compress(sorted(ix)).replace(', ', ',')}" for head, ix in prefixes.items()]
    return ", ".join(parts + others)
