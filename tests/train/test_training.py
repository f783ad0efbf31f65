"""Training end to end through the API: targets, reproducibility, run directory, checkpoints."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from luma_cli import api
from luma_cli.errors import CheckpointError, ConfigError, DataError, DivergedError, LumaIOError
from luma_cli.train.checkpoint import load_checkpoint
from luma_cli.train.events import EpochEnd, StepEnd, TrainStart


def read_metrics(run_dir: Path) -> list[dict[str, str]]:
    with open(run_dir / "metrics.csv") as handle:
        return list(csv.DictReader(handle))


def test_quickstart_origin_network_learns(root: Path, tmp_path: Path) -> None:
    result = api.train(root / "configs/quickstart.yaml", run_dir=tmp_path / "run")
    assert len(result.history) == 50
    assert result.history[-1].train_loss <= 0.35
    assert result.history[0].train_loss > result.history[-1].train_loss + 0.2
    assert result.test_report is not None and result.test_report.accuracy >= 0.85


@pytest.mark.parametrize(("name", "target", "test_file"), [
    ("moons", 0.97, "data/moons_test.csv"),
    ("breast_cancer", 0.95, "data/breast_cancer_test.csv"),
])
def test_shipped_configs_reach_their_targets(root: Path, tmp_path: Path, name: str, target: float, test_file: str) -> None:
    result = api.train(root / f"configs/{name}.yaml", run_dir=tmp_path / "run")
    report = api.evaluate(result.run_dir, root / test_file).report
    assert report.accuracy >= target
    assert result.test_report is not None and result.test_report.accuracy == report.accuracy


def test_same_config_and_seed_give_identical_metrics_and_weights(moons_config, tmp_path: Path) -> None:
    config = moons_config(epochs=4)
    a = api.train(config, run_dir=tmp_path / "a")
    b = api.train(config, run_dir=tmp_path / "b")
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in read_metrics(a.run_dir)]
    assert strip == [{k: v for k, v in row.items() if k != "seconds"} for row in read_metrics(b.run_dir)]
    wa, wb = load_checkpoint(a.run_dir, "last").state, load_checkpoint(b.run_dir, "last").state
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)
    c = api.train(config, seed=1, run_dir=tmp_path / "c")
    assert not np.array_equal(load_checkpoint(c.run_dir, "last").state["layers.0.weight"], wa["layers.0.weight"])


def test_run_directory_contents(moons_config, tmp_path: Path) -> None:
    result = api.train(moons_config(epochs=3), run_dir=tmp_path / "run")
    run = result.run_dir
    assert sorted(p.name for p in run.iterdir()) == ["checkpoints", "config.yaml", "metrics.csv", "run.json", "test_metrics.json"]
    rows = read_metrics(run)
    assert list(rows[0]) == ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert all(float(r["seconds"]) > 0 for r in rows)
    resolved = yaml.safe_load((run / "config.yaml").read_text())
    assert resolved["training"]["epochs"] == 3 and Path(resolved["data"]["train"]).is_absolute()
    status = json.loads((run / "run.json").read_text())
    assert status["status"] == "completed" and status["epochs_run"] == 3
    test = json.loads((run / "test_metrics.json").read_text())
    assert test["n"] == 500 and set(test) >= {"accuracy", "roc_auc", "confusion_matrix"}
    names = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert names[0] == "best-" + names[0][5:] and "best.json" in names and "last.json" in names
    assert len(names) == 4, "one npz per checkpoint: old ones are removed"


def test_checkpoint_metadata_describes_the_model(moons_config, tmp_path: Path) -> None:
    result = api.train(moons_config(epochs=2), run_dir=tmp_path / "run")
    meta = json.loads((result.run_dir / "checkpoints/last.json").read_text())
    assert meta["features"] == ["x1", "x2"] and meta["label"] == "label"
    assert meta["label_mapping"] == {"0": "0", "1": "1"} and meta["dtype"] == "float32"
    assert len(meta["standardization"]["mean"]) == 2 and meta["epoch"] == 2
    assert meta["tensors"]["layers.0.weight"] == {"shape": [8, 2], "dtype": "float32"}
    assert meta["luma_version"] and meta["format_version"] == 1 and len(meta["sha256"]) == 64


def test_a_modified_weights_file_is_refused(moons_config, tmp_path: Path) -> None:
    run = api.train(moons_config(epochs=1), run_dir=tmp_path / "run").run_dir
    meta = json.loads((run / "checkpoints/last.json").read_text())
    weights = run / "checkpoints" / meta["weights_file"]
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="do not match the sha256"):
        load_checkpoint(run / "checkpoints/last.json")


@pytest.mark.parametrize("content", [b"", b"not json", b'{"format": "other"}', b'{"format": "luma-checkpoint", "format_version": 99}'])
def test_bad_checkpoint_descriptions_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "last.json"
    path.write_bytes(content)
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_missing_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nothing")
    with pytest.raises(CheckpointError, match="no checkpoint in this directory"):
        load_checkpoint(tmp_path)


def test_events_are_emitted_in_order(moons_config, tmp_path: Path) -> None:
    events = []
    api.train(moons_config(epochs=2, batch_size="full"), run_dir=tmp_path / "run", on_event=events.append)
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["TrainStart", "StepEnd", "EpochEnd", "StepEnd", "EpochEnd"]
    start = events[0]
    assert isinstance(start, TrainStart) and start.train_rows == 800 and start.val_rows == 200 and start.steps_per_epoch == 1
    assert isinstance(events[1], StepEnd) and isinstance(events[2], EpochEnd)


def test_overrides_and_existing_run_directory(moons_config, tmp_path: Path) -> None:
    result = api.train(moons_config(epochs=5), epochs=2, run_dir=tmp_path / "run")
    assert len(result.history) == 2
    with pytest.raises(LumaIOError, match="already exists"):
        api.train(moons_config(), run_dir=tmp_path / "run")
    with pytest.raises(ConfigError, match="--epochs"):
        api.train(moons_config(), epochs=0, run_dir=tmp_path / "other")


def test_default_run_directory_is_runs_name_timestamp(moons_config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    first = api.train(moons_config(epochs=1)).run_dir
    second = api.train(moons_config(epochs=1)).run_dir
    assert first.parent == Path("runs/tiny") and first != second


def test_early_stopping_stops_and_best_checkpoint_is_used(moons_config, tmp_path: Path) -> None:
    extra = ""
    config = moons_config(epochs=200, early_stopping="{monitor: val_loss, patience: 2, min_delta: 0.5}", extra=extra)
    result = api.train(config, run_dir=tmp_path / "run")
    assert result.stopped_early and len(result.history) == 3
    best = load_checkpoint(result.run_dir)
    assert best.meta["epoch"] == result.best_epoch


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_stops_with_exit_code_7(moons_config, tmp_path: Path) -> None:
    config = moons_config(epochs=5)
    text = config.read_text().replace("lr: 0.5", "lr: 1.0e+30").replace("sigmoid}", "relu}").replace(
        "binary_cross_entropy", "mse")
    config.write_text(text)
    with pytest.raises(DivergedError) as caught:
        api.train(config, run_dir=tmp_path / "run")
    assert caught.value.exit_code == 7
    for path in (tmp_path / "run" / "checkpoints").glob("*.npz"):
        with np.load(path) as archive:
            assert all(np.isfinite(archive[k]).all() for k in archive.files)


def test_monitor_on_validation_without_validation_data(moons_config, tmp_path: Path) -> None:
    config = moons_config(epochs=1, monitor="val_loss")
    config.write_text(config.read_text().replace("  test:", "  validation_split: 0\n  test:"))
    with pytest.raises(ConfigError, match="no validation data"):
        api.train(config, run_dir=tmp_path / "run")


def test_training_data_errors_surface_as_data_errors(moons_config, tmp_path: Path, write) -> None:
    bad = write("bad.csv", "x1,x2,label\n1,2,0\n1,x,1\n")
    config = moons_config()
    config.write_text(config.read_text().replace(str(Path(__file__).resolve().parents[2] / "data/moons_train.csv"), str(bad)))
    with pytest.raises(DataError, match="bad.csv:3: column 'x2' holds 'x'"):
        api.train(config, run_dir=tmp_path / "run")


def test_evaluation_records_no_graph_and_float32_stays_float32(moons_config, tmp_path: Path) -> None:
    from luma_cli.autograd.tape import active

    trained = api.load_model(api.train(moons_config(epochs=1), run_dir=tmp_path / "run").run_dir)
    assert active.tape is None
    probabilities = trained.probabilities(np.zeros((3, 2)))
    assert probabilities.shape == (3,)
    assert all(p.dtype == np.float32 for p in trained.model.parameters())
