"""Why a connected parameter's gradient is zero: dead ReLU, saturation, zero weights downstream,
zero inputs, or just tiny. Reasoned per neuron of Dense-style `linear` ops, over every recorded step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from luma_cli.autograd import Node, Tensor
from luma_cli.diagnose.addressing import group_entries, summarize_layers
from luma_cli.diagnose.findings import Finding
from luma_cli.diagnose.graph import GraphView

if TYPE_CHECKING:
    from luma_cli.diagnose.analyze import StepRecord

SATURATION = 1e-12  # a local derivative at or below this is "≈ 0"
# A few dead or saturated units are common and the rest of the layer still learns; when at least
# this fraction of a layer is affected, the layer as a whole has stopped learning: an error.
LAYER_FRACTION_FOR_ERROR = 0.5

# kind -> (message template, fix)
_TEXT = {
    "dead_unit": (
        "dead ReLU units: {units} output 0 for every row, so no gradient reaches the parameters feeding them",
        "lower the bias init (e.g. bias: zeros), use he_normal init, a lower learning rate, or leaky_relu",
    ),
    "saturated": (
        "saturated {activation} units: {units} have derivative ≈ 0 on every row",
        "scale the init down (xavier/he, bias: zeros), standardize the inputs, or lower the learning rate",
    ),
    "zero_init": (
        "{weight} is zero wherever {units} feed it, so no gradient flows back through it to them",
        "initialize weights randomly (e.g. init: {weights: xavier_uniform}); zeros only for biases",
    ),
    "zero_input": (
        "{inputs} {verb} 0 on every row, so the weights reading {them} get no gradient",
        "drop constant features, or fix the dead units that feed this layer",
    ),
    "sparse_activity": (
        "{count} weight(s) whose neuron and input are never non-zero on the same row of the batch, so their gradient is 0 "
        "(normal for ReLU layers on few rows; more batches usually cover them)",
        "diagnose more batches (--batches N) to confirm",
    ),
    "cancelled": (
        "{count} gradient(s) are exactly 0 because the rows' contributions cancel (e.g. symmetric data at "
        "initialization); each row does pass gradient, so training moves them",
        "nothing to fix; diagnose more batches (--batches N) to confirm",
    ),
    "tiny": (
        "gradients are non-zero but at or below the tolerance on every batch",
        "lower --tolerance, or see vanishing-gradient warnings",
    ),
    "zero_gradient": (
        "gradients are exactly 0 on every batch (no single cause identified)",
        "run `luma graph` to inspect the path from the loss",
    ),
}


class UnitCauses:
    """Answers: why does neuron j of this linear op receive no gradient, on every step?"""

    def __init__(self, steps: list[StepRecord], view: GraphView) -> None:
        self.steps = steps
        self.view = view
        self.names = {}  # id(param) -> dotted name
        for node in view.tape.nodes:
            for t in node.inputs:
                if t.kind == "parameter" and t.name:
                    self.names[id(t)] = t.name

    def same_node(self, node: Node) -> list[Node]:
        """This node on every step's tape (matched by position and op name)."""
        nodes = []
        for step in self.steps:
            index = node.id - 1
            if index < len(step.tape.nodes) and step.tape.nodes[index].op is node.op:
                nodes.append(step.tape.nodes[index])
        return nodes or [node]

    def outputs(self, node: Node) -> list[Tensor]:
        return [step.tape.producer_output(n) for step, n in zip(self.steps, self.same_node(node))]

    def layer_name(self, linear: Node) -> str:
        weight = linear.inputs[1]
        name = self.names.get(id(weight), weight.label)
        return name.rpartition(".")[0] or name

    def unit_gets_no_gradient(self, linear: Node, j: int) -> bool:
        for out in self.outputs(linear):
            if out.grad is not None and np.any(out.grad[..., j] != 0):
                return False
        return True

    def cause(self, linear: Node, j: int, depth: int = 0) -> tuple[str, str, dict]:
        """(kind, key, details) for unit j of `linear`; key groups units that share one root cause."""
        layer = self.layer_name(linear)
        out = self.view.output(linear)
        consumers = self.view.consumers_of(out)
        tensor = out
        if len(consumers) == 1 and consumers[0].op.name in ("relu", "sigmoid", "tanh"):
            activation = consumers[0]
            acts = self.same_node(activation)
            size = int(linear.inputs[1].data.shape[0])
            if activation.op.name == "relu" and all(np.all(a.saved[..., j] == 0) for a in acts):
                return "dead_unit", layer, {"units": f"{layer}[{j}]", "layer": layer, "unit": j, "size": size}
            if activation.op.name in ("sigmoid", "tanh"):
                derivs = [
                    a.saved[..., j] * (1 - a.saved[..., j]) if activation.op.name == "sigmoid" else 1 - a.saved[..., j] ** 2
                    for a in acts
                ]
                if all(np.all(np.abs(d) <= SATURATION) for d in derivs):
                    peak = max(float(np.max(np.abs(o.data[..., j]))) for o in self.outputs(linear))
                    return "saturated", f"{layer}:{activation.op.name}", {
                        "units": f"{layer}[{j}]", "activation": activation.op.name, "peak": peak,
                        "layer": layer, "unit": j, "size": size,
                    }
            tensor = self.view.output(activation)
        for consumer in self.view.consumers_of(tensor):
            if consumer.op.name == "linear" and consumer.inputs[0] is tensor:
                weight = consumer.inputs[1]
                if np.all(weight.data[:, j] == 0):
                    name = self.names.get(id(weight), weight.label)
                    return "zero_init", name, {"weight": name, "units": f"{layer}[{j}]"}
                if depth < 20 and all(self.unit_gets_no_gradient(consumer, i) for i in range(weight.data.shape[0])):
                    return self.cause(consumer, 0, depth + 1)
        return "zero_gradient", "", {}

    def generic_cause(self, param: Tensor) -> list[tuple[str, str, dict]] | None:
        """For layers built from matmul/add rather than `linear`: the first activation downstream of
        `param`, if it is dead or saturated on every row, explains the whole parameter."""
        frontier, depth = [param], 0
        while frontier and depth < 6:
            nodes = [n for t in frontier for n in self.view.consumers_of(t)]
            for node in nodes:
                if node.op.name in ("relu", "sigmoid", "tanh"):
                    return self._activation_columns(node)
            frontier = [self.view.output(n) for n in nodes if n.op.name in _AFFINE]
            depth += 1
        return None

    def _activation_columns(self, activation: Node) -> list[tuple[str, str, dict]] | None:
        outs = [a.saved for a in self.same_node(activation)]
        if any(o is None or o.ndim != 2 for o in outs):
            return None
        if activation.op.name == "relu":
            stuck = np.logical_and.reduce([np.all(o == 0, axis=0) for o in outs])
            kind = "dead_unit"
        else:
            derivs = [o * (1 - o) if activation.op.name == "sigmoid" else 1 - o * o for o in outs]
            stuck = np.logical_and.reduce([np.all(np.abs(d) <= SATURATION, axis=0) for d in derivs])
            kind = "saturated"
        if not stuck.any():
            return None
        layer = f"{activation.label} output"
        size = int(stuck.size)
        details = {"units": None, "activation": activation.op.name, "peak": float("nan"), "layer": layer, "size": size}
        return [(kind, layer, {**details, "unit": int(j), "units": f"{layer}[{j}]"}) for j in np.flatnonzero(stuck)]


