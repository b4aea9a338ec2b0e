"""The build fails when a command or a setting is left out of the README."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from claimdesk.cli import app

REPO = Path(__file__).resolve().parents[1]


def _command_paths(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    click_group = typer.main.get_command(typer_app)
    paths: list[str] = []

    def walk(command: object, path: str) -> None:
        children = getattr(command, "commands", None)
        if children:
            for name, child in children.items():
                walk(child, f"{path} {name}".strip())
        else:
            paths.append(path)

    walk(click_group, prefix)
    return paths


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = _command_paths(app)
    assert len(commands) >= 12
    missing = [c for c in commands if f"claimdesk {c}" not in readme]
    assert missing == [], "commands not documented in README.md"


def test_every_environment_variable_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for folder in ("src", "tests", "e2e", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            names |= set(re.findall(r"CLAIMDESK_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    names |= set(re.findall(r"CLAIMDESK_[A-Z_]+[A-Z]", (REPO / ".ci" / "run").read_text()))
    assert "CLAIMDESK_DATABASE_URL" in names
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert missing == []
