"""Start-up: nothing expensive runs at import, and commands that need no database do not
import it (`claimdesk --help` and `claimdesk extract` start in a fraction of a second).

These are not timing tests: they look at what an import loads or computes, in a fresh
interpreter, so they say the same on a busy machine. bench/cli_startup.py measures time.
"""

from __future__ import annotations

import subprocess
import sys

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
