"""The graph of one recorded step as text, Graphviz DOT or Mermaid, with broken edges marked."""

from __future__ import annotations

from luma_cli.autograd import Tensor
from luma_cli.diagnose.analyze import StepRecord
from luma_cli.diagnose.findings import Report
from luma_cli.errors import ConfigError
from luma_cli.nn import Module

FORMATS = ("text", "dot", "mermaid")


def _shape(t: Tensor) -> str:
    return "[" + ", ".join(str(n) for n in t.shape) + "]"


def _describe(t: Tensor) -> str:
    if t.kind == "parameter":
        return f"parameter {t.name or ''}".strip()
    if t.kind == "constant" and t.data.size == 1:
        return f"constant {t.data.reshape(-1)[0]:g}"
    return t.kind


def export_graph(step: StepRecord, model: Module, report: Report, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown graph format '{fmt}'", hint=f"choose one of: {', '.join(FORMATS)}")
    broken = {f.tensor_id: f for f in report.findings if f.kind == "broken_edge"}
    return {"text": _text, "dot": _dot, "mermaid": _mermaid}[fmt](step, broken)


def _leaves(step: StepRecord) -> list[Tensor]:
    seen: dict[int, Tensor] = {}
    for node in step.tape.nodes:
        for t in node.inputs:
            if t.node is None and id(t) not in seen:
                seen[id(t)] = t
    return sorted(seen.values(), key=lambda t: t.id or 0)


def _text(step: StepRecord, broken: dict) -> str:
    tape = step.tape
    lines = [f"graph of one training step: {len(tape.nodes)} ops, loss {step.loss.label}", "leaves:"]
    for t in _leaves(step):
        mark = ""
        if t.label in broken:
            copy = broken[t.label].copies
            copied = f": equals {copy.tensor_id}, output of #{copy.op_id} {copy.op}" if copy else ""
            mark = f"   ✗ BROKEN EDGE{copied}, not connected"
        where = f"  created at {t.created_at}" if t.created_at and t.kind == "constant" and t.data.size > 1 else ""
        lines.append(f"  {t.label:>5}  {_describe(t):<28} {_shape(t):<10} {t.dtype}{where}{mark}")
    lines.append("ops:")
    for node, out in zip(tape.nodes, tape.outputs):
        args = ", ".join(t.label + (" ✗" if t.label in broken else "") for t in node.inputs)
        tail = "  (loss)" if out is step.loss else ""
        where = f"  at {out.created_at}" if out.created_at else ""
        lines.append(f"  {node.label:<36} ({args}) -> {out.label} {_shape(out)}{tail}{where}")
    return "\n".join(lines) + "\n"


def _dot(step: StepRecord, broken: dict) -> str:
    lines = ["digraph luma {", "  rankdir=TB;", '  node [fontname="Helvetica", fontsize=10];']
    for t in _leaves(step):
        style = ', color=red, fontcolor=red, penwidth=2' if t.label in broken else ""
        fill = ', style=filled, fillcolor="#e8f0fe"' if t.kind == "parameter" else ""
        lines.append(f'  {t.label} [shape=ellipse, label="{t.label}\\n{_describe(t)}\\n{_shape(t)}"{fill}{style}];')
    for node, out in zip(step.tape.nodes, step.tape.outputs):
        lines.append(f'  op{node.id} [shape=box, label="{node.label}"];')
        lines.append(f'  {out.label} [shape=ellipse, label="{out.label}\\n{_shape(out)}"];')
        for t in node.inputs:
            lines.append(f"  {t.label} -> op{node.id};")
        lines.append(f"  op{node.id} -> {out.label};")
    for label, finding in broken.items():
        if finding.copies is not None:
            lines.append(f'  {finding.copies.tensor_id} -> {label} [style=dashed, color=red, label="copied, not connected"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid(step: StepRecord, broken: dict) -> str:
    lines = ["flowchart TD"]
    for t in _leaves(step):
        lines.append(f'  {t.label}(["{t.label} {_describe(t)} {_shape(t)}"])')
    for node, out in zip(step.tape.nodes, step.tape.outputs):
        lines.append(f'  op{node.id}["{node.label}"]')
        lines.append(f'  {out.label}(["{out.label} {_shape(out)}"])')
        for t in node.inputs:
            lines.append(f"  {t.label} --> op{node.id}")
        lines.append(f"  op{node.id} --> {out.label}")
    for label, finding in broken.items():
        if finding.copies is not None:
            lines.append(f'  {finding.copies.tensor_id} -. "copied, not connected" .-> {label}')
        lines.append(f"  style {label} stroke:#d00,stroke-width:3px")
    return "\n".join(lines) + "\n"
