"""Starting a run, resuming one, and finishing it: what `luma train` does around the Trainer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from luma_cli import __version__
from luma_cli.config import Config, LoadedConfig
from luma_cli.config.build import build_loss, build_model, build_optimizer, build_schedule, numpy_dtype
from luma_cli.data import Dataset
from luma_cli.errors import CheckpointError, ConfigError, LumaError, LumaIOError
from luma_cli.nn import Loss, Module
from luma_cli.train.checkpoint import load_checkpoint
from luma_cli.train.events import EpochMetrics, EventHandler, TrainWarning
from luma_cli.train.inference import predict_probabilities
from luma_cli.train.metrics import BinaryReport, binary_report
from luma_cli.train.preflight import preflight as run_preflight
from luma_cli.train.prepare import PreparedData, load_for, prepare_data
from luma_cli.train.run_dir import RunDirectory, new_run_dir
from luma_cli.train.state import StopRequest, TrainState, restore_weights, split_state
from luma_cli.train.tracing import NeuronTracer, parse_neurons
from luma_cli.train.trainer import Trainer, TrainSettings


@dataclass
class TrainResult:
    run_dir: Path
    history: list[EpochMetrics]
    best_epoch: int
    model: Module
    test_report: BinaryReport | None = None
    stopped_early: bool = False


@dataclass
class _Setup:
    loaded: LoadedConfig
    data: PreparedData
    test: Dataset | None
    model: Module
    loss: Loss
    shuffle_rng: np.random.Generator


def _set_up(loaded: LoadedConfig) -> _Setup:
    cfg = loaded.config
    init_seed, split_seed, shuffle_seed = np.random.SeedSequence(cfg.seed).spawn(3)
    data = prepare_data(loaded, np.random.default_rng(split_seed), numpy_dtype(loaded))
    test = load_for(loaded, "test", data) if cfg.data.test else None
    model = build_model(loaded, data.in_features, np.random.default_rng(init_seed))
    return _Setup(loaded, data, test, model, build_loss(loaded), np.random.default_rng(shuffle_seed))


def _settings(loaded: LoadedConfig, data: PreparedData) -> TrainSettings:
    cfg = loaded.config
    monitor = cfg.training.monitor or ("val_loss" if data.has_validation() else "train_loss")
    if monitor.startswith("val_") and not data.has_validation():
        raise ConfigError(f"training.monitor is '{monitor}' but there is no validation data", hint="set data.validation_split > 0")
    stopping = cfg.training.early_stopping
    if stopping is not None and stopping.monitor.startswith("val_") and not data.has_validation():
        raise ConfigError("training.early_stopping monitors validation metrics but there is no validation data",
                          hint="set data.validation_split > 0, or monitor train_loss")
    return TrainSettings(epochs=cfg.training.epochs, batch_size=cfg.training.batch_size, shuffle=cfg.training.shuffle,
                         monitor=monitor, early_stopping=stopping, clip_grad_norm=cfg.training.clip_grad_norm,
                         checkpoint_interval=cfg.training.checkpoint_interval)


def _tracer(loaded: LoadedConfig, model: Module, neurons: list[str] | None, every: int | None) -> NeuronTracer | None:
    neurons = neurons if neurons is not None else loaded.config.debug.trace_neurons
    every = every if every is not None else loaded.config.debug.trace_every
    if every is not None and every < 1:
        raise ConfigError(f"--trace-every must be at least 1, got {every}")
    return NeuronTracer(parse_neurons(neurons, model), every) if neurons else None


def _checkpoint_meta(loaded: LoadedConfig, data: PreparedData, resolved: dict[str, Any]) -> dict[str, Any]:
    return {
        "config": resolved,
        "features": data.feature_names,
        "label": data.label_name,
        "label_mapping": data.mapping.to_json(),
        "standardization": data.standardizer.to_json() if data.standardizer is not None else None,
        "dtype": loaded.config.training.dtype,
        "loss": loaded.config.loss,
    }


def _warn_about_output(loaded: LoadedConfig, loss: Loss, on_event: EventHandler) -> None:
    layers = loaded.config.model.layers
    if layers and loss.needs_probability_output and layers[-1].activation != "sigmoid":
        on_event(TrainWarning(
            f"loss '{loss.name}' needs probabilities but the output layer's activation is "
            f"'{layers[-1].activation}'; use sigmoid, or loss binary_cross_entropy_with_logits"
        ))
    if layers and layers[-1].units != 1:
        on_event(TrainWarning(f"the output layer has {layers[-1].units} units; binary classification reads only the first"))


def start(
    loaded: LoadedConfig,
    run_dir: Path | None,
    on_event: EventHandler,
    preflight: bool,
    neurons: list[str] | None,
    every: int | None,
    stop: StopRequest,
    step_events: bool = True,
) -> TrainResult:
    """A new run: set up, preflight, create the run directory, train, finish."""
    setup = _set_up(loaded)
    settings = _settings(loaded, setup.data)
    tracer = _tracer(loaded, setup.model, neurons, every)
    if preflight:
        run_preflight(setup.model, setup.loss, setup.data.train_x, setup.data.train_y)
    run = RunDirectory(new_run_dir(loaded.name, run_dir))
    resolved = loaded.resolved_dict()
    run.write_config(resolved)
    _warn_about_output(loaded, setup.loss, on_event)
    optimizer = build_optimizer(loaded, list(setup.model.named_parameters()))
    trainer = Trainer(setup.model, setup.loss, optimizer, build_schedule(loaded), setup.data, settings, run,
                      _checkpoint_meta(loaded, setup.data, resolved), setup.shuffle_rng, on_event, tracer, TrainState(), stop,
                      step_events)
    return _fit_and_finish(trainer, setup, run)


def resume(
    run_path: Path,
    config: LoadedConfig | None,
    epochs: int | None,
    on_event: EventHandler,
    neurons: list[str] | None,
    every: int | None,
    stop: StopRequest,
    step_events: bool = True,
) -> TrainResult:
    """Continue a run from its `last` checkpoint, exactly as if it had never stopped."""
    saved_path = run_path / "config.yaml"
    if not saved_path.is_file():
        raise CheckpointError(f"{run_path}: not a Luma run directory (no config.yaml)", hint="pass the directory `luma train` printed")
    saved = _read_saved_config(saved_path)
    if config is not None:
        differences = _differences(saved, config.resolved_dict())
        if epochs is not None:
            differences = [d for d in differences if d != "training.epochs"]
        if differences:
            raise ConfigError(
                f"{config.path}: differs from the run being resumed in {', '.join(differences)}",
                hint=f"resume with the run's own config (omit CONFIG), or start a new run; saved config: {saved_path}",
            )
    if epochs is not None:
        saved["training"]["epochs"] = epochs
    status = _read_status(run_path)
    if status.get("status") == "completed" and (epochs is None or epochs <= int(status.get("epochs_run", 0))):
        raise ConfigError(
            f"{run_path}: this run already completed {status.get('epochs_run')} epochs; nothing to resume",
            hint="pass --epochs N with N larger than that to train further",
        )
    try:
        loaded = LoadedConfig(Config.model_validate(saved), saved_path)
    except ValueError as exc:
        raise CheckpointError(f"{saved_path}: the saved config is no longer valid ({exc})") from None
    checkpoint = load_checkpoint(run_path / "checkpoints" / "last.json")
    if "training_state" not in checkpoint.meta:
        raise CheckpointError(f"{checkpoint.path}: has no training state to resume from")
    state = TrainState.from_json(checkpoint.meta["training_state"])
    if epochs is not None and epochs <= state.epochs_done:
        raise ConfigError(
            f"{run_path}: --epochs {epochs} is not more than the {state.epochs_done} epochs already trained",
            hint=f"pass --epochs larger than {state.epochs_done}, or omit it to finish the run as configured",
        )
    setup = _set_up(loaded)
    restore_weights(setup.model, checkpoint)
    optimizer = build_optimizer(loaded, list(setup.model.named_parameters()))
    optimizer.load_state_dict(split_state(checkpoint.state)[1], state.optimizer_steps)
    settings = _settings(loaded, setup.data)
    tracer = _tracer(loaded, setup.model, neurons, every)  # bad addresses fail before the run is touched
    run = RunDirectory(run_path)
    run.clean_stale_files()
    run.restore_metrics(state.epochs_done)
    resolved = loaded.resolved_dict()
    if epochs is not None:
        run.write_config(resolved)
    trainer = Trainer(setup.model, setup.loss, optimizer, build_schedule(loaded), setup.data, settings, run,
                      _checkpoint_meta(loaded, setup.data, resolved), setup.shuffle_rng, on_event, tracer, state, stop,
                      step_events)
    return _fit_and_finish(trainer, setup, run)


def _fit_and_finish(trainer: Trainer, setup: _Setup, run: RunDirectory) -> TrainResult:
    run.write_json("run.json", {"status": "running", "luma_version": __version__})
    try:
        fit = trainer.fit()
    except LumaError as exc:
        status = {7: "diverged"}.get(exc.exit_code, "interrupted" if exc.exit_code in (130, 143) else "failed")
        _write_status(run, status, trainer, error=exc.message)
        raise
    except KeyboardInterrupt:
        _write_status(run, "interrupted", trainer)
        raise
    finally:
        run.close()
    best = load_checkpoint(run.checkpoints / "best.json") if (run.checkpoints / "best.json").is_file() else None
    if best is not None:
        setup.model.load_state_dict(split_state(best.state)[0])
    test_report = None
    if setup.test is not None and setup.test.labels is not None:
        test_x = setup.data.standardizer.transform(setup.test.features) if setup.data.standardizer else setup.test.features
        test_report = binary_report(setup.test.labels, predict_probabilities(setup.model, setup.loss, test_x))
        run.write_json("test_metrics.json", {"data": str(setup.test.source), "best_epoch": fit.best_epoch, **test_report.to_dict()})
    _write_status(run, "completed", trainer, stopped_early=fit.stopped_early)
    return TrainResult(run_dir=run.path, history=fit.history, best_epoch=fit.best_epoch, model=setup.model,
                       test_report=test_report, stopped_early=fit.stopped_early)


def _write_status(run: RunDirectory, status: str, trainer: Trainer, **extra: Any) -> None:
    document = {
        "status": status, "luma_version": __version__, "epochs_run": trainer.state.epochs_done,
        "best_epoch": trainer.state.best_epoch, "monitor": trainer.settings.monitor,
        **{k: v for k, v in extra.items() if v is not None},
    }
    if status == "interrupted":
        document["resume_command"] = f"luma train --resume {run.path}"
    try:
        run.write_json("run.json", document)
    except LumaIOError:
        pass  # the original error matters more than the status file


def _read_status(run_path: Path) -> dict[str, Any]:
    try:
        status = json.loads((run_path / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


def _read_saved_config(path: Path) -> dict[str, Any]:
    try:
        saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CheckpointError(f"{path}: cannot read the saved config ({exc})") from None
    if not isinstance(saved, dict):
        raise CheckpointError(f"{path}: the saved config is not a mapping")
    return saved


def _differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two nested dicts."""
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(dict.fromkeys([*old, *new]))
        return [d for k in keys for d in _differences(old.get(k), new.get(k), f"{prefix}{k}.")]
    return [] if old == new else [prefix.rstrip(".")]
