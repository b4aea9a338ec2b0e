"""Where the templates, fixtures and static files are, installed or in a source checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_PACKAGE = Path(str(files("claimdesk")))
_CHECKOUT = _PACKAGE.parent.parent  # src/claimdesk -> repository root


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"claimdesk cannot find its {name}/ folder")


def templates_dir() -> Path:
    return _find("templates")


def fixtures_dir() -> Path:
    return _find("fixtures")


def static_dir() -> Path:
    return _PACKAGE / "web" / "static"
