"""``claimdesk export``: formats and filters, stdout or a file that appears only when whole."""

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
from tests import export_desk
from tests.export_desk import ExportDesk


def run(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "claimdesk", "export", *args],
        env=env,
        capture_output=True,
        timeout=120,
        cwd=cwd,
    )


def _desk(url: str) -> ExportDesk:
    db = Database.open(url)
    try:
        with db.session(write=True) as s:
            return export_desk.build(s)
    finally:
        db.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.db'}"
    fresh: str = request.getfixturevalue("fresh_postgres")
    return fresh


def test_export_to_stdout_with_a_summary_on_stderr(url: str, tmp_path: Path) -> None:
    built = _desk(url)
    result = run("--format", "csv", url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert {r["claim_uuid"] for r in rows} == {
        built.uuids[n] for n in ("published", "approved", "corrected")
    }
    assert rows[0]["fact_check_url"].startswith("http://127.0.0.1:8000/fact-checks/")
    assert result.stderr.decode().strip() == "exported 3 claims as csv"
    published = run(
        "--format", "jsonl", "--status", "published", "--base-url", "https://desk.test/",
        url=url, cwd=tmp_path,
    )  # fmt: skip
    lines = [json.loads(line) for line in published.stdout.decode().splitlines()]
    assert {row["verdict_state"] for row in lines} == {"published"} and len(lines) == 2
    assert lines[0]["fact_check_url"].startswith("https://desk.test/fact-checks/")
    for name in ("proposed", "returned", "in_review", "new"):
        assert built.uuids[name] not in result.stdout.decode()


def test_export_to_a_file_with_filters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    built = _desk(url)
    target = tmp_path / "out" / "fact-checks.jsonld"
    target.parent.mkdir()
    result = run(
        "--format", "claimreview", "--status", "approved,published", "--verdict", "mostly FALSE",
        "--article", str(built.article_id), "--publisher", "=gazette \u202eevil\u202c",
        "--since", "2000-01-01", "--until", "2999-12-31", "-o", str(target),
        url=url, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b""
    (review,) = json.loads(target.read_text(encoding="utf-8"))
    assert review["reviewRating"]["alternateName"] == "Mostly false"
    assert result.stderr.decode().strip() == f"exported 1 claims as claimreview to {target}"
    assert list(target.parent.iterdir()) == [target]
    assert target.stat().st_mode & 0o044  # readable like any file made here, not private


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "xml"),
        ("--format", "csv", "--status", "proposed"),
        ("--format", "csv", "--since", "2026-02-30"),
        ("--format", "csv", "--since", "2026-02-01", "--until", "2026-01-01"),
        ("--format", "csv", "--article", "twelve"),
        ("--status", "published"),
    ],
)
def test_bad_filters_exit_2_and_leave_no_file(args: tuple[str, ...], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    target = tmp_path / "out.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    result = run(*args, "-o", str(target), url=url, cwd=tmp_path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "error" in message.lower() or "missing option" in message.lower()
    assert "Traceback" not in message
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_missing_folder_is_a_clear_failure(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = run("--format", "csv", "-o", str(tmp_path / "no" / "x.csv"), url=url, cwd=tmp_path)
    assert result.returncode == 1
    assert "no such folder" in result.stderr.decode()
