"""Faults during training: NaN, disk full, permission denied, kills during writes, signals, resume."""

from __future__ import annotations

import csv
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from luma_cli import api
from luma_cli.errors import ConfigError, DivergedError, LumaIOError
from luma_cli.train.checkpoint import load_checkpoint, save_checkpoint
from luma_cli.train.events import EpochEnd, StepEnd
from tests.hardening.conftest import ROOT, TINY_CONFIG, assert_clean_error, no_debris, run_cli, snapshot

# Small batches make epochs slow enough (tens of ms) that a signal sent after epoch 3 lands mid-run.
SLOW_CONFIG = TINY_CONFIG.replace("epochs: 2", "epochs: 12").replace("batch_size: 64", "batch_size: 2")


def metrics_without_seconds(run: Path) -> list[dict[str, str]]:
    with open(run / "metrics.csv") as handle:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(handle)]


def weights(run: Path) -> dict[str, np.ndarray]:
    return load_checkpoint(run / "checkpoints/last.json").state


def same_weights(a: Path, b: Path) -> bool:
    wa, wb = weights(a), weights(b)
    return wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)


# ---- NaN and Inf ----------------------------------------------------------------------------------
def test_nan_loss_stops_within_the_step_and_names_the_op(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text((ROOT / "examples/nan/config.yaml").read_text().replace("../../data", str(ROOT / "data")).replace(
        "model.py", str(ROOT / "examples/nan/model.py")))
    with pytest.raises(DivergedError) as caught:
        api.train(config, run_dir=tmp_path / "run", preflight=False)
    assert caught.value.exit_code == 7
    assert "epoch 1, step 1" in caught.value.message and "op #3 log" in caught.value.message
    assert "nan/model.py:16" in caught.value.message and "clamp" in caught.value.hint
    assert json.loads((tmp_path / "run/run.json").read_text())["status"] == "diverged"
    assert not list((tmp_path / "run/checkpoints").glob("*.npz"))


def test_exploding_gradients_stop_before_any_non_finite_weight_is_saved(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG.replace("name: adam, lr: 0.01", "name: sgd, lr: 1.0e+30").replace(
        "activation: tanh", "activation: relu").replace("epochs: 2", "epochs: 5"))
    outcome = run_cli(["train", str(config), "--run-dir", str(tmp_path / "run"), "-q"])
    assert_clean_error(outcome, 7, "epoch 1, step", "produced NaN", "lower optimizer.lr")
    for path in (tmp_path / "run/checkpoints").glob("*.npz"):
        with np.load(path) as archive:
            assert all(np.isfinite(archive[k]).all() for k in archive.files)
    if (tmp_path / "run/checkpoints/last.json").exists():
        load_checkpoint(tmp_path / "run/checkpoints/last.json")


# ---- disk full, permission denied ---------------------------------------------------------------
@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "No space left"), (errno.EACCES, "Permission denied")])
def test_write_failure_exits_8_keeps_the_previous_checkpoint_and_leaves_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG.replace("epochs: 2", "epochs: 4, checkpoint_interval: 0"))
    run = tmp_path / "run"
    real_fsync = os.fsync
    state = {"epochs": 0}

    def failing_fsync(fd: int) -> None:
        if state["epochs"] >= 2:
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    def count(event: object) -> None:
        if isinstance(event, EpochEnd):
            state["epochs"] += 1
            if state["epochs"] == 2:
                state["good"] = snapshot(run / "checkpoints")

    monkeypatch.setattr("luma_cli.fileio.os.fsync", failing_fsync)
    with pytest.raises(LumaIOError) as caught:
        api.train(config, run_dir=run, on_event=count)
    assert caught.value.exit_code == 8 and words in caught.value.message and "last-" in caught.value.message
    assert snapshot(run / "checkpoints") == state["good"]
    assert load_checkpoint(run / "checkpoints/last.json").meta["epoch"] == 2
    assert not no_debris(tmp_path)


def test_unwritable_run_directory_is_found_before_training(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG)
    outcome = run_cli(["train", str(config), "--run-dir", str(blocker / "run")])
    assert_clean_error(outcome, 8, "cannot write to")


def test_existing_run_directory_is_never_overwritten(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "keep.txt").write_text("mine")
    outcome = run_cli(["train", str(config), "--run-dir", str(tmp_path / "run")])
    assert_clean_error(outcome, 8, "already exists and is not empty")
    assert (tmp_path / "run" / "keep.txt").read_text() == "mine"


# ---- kill during write --------------------------------------------------------------------------
KILL_TRIALS = 60


