"""Layers and models built on the autograd core: Module, Dense, Sequential, MLP, activations, losses."""

from luma_cli.nn import functional
from luma_cli.nn.activations import ACTIVATIONS
from luma_cli.nn.dense import Dense
from luma_cli.nn.initializers import INITIALIZERS
from luma_cli.nn.losses import LOSSES, Loss
from luma_cli.nn.mlp import MLP, InitSpec, LayerSpec
from luma_cli.nn.module import Module, Parameter, Sequential

__all__ = [
    "ACTIVATIONS", "INITIALIZERS", "LOSSES", "MLP", "Dense", "InitSpec", "LayerSpec", "Loss",
    "Module", "Parameter", "Sequential", "functional",
]
