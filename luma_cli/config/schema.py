"""The config schema (pydantic v2). Every field has a documented default; unknown keys are errors.

Names (activations, initializers, losses) are checked against their registries here, so a typo
fails at load time with a did-you-mean, not halfway through training.
"""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from luma_cli.data.synthetic import SYNTHETIC  # noqa: F401  (keeps data registered for `luma data make`)
from luma_cli.nn.activations import ACTIVATIONS
from luma_cli.nn.initializers import INITIALIZERS
from luma_cli.nn.losses import LOSSES
from luma_cli.registry import Registry, did_you_mean


def _known(registry: Registry[Any], name: str) -> str:
    if name not in registry:
        raise ValueError(
            f"unknown {registry.kind} '{name}'{did_you_mean(name, registry.names())}; "
            f"choose one of: {', '.join(registry.names())}"
        )
    return name


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class DataConfig(Section):
    """Where the data is and how to read it. Paths are relative to the config file."""

    train: str = Field(description="training CSV with a header row")
    test: str | None = Field(None, description="held-out CSV scored after training")
    validation: str | None = Field(None, description="validation CSV; if set, validation_split is not used")
    label: str | None = Field(None, description="label column; default: the last column")
    features: list[str] | None = Field(None, description="feature columns; default: every other column")
    validation_split: float = Field(0.2, ge=0.0, lt=1.0, description="fraction of training rows held out for validation (0 disables)")
    standardize: bool = Field(True, description="scale features to mean 0, std 1 using training statistics")


class LayerConfig(Section):
    units: int = Field(ge=1, le=65536, description="number of neurons")
    activation: str = Field("relu", description=f"one of: {', '.join(ACTIVATIONS.names())}")

    @field_validator("activation")
    @classmethod
    def _activation_known(cls, name: str) -> str:
        return _known(ACTIVATIONS, name)


class InitConfig(Section):
    """Initializers: `weights` by name with its parameters; `bias` by name or as a number."""

    weights: str = Field("xavier_uniform", description=f"one of: {', '.join(INITIALIZERS.names())}")
    low: float | None = Field(None, description="uniform: lower bound")
    high: float | None = Field(None, description="uniform: upper bound")
    mean: float | None = Field(None, description="normal: mean")
    std: float | None = Field(None, gt=0, description="normal: standard deviation")
    gain: float | None = Field(None, gt=0, description="xavier/he: gain")
    value: float | None = Field(None, description="constant: the value")
    bias: str | float = Field("zeros", description="an initializer name, or a number for a constant bias")

    @field_validator("weights")
    @classmethod
    def _weights_known(cls, name: str) -> str:
        return _known(INITIALIZERS, name)

    @field_validator("bias")
    @classmethod
    def _bias_known(cls, bias: str | float) -> str | float:
        return _known(INITIALIZERS, bias) if isinstance(bias, str) else bias

    @model_validator(mode="after")
    def _args_fit_initializer(self) -> InitConfig:
        accepted = set(inspect.signature(INITIALIZERS.get(self.weights)).parameters) - {"shape", "rng"}
        for arg, value in self.weight_args().items():
            if arg not in accepted:
                raise ValueError(
                    f"'{arg}: {value}' does not apply to initializer '{self.weights}'"
                    f" (it takes: {', '.join(sorted(accepted)) or 'nothing'})"
                )
        if self.weights == "uniform" and self.low is not None and self.high is not None and self.low >= self.high:
            raise ValueError(f"uniform needs low < high, got low={self.low}, high={self.high}")
        return self

    def weight_args(self) -> dict[str, float]:
        fields = ("low", "high", "mean", "std", "gain", "value")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    def bias_spec(self) -> tuple[str, dict[str, float]]:
        if isinstance(self.bias, str):
            return self.bias, {}
        return "constant", {"value": float(self.bias)}


class ModelConfig(Section):
    """Either `layers` (an MLP) or `custom` (`path/to/file.py:ClassName`, with `args`)."""

    layers: list[LayerConfig] | None = Field(None, min_length=1, description="Dense layers in order; input size comes from the data")
    init: InitConfig = Field(default_factory=InitConfig)
    custom: str | None = Field(None, description="a user model: 'path/to/file.py:ClassName', relative to the config")
    args: dict[str, Any] = Field(default_factory=dict, description="keyword arguments for the custom model class")

    @model_validator(mode="after")
    def _one_kind(self) -> ModelConfig:
        if (self.layers is None) == (self.custom is None):
            raise ValueError("set exactly one of 'layers' (an MLP) or 'custom' (a Python model class)")
        if self.custom is not None and ":" not in self.custom:
            raise ValueError(f"custom model '{self.custom}' must look like 'path/to/file.py:ClassName'")
        return self


class StepSchedule(Section):
    name: Literal["step"]
    step_size: int = Field(10, ge=1, description="epochs between decays")
    gamma: float = Field(0.1, gt=0, description="decay factor")


