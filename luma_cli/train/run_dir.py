"""The run directory: runs/<name>/<timestamp>/ with config.yaml, metrics.csv, checkpoints/, run.json."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import IO, Any

import yaml

from luma_cli.errors import CheckpointError, LumaIOError
from luma_cli.fileio import ensure_writable_directory, write_text_atomic
from luma_cli.train.events import EpochMetrics

METRIC_COLUMNS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]


def new_run_dir(name: str, run_dir: Path | None = None, root: Path = Path("runs")) -> Path:
    """Create a fresh run directory; an existing non-empty directory is never reused."""
    if run_dir is not None:
        if run_dir.exists() and (not run_dir.is_dir() or any(run_dir.iterdir())):
            raise LumaIOError(
                f"{run_dir}: already exists and is not empty; Luma never overwrites a run",
                hint="choose a new --run-dir, or omit it to get runs/<name>/<timestamp>/",
            )
        ensure_writable_directory(run_dir)
        return run_dir
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = root / name
    candidate = base / stamp
    suffix = 2
    while candidate.exists():
        candidate = base / f"{stamp}-{suffix}"
        suffix += 1
    ensure_writable_directory(candidate)
    return candidate


class RunDirectory:
    """Writes the files of one run; every write is atomic."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.checkpoints = path / "checkpoints"
        ensure_writable_directory(self.checkpoints)
        self.rows: list[EpochMetrics] = []
        self._metrics: IO[str] | None = None

    def clean_stale_files(self) -> None:
        """Remove what a killed process can leave behind: temp files, and weights no .json names."""
        named = set()
        for description in self.checkpoints.glob("*.json"):
            try:
                named.add(json.loads(description.read_text()).get("weights_file"))
            except (OSError, ValueError, AttributeError):
                continue
        for path in self.checkpoints.iterdir():
            stale = path.name.startswith(".") and path.name.endswith(".tmp")
            orphan = path.suffix == ".npz" and path.name not in named
            if stale or orphan:
                path.unlink(missing_ok=True)

    def write_config(self, resolved: dict[str, Any]) -> None:
        write_text_atomic(self.path / "config.yaml", yaml.safe_dump(resolved, sort_keys=False))

    def append_metrics(self, row: EpochMetrics) -> None:
        """One line per epoch, appended and flushed to a file kept open (reopening it every epoch
        costs more than a tiny network's epoch; rewriting it every epoch would cost O(epochs²))."""
        self.rows.append(row)
        path = self.path / "metrics.csv"
        try:
            if self._metrics is None:
                new_file = not path.exists()
                self._metrics = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115 - kept open on purpose
                if new_file:
                    self._metrics.write(",".join(METRIC_COLUMNS) + "\n")
            self._metrics.write(_metrics_line(row))
            self._metrics.flush()
        except OSError as exc:
            raise LumaIOError(f"cannot write {path}: {exc.strerror}") from None

    def close(self) -> None:
        if self._metrics is not None:
            self._metrics.close()
            self._metrics = None

    def restore_metrics(self, epochs_done: int) -> None:
        """On resume: the rows of completed epochs only (a kill between the row and the checkpoint leaves one extra)."""
        path = self.path / "metrics.csv"
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError:
            rows = []
        if len(rows) < epochs_done:
            raise CheckpointError(f"{path}: has {len(rows)} rows but the checkpoint has {epochs_done} epochs")
        self.rows = [_parse_row(r) for r in rows[:epochs_done]]
        text = ",".join(METRIC_COLUMNS) + "\n" + "".join(_metrics_line(r) for r in self.rows)
        write_text_atomic(path, text)

    def append_trace(self, record: dict[str, Any]) -> None:
        """One JSON object per line; appended and flushed, so a crash loses at most the last line."""
        with open(self.path / "trace.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def write_json(self, name: str, document: dict[str, Any]) -> None:
        write_text_atomic(self.path / name, json.dumps(document, indent=2) + "\n")


def _format(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))


def _metrics_line(row: EpochMetrics) -> str:
    values = row.to_dict()
    return ",".join("" if values[c] is None else _format(values[c]) for c in METRIC_COLUMNS) + "\n"


def _parse_row(row: dict[str, str]) -> EpochMetrics:
    def number(text: str) -> float | None:
        return None if text == "" else float(text)

    return EpochMetrics(
        epoch=int(row["epoch"]), train_loss=float(row["train_loss"]), train_accuracy=float(row["train_accuracy"]),
        val_loss=number(row["val_loss"]), val_accuracy=number(row["val_accuracy"]), lr=float(row["lr"]),
        seconds=float(row["seconds"]),
    )
