"""The documented Python API. The CLI is a thin shell over these functions; tests call them directly.

    from luma_cli import api
    loaded = api.load_config("configs/quickstart.yaml")
    result = api.train(loaded)                      # writes runs/quickstart/<timestamp>/
    accuracy = api.evaluate(result.run_dir, "data/moons_test.csv").report.accuracy
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from luma_cli.config import Config, LoadedConfig
from luma_cli.config import load_config as _load_config
from luma_cli.config.build import build_loss
from luma_cli.config.build import build_model as _build_model
from luma_cli.data import LabelMapping, Standardizer, load_data_for_model, make_synthetic, to_csv_text
from luma_cli.diagnose import Report, analyze
from luma_cli.diagnose.export import export_graph
from luma_cli.errors import CheckpointError, ConfigError
from luma_cli.fileio import write_text_atomic
from luma_cli.nn import Loss, Module
from luma_cli.train import session
from luma_cli.train.checkpoint import Checkpoint, load_checkpoint
from luma_cli.train.events import EventHandler, ignore
from luma_cli.train.inference import predict_probabilities
from luma_cli.train.inspection import diagnose_subject, load_subject, record_steps
from luma_cli.train.metrics import BinaryReport, binary_report
from luma_cli.train.model_gradcheck import GradcheckReport, check_model_gradients
from luma_cli.train.preflight import PreflightError
from luma_cli.train.session import TrainResult
from luma_cli.train.state import StopRequest, TrainingInterrupted, restore_weights

__all__ = [
    "EvalResult", "PredictResult", "PreflightError", "StopRequest", "TrainResult", "TrainedModel", "TrainingInterrupted",
    "build_model", "config_schema", "diagnose", "evaluate", "gradcheck", "graph", "load_config", "load_model",
    "make_dataset", "predict", "train",
]


def load_config(path: str | Path) -> LoadedConfig:
    """Read and validate a YAML config; mistakes raise ConfigError naming file, line and key."""
    return _load_config(path)


def build_model(config: LoadedConfig, in_features: int) -> Module:
    """The model a config describes, for `in_features` inputs, initialized from the config's seed."""
    return _build_model(config, in_features)


def config_schema() -> dict[str, Any]:
    """The config's JSON Schema, for editors and validators."""
    return Config.model_json_schema()


def _with_overrides(loaded: LoadedConfig, epochs: int | None, seed: int | None) -> LoadedConfig:
    config = loaded.config
    if epochs is not None:
        if epochs < 1:
            raise ConfigError(f"--epochs must be at least 1, got {epochs}")
        config = config.model_copy(update={"training": config.training.model_copy(update={"epochs": epochs})})
    if seed is not None:
        if seed < 0:
            raise ConfigError(f"--seed must be at least 0, got {seed}")
        config = config.model_copy(update={"seed": seed})
    return LoadedConfig(config, loaded.path)


def _standardized(features: np.ndarray, standardizer: Standardizer | None) -> np.ndarray:
    return standardizer.transform(features) if standardizer is not None else features


def train(
    config: str | Path | LoadedConfig | None = None,
    *,
    epochs: int | None = None,
    seed: int | None = None,
    run_dir: str | Path | None = None,
    on_event: EventHandler = ignore,
    preflight: bool = True,
    trace_neurons: list[str] | None = None,
    trace_every: int | None = None,
    resume: str | Path | None = None,
    stop: StopRequest | None = None,
    step_events: bool = True,
) -> TrainResult:
    """Train the configured model, writing a run directory; returns history, best epoch and test metrics.

    Before epoch 1 a preflight step checks that every parameter receives a gradient and raises
    PreflightError (exit code 1) with the diagnosis if not; `preflight=False` skips it.
    `trace_neurons` (e.g. ["layers.0[7]"]) records those neurons' updates to trace.jsonl.
    `resume=RUN_DIR` continues that run from its `last` checkpoint (with `config`, the two configs
    must match). Setting `stop.request(signum)` from another thread or a signal handler ends
    training after the current step with `last` saved (TrainingInterrupted, exit 128 + signum).
    `step_events=False` skips the per-step StepEnd events (a progress bar needs them; nothing else does).
    """
    stop = stop or StopRequest()
    if resume is not None:
        if seed is not None or run_dir is not None:
            raise ConfigError("--resume continues a run as it was: --seed and --run-dir cannot be changed")
        loaded = None if config is None else (config if isinstance(config, LoadedConfig) else load_config(config))
        if epochs is not None and epochs < 1:
            raise ConfigError(f"--epochs must be at least 1, got {epochs}")
        return session.resume(Path(resume), loaded, epochs, on_event, trace_neurons, trace_every, stop, step_events)
    if config is None:
        raise ConfigError("a config file is needed (or --resume RUN_DIR)")
    loaded = config if isinstance(config, LoadedConfig) else load_config(config)
    loaded = _with_overrides(loaded, epochs, seed)
    return session.start(loaded, Path(run_dir) if run_dir is not None else None, on_event, preflight,
                         trace_neurons, trace_every, stop, step_events)


