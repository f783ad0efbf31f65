"""Building the objects a config names: model, loss, optimizer, LR schedule."""

from __future__ import annotations

import numpy as np

from luma_cli.autograd import Tensor
from luma_cli.config.load import LoadedConfig
from luma_cli.nn import LOSSES, MLP, InitSpec, LayerSpec, Loss, Module
from luma_cli.optim import OPTIMIZERS, SCHEDULES, Optimizer


def numpy_dtype(loaded: LoadedConfig) -> type:
    return np.float32 if loaded.config.training.dtype == "float32" else np.float64


def build_model(loaded: LoadedConfig, in_features: int, rng: np.random.Generator | None = None) -> Module:
    """The configured model for `in_features` inputs, initialized from `rng` (default: from the seed)."""
    model_config = loaded.config.model
    rng = rng if rng is not None else np.random.default_rng(loaded.config.seed)
    if model_config.custom is not None:
        from luma_cli.config.plugin import build_custom_model

        model = build_custom_model(loaded, in_features, rng)
        model.to_dtype(numpy_dtype(loaded))
    else:
        assert model_config.layers is not None
        init = model_config.init
        bias_name, bias_args = init.bias_spec()
        model = MLP(
            in_features,
            [LayerSpec(layer.units, layer.activation) for layer in model_config.layers],
            InitSpec(weights=init.weights, weights_args=init.weight_args(), bias=bias_name, bias_args=bias_args),
            rng=rng,
            dtype=numpy_dtype(loaded),
        )
    model.label_parameters()
    return model


def build_loss(loaded: LoadedConfig) -> Loss:
    return LOSSES.get(loaded.config.loss)


def build_optimizer(loaded: LoadedConfig, named_parameters: list[tuple[str, Tensor]]) -> Optimizer:
    optimizer_config = loaded.config.optimizer
    return OPTIMIZERS.get(optimizer_config.name)(named_parameters, **optimizer_config.kwargs())


def build_schedule(loaded: LoadedConfig):  # noqa: ANN201 - the schedule classes share only lr_at()
    optimizer_config = loaded.config.optimizer
    schedule = optimizer_config.schedule
    args = schedule.model_dump(exclude={"name"})
    return SCHEDULES.get(schedule.name)(optimizer_config.lr, loaded.config.training.epochs, **args)
