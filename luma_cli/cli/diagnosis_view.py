"""Rich rendering of diagnostics: debug-grads findings, gradcheck results, neuron traces."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.table import Table
from rich.text import Text

from luma_cli.cli.render import console

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render_report(report: Any, as_json: bool = False, title: str = "debug-grads") -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
        return
    errors = len(report.errors)
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    verdict = "[bold green]healthy[/]: every parameter receives a gradient" if not errors else (
        f"[bold red]{errors} problem{'s' if errors != 1 else ''}[/] {'stop' if errors != 1 else 'stops'} gradients from reaching parameters"
    )
    console.print(f"[bold]{title}[/] on {report.batches} batch{'es' if report.batches != 1 else ''} "
                  f"({report.rows} rows): {verdict}" + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""))
    for number, finding in enumerate(report.findings, 1):
        console.print()
        label = Text(f"{number}. {finding.severity} · {finding.kind.replace('_', ' ')}", style=_STYLE[finding.severity])
        console.print(label)
        console.print(f"   {finding.message}", markup=False)
        for line in finding.parameters[:8]:
            console.print(f"     • {line}", markup=False)
        if len(finding.parameters) > 8:
            console.print(f"     • … and {len(finding.parameters) - 8} more groups", markup=False)
        if finding.fix:
            console.print(Text(f"   fix: {finding.fix}", style="green"))
    console.print()
    table = Table(title="gradient norms by layer", show_edge=False)
    table.add_column("layer")
    table.add_column("norm", justify="right")
    for layer, norm in report.layer_norms.items():
        table.add_row(layer, Text(f"{norm:.3g}", style="red" if norm == 0 else ""))
    console.print(table)


def render_gradcheck(report: Any, as_json: bool = False) -> None:
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict()) + "\n")
        return
    table = Table(title=f"gradcheck: float64 finite differences on {report.rows} rows (tolerance {report.tolerance:g})")
    table.add_column("parameter")
    table.add_column("relative error", justify="right")
    table.add_column("")
    table.add_column("where it points")
    for check in report.checks:
        status = Text("ok", style="green") if check.passed else Text("FAIL", style="bold red")
        suspect = check.note or ""
        table.add_row(check.name, f"{check.error:.2e}", status, suspect)
    console.print(table)
    verdict = "[green]all gradients match[/]" if report.passed else "[bold red]some gradients do not match finite differences[/]"
    console.print(verdict)


def render_trace(trace: Any) -> None:
    table = Table(title=f"{trace.neuron} · epoch {trace.epoch} step {trace.step}", title_justify="left")
    for column in ("", "before", "gradient", "after", "change"):
        table.add_column(column, justify="right")
    grads = trace.weight_grad if trace.weight_grad is not None else [None] * len(trace.weight_before)
    rows = [(f"weight[{i}]", b, g, a) for i, (b, g, a) in enumerate(zip(trace.weight_before, grads, trace.weight_after))]
    rows.append(("bias", trace.bias_before, trace.bias_grad, trace.bias_after))
    for name, before, grad, after in rows:
        change = after - before
        grad_text = Text("none", style="bold red") if grad is None else Text(f"{grad:+.4g}", style="bold red" if grad == 0 else "")
        change_text = Text(f"{change:+.4g}", style="yellow" if change == 0 else "")
        table.add_row(name, f"{before:+.4g}", grad_text, f"{after:+.4g}", change_text)
    console.print(table)