@dataclass
class TrainedModel:
    """A model restored from a checkpoint, with what it needs to read new data."""

    model: Module
    loss: Loss
    features: list[str]
    label: str
    mapping: LabelMapping
    standardizer: Standardizer | None
    checkpoint: Checkpoint

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return predict_probabilities(self.model, self.loss, _standardized(features, self.standardizer))


def load_model(checkpoint: str | Path) -> TrainedModel:
    """Restore a trained model from a run directory or checkpoint file (`best` when there is one)."""
    ckpt = load_checkpoint(checkpoint)
    meta = ckpt.meta
    try:
        config = Config.model_validate(meta["config"])
        features = [str(f) for f in meta["features"]]
        mapping = LabelMapping.from_json(meta["label_mapping"])
        standardizer = Standardizer.from_json(meta["standardization"]) if meta.get("standardization") else None
        label = str(meta["label"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{ckpt.path}: checkpoint description is incomplete or invalid ({exc})") from None
    loaded = LoadedConfig(config, ckpt.path.parent.parent / "config.yaml")
    model = _build_model(loaded, len(features))
    restore_weights(model, ckpt)
    return TrainedModel(model=model, loss=build_loss(loaded), features=features, label=label, mapping=mapping,
                        standardizer=standardizer, checkpoint=ckpt)


@dataclass
class EvalResult:
    report: BinaryReport
    checkpoint: Path
    data: Path
    threshold: float
    notes: list[str] = field(default_factory=list)


def evaluate(checkpoint: str | Path, data: str | Path, threshold: float = 0.5) -> EvalResult:
    """Score a saved model on a labelled CSV whose columns are matched by name."""
    _check_threshold(threshold)
    trained = load_model(checkpoint)
    dataset = load_data_for_model(data, trained.features, trained.label, trained.mapping, require_labels=True)
    assert dataset.labels is not None
    report = binary_report(dataset.labels, trained.probabilities(dataset.features), threshold)
    return EvalResult(report=report, checkpoint=trained.checkpoint.path, data=Path(data), threshold=threshold, notes=dataset.notes)


@dataclass
class PredictResult:
    rows: int
    out: Path
    checkpoint: Path
    notes: list[str] = field(default_factory=list)


def predict(checkpoint: str | Path, data: str | Path, out: str | Path, threshold: float = 0.5) -> PredictResult:
    """Write `probability,predicted_label` (label in the training file's own values) for each row."""
    _check_threshold(threshold)
    trained = load_model(checkpoint)
    dataset = load_data_for_model(data, trained.features, trained.label, trained.mapping, require_labels=False)
    probabilities = trained.probabilities(dataset.features)
    lines = ["probability,predicted_label"]
    lines += [
        f"{p:.6f},{trained.mapping.positive if p >= threshold else trained.mapping.negative}" for p in probabilities
    ]
    write_text_atomic(out, "\n".join(lines) + "\n")
    return PredictResult(rows=len(probabilities), out=Path(out), checkpoint=trained.checkpoint.path, notes=dataset.notes)


def _check_threshold(threshold: float) -> None:
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"--threshold must be between 0 and 1, got {threshold}")


def make_dataset(kind: str, rows: int, noise: float, seed: int, out: str | Path) -> Path:
    """Generate a synthetic two-class CSV (moons, circles, xor, spirals) with columns x1, x2, label."""
    if rows < 2:
        raise ConfigError(f"--rows must be at least 2, got {rows}")
    if noise < 0:
        raise ConfigError(f"--noise must be at least 0, got {noise}")
    features, labels = make_synthetic(kind, rows, noise, seed)
    write_text_atomic(out, to_csv_text(features, labels))
    return Path(out)


def _loaded(config: str | Path | LoadedConfig) -> LoadedConfig:
    return config if isinstance(config, LoadedConfig) else load_config(config)


def diagnose(
    config: str | Path | LoadedConfig,
    *,
    checkpoint: str | Path | None = None,
    batches: int = 1,
    tolerance: float = 0.0,
) -> Report:
    """Forward and backward on the first `batches` training batches with sources recorded; return findings.

    `report.to_dict()` is the JSON `luma debug-grads --json` prints; `report.errors` is empty when healthy.
    """
    subject = load_subject(_loaded(config), checkpoint)
    return diagnose_subject(subject, batches, tolerance)


def gradcheck(
    config: str | Path | LoadedConfig,
    *,
    checkpoint: str | Path | None = None,
    rows: int = 8,
    tolerance: float = 1e-6,
) -> GradcheckReport:
    """Finite differences (float64) against autograd for every parameter of the configured model."""
    subject = load_subject(_loaded(config), checkpoint, dtype=np.float64)
    return check_model_gradients(subject, rows, tolerance)


def graph(config: str | Path | LoadedConfig, *, fmt: str = "text", checkpoint: str | Path | None = None) -> str:
    """The graph recorded for one training step, as text, Graphviz DOT or Mermaid."""
    subject = load_subject(_loaded(config), checkpoint)
    step = record_steps(subject, 1)[0]
    report = analyze([step], subject.model)
    return export_graph(step, subject.model, report, fmt)
