"""Neuron traces: `layers.0[7]` is row 7 of `layers.0.weight` plus `layers.0.bias[7]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.errors import ConfigError
from luma_cli.nn import Module
from luma_cli.registry import did_you_mean
from luma_cli.train.events import NeuronTrace

_ADDRESS = re.compile(r"^([A-Za-z_][\w.]*)\[(\d+)\]$")


@dataclass(frozen=True)
class TracedNeuron:
    address: str
    weight: Tensor
    bias: Tensor
    index: int


def dense_layers(model: Module) -> dict[str, tuple[Tensor, Tensor]]:
    """Module path -> (weight, bias) for every Dense-style module (2-D weight, 1-D bias)."""
    layers = {}
    for path, module in model.named_modules():
        own = dict(module.named_parameters())
        weight, bias = own.get("weight"), own.get("bias")
        if weight is not None and bias is not None and weight.ndim == 2 and bias.ndim == 1:
            layers[path] = (weight, bias)
    return layers


def parse_neurons(addresses: list[str], model: Module) -> list[TracedNeuron]:
    """Resolve `layers.0[7]`-style addresses against the model; mistakes are ConfigErrors."""
    layers = dense_layers(model)
    neurons = []
    for address in addresses:
        match = _ADDRESS.match(address.strip())
        if match is None:
            raise ConfigError(f"neuron '{address}' is not of the form layer[index], e.g. layers.0[7]")
        path, index = match.group(1), int(match.group(2))
        if path not in layers:
            raise ConfigError(
                f"neuron '{address}': no Dense layer '{path}'{did_you_mean(path, list(layers))}",
                hint=f"layers with neurons: {', '.join(layers) or 'none'}",
            )
        weight, bias = layers[path]
        if index >= weight.shape[0]:
            raise ConfigError(f"neuron '{address}': {path} has {weight.shape[0]} neurons (0-{weight.shape[0] - 1})")
        neurons.append(TracedNeuron(address=f"{path}[{index}]", weight=weight, bias=bias, index=index))
    return neurons


class NeuronTracer:
    """Snapshots traced neurons around an optimizer step."""

    def __init__(self, neurons: list[TracedNeuron], every: int | None) -> None:
        self.neurons = neurons
        self.every = every
        self._before: list[tuple[np.ndarray, float, np.ndarray | None, float | None]] = []

    def wants(self, global_step: int, step_in_epoch: int) -> bool:
        if self.every is None:
            return step_in_epoch == 1
        return (global_step - 1) % self.every == 0

    def before_update(self) -> None:
        self._before = []
        for n in self.neurons:
            weight_grad = None if n.weight.grad is None else n.weight.grad[n.index].astype(float)
            bias_grad = None if n.bias.grad is None else float(n.bias.grad[n.index])
            self._before.append((n.weight.data[n.index].astype(float), float(n.bias.data[n.index]), weight_grad, bias_grad))

    def after_update(self, epoch: int, step: int, global_step: int) -> list[NeuronTrace]:
        traces = []
        for n, (w_before, b_before, w_grad, b_grad) in zip(self.neurons, self._before):
            traces.append(NeuronTrace(
                epoch=epoch, step=step, global_step=global_step, neuron=n.address,
                weight_before=w_before.tolist(), weight_grad=None if w_grad is None else w_grad.tolist(),
                weight_after=n.weight.data[n.index].astype(float).tolist(),
                bias_before=b_before, bias_grad=b_grad, bias_after=float(n.bias.data[n.index]),
            ))
        return traces
