"""Layers import downward only (STYLE.md): checked on the source, so a violation fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "luma_cli"

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "registry": {"errors"},
    "fileio": {"errors"},
    "autograd": {"errors"},
    "nn": {"errors", "registry", "autograd"},
    "optim": {"errors", "registry", "autograd"},
    "data": {"errors", "registry"},
    "config": {"errors", "registry", "nn", "optim", "data", "autograd"},
    "diagnose": {"errors", "autograd", "nn"},
    "train": {"errors", "registry", "fileio", "autograd", "nn", "optim", "data", "config", "diagnose"},
    "api": {"errors", "registry", "fileio", "autograd", "nn", "optim", "data", "config", "diagnose", "train"},
    "cli": {"api", "errors", "train", "diagnose"},
}
THIRD_PARTY_FORBIDDEN = {
    "autograd": {"typer", "rich", "yaml", "pydantic"},
    "nn": {"typer", "rich", "yaml", "pydantic"},
    "optim": {"typer", "rich", "yaml", "pydantic"},
    "data": {"typer", "rich", "yaml", "pydantic"},
    "config": {"typer", "rich"},
    "diagnose": {"typer", "rich", "yaml", "pydantic"},
    "train": {"typer", "rich"},
    "api": {"typer", "rich"},
}


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module if node.level == 0 else "luma_cli.<relative>")
    return found


FILES = [p for p in PACKAGE.rglob("*.py") if layer_of(p) not in ("__init__", "__main__")]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downward_only(path: Path) -> None:
    layer = layer_of(path)
    allowed = ALLOWED[layer] | {layer}
    for module in imported_modules(path):
        parts = module.split(".")
        if parts[0] == "luma_cli" and len(parts) > 1:
            assert parts[1] != "<relative>", f"{path.name}: use absolute imports"
            if parts[1] == "__init__" or parts[1] == "__version__":
                continue
            assert parts[1] in allowed, f"{path.relative_to(PACKAGE)} ({layer}) imports luma_cli.{parts[1]}"
        assert parts[0] not in THIRD_PARTY_FORBIDDEN.get(layer, set()), f"{path.relative_to(PACKAGE)} imports {parts[0]}"


def test_every_layer_is_in_the_table() -> None:
    assert {layer_of(p) for p in FILES} <= set(ALLOWED)
