"""analyze: from recorded steps (tape, loss, model) to a sorted Report of findings.

Each check is a small function returning findings; `analyze` runs them in the order a person
debugging a frozen loss would want: NaN first, then where the graph is cut, then why the
remaining zero gradients are zero, then softer warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from luma_cli.autograd import Node, Tape, Tensor
from luma_cli.diagnose.addressing import group_entries, is_dense_weight, layer_of, split_name, summarize_layers
from luma_cli.diagnose.causes import UnitCauses, explain_zero_entries
from luma_cli.diagnose.findings import Finding, GradientStats, Report
from luma_cli.diagnose.graph import GraphView
from luma_cli.nn import Module

VANISHING_RATIO = 1e-5
EXPLODING_NORM = 1e3


@dataclass
class StepRecord:
    """One forward/backward: the tape (recorded with sources), the loss, and the gradients it gave."""

    tape: Tape
    loss: Tensor
    grads: dict[str, np.ndarray | None]
    rows: int


def analyze(steps: list[StepRecord], model: Module, tolerance: float = 0.0) -> Report:
    """Diagnose gradient flow over `steps` (all made with the same model code and weights)."""
    params = dict(model.named_parameters())
    names = set(params)
    first = steps[0]
    view = GraphView(first.tape, first.loss)
    findings: list[Finding] = []
    findings += _non_finite(steps)

    zero_masks = {name: _zero_on_every_step(name, p, steps, tolerance) for name, p in params.items()}
    no_grad = {name for name in params if all(step.grads[name] is None for step in steps)}
    used = {id(t) for node in first.tape.nodes for t in node.inputs if t.kind == "parameter"}
    unused = [n for n in params if n in no_grad and id(params[n]) not in used]
    disconnected = [n for n in params if n in no_grad and id(params[n]) in used]

    findings += _broken_edges(view, params, disconnected)
    if unused:
        findings.append(Finding(
            kind="unused", severity="error",
            message=f"{summarize_layers(unused)}: the loss does not depend on these parameters at all (no op uses them)",
            fix="use the layer in forward(), or delete it",
            parameters=group_entries({n: np.ones(params[n].shape, bool) for n in unused}, names),
            parameter_names=unused, count=sum(params[n].data.size for n in unused),
        ))
    connected_zero = {n: m for n, m in zero_masks.items() if n not in no_grad and m.any()}
    if connected_zero:
        causes = UnitCauses(steps, view)
        findings += explain_zero_entries(connected_zero, params, steps, causes, names)
    findings += _output_activation(view)
    findings += _symmetric(params, names)
    gradients = _gradient_stats(params, steps, zero_masks)
    layer_norms = _layer_norms(params, steps)
    findings += _norm_warnings(layer_norms)
    report = Report(findings=findings, gradients=gradients, layer_norms=layer_norms,
                    batches=len(steps), rows=sum(s.rows for s in steps))
    report.sort()
    return report


def _zero_on_every_step(name: str, param: Tensor, steps: list[StepRecord], tolerance: float) -> np.ndarray:
    mask = np.ones(param.data.shape, dtype=bool)
    for step in steps:
        grad = step.grads[name]
        if grad is not None:
            mask &= np.abs(grad) <= tolerance
    return mask


def _non_finite(steps: list[StepRecord]) -> list[Finding]:
    """The first op whose output is NaN/Inf although its inputs are finite (forward, then backward)."""
    for step in steps:
        tape = step.tape
        for node, output in zip(tape.nodes, tape.outputs):
            if not np.isfinite(output.data).all() and all(np.isfinite(t.data).all() for t in node.inputs):
                return [_nan_finding(node, output, output, "produced", "forward")]
        for node, output in reversed(list(zip(tape.nodes, tape.outputs))):
            g = output.grad
            if g is None or not np.isfinite(g).all():
                continue
            bad = [t for t in node.inputs if t.grad is not None and not np.isfinite(t.grad).all()]
            if bad:
                return [_nan_finding(node, output, bad[0], "sent a non-finite gradient to", "backward")]
    return []


_NAN_FIXES = {
    "log": "the input reached 0 or below: clamp it first (x.maximum(1e-7)) or use a built-in loss",
    "div": "a denominator reached 0: add a small epsilon or guard it",
    "exp": "exp overflowed: use a stable form (e.g. binary_cross_entropy_with_logits) or smaller inputs",
    "pow": "pow of a negative or zero base: check the input's range",
}


def _nan_finding(node: Node, output: Tensor, tensor: Tensor, verb: str, phase: str) -> Finding:
    values = tensor.grad if phase == "backward" else tensor.data
    kind = "NaN" if np.isnan(values).any() else "Inf"
    where = f" at {output.created_at}" if output.created_at else ""
    uses = [t.name for t in node.inputs if t.kind == "parameter" and t.name]
    if uses:
        where += f" (its parameters: {', '.join(uses)}; max |value| {max(float(np.max(np.abs(t.data))) for t in node.inputs):.3g})"
    return Finding(
        kind="nan_or_inf", severity="error",
        message=f"op {node.label} {verb} {kind} in the {phase} pass ({tensor.label}){where}",
        fix=_NAN_FIXES.get(node.op.name, "lower optimizer.lr, set training.clip_grad_norm, or check this op's inputs"),
        op_id=node.id, op=node.op.name, tensor_id=tensor.label, created_at=output.created_at,
    )


def _broken_edges(view: GraphView, params: dict[str, Tensor], disconnected: list[str]) -> list[Finding]:
    if not disconnected:
        return []
    remaining = set(disconnected)
    names_by_id = {id(p): n for n, p in params.items()}
    findings: list[Finding] = []
    seen: set[int] = set()
    for tensor, consumer in view.walk_from_loss():
        if tensor.node is not None or id(tensor) in names_by_id or tensor.data.size <= 1 or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        copy = view.find_copy(tensor)
        if copy is None and tensor.kind == "input":
            continue  # a data batch, as it should be
        if copy is not None:
            starved = [names_by_id[id(p)] for p in view.upstream_parameters(view.copied_output(copy))]
            starved = [n for n in params if n in starved and n in remaining]
            copied = f"{copy.tensor_id} ({copy.relation}), the output of op #{copy.op_id} {copy.op}"
            detail = f"{tensor.label} equals {copied}, but is not connected to it"
        elif tensor.kind == "parameter":
            starved = [n for n in disconnected if n in remaining]
            detail = f"{tensor.label} is a trainable tensor made during forward, not one of the model's parameters"
        else:
            starved = [n for n in disconnected if n in remaining]
            detail = f"{tensor.label} holds values computed outside Luma's ops (it matches no op output)"
        if not starved:
            continue
        remaining -= set(starved)
        created = f" created at {tensor.created_at}" if tensor.created_at else ""
        what = {"constant": "a constant", "input": "an input-kind tensor", "parameter": "a new trainable leaf"}[tensor.kind]
        findings.append(Finding(
            kind="broken_edge", severity="error",
            message=(f"op {consumer.label} consumes {tensor.label}, {what}{created}; {detail}, "
                     f"so no gradient reaches {summarize_layers(starved)}"),
            fix=("pass the op's output tensor itself instead of building a new Tensor from its data "
                 "(no Tensor(x.data), .numpy() or .detach() on the path to the loss)"
                 + (f" at {tensor.created_at}" if tensor.created_at else "")),
            parameters=group_entries({n: np.ones(params[n].shape, bool) for n in starved}, set(params)),
            parameter_names=starved, op_id=consumer.id, op=consumer.op.name, tensor_id=tensor.label,
            created_at=tensor.created_at, copies=copy, count=sum(params[n].data.size for n in starved),
        ))
        if not remaining:
            break
    if remaining:
        rest = [n for n in disconnected if n in remaining]
        findings.append(Finding(
            kind="disconnected", severity="error",
            message=f"no path from the loss to {summarize_layers(rest)}: their ops' outputs never reach the loss",
            fix="make sure the output of every layer feeds the next, up to the tensor forward() returns",
            parameters=group_entries({n: np.ones(params[n].shape, bool) for n in rest}, set(params)),
            parameter_names=rest, count=sum(params[n].data.size for n in rest),
        ))
    return findings


def _output_activation(view: GraphView) -> list[Finding]:
    loss_node = view.loss.node
    if loss_node is None or not loss_node.inputs:
        return []
    prediction = loss_node.inputs[0]
    producer = prediction.node
    if producer is None:
        return []
    if loss_node.op.name == "binary_cross_entropy" and producer.op.name != "sigmoid":
        outside = float(np.mean((prediction.data < 0) | (prediction.data > 1)))
        return [Finding(
            kind="output_activation", severity="warning",
            message=(f"binary_cross_entropy needs probabilities, but the model output comes from op {producer.label}, "
                     f"which cannot guarantee values in [0, 1] ({outside:.0%} of outputs are outside it)"),
            fix="end the model with a sigmoid, or use loss binary_cross_entropy_with_logits on raw outputs",
            op_id=producer.id, op=producer.op.name, tensor_id=prediction.label,
        )]
    if loss_node.op.name == "binary_cross_entropy_with_logits" and producer.op.name == "sigmoid":
        return [Finding(
            kind="output_activation", severity="warning",
            message=f"binary_cross_entropy_with_logits applies a sigmoid itself, but the output already comes from {producer.label}",
            fix="use activation identity on the output layer, or loss binary_cross_entropy",
            op_id=producer.id, op=producer.op.name, tensor_id=prediction.label,
        )]
    return []


def _symmetric(params: dict[str, Tensor], names: set[str]) -> list[Finding]:
    findings = []
    for name, param in params.items():
        if not is_dense_weight(name, param.shape, names) or param.shape[0] < 2:
            continue
        module, _ = split_name(name)
        weight, bias = param.data, params[f"{module}.bias"].data
        if np.all(weight == weight[0]) and np.all(bias == bias[0]):
            findings.append(Finding(
                kind="symmetric_init", severity="warning",
                message=(f"the {weight.shape[0]} neurons of {module} are identical (same weights and bias), so they "
                         "receive identical gradients and stay identical forever"),
                fix="initialize weights randomly (e.g. init: {weights: xavier_uniform}); constant init only for biases",
                parameter_names=[name, f"{module}.bias"],
            ))
    return findings


def _gradient_stats(params: dict[str, Tensor], steps: list[StepRecord], zero_masks: dict[str, np.ndarray]) -> dict[str, GradientStats]:
    stats = {}
    for name, param in params.items():
        grads = [s.grads[name] for s in steps if s.grads[name] is not None]
        norm = float(np.mean([np.linalg.norm(g) for g in grads])) if grads else 0.0
        max_abs = float(max(np.max(np.abs(g)) for g in grads)) if grads else 0.0
        stats[name] = GradientStats(norm=norm, max_abs=max_abs, zero_count=int(zero_masks[name].sum()), size=param.data.size)
    return stats


def _layer_norms(params: dict[str, Tensor], steps: list[StepRecord]) -> dict[str, float]:
    norms: dict[str, float] = {}
    for layer in dict.fromkeys(layer_of(n) for n in params):
        members = [n for n in params if layer_of(n) == layer]
        per_step = [
            np.sqrt(sum(float(np.vdot(s.grads[n], s.grads[n])) for n in members if s.grads[n] is not None)) for s in steps
        ]
        norms[layer] = float(np.mean(per_step))
    return norms


def _norm_warnings(layer_norms: dict[str, float]) -> list[Finding]:
    finite = {k: v for k, v in layer_norms.items() if np.isfinite(v)}
    if not finite:
        return []
    largest = max(finite.values())
    findings = []
    vanishing = [k for k, v in finite.items() if 0 < v < VANISHING_RATIO * largest]
    if vanishing:
        findings.append(Finding(
            kind="vanishing_gradient", severity="warning",
            message=(f"gradient norms of {', '.join(vanishing)} are below {VANISHING_RATIO:g} × the largest layer's "
                     f"({largest:.3g}): those layers will barely learn"),
            fix="use relu/gelu instead of saturating activations, he/xavier init, or standardized inputs",
            parameter_names=vanishing,
        ))
    exploding = [k for k, v in finite.items() if v > EXPLODING_NORM]
    if exploding:
        findings.append(Finding(
            kind="exploding_gradient", severity="warning",
            message=f"gradient norms of {', '.join(exploding)} exceed {EXPLODING_NORM:g}",
            fix="lower optimizer.lr, set training.clip_grad_norm, or scale down the init",
            parameter_names=exploding,
        ))
    return findings
