"""``claimdesk query``: the research filters from the terminal, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimdesk.store.database import Database
from tests.research_desk import DRAFT, ResearchDesk, build


def run(*args: str, db: Database, cwd: Path) -> subprocess.CompletedProcess[str]:
    url = db.engine.url.render_as_string(hide_password=False)
    return subprocess.run(
        [sys.executable, "-m", "claimdesk", "query", *args],
        env={**os.environ, "CLAIMDESK_DATABASE_URL": url},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def desk(db: Database) -> ResearchDesk:
    with db.session() as s:
        return build(s)


def test_table_json_and_csv(db: Database, desk: ResearchDesk, tmp_path: Path) -> None:
    table = run(db=db, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "id",
        "status",
        "verdict",
        "score",
        "publisher",
        "claimant",
        "statement",
    ]
    assert len(lines) == 5 and table.stderr.strip() == "4 claims"
    budget = next(line for line in lines if line.startswith(f"{desk.claims['budget']} "))
    assert "Mostly false" in budget  # the terminal sees work in progress, as an admin

    mine = run("--as-role", "researcher", "--format", "json", db=db, cwd=tmp_path)
    assert mine.returncode == 0, mine.stderr
    shown = {c["id"]: c for c in json.loads(mine.stdout)}
    assert set(shown) == set(desk.claims.values())
    assert shown[desk.claims["budget"]]["verdict"]["label"] == "False"
    assert shown[desk.claims["tram"]]["verdict"] is None
    assert DRAFT not in mine.stdout and "Mostly false" not in mine.stdout

    rows = run("--tag", "TRANSPORT", "--sort", "score", "--format", "csv", db=db, cwd=tmp_path)
    assert rows.returncode == 0, rows.stderr
    found = list(csv.DictReader(io.StringIO(rows.stdout, newline="")))
    assert [int(r["id"]) for r in found] == [desk.claims["tram"], desk.claims["ferry"]]
    assert found[0]["verdict"] == "Unverifiable" and found[0]["verdict_state"] == "proposed"
    assert found[0]["reviewer"] == "second@review.test" and found[1]["publisher"] == "Herald"
    assert found[1]["claim_date"] == "2025-06-01" and found[1]["tags"] == "transport"


def test_limit_and_all(db: Database, desk: ResearchDesk, tmp_path: Path) -> None:
    one = run("--limit", "1", "--sort", "oldest", "--format", "json", db=db, cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert [c["id"] for c in json.loads(one.stdout)] == [desk.claims["budget"]]
    assert "1 claims (more match: raise --limit or use --all)" in one.stderr
    every = run("--all", "--limit", "1", "--format", "json", db=db, cwd=tmp_path)
    assert len(json.loads(every.stdout)) == 4 and every.stderr.strip() == "4 claims"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--status", "pending"], "error: Unknown status 'pending'"),
        (["--since", "March"], "error: The since date must be a date like 2026-03-31"),
        (["--as-role", "boss"], "error: unknown role 'boss'"),
        (["--format", "xml"], "error: unknown format 'xml'"),
        (["--sort", "random"], "error: Unknown sort 'random'"),
    ],
)
def test_a_bad_option_is_a_clear_error(
    db: Database, tmp_path: Path, args: list[str], says: str
) -> None:
    result = run(*args, db=db, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert says in result.stderr
