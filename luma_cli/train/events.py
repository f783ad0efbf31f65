"""Events the Trainer emits; renderers and callbacks subscribe. The trainer itself never prints."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class EpochMetrics:
    """One row of metrics.csv. Train metrics are means over the epoch's batches, as Keras reports them."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    lr: float
    seconds: float

    def get(self, name: str) -> float | None:
        return getattr(self, name)

    def to_dict(self) -> dict[str, float | int | None]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True)
class TrainStart:
    run_dir: Path
    epochs: int
    steps_per_epoch: int
    train_rows: int
    val_rows: int
    architecture: str
    label_mapping: str
    first_epoch: int = 1


@dataclass(slots=True)
class StepEnd:
    epoch: int
    step: int
    steps_per_epoch: int
    loss: float


@dataclass(frozen=True)
class EpochEnd:
    metrics: EpochMetrics
    is_best: bool


@dataclass(frozen=True)
class TrainWarning:
    message: str


@dataclass(frozen=True)
class NeuronTrace:
    """One neuron at one step: weights and bias before the update, their gradients, after, and the change.

    A gradient of None means the neuron's parameters received no gradient at all on that step.
    """

    epoch: int
    step: int
    global_step: int
    neuron: str
    weight_before: list[float]
    weight_grad: list[float] | None
    weight_after: list[float]
    bias_before: float
    bias_grad: float | None
    bias_after: float

    def to_json(self) -> dict:
        return {
            **self.__dict__,
            "weight_change": [a - b for a, b in zip(self.weight_after, self.weight_before)],
            "bias_change": self.bias_after - self.bias_before,
        }


Event = TrainStart | StepEnd | EpochEnd | TrainWarning | NeuronTrace
EventHandler = Callable[[Event], None]


def ignore(event: Event) -> None:
    """The default handler: drop every event."""