class ExponentialSchedule(Section):
    name: Literal["exponential"]
    gamma: float = Field(0.95, gt=0, description="decay factor per epoch")


class CosineSchedule(Section):
    name: Literal["cosine"]
    min_lr: float = Field(0.0, ge=0, description="learning rate at the last epoch")


class ConstantSchedule(Section):
    name: Literal["constant"]


Schedule = Annotated[
    Union[ConstantSchedule, StepSchedule, ExponentialSchedule, CosineSchedule], Field(discriminator="name")
]


class _OptimizerBase(Section):
    name: str = Field(description="sgd, adam, adamw or rmsprop")
    lr: float = Field(0.001, gt=0, description="learning rate")
    weight_decay: float = Field(0.0, ge=0, description="L2 penalty (decoupled for adamw)")
    schedule: Schedule = Field(default_factory=lambda: ConstantSchedule(name="constant"))

    def kwargs(self) -> dict[str, Any]:
        return self.model_dump(exclude={"name", "schedule"})


class SGDConfig(_OptimizerBase):
    name: Literal["sgd"]
    lr: float = Field(0.01, gt=0, description="learning rate")
    momentum: float = Field(0.0, ge=0, lt=1)
    nesterov: bool = False


class AdamConfig(_OptimizerBase):
    name: Literal["adam"]
    beta1: float = Field(0.9, ge=0, lt=1)
    beta2: float = Field(0.999, ge=0, lt=1)
    eps: float = Field(1e-8, gt=0)


class AdamWConfig(AdamConfig):
    name: Literal["adamw"]  # type: ignore[assignment]
    weight_decay: float = Field(0.01, ge=0, description="decoupled weight decay")


class RMSpropConfig(_OptimizerBase):
    name: Literal["rmsprop"]
    lr: float = Field(0.01, gt=0, description="learning rate")
    alpha: float = Field(0.99, ge=0, lt=1)
    eps: float = Field(1e-8, gt=0)
    momentum: float = Field(0.0, ge=0, lt=1)


OptimizerConfig = Annotated[
    Union[SGDConfig, AdamConfig, AdamWConfig, RMSpropConfig], Field(discriminator="name")
]

MONITORS = ("val_loss", "val_accuracy", "train_loss", "train_accuracy")


class EarlyStoppingConfig(Section):
    monitor: Literal["val_loss", "val_accuracy", "train_loss", "train_accuracy"] = "val_loss"
    patience: int = Field(10, ge=1, description="epochs without improvement before stopping")
    min_delta: float = Field(0.0, ge=0, description="smallest change that counts as improvement")


class TrainingConfig(Section):
    epochs: int = Field(50, ge=1, le=1_000_000)
    batch_size: int | Literal["full"] = Field(32, description="rows per step, or 'full' for the whole training set")
    shuffle: bool = Field(True, description="reshuffle the training rows every epoch")
    dtype: Literal["float32", "float64"] = "float32"
    early_stopping: EarlyStoppingConfig | None = None
    clip_grad_norm: float | None = Field(None, gt=0, description="clip gradients to this global norm")
    checkpoint_interval: float = Field(
        2.0, ge=0, description="seconds between checkpoint writes during training (0: after every epoch); "
        "the end of training, an interrupt and early stopping always write"
    )
    monitor: Literal["val_loss", "val_accuracy", "train_loss", "train_accuracy"] | None = Field(
        None, description="metric that picks the 'best' checkpoint; default val_loss, or train_loss without validation"
    )

    @field_validator("batch_size")
    @classmethod
    def _positive_batch(cls, value: int | str) -> int | str:
        if isinstance(value, int) and value < 1:
            raise ValueError("batch_size must be at least 1, or 'full'")
        return value


class DebugConfig(Section):
    """Per-neuron traces during training (also `luma train --trace-neurons`)."""

    trace_neurons: list[str] = Field(
        default_factory=list, description="neurons to trace, e.g. ['layers.0[7]', 'layers.2[0]'] or 'layers.0[7],layers.2[0]'"
    )
    trace_every: int | None = Field(None, ge=1, description="trace every K-th step; default: the first step of every epoch")

    @field_validator("trace_neurons", mode="before")
    @classmethod
    def _split_text(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class Config(Section):
    """A Luma run: data, model, loss, optimizer and training settings."""

    name: str | None = Field(None, description="run name; default: the config file's stem")
    seed: int = Field(0, ge=0, description="seeds initialization, splitting and shuffling")
    data: DataConfig
    model: ModelConfig
    loss: str = Field("binary_cross_entropy", description=f"one of: {', '.join(LOSSES.names())}")
    optimizer: OptimizerConfig = Field(default_factory=lambda: AdamConfig(name="adam"))
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    debug: DebugConfig = Field(default_factory=DebugConfig)

    @field_validator("loss")
    @classmethod
    def _loss_known(cls, name: str) -> str:
        return _known(LOSSES, name)
