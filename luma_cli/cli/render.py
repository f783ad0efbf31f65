"""Rich rendering of API results and training events. No computation happens here."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from luma_cli.train.events import EpochEnd, Event, NeuronTrace, StepEnd, TrainStart, TrainWarning

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class TrainingView:
    """Subscribes to trainer events: a header, a progress bar on terminals, one line per epoch."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.progress: Progress | None = None
        self.task: Any = None
        self.epochs = 0

    @property
    def shows_progress(self) -> bool:
        """Whether step events are wanted (only the progress bar uses them)."""
        return self.progress is not None

    def __enter__(self) -> TrainingView:
        if not self.quiet and console.is_terminal:
            self.progress = Progress(
                TextColumn("epoch {task.fields[epoch]}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("loss {task.fields[loss]}"), TimeRemainingColumn(), console=console, transient=True,
            )
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def handle(self, event: Event) -> None:
        if isinstance(event, TrainWarning):
            err_console.print(f"[yellow]warning:[/] {event.message}")
            return
        if self.quiet:
            return
        if isinstance(event, NeuronTrace):
            from luma_cli.cli.diagnosis_view import render_trace

            render_trace(event)
        elif isinstance(event, TrainStart):
            self.epochs = event.epochs
            console.print(
                f"[bold]training[/] {event.architecture}  ·  {event.train_rows} train rows, "
                f"{event.val_rows} validation rows  ·  labels {event.label_mapping}"
            )
            console.print(f"[dim]run directory {event.run_dir}[/]")
            console.print(f"[dim]{'epoch':>9}  {'train loss':>10}  {'train acc':>9}  {'val loss':>9}  {'val acc':>8}  {'lr':>8}[/]")
        elif isinstance(event, StepEnd) and self.progress is not None:
            if self.task is None:
                self.task = self.progress.add_task("train", total=event.steps_per_epoch, epoch=event.epoch, loss="")
            self.progress.update(self.task, completed=event.step, epoch=event.epoch, loss=f"{event.loss:.4f}")
        elif isinstance(event, EpochEnd):
            m = event.metrics
            star = "  [green]★ best[/]" if event.is_best else ""
            width = len(str(self.epochs))
            console.print(
                f"{m.epoch:>{width + 1}}/{self.epochs:<{max(7 - width, 1)}}  {_fmt(m.train_loss):>10}  "
                f"{_fmt(m.train_accuracy, 3):>9}  {_fmt(m.val_loss):>9}  {_fmt(m.val_accuracy, 3):>8}  "
                f"{m.lr:>8.3g}{star}"
            )


def render_train_result(result: Any, quiet: bool) -> None:
    last = result.history[-1]
    console.print(
        f"done: {len(result.history)} epoch{'s' if len(result.history) != 1 else ''}, final train loss {last.train_loss:.4f}, "
        f"train accuracy {last.train_accuracy:.3f}; best epoch {result.best_epoch}"
    )
    if result.test_report is not None:
        r = result.test_report
        console.print(
            f"test ({r.n} rows, best checkpoint): accuracy {r.accuracy:.3f}, F1 {r.f1:.3f}, "
            f"ROC-AUC {_fmt(r.roc_auc, 3)}, log loss {r.log_loss:.4f}"
        )
    console.print(f"run directory: {result.run_dir}")


def render_eval(result: Any, as_json: bool) -> None:
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {note}")
    r = result.report
    if as_json:
        sys.stdout.write(json.dumps(r.to_dict()) + "\n")
        sys.stdout.flush()
        return
    table = Table(title=f"{result.data} · {r.n} rows · threshold {result.threshold}", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in (
        ("accuracy", r.accuracy), ("precision", r.precision), ("recall", r.recall), ("F1", r.f1),
        ("ROC-AUC", r.roc_auc), ("log loss", r.log_loss),
    ):
        table.add_row(name, _fmt(value))
    console.print(table)
    (tn, fp), (fn, tp) = r.confusion_matrix
    matrix = Table(title="confusion matrix")
    matrix.add_column("")
    matrix.add_column("predicted 0", justify="right")
    matrix.add_column("predicted 1", justify="right")
    matrix.add_row("actual 0", str(tn), str(fp))
    matrix.add_row("actual 1", str(fn), str(tp))
    console.print(matrix)
    console.print(f"[dim]checkpoint {result.checkpoint}[/]")


def render_predict(result: Any) -> None:
    for note in result.notes:
        err_console.print(f"[yellow]note:[/] {note}")
    console.print(f"wrote {result.rows} predictions to {result.out}")


def render_yaml(document: dict[str, Any]) -> None:
    import yaml

    sys.stdout.write(yaml.safe_dump(document, sort_keys=False))


def render_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


def render_text(text: str) -> None:
    sys.stdout.write(text)


def render_message(message: str) -> None:
    console.print(message)
