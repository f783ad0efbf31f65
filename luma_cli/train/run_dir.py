"""The run directory: runs/<name>/<timestamp>/ with config.yaml, metrics.csv, checkpoints/, run.json."""

from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from luma_cli.errors import LumaIOError
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

    def write_config(self, resolved: dict[str, Any]) -> None:
        write_text_atomic(self.path / "config.yaml", yaml.safe_dump(resolved, sort_keys=False))

    def append_metrics(self, row: EpochMetrics) -> None:
        self.rows.append(row)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(METRIC_COLUMNS)
        for r in self.rows:
            values = asdict(r)
            writer.writerow(["" if values[c] is None else _format(values[c]) for c in METRIC_COLUMNS])
        write_text_atomic(self.path / "metrics.csv", buffer.getvalue())

    def append_trace(self, record: dict[str, Any]) -> None:
        """One JSON object per line; appended and flushed, so a crash loses at most the last line."""
        with open(self.path / "trace.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def write_json(self, name: str, document: dict[str, Any]) -> None:
        write_text_atomic(self.path / name, json.dumps(document, indent=2) + "\n")


def _format(value: float | int) -> str:
    return str(value) if isinstance(value, int) else repr(float(value))
