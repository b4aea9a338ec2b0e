"""`claimdesk extract` with a right-to-left override: exact in JSON, visible in the table."""

from __future__ import annotations

import json
import subprocess
import sys

RLO = "\u202e"
ARTICLE = (
    f"The ministry said unemployment fell {RLO}to 4.1% in March 2024, its lowest since 2008.\n"
)


def _extract(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimdesk", "extract", "-", "--min-score", "0", *args],
        input=ARTICLE,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_json_keeps_the_exact_text_and_carries_the_flag() -> None:
    result = _extract("--format", "json")
    assert result.returncode == 0, result.stderr
    extraction = json.loads(result.stdout)
    claim = extraction["claims"][0]
    assert RLO in claim["quote"]
    assert extraction["text"][claim["start"] : claim["end"]] == claim["quote"]
    assert claim["flags"] == ["hidden characters"]
    assert "hidden characters" not in claim["reasons"]


def test_table_shows_a_marker_and_a_warning() -> None:
    result = _extract("--format", "table")
    assert result.returncode == 0, result.stderr
    assert RLO not in result.stdout
    assert "fell ⟨RLO U+202E⟩to 4.1%" in result.stdout
    assert "warning: hidden characters" in result.stdout
