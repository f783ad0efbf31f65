"""Trainer: the epoch loop. It emits events, writes the run directory, and never prints.

The loop can stop between any two steps (a StopRequest), saving everything TrainState lists, and
continue later with byte-identical results: the shuffle RNG is restored to the start of the
interrupted epoch and the finished steps are skipped.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from luma_cli.autograd import Tape, Tensor
from luma_cli.data import batches
from luma_cli.diagnose import analyze
from luma_cli.errors import DivergedError
from luma_cli.nn import Loss, Module
from luma_cli.optim import Optimizer, clip_grad_norm
from luma_cli.train.checkpoint import save_checkpoint
from luma_cli.train.events import EpochEnd, EpochMetrics, EventHandler, StepEnd, TrainStart, TrainWarning, ignore
from luma_cli.train.prepare import PreparedData
from luma_cli.train.probe import forward_function, record_step
from luma_cli.train.run_dir import RunDirectory
from luma_cli.train.state import OPTIMIZER_PREFIX, StopRequest, TrainingInterrupted, TrainState
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
    checkpoint_interval: float = 2.0


@dataclass
class FitResult:
    history: list[EpochMetrics]
    best_epoch: int
    stopped_early: bool = False


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
        state: TrainState | None = None,
        stop: StopRequest | None = None,
        step_events: bool = True,
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
        self.tracer = tracer
        self.state = state or TrainState()
        self.history: list[EpochMetrics] = list(run.rows)
        self.stop = stop or StopRequest()
        self.step_events = step_events and on_event is not ignore
        self.params = model.parameters()
        self.forward = forward_function(model)
        self._train_positive = data.train_y >= 0.5
        self._fixed_batches: list[tuple[np.ndarray, ...]] | None = None
        self._pending_best: tuple[dict[str, np.ndarray], dict[str, Any]] | None = None
        self._last_save = -math.inf

    @property
    def batch_size(self) -> int:
        size = self.settings.batch_size
        return len(self.data.train_x) if size == "full" else int(size)

    def fit(self) -> FitResult:
        data, st = self.data, self.state
        steps = math.ceil(len(data.train_x) / self.batch_size)
        self.on_event(TrainStart(
            run_dir=self.run.path, epochs=self.settings.epochs, steps_per_epoch=steps,
            train_rows=len(data.train_x), val_rows=0 if data.val_x is None else len(data.val_x),
            architecture=getattr(self.model, "architecture", type(self.model).__name__),
            label_mapping=data.mapping.describe(), first_epoch=st.epochs_done + 1,
        ))
        if st.rng_at_epoch_start is None:
            st.rng_at_epoch_start = self.shuffle_rng.bit_generator.state
        stopped_early = False
        for epoch in range(st.epochs_done + 1, self.settings.epochs + 1):
            self.shuffle_rng.bit_generator.state = st.rng_at_epoch_start
            metrics = self.run_epoch(epoch, steps)
            st.epochs_done = epoch
            st.start_epoch()
            st.rng_at_epoch_start = self.shuffle_rng.bit_generator.state
            self.history.append(metrics)
            self.run.append_metrics(metrics)
            is_best = self._update_best(metrics)
            if is_best:
                self._pending_best = (self.model.state_dict(), self._meta())
            if epoch == 1 or time.monotonic() - self._last_save >= self.settings.checkpoint_interval:
                self._save_checkpoints()
            self.on_event(EpochEnd(metrics=metrics, is_best=is_best))
            self._warn_on_plateau()
            if self._should_stop_early(metrics):
                stopped_early = True
                break
        self._save_checkpoints()
        return FitResult(history=list(self.history), best_epoch=st.best_epoch, stopped_early=stopped_early)

    def run_epoch(self, epoch: int, steps: int) -> EpochMetrics:
        """One epoch of training steps (resuming mid-epoch if the state says so), then validation."""
        st = self.state
        start = time.perf_counter() - st.partial_seconds
        lr = self.schedule.lr_at(epoch - 1)
        self.optimizer.lr = lr
        forward, loss_fn, optimizer, tracer, on_event = self.forward, self.loss, self.optimizer, self.tracer, self.on_event
        clip = self.settings.clip_grad_norm
        params = self.params
        skip = st.steps_done_in_epoch
        positive = self._train_positive
        batch_size = self.batch_size
        emit_steps = self.step_events
        for step, (x, y, y_positive) in enumerate(self._epoch_batches(positive, batch_size), 1):
            if step <= skip:
                continue
            if self.stop.signum is not None:
                self._interrupt(epoch, step - 1, start)
            st.global_step += 1
            with Tape() as tape:
                output = forward(Tensor.batch(x))
                loss = loss_fn(output, Tensor.batch(y))
            loss_value = float(loss.data)
            if not math.isfinite(loss_value):
                self._diverged(epoch, step, x, y, f"the loss became {loss_value}")
            for param in params:
                param.grad = None
            tape.backward(loss)
            if not _all_finite(params):
                self._diverged(epoch, step, x, y, "a gradient became NaN or Inf")
            if clip is not None:
                clip_grad_norm(params, clip)
            traced = tracer is not None and tracer.wants(st.global_step, step)
            if traced:
                tracer.before_update()
            optimizer.step()
            if traced:
                for trace in tracer.after_update(epoch, step, st.global_step):
                    self.run.append_trace(trace.to_json())
                    on_event(trace)
            n = len(x)
            st.partial_loss += loss_value * n
            st.partial_correct += np.count_nonzero(loss_fn.predicts_positive(output.data) == y_positive)
            st.partial_rows += n
            st.steps_done_in_epoch = step
            if emit_steps:
                on_event(StepEnd(epoch, step, steps, loss_value))
        val_loss = val_accuracy = None
        if self.data.has_validation():
            val_loss, val_accuracy = self.evaluate(self.data.val_x, self.data.val_y)
        return EpochMetrics(
            epoch=epoch,
            train_loss=st.partial_loss / st.partial_rows,
            train_accuracy=st.partial_correct / st.partial_rows,
            val_loss=val_loss,
            val_accuracy=val_accuracy,
            lr=lr,
            seconds=time.perf_counter() - start,
        )

    def _epoch_batches(self, positive: np.ndarray, batch_size: int) -> list[tuple[np.ndarray, ...]]:
        """This epoch's (x, y, y >= 0.5) batches, as views; without shuffling, the same list every epoch."""
        arrays = (self.data.train_x, self.data.train_y, positive)
        if self.settings.shuffle:
            return list(batches(arrays, batch_size, True, self.shuffle_rng))
        if self._fixed_batches is None:
            self._fixed_batches = list(batches(arrays, batch_size, False, self.shuffle_rng))
        return self._fixed_batches

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Loss and accuracy with no graph recorded."""
        output = self.forward(Tensor(x, kind="input"))
        loss = float(self.loss(output, Tensor(y, kind="input")).data)
        probabilities = self.loss.probabilities(output.data)
        return loss, float(np.mean((probabilities >= 0.5) == (y >= 0.5)))

    # ---- bookkeeping -------------------------------------------------------------------------
    def _update_best(self, metrics: EpochMetrics) -> bool:
        st = self.state
        value = metrics.get(self.settings.monitor)
        if value is None or not _better(self.settings.monitor, value, st.best_value):
            return False
        st.best_value, st.best_epoch = value, metrics.epoch
        return True

    def _should_stop_early(self, metrics: EpochMetrics) -> bool:
        stopping, st = self.settings.early_stopping, self.state
        if stopping is None:
            return False
        watched = metrics.get(stopping.monitor)
        if watched is None:
            return False
        if _better(stopping.monitor, watched, st.stop_best, stopping.min_delta):
            st.stop_best, st.since_improvement = watched, 0
            return False
        st.since_improvement += 1
        if st.since_improvement < stopping.patience:
            return False
        self.on_event(TrainWarning(
            f"early stopping at epoch {metrics.epoch}: {stopping.monitor} has not improved for {stopping.patience} epochs"
        ))
        return True

    def _warn_on_plateau(self) -> None:
        """Once per run: the training loss has not moved for `plateau_epochs` epochs."""
        st, n = self.state, self.settings.plateau_epochs
        if st.plateau_warned or len(self.history) < n + 1:
            return
        recent = [m.train_loss for m in self.history[-(n + 1):]]
        # Frozen, not converged: a loss near 0 may legitimately stop moving.
        if recent[-1] > 1e-3 and max(recent) - min(recent) <= 1e-6 * abs(recent[-1]):
            st.plateau_warned = True
            self.on_event(TrainWarning(
                f"the training loss has not changed for {n} epochs ({recent[-1]:.4f}): gradients may not be "
                "reaching the parameters; run `luma debug-grads` on this config to see why"
            ))

    def _meta(self) -> dict[str, Any]:
        meta = {**self.checkpoint_meta, "epoch": self.state.epochs_done}
        if self.history:
            meta["metrics"] = self.history[-1].to_dict()
        return meta

    def _save_checkpoints(self) -> None:
        """Write `last` (weights, optimizer state, training state) and any newer `best` (weights only).

        Between epochs this happens at most every `checkpoint_interval` seconds: on small networks
        an epoch lasts microseconds, and writing (with fsync) after each would cost more than training.
        """
        self._check_weights_finite(self.state.epochs_done)
        state = self.model.state_dict()
        self.state.optimizer_steps = self.optimizer.steps
        state.update({OPTIMIZER_PREFIX + k: v for k, v in self.optimizer.state_dict().items()})
        save_checkpoint(self.run.checkpoints, "last", state, {**self._meta(), "training_state": self.state.to_json()})
        if self._pending_best is not None:
            best_state, best_meta = self._pending_best
            save_checkpoint(self.run.checkpoints, "best", best_state, best_meta)
            self._pending_best = None
        self._last_save = time.monotonic()

    def _interrupt(self, epoch: int, steps_done: int, start: float) -> None:
        st = self.state
        st.steps_done_in_epoch = steps_done
        st.partial_seconds = time.perf_counter() - start
        self._save_checkpoints()
        raise TrainingInterrupted(self.stop.signum or 2, str(self.run.path), epoch, steps_done)

    def _diverged(self, epoch: int, step: int, x: np.ndarray, y: np.ndarray, what: str) -> None:
        """Stop before the optimizer writes anything non-finite; name the op that went first."""
        report = analyze([record_step(self.model, self.loss, x, y)], self.model)
        culprit = next((f for f in report.findings if f.kind == "nan_or_inf"), None)
        where = f"; {culprit.message}" if culprit else ""
        raise DivergedError(
            f"{what} at epoch {epoch}, step {step}{where}. Training stopped; no non-finite weights were saved",
            hint=culprit.fix if culprit and culprit.fix else "lower optimizer.lr or set training.clip_grad_norm",
        )

    def _check_weights_finite(self, epoch: int) -> None:
        """Nothing non-finite is ever written: checked before every save."""
        for param in self.params:
            if not math.isfinite(np.add.reduce(param.data, axis=None)):
                raise DivergedError(
                    f"parameter {param.name} became NaN or Inf during epoch {epoch}; nothing non-finite was saved",
                    hint="lower optimizer.lr or set training.clip_grad_norm",
                )


def _all_finite(params: list[Tensor]) -> bool:
    """One reduction per gradient: a sum is NaN or Inf whenever any entry is (or it overflows, which is as bad)."""
    for param in params:
        grad = param.grad
        if grad is not None and not math.isfinite(np.add.reduce(grad, axis=None)):
            return False
    return True