_AFFINE = ("matmul", "transpose", "add", "sub", "mul", "div", "reshape", "linear", "neg")


def explain_zero_entries(
    zero_masks: dict[str, np.ndarray],
    params: dict[str, Tensor],
    steps: list[StepRecord],
    causes: UnitCauses,
    names: set[str],
) -> list[Finding]:
    """Group every zero-gradient entry of connected parameters by its cause, one finding per cause."""
    groups: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    details: dict[tuple[str, str], list[dict]] = {}

    def mark(kind: str, key: str, detail: dict, name: str, index: tuple[int, ...]) -> None:
        masks = groups.setdefault((kind, key), {})
        if name not in masks:
            masks[name] = np.zeros(params[name].shape, dtype=bool)
        masks[name][index] = True
        details.setdefault((kind, key), []).append(detail)

    for name, mask in zero_masks.items():
        param = params[name]
        linear, role = _linear_using(causes.view, param)
        generic = causes.generic_cause(param) if linear is None else None
        for index in map(tuple, np.argwhere(mask)):
            if linear is None:
                if generic is not None:
                    for kind, key, detail in generic:
                        mark(kind, key, detail, name, index)
                else:
                    mark(_tiny_or_zero(name, index, steps), "", {}, name, index)
                continue
            j = index[0]
            if causes.unit_gets_no_gradient(linear, j):
                kind, key, detail = causes.cause(linear, j)
                if kind == "zero_gradient":
                    kind = _tiny_or_zero(name, index, steps)
                mark(kind, key, detail, name, index)
                continue
            if role == "weight":
                k = index[1]
                source = _zero_input(causes, linear, k)
                if source is not None:
                    mark("zero_input", causes.layer_name(linear), {"input": source}, name, index)
                    continue
                if _never_active_together(causes, linear, j, k):
                    mark("sparse_activity", causes.layer_name(linear), {}, name, index)
                    continue
            kind = _tiny_or_zero(name, index, steps)
            if kind == "zero_gradient" and _contributions_cancel(causes, linear, j, index[1] if role == "weight" else None):
                kind = "cancelled"
            mark(kind, "", {}, name, index)

    findings = []
    for (kind, _key), masks in groups.items():
        info = details[(kind, _key)]
        template, fix = _TEXT[kind]
        merged = _merge_details(info)
        merged["count"] = int(sum(m.sum() for m in masks.values()))
        message = template.format(**merged)
        starved = list(masks)
        severity, share = _severity(kind, info)
        findings.append(Finding(
            kind=kind, severity=severity,
            message=f"{summarize_layers(starved)}: {message}{share}",
            fix=fix, parameters=group_entries(masks, names), parameter_names=starved,
            count=int(sum(m.sum() for m in masks.values())),
        ))
    return findings


