"""Findings: what diagnostics report, most important first, serializable to JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# Kinds, in the order a reader should see them.
KIND_ORDER = [
    "nan_or_inf", "broken_edge", "disconnected", "unused", "dead_unit", "saturated", "zero_init",
    "zero_input", "sparse_activity", "cancelled", "tiny", "zero_gradient", "output_activation", "symmetric_init", "vanishing_gradient",
    "exploding_gradient", "loss_plateau",
]


@dataclass
class Copy:
    """A constant that holds the same values as an op output, but is not connected to it."""

    tensor_id: str
    op_id: int
    op: str
    relation: str  # "same array", "shared memory" or "equal values"


@dataclass
class Finding:
    kind: str
    severity: str
    message: str
    fix: str | None = None
    parameters: list[str] = field(default_factory=list)  # addressed entries, grouped (`layers.0[7].bias`)
    parameter_names: list[str] = field(default_factory=list)  # dotted parameter names involved
    op_id: int | None = None
    op: str | None = None
    tensor_id: str | None = None
    created_at: str | None = None
    copies: Copy | None = None
    count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


@dataclass
class GradientStats:
    norm: float
    max_abs: float
    zero_count: int
    size: int


@dataclass
class Report:
    findings: list[Finding]
    gradients: dict[str, GradientStats]
    layer_norms: dict[str, float] = field(default_factory=dict)
    batches: int = 1
    rows: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def healthy(self) -> bool:
        return not self.errors

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], KIND_ORDER.index(f.kind)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "batches": self.batches,
            "rows": self.rows,
            "findings": [f.to_dict() for f in self.findings],
            "gradients": {name: asdict(stats) for name, stats in self.gradients.items()},
            "layer_norms": self.layer_norms,
        }
