"""`luma` commands: each a typed signature, one API call, one render call.

Heavy modules (numpy, the API, Rich rendering) are imported inside commands so that
`luma --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from luma_cli.cli.failures import guarded

app = typer.Typer(
    name="luma",
    help="Train small neural networks from a YAML config, and see why they do or do not learn.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
config_app = typer.Typer(help="Show a resolved config, or the config schema.", no_args_is_help=True)
data_app = typer.Typer(help="Make synthetic datasets.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(data_app, name="data")

ConfigPath = Annotated[Path, typer.Argument(help="YAML config file.", show_default=False)]
CheckpointPath = Annotated[
    Path, typer.Argument(help="Run directory printed by `luma train`, or a checkpoint .json.", show_default=False)
]
DataOption = Annotated[Path, typer.Option("--data", help="CSV file with the model's feature columns.", show_default=False)]
ThresholdOption = Annotated[float, typer.Option(help="Probability at or above which a row is predicted positive.")]


def _print_version(value: bool) -> None:
    if value:
        from luma_cli import __version__

        typer.echo(f"luma {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show full Python tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print Luma's version and exit.")
    ] = False,
) -> None:
    from luma_cli.cli import failures

    failures.DEBUG = debug


@app.command()
@guarded
def train(
    config: Annotated[
        Path | None, typer.Argument(help="YAML config file (optional with --resume).", show_default=False)
    ] = None,
    resume: Annotated[
        Path | None, typer.Option(help="Continue this run directory from its last checkpoint, exactly.", show_default=False)
    ] = None,
    epochs: Annotated[int | None, typer.Option(min=1, help="Override training.epochs.", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Override the config's seed.", show_default=False)] = None,
    run_dir: Annotated[
        Path | None,
        typer.Option(help="Write the run here (must not exist) instead of runs/<name>/<timestamp>/.", show_default=False),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the final summary.")] = False,
    no_preflight: Annotated[
        bool, typer.Option("--no-preflight", help="Skip the check that every parameter receives a gradient.")
    ] = False,
    trace_neurons: Annotated[
        str | None,
        typer.Option(help="Neurons to trace, e.g. 'layers.0[7],layers.2[0]' (weights, gradients, updates).", show_default=False),
    ] = None,
    trace_every: Annotated[
        int | None, typer.Option(min=1, help="Trace every K-th step (default: the first step of each epoch).", show_default=False)
    ] = None,
) -> None:
    """Train the model a config describes; print loss and accuracy per epoch."""
    from luma_cli import api
    from luma_cli.cli.render import TrainingView, render_train_result
    from luma_cli.cli.signals import stop_on_signals

    if config is None and resume is None:
        raise typer.BadParameter("Missing argument 'CONFIG' (or pass --resume RUN_DIR).", param_hint="CONFIG")

    neurons = [n.strip() for n in trace_neurons.split(",") if n.strip()] if trace_neurons else None
    stop = api.StopRequest()
    try:
        with TrainingView(quiet=quiet) as view, stop_on_signals(stop):
            result = api.train(config, epochs=epochs, seed=seed, run_dir=run_dir, on_event=view.handle,
                               preflight=not no_preflight, trace_neurons=neurons, trace_every=trace_every,
                               resume=resume, stop=stop, step_events=view.shows_progress)
    except api.PreflightError as failure:
        from luma_cli.cli.diagnosis_view import render_report

        render_report(failure.report, title="preflight")
        raise
    render_train_result(result, quiet=quiet)


@app.command(name="debug-grads")
@guarded
def debug_grads(
    config: ConfigPath,
    checkpoint: Annotated[
        Path | None, typer.Option(help="Diagnose a trained run's weights instead of the initial ones.", show_default=False)
    ] = None,
    batches: Annotated[int, typer.Option(min=1, help="Training batches to run forward and backward.")] = 1,
    tolerance: Annotated[float, typer.Option(min=0.0, help="Gradients with |g| at or below this count as zero.")] = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with findings and gradient stats.")] = False,
) -> None:
    """Find every parameter whose gradient is zero and say why; exit 1 if any problem is found."""
    from luma_cli import api
    from luma_cli.cli.diagnosis_view import render_report

    report = api.diagnose(config, checkpoint=checkpoint, batches=batches, tolerance=tolerance)
    render_report(report, as_json)
    if not report.healthy:
        raise typer.Exit(1)


@app.command(name="gradcheck")
@guarded
def gradcheck_command(
    config: ConfigPath,
    checkpoint: Annotated[Path | None, typer.Option(help="Check at a trained run's weights.", show_default=False)] = None,
    rows: Annotated[int, typer.Option(min=1, help="Training rows in the batch.")] = 8,
    tolerance: Annotated[float, typer.Option(min=0.0, help="Largest acceptable relative error.")] = 1e-6,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Compare every parameter's gradient with finite differences (float64); exit 1 above tolerance."""
    from luma_cli import api
    from luma_cli.cli.diagnosis_view import render_gradcheck

    report = api.gradcheck(config, checkpoint=checkpoint, rows=rows, tolerance=tolerance)
    render_gradcheck(report, as_json)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