def _severity(kind: str, info: list[dict]) -> tuple[str, str]:
    """Dead or saturated units are an error when they take out at least half of a layer.

    Zero inputs are a warning: a constant feature is not a bug in the model, and inputs from dead
    units are reported, with their own severity, as dead units.
    """
    if kind in ("zero_input", "sparse_activity", "cancelled"):
        return "warning", ""
    if kind not in ("dead_unit", "saturated"):
        return "error", ""
    affected: dict[str, set[int]] = {}
    sizes: dict[str, int] = {}
    for d in info:
        affected.setdefault(d["layer"], set()).add(d["unit"])
        sizes[d["layer"]] = d["size"]
    shares = [f"{len(units)} of {sizes[layer]} units of {layer}" for layer, units in affected.items()]
    worst = max(len(units) / sizes[layer] for layer, units in affected.items())
    return ("error" if worst >= LAYER_FRACTION_FOR_ERROR else "warning"), f" ({'; '.join(shares)})"


def _merge_details(info: list[dict]) -> dict:
    merged: dict = {}
    units = list(dict.fromkeys(d["units"] for d in info if "units" in d))
    if units:
        merged["units"] = _compress_units(units)
    inputs = list(dict.fromkeys(d["input"] for d in info if "input" in d))
    dead = [i.removeprefix("dead unit ") for i in inputs if i.startswith("dead unit ")]
    if dead:
        inputs = [i for i in inputs if not i.startswith("dead unit ")] + [f"the outputs of dead unit(s) {_compress_units(dead)}"]
    if inputs:
        merged["inputs"] = ", ".join(inputs[:8]) + (f" and {len(inputs) - 8} more" if len(inputs) > 8 else "")
        single = len(inputs) == 1 and not dead
        merged["verb"] = "is" if single else "are"
        merged["them"] = "it" if single else "them"
    for key in ("activation", "weight"):
        values = list(dict.fromkeys(d[key] for d in info if key in d))
        if values:
            merged[key] = ", ".join(values)
    peaks = [d["peak"] for d in info if "peak" in d and np.isfinite(d["peak"])]
    merged["peak"] = max(peaks) if peaks else float("nan")
    return merged


