"""Start-up: nothing expensive runs at import, and commands that need no database do not
import it (`claimdesk --help` and `claimdesk extract` start in a fraction of a second).

These are not timing tests: they look at what an import loads or computes, in a fresh
interpreter, so they say the same on a busy machine. bench/cli_startup.py measures time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "sqlmodel", "fastapi", "starlette", "argon2", "pwdlib", "uvicorn", "alembic")


def _fresh(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_importing_accounts_computes_no_password_hash() -> None:
    out = _fresh(
        "import claimdesk.services.accounts as a; print(a._dummy_hash.cache_info().currsize)"
    )
    assert out.strip() == "0"


def _heavy_after(code: str) -> list[str]:
    out = _fresh(
        f"{code}\nimport json, sys\nloaded = {{m.split('.')[0] for m in sys.modules}}\n"
        f"print(json.dumps(sorted(loaded & set({list(HEAVY)!r}))))"
    )
    return list(json.loads(out.splitlines()[-1]))


def test_importing_the_cli_loads_no_database_or_web_stack() -> None:
    assert _heavy_after("import claimdesk.cli") == []
    # nor the extractor: its patterns are compiled only for extract and ingest
    out = _fresh("import sys, claimdesk.cli; print('claimdesk.core.extraction' in sys.modules)")
    assert out.strip() == "False"


def test_help_and_extract_load_no_database_or_web_stack(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The council approved a budget of 12.5 million euros in March 2026.\n")
    for args in (["--help"], ["extract", "--help"], ["extract", str(article)], ["users", "--help"]):
        code = (
            "import contextlib, io, claimdesk.cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            f"    claimdesk.cli.app({args!r})"
        )
        assert _heavy_after(code) == [], args


def test_a_database_command_still_imports_what_it_needs(tmp_path: Path) -> None:
    # the lazy imports are inside the commands: running one loads the stack and works
    code = (
        "import contextlib, io, os, claimdesk.cli\n"
        f"os.environ['CLAIMDESK_DATABASE_URL'] = 'sqlite:///{tmp_path / 'x.db'}'\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    claimdesk.cli.app(['users', 'list'])"
    )
    assert {"sqlalchemy", "sqlmodel"} <= set(_heavy_after(code))


def test_the_help_shows_the_models_decision_threshold() -> None:
    from claimdesk.cli import decision_threshold
    from claimdesk.core.extraction import DECISION_THRESHOLD

    assert decision_threshold() == DECISION_THRESHOLD
