"""Trainer: the epoch loop. It emits events, writes the run directory, and never prints."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from luma_cli.autograd import Tape, Tensor
from luma_cli.data import batches
from luma_cli.errors import DivergedError
from luma_cli.nn import Loss, Module
from luma_cli.optim import Optimizer, clip_grad_norm
from luma_cli.train.checkpoint import save_checkpoint
from luma_cli.train.events import EpochEnd, EpochMetrics, EventHandler, StepEnd, TrainStart, TrainWarning, ignore
from luma_cli.train.prepare import PreparedData
from luma_cli.train.probe import forward_function
from luma_cli.train.run_dir import RunDirectory
from luma_cli.train.tracing import NeuronTracer


@dataclass
class TrainSettings:
    epochs: int
    batch_size: int | str
    shuffle: bool
    monitor: str
    early_stopping: Any = None  # EarlyStoppingConfig or None
    clip_grad_norm: float | None = None
    plateau_epochs: int = 3


@dataclass
class FitResult:
    history: list[EpochMetrics]
    best_epoch: int
    best_state: dict[str, np.ndarray]
    stopped_early: bool = False
    warnings: list[str] = field(default_factory=list)


def _better(monitor: str, new: float, old: float | None, min_delta: float = 0.0) -> bool:
    if old is None or math.isnan(old):
        return not math.isnan(new)
    if monitor.endswith("loss"):
        return new < old - min_delta
    return new > old + min_delta


class Trainer:
    def __init__(
        self,
        model: Module,
        loss: Loss,
        optimizer: Optimizer,
        schedule: Any,
        data: PreparedData,
        settings: TrainSettings,
        run: RunDirectory,
        checkpoint_meta: dict[str, Any],
        shuffle_rng: np.random.Generator,
        on_event: EventHandler = ignore,
        tracer: NeuronTracer | None = None,
    ) -> None:
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.schedule = schedule
        self.data = data
        self.settings = settings
        self.run = run
        self.checkpoint_meta = checkpoint_meta
        self.shuffle_rng = shuffle_rng
        self.on_event = on_event
        self.params = model.parameters()
        self.forward = forward_function(model)
        self.tracer = tracer
        self.global_step = 0
        self._plateau_warned = False

    @property
    def batch_size(self) -> int:
        size = self.settings.batch_size
        return len(self.data.train_x) if size == "full" else int(size)

    def fit(self) -> FitResult:
        data = self.data
        steps = math.ceil(len(data.train_x) / self.batch_size)
        self.on_event(TrainStart(
            run_dir=self.run.path, epochs=self.settings.epochs, steps_per_epoch=steps,
            train_rows=len(data.train_x), val_rows=0 if data.val_x is None else len(data.val_x),
            architecture=getattr(self.model, "architecture", type(self.model).__name__),
            label_mapping=data.mapping.describe(),
        ))
        history: list[EpochMetrics] = []
        best_value: float | None = None
        best_epoch = 0
        best_state = self.model.state_dict()
        since_improvement = 0
        stop_best: float | None = None
        stopping = self.settings.early_stopping
        stopped_early = False
        for epoch in range(1, self.settings.epochs + 1):
            metrics = self._run_epoch(epoch, steps)
            history.append(metrics)
            self.run.append_metrics(metrics)
            value = metrics.get(self.settings.monitor)
            is_best = value is not None and _better(self.settings.monitor, value, best_value)
            state = self.model.state_dict()
            meta = {**self.checkpoint_meta, "epoch": epoch, "metrics": _jsonable(metrics)}
            save_checkpoint(self.run.checkpoints, "last", state, meta)
            if is_best:
                best_value, best_epoch, best_state = value, epoch, state
                save_checkpoint(self.run.checkpoints, "best", state, meta)
            self.on_event(EpochEnd(metrics=metrics, is_best=is_best))
            self._warn_on_plateau(history)
            if stopping is not None:
                watched = metrics.get(stopping.monitor)
                if watched is None:
                    continue
                if _better(stopping.monitor, watched, stop_best, stopping.min_delta):
                    stop_best = watched
                    since_improvement = 0
                else:
                    since_improvement += 1
                    if since_improvement >= stopping.patience:
                        stopped_early = True
                        self.on_event(TrainWarning(
                            f"early stopping at epoch {epoch}: {stopping.monitor} has not improved for "
                            f"{stopping.patience} epochs"
                        ))
                        break
        return FitResult(history=history, best_epoch=best_epoch, best_state=best_state, stopped_early=stopped_early)

    def _run_epoch(self, epoch: int, steps: int) -> EpochMetrics:
        start = time.perf_counter()
        lr = self.schedule.lr_at(epoch - 1)
        self.optimizer.lr = lr
        total_loss = 0.0
        correct = 0.0
        rows = 0
        forward, loss_fn, optimizer, tracer = self.forward, self.loss, self.optimizer, self.tracer
        clip = self.settings.clip_grad_norm
        for step, (x, y) in enumerate(
            batches(self.data.train_x, self.data.train_y, self.batch_size, self.settings.shuffle, self.shuffle_rng), 1
        ):
            self.global_step += 1
            with Tape() as tape:
                output = forward(Tensor(x, kind="input"))
                loss = loss_fn(output, Tensor(y, kind="input"))
            loss_value = float(loss.data)
            if not math.isfinite(loss_value):
                raise DivergedError(
                    f"loss became {loss_value} at epoch {epoch}, step {step}; training stopped and no "
                    "non-finite weights were saved",
                    hint="lower optimizer.lr, set training.clip_grad_norm, or run `luma debug-grads` on the config",
                )
            optimizer.zero_grad()
            tape.backward(loss)
            if clip is not None:
                clip_grad_norm(self.params, clip)
            traced = tracer is not None and tracer.wants(self.global_step, step)
            if traced:
                tracer.before_update()
            optimizer.step()
            if traced:
                for trace in tracer.after_update(epoch, step, self.global_step):
                    self.run.append_trace(trace.to_json())
                    self.on_event(trace)
            n = len(x)
            total_loss += loss_value * n
            probabilities = loss_fn.probabilities(output.data)
            correct += float(np.count_nonzero((probabilities >= 0.5) == (y >= 0.5)))
            rows += n
            self.on_event(StepEnd(epoch=epoch, step=step, steps_per_epoch=steps, loss=loss_value))
        self._check_weights_finite(epoch)
        val_loss = val_accuracy = None
        if self.data.has_validation():
            val_loss, val_accuracy = self.evaluate(self.data.val_x, self.data.val_y)
        return EpochMetrics(
            epoch=epoch,
            train_loss=total_loss / rows,
            train_accuracy=correct / rows,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            lr=lr,
            seconds=time.perf_counter() - start,
        )

    def _warn_on_plateau(self, history: list[EpochMetrics]) -> None:
        """Once per run: the training loss has not moved for `plateau_epochs` epochs."""
        n = self.settings.plateau_epochs
        if self._plateau_warned or len(history) < n + 1:
            return
        recent = [m.train_loss for m in history[-(n + 1):]]
        if max(recent) - min(recent) <= 1e-6 * max(1.0, abs(recent[-1])):
            self._plateau_warned = True
            self.on_event(TrainWarning(
                f"the training loss has not changed for {n} epochs ({recent[-1]:.4f}): gradients may not be "
                "reaching the parameters; run `luma debug-grads` on this config to see why"
            ))

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Loss and accuracy with no graph recorded."""
        output = self.forward(Tensor(x, kind="input"))
        loss = float(self.loss(output, Tensor(y, kind="input")).data)
        probabilities = self.loss.probabilities(output.data)
        return loss, float(np.mean((probabilities >= 0.5) == (y >= 0.5)))

    def _check_weights_finite(self, epoch: int) -> None:
        for param in self.params:
            if not np.isfinite(param.data).all():
                raise DivergedError(
                    f"parameter {param.name} became NaN or Inf during epoch {epoch}; nothing non-finite was saved",
                    hint="lower optimizer.lr or set training.clip_grad_norm",
                )


def _jsonable(metrics: EpochMetrics) -> dict[str, Any]:
    return dict(metrics.__dict__)