def _compress_units(units: list[str]) -> str:
    """['layers.0[1]', 'layers.0[2]', 'layers.0[3]'] -> 'layers.0[1-3]'."""
    by_layer: dict[str, list[int]] = {}
    for unit in units:
        layer, _, rest = unit.partition("[")
        by_layer.setdefault(layer, []).append(int(rest.rstrip("]")))
    parts = []
    for layer, indices in by_layer.items():
        indices = sorted(set(indices))
        runs, start, prev = [], indices[0], indices[0]
        for i in indices[1:] + [None]:  # type: ignore[list-item]
            if i is not None and i == prev + 1:
                prev = i
                continue
            runs.append(str(start) if start == prev else f"{start}-{prev}")
            if i is not None:
                start = prev = i
        parts.append(f"{layer}[{','.join(runs)}]")
    return ", ".join(parts)


def _linear_using(view: GraphView, param: Tensor) -> tuple[Node | None, str]:
    for node in view.consumers_of(param):
        if node.op.name == "linear":
            if len(node.inputs) > 1 and node.inputs[1] is param:
                return node, "weight"
            if len(node.inputs) > 2 and node.inputs[2] is param:
                return node, "bias"
    return None, ""


def _zero_input(causes: UnitCauses, linear: Node, k: int) -> str | None:
    """A description of input column k of `linear` if it is 0 on every row of every step."""
    inputs = [node.inputs[0] for node in causes.same_node(linear)]
    if not all(np.all(x.data[..., k] == 0) for x in inputs):
        return None
    x = linear.inputs[0]
    if x.node is not None and x.node.op.name == "relu" and x.node.inputs[0].node is not None:
        previous = x.node.inputs[0].node
        if previous.op.name == "linear":
            return f"dead unit {causes.layer_name(previous)}[{k}]"
    if x.kind == "input":
        return f"input feature {k}"
    return f"input {k} of {causes.layer_name(linear)}"


def _never_active_together(causes: UnitCauses, linear: Node, j: int, k: int) -> bool:
    """Rows where neuron j gets gradient and rows where input k is non-zero never coincide."""
    for node, out in zip(causes.same_node(linear), causes.outputs(linear)):
        if out.grad is None:
            continue
        if np.any((out.grad[..., j] != 0) & (node.inputs[0].data[..., k] != 0)):
            return False
    return True


def _contributions_cancel(causes: UnitCauses, linear: Node, j: int, k: int | None) -> bool:
    """Some row contributes a non-zero term to this entry's gradient, yet the terms sum to exactly 0."""
    for node, out in zip(causes.same_node(linear), causes.outputs(linear)):
        if out.grad is None:
            continue
        terms = out.grad[..., j] if k is None else out.grad[..., j] * node.inputs[0].data[..., k]
        if np.any(terms != 0):
            return True
    return False


def _tiny_or_zero(name: str, index: tuple[int, ...], steps: list[StepRecord]) -> str:
    for step in steps:
        grad = step.grads[name]
        if grad is not None and grad[index] != 0:
            return "tiny"
    return "zero_gradient"
