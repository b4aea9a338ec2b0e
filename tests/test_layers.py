"""Imports point downward only: core <- store <- services <- web / cli (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "claimdesk"
FORBIDDEN = {
    "core": (
        "fastapi", "starlette", "jinja2", "jinja2_fragments", "sqlmodel", "sqlalchemy",
        "alembic", "typer", "claimdesk.store", "claimdesk.services", "claimdesk.web",
        "claimdesk.cli",
    ),
    "store": ("fastapi", "starlette", "jinja2", "claimdesk.services", "claimdesk.web",
              "claimdesk.cli"),
    "services": ("fastapi", "starlette", "jinja2", "typer", "claimdesk.web", "claimdesk.cli"),
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_downward(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files
    crossings = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files
        for name in sorted(_imports(path))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert crossings == []