def test_kill_during_checkpoint_writes_never_corrupts_last(tmp_path: Path) -> None:
    """A child rewrites `last` as fast as it can; it is SIGKILLed at a random moment, many times."""
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    rng = np.random.default_rng(0)
    save_checkpoint(folder, "last", {"w": rng.normal(size=(64, 64)).astype(np.float32)}, {"epoch": 0})
    intact = 0
    for trial in range(KILL_TRIALS):
        pid = os.fork()
        if pid == 0:  # the child: write forever
            try:
                local = np.random.default_rng(trial)
                epoch = 1
                while True:
                    save_checkpoint(folder, "last", {"w": local.normal(size=(64, 64)).astype(np.float32)}, {"epoch": epoch})
                    epoch += 1
            finally:
                os._exit(0)
        time.sleep(random.Random(trial).uniform(0.001, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        checkpoint = load_checkpoint(folder / "last.json")
        assert checkpoint.state["w"].shape == (64, 64)
        intact += 1
    assert intact == KILL_TRIALS


# ---- signals and exact resume -------------------------------------------------------------------
def _start(config: Path, run: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "luma_cli", "train", str(config), "--run-dir", str(run), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_rows(run: Path, rows: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = run / "metrics.csv"
        if path.exists() and len(path.read_text().splitlines()) > rows:
            return
        time.sleep(0.01)
    raise AssertionError("training did not get far enough")


@pytest.mark.parametrize(("signum", "code", "twice"), [(signal.SIGTERM, 143, False), (signal.SIGINT, 130, True)])
def test_signal_saves_last_and_resume_is_byte_identical(tmp_path: Path, signum: int, code: int, twice: bool) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(SLOW_CONFIG)
    straight = api.train(config, run_dir=tmp_path / "straight").run_dir
    run = tmp_path / "run"
    process = _start(config, run)
    _wait_for_rows(run, 3)
    process.send_signal(signum)
    if twice:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr and f"luma train --resume {run}" in stderr
    status = json.loads((run / "run.json").read_text())
    assert status["status"] == "interrupted" and status["resume_command"] == f"luma train --resume {run}"
    load_checkpoint(run / "checkpoints/last.json")
    resumed = run_cli(["train", "--resume", str(run), "-q"])
    assert resumed.code == 0, resumed.stderr
    assert metrics_without_seconds(run) == metrics_without_seconds(straight)
    assert same_weights(run, straight)


def test_sigkill_then_resume_is_byte_identical(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(SLOW_CONFIG)
    straight = api.train(config, run_dir=tmp_path / "straight").run_dir
    run = tmp_path / "run"
    process = _start(config, run)
    _wait_for_rows(run, 4)
    process.kill()
    process.communicate(timeout=60)
    api.train(resume=run)
    assert metrics_without_seconds(run) == metrics_without_seconds(straight)
    assert same_weights(run, straight)
    assert not no_debris(run)


def test_interrupt_mid_epoch_in_process(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(SLOW_CONFIG)
    straight = api.train(config, run_dir=tmp_path / "straight").run_dir
    stop = api.StopRequest()

    def stop_mid_epoch(event: object) -> None:
        if isinstance(event, StepEnd) and event.epoch == 5 and event.step == 17:
            stop.request(signal.SIGINT)

    with pytest.raises(api.TrainingInterrupted) as caught:
        api.train(config, run_dir=tmp_path / "run", stop=stop, on_event=stop_mid_epoch)
    assert caught.value.exit_code == 130 and "epoch 5 after step 17" in caught.value.message
    api.train(resume=tmp_path / "run")
    assert metrics_without_seconds(tmp_path / "run") == metrics_without_seconds(straight)
    assert same_weights(tmp_path / "run", straight)


def test_resume_with_a_changed_config_lists_the_keys(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG)
    run = api.train(config, run_dir=tmp_path / "run").run_dir
    changed = tmp_path / "changed.yaml"
    changed.write_text(TINY_CONFIG.replace("lr: 0.01", "lr: 0.02").replace("seed: 0", "seed: 3").replace("name: tiny\n", "name: c\n"))
    with pytest.raises(ConfigError, match="differs from the run being resumed in name, seed, optimizer.lr") as caught:
        api.train(changed, resume=run)
    assert caught.value.exit_code == 3


def test_resume_of_a_finished_run_and_of_a_non_run(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG)
    run = api.train(config, run_dir=tmp_path / "run").run_dir
    assert_clean_error(run_cli(["train", "--resume", str(run)]), 3, "already completed 2 epochs")
    more = run_cli(["train", "--resume", str(run), "--epochs", "3", "-q"])
    assert more.code == 0 and len(metrics_without_seconds(run)) == 3
    assert_clean_error(run_cli(["train", "--resume", str(tmp_path)]), 5, "not a Luma run directory")


# ---- output hygiene -----------------------------------------------------------------------------
def test_eval_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG)
    run = api.train(config, run_dir=tmp_path / "run").run_dir
    big = tmp_path / "big.csv"
    big.write_text("x1,x2\n" + "0.1,0.2\n" * 20000)
    command = (f"{sys.executable} -m luma_cli predict {run} --data {big} --out /dev/stdout | head -1; "
               f"{sys.executable} -m luma_cli eval {run} --data {ROOT / 'data/moons_test.csv'} | head -1")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stdout.splitlines()[0] == "probability,predicted_label"


def test_no_color_and_errors_on_stderr(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "luma_cli", "train", str(ROOT / "configs/quickstart.yaml"), "--epochs", "1",
                             "--run-dir", str(tmp_path / "run")], capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": ""})
    assert result.returncode == 0 and "\x1b[" not in result.stdout + result.stderr
    failure = subprocess.run([sys.executable, "-m", "luma_cli", "eval", str(tmp_path / "nope"), "--data", "x.csv"],
                             capture_output=True, text=True)
    assert failure.stdout == "" and failure.stderr.startswith("error: ")


def test_atomic_writes_never_replace_a_device_or_pipe(tmp_path: Path) -> None:
    from luma_cli.fileio import write_text_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    write_text_atomic(fifo, "through the pipe\n")
    assert reader.communicate(timeout=10)[0] == "through the pipe\n"
    assert fifo.is_fifo()
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    write_text_atomic(link, "gone")
    assert link.is_symlink() and Path("/dev/null").is_char_device()


def test_resume_with_fewer_epochs_than_done_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(TINY_CONFIG.replace("epochs: 2", "epochs: 6"))
    stop = api.StopRequest()

    def stop_in_epoch_4(event: object) -> None:
        if isinstance(event, StepEnd) and event.epoch == 4:
            stop.request(signal.SIGTERM)

    with pytest.raises(api.TrainingInterrupted):
        api.train(config, run_dir=tmp_path / "run", stop=stop, on_event=stop_in_epoch_4)
    with pytest.raises(ConfigError, match="--epochs 2 is not more than the 3 epochs already trained"):
        api.train(resume=tmp_path / "run", epochs=2)
