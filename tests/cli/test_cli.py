"""The CLI: each command end to end, exit codes of DESIGN.md, errors on stderr without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from luma_cli.cli.app import app

runner = CliRunner()


def luma(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "luma_cli", *args], capture_output=True, text=True, timeout=300)


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) <= 2
    for fragment in fragments:
        assert fragment in result.stderr


@pytest.fixture
def trained_run(moons_config, tmp_path: Path) -> Path:
    result = runner.invoke(app, ["train", str(moons_config(epochs=2)), "--run-dir", str(tmp_path / "run"), "--quiet"])
    assert result.exit_code == 0, result.output
    return tmp_path / "run"


def test_train_prints_epochs_and_run_directory(moons_config, tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", str(moons_config(epochs=3)), "--run-dir", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "training 2→8→4→1" in result.output
    assert " 3/3 " in result.output and "best" in result.output
    assert f"run directory: {tmp_path / 'run'}" in result.output
    assert "\x1b[" not in result.output


def test_train_quiet_prints_only_summary(moons_config, tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", str(moons_config(epochs=2)), "--run-dir", str(tmp_path / "run"), "-q"])
    assert result.exit_code == 0
    assert "1/2" not in result.output and "done: 2 epochs" in result.output


def test_eval_json_prints_exactly_one_object(trained_run: Path, root: Path) -> None:
    result = luma("eval", str(trained_run), "--data", str(root / "data/moons_test.csv"), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document) == ["n", "accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "confusion_matrix"]
    (tn, fp), (fn, tp) = document["confusion_matrix"]
    assert tn + fp + fn + tp == document["n"] == 500
    assert document["accuracy"] == pytest.approx((tn + tp) / 500)


def test_eval_table(trained_run: Path, root: Path) -> None:
    result = runner.invoke(app, ["eval", str(trained_run), "--data", str(root / "data/moons_test.csv")])
    assert result.exit_code == 0
    for word in ("accuracy", "precision", "recall", "F1", "ROC-AUC", "log loss", "confusion matrix", "actual 1"):
        assert word in result.output


def test_predict_writes_one_row_per_input(trained_run: Path, root: Path, tmp_path: Path, write) -> None:
    data = write("new.csv", "x2,x1\n0.5,1.0\n-0.2,0.0\n0.9,-1.0\n")
    out = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", str(trained_run), "--data", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "probability,predicted_label" and len(lines) == 4
    for line in lines[1:]:
        probability, label = line.split(",")
        assert 0.0 <= float(probability) <= 1.0 and label == ("1" if float(probability) >= 0.5 else "0")


def test_config_show_and_schema(root: Path) -> None:
    shown = runner.invoke(app, ["config", "show", str(root / "configs/quickstart.yaml")])
    assert shown.exit_code == 0 and "epochs: 50" in shown.output and "beta1" not in shown.output
    schema = runner.invoke(app, ["config", "schema"])
    assert schema.exit_code == 0 and json.loads(schema.output)["title"] == "Config"


def test_data_make(tmp_path: Path) -> None:
    out = tmp_path / "xor.csv"
    result = runner.invoke(app, ["data", "make", "xor", "--rows", "50", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0 and out.read_text().count("\n") == 51


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["train", "missing.yaml"], 3, ["missing.yaml: config file not found"]),
        (["eval", "nowhere", "--data", "x.csv"], 5, ["nowhere: not found"]),
        (["data", "make", "moonz", "--out", "x.csv"], 3, ["did you mean 'moons'"]),
    ],
)
def test_bad_input_exit_codes_without_traceback(args: list[str], code: int, fragments: list[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_clean_failure(luma(*args), code, *fragments)


def test_config_error_names_line_and_key(write) -> None:
    config = write("bad.yaml", "data: {train: a.csv}\nmodel:\n  layers: [{units: 2}]\ntraining: {epoch: 3}\n")
    assert_clean_failure(luma("train", str(config)), 3, "bad.yaml:4:", "training.epoch", "did you mean 'epochs'")


def test_data_error_names_file_and_row(moons_config, write, tmp_path: Path) -> None:
    bad = write("bad.csv", "x1,x2,label\n1,2,0\n3,,1\n")
    config = moons_config()
    config.write_text(config.read_text().replace(str(Path(__file__).resolve().parents[2] / "data/moons_train.csv"), str(bad)))
    assert_clean_failure(luma("train", str(config), "--run-dir", str(tmp_path / "r")), 4, "bad.csv:3", "'x2'")


def test_eval_with_missing_columns_is_a_data_error(trained_run: Path, write) -> None:
    data = write("other.csv", "a,label\n1,0\n")
    assert_clean_failure(luma("eval", str(trained_run), "--data", str(data)), 4, "missing column(s)", "x1, x2")


def test_corrupt_checkpoint_is_exit_5(trained_run: Path, root: Path) -> None:
    (trained_run / "checkpoints/best.json").write_text("{}")
    assert_clean_failure(luma("eval", str(trained_run), "--data", str(root / "data/moons_test.csv")), 5, "not a Luma checkpoint")


def test_usage_errors_are_click_exit_2() -> None:
    result = luma("train")
    assert result.returncode == 2 and "Missing argument" in result.stderr
    result = luma("train", "x.yaml", "--epoch", "3")
    assert result.returncode == 2 and "--epochs" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = luma("--debug", "train", str(tmp_path / "missing.yaml"))
    assert result.returncode != 0 and "Traceback" in result.stderr and "ConfigError" in result.stderr


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("luma ")


def test_every_command_and_option_has_help_text() -> None:
    seen = []

    def walk(command, path: str) -> None:
        assert command.help, f"{path} has no help"
        seen.append(path)
        for param in command.params:
            assert getattr(param, "help", None), f"{path} {param.name} has no help"
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(get_command(app), "luma")
    assert {"luma train", "luma eval", "luma predict", "luma config show", "luma config schema", "luma data make"} <= set(seen)
