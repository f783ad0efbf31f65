"""`luma gradcheck`: every parameter of a configured model against central finite differences (float64)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from luma_cli.autograd import Node, Tape, Tensor, gradcheck, gradcheck_parameters
from luma_cli.autograd.function import apply
from luma_cli.errors import ConfigError
from luma_cli.train.inspection import Subject
from luma_cli.train.probe import forward_function


@dataclass
class ParameterCheck:
    name: str
    error: float
    passed: bool
    suspect_op: str | None = None  # the op on the path from this parameter to the loss with the worst local error
    suspect_error: float | None = None
    note: str | None = None


@dataclass
class GradcheckReport:
    checks: list[ParameterCheck]
    tolerance: float
    rows: int
    op_errors: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_dict(self) -> dict:
        return {"passed": self.passed, "tolerance": self.tolerance, "rows": self.rows,
                "parameters": [asdict(c) for c in self.checks], "ops": self.op_errors}


def check_model_gradients(subject: Subject, rows: int, tolerance: float) -> GradcheckReport:
    """Relative error ||analytic - numeric|| / (||analytic|| + ||numeric||) per parameter, on `rows` training rows."""
    if rows < 1:
        raise ConfigError(f"--rows must be at least 1, got {rows}")
    if tolerance <= 0:
        raise ConfigError(f"--tolerance must be greater than 0, got {tolerance}")
    x = subject.data.train_x[:rows]
    y = subject.data.train_y[:rows]
    forward = forward_function(subject.model)
    named = list(subject.model.named_parameters())

    def loss() -> Tensor:
        return subject.loss(forward(Tensor(x, kind="input")), Tensor(y, kind="input"))

    result = gradcheck_parameters(loss, [p for _, p in named])
    checks = [ParameterCheck(name, error, error <= tolerance) for (name, _), error in zip(named, result.errors)]
    report = GradcheckReport(checks=checks, tolerance=tolerance, rows=len(x))
    if not report.passed:
        _point_at_ops(report, loss, named, tolerance)
    return report


def _point_at_ops(report: GradcheckReport, loss, named: list[tuple[str, Tensor]], tolerance: float) -> None:  # noqa: ANN001
    """Re-check each recorded op in isolation and blame, per failing parameter, the worst op it flows through."""
    with Tape() as tape:
        loss()
    local: dict[int, float] = {}
    for node in tape.nodes:
        local[node.id] = _local_error(node)
        report.op_errors[node.label] = local[node.id]
    for check, (_, param) in zip(report.checks, named):
        if check.passed:
            continue
        downstream = _downstream_nodes(tape, param)
        worst = max(downstream, key=lambda n: local[n.id]) if downstream else None
        if worst is not None and local[worst.id] > tolerance:
            check.suspect_op, check.suspect_error = worst.label, local[worst.id]
            check.note = f"{worst.label}'s backward disagrees with finite differences"
        elif not any(n is tape.nodes[-1] for n in downstream):
            check.note = "no path from this parameter to the loss: the graph is cut (run `luma debug-grads`)"
        else:
            check.note = "every op passes on its own; the error comes from how they are combined"


def _local_error(node: Node) -> float:
    arrays = [t.data for t in node.inputs]
    try:
        return gradcheck(lambda *tensors: apply(node.op, *tensors, **node.kwargs), arrays).max_error
    except Exception:  # an op that cannot run on perturbed inputs cannot be blamed by this check
        return 0.0


def _downstream_nodes(tape: Tape, param: Tensor) -> list[Node]:
    reached = {id(param)}
    nodes = []
    for node, output in zip(tape.nodes, tape.outputs):
        if any(id(t) in reached for t in node.inputs):
            reached.add(id(output))
            nodes.append(node)
    return nodes