@guarded
def graph(
    config: ConfigPath,
    fmt: Annotated[str, typer.Option("--format", help="text, dot (Graphviz) or mermaid.")] = "text",
) -> None:
    """Print the graph recorded for one training step, with broken edges marked."""
    from luma_cli import api
    from luma_cli.cli.render import render_text

    render_text(api.graph(config, fmt=fmt))


@app.command(name="eval")
@guarded
def evaluate(
    checkpoint: CheckpointPath,
    data: DataOption,
    threshold: ThresholdOption = 0.5,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Score a saved model on a labelled CSV: accuracy, precision, recall, F1, ROC-AUC, log loss."""
    from luma_cli import api
    from luma_cli.cli.render import render_eval

    render_eval(api.evaluate(checkpoint, data, threshold), as_json)


@app.command()
@guarded
def predict(
    checkpoint: CheckpointPath,
    data: DataOption,
    out: Annotated[Path, typer.Option("--out", help="CSV to write: probability,predicted_label per row.", show_default=False)],
    threshold: ThresholdOption = 0.5,
) -> None:
    """Write the probability and predicted label for every row of a CSV."""
    from luma_cli import api
    from luma_cli.cli.render import render_predict

    render_predict(api.predict(checkpoint, data, out, threshold))


@config_app.command("show")
@guarded
def config_show(config: ConfigPath) -> None:
    """Print the config with every default filled in."""
    from luma_cli import api
    from luma_cli.cli.render import render_yaml

    render_yaml(api.load_config(config).resolved_dict())


@config_app.command("schema")
@guarded
def config_schema() -> None:
    """Print the config's JSON Schema (for editor validation and completion)."""
    from luma_cli import api
    from luma_cli.cli.render import render_json

    render_json(api.config_schema())


@data_app.command("make")
@guarded
def data_make(
    kind: Annotated[str, typer.Argument(help="moons, circles, xor or spirals.", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.", show_default=False)],
    rows: Annotated[int, typer.Option(min=2, help="Number of rows.")] = 400,
    noise: Annotated[float, typer.Option(min=0.0, help="Standard deviation of Gaussian noise.")] = 0.2,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
) -> None:
    """Generate a synthetic two-class dataset with columns x1, x2, label."""
    from luma_cli import api
    from luma_cli.cli.render import render_message

    path = api.make_dataset(kind, rows, noise, seed, out)
    render_message(f"wrote {rows} rows of {kind} to {path}")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    finally:
        _flush_stdout_quietly()


def _flush_stdout_quietly() -> None:
    """`luma eval ... | head -1`: the reader may be gone; end quietly as Unix tools do."""
    import os
    import sys

    try:
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
