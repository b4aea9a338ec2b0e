"""The command line as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.httpserver import respond, serve


def run(
    *args: str, db: Path | None = None, stdin: str | bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ)
    if db is not None:
        env["CLAIMDESK_DATABASE_URL"] = f"sqlite:///{db}"
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "claimdesk", *args],
        env=env,
        input=data,
        capture_output=True,
        timeout=120,
        cwd=cwd,
    )


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("extract", "ingest", "demo", "serve", "migrate"):
        assert command in result.stdout.decode()


@pytest.mark.parametrize("command", ["extract", "ingest", "demo", "serve", "migrate"])
def test_every_command_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    assert "Example:" in result.stdout.decode()


def test_usage_errors_exit_2() -> None:
    assert run("no-such-command").returncode == 2
    assert run("extract", "x.txt", "--format", "xml").returncode == 2


def test_extract_needs_no_database(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The council approved a budget of 12.5 million euros in March 2026.\n")
    result = run("extract", str(article), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()
    payload = json.loads(result.stdout)
    assert set(payload) == {"title", "metadata", "text", "claims"}


def test_extract_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("extract", str(tmp_path / "nope.txt"))
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"error:" in result.stderr
    assert b"Traceback" not in result.stderr


def test_demo_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    first = run("demo", db=db)
    assert first.returncode == 0, first.stderr
    assert b"demo loaded" in first.stderr
    lines = first.stdout.decode().splitlines()
    roles = sorted(line.split("@")[0] for line in lines)
    assert roles == ["admin", "editor", "researcher", "reviewer"]
    passwords = [line.split(" ")[1] for line in lines]
    assert len(set(passwords)) == 4 and all(len(p) >= 16 for p in passwords)
    second = run("demo", db=db)
    assert second.returncode == 0
    assert second.stdout == b""  # accounts exist: no password is printed twice
    assert b"nothing changed" in second.stderr
    other = run("demo", db=tmp_path / "other.db")
    assert other.stdout.decode().splitlines() != lines  # never a fixed default password


def test_ingest_prints_article_and_claim_counts(tmp_path: Path) -> None:
    seed = shared_path("fixtures", "seed-article.txt")
    db = tmp_path / "ingest.db"
    result = run("ingest", str(seed), db=db)
    assert result.returncode == 0, result.stderr
    article_id, claims, state, name = result.stdout.decode().strip().split("\t")
    assert (article_id, state, name) == ("1", "stored", str(seed))
    assert int(claims) >= 5
    again = run("ingest", str(seed), db=db)
    assert again.stdout.decode().split("\t")[2] == "unchanged"


def test_ingest_reports_failures_and_keeps_going(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("The mayor said the bridge cost 4 million euros in 2024.\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    result = run(
        "ingest", str(empty), str(tmp_path / "missing.txt"), str(good), db=tmp_path / "x.db"
    )
    assert result.returncode == 1
    lines = result.stdout.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(str(good))
    stderr = result.stderr.decode()
    assert "empty.txt: failed" in stderr
    assert "missing.txt: failed" in stderr
    assert "ingested 1 of 3; 2 failed" in stderr


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    env_db = "mysql://root@localhost/x"
    result = subprocess.run(
        [sys.executable, "-m", "claimdesk", "demo"],
        env={**os.environ, "CLAIMDESK_DATABASE_URL": env_db},
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert b"unsupported database URL" in result.stderr
    assert b"Traceback" not in result.stderr


def test_ingest_reads_a_list_of_urls_from_stdin(tmp_path: Path) -> None:
    page = (
        b"<html><head><title>Port traffic</title></head><body><nav>Home | World</nav>"
        b"<article><h1>Port traffic</h1><p>The port handled 4.2 million containers in 2025, "
        b"up 6% on the year before, the harbour authority said.</p></article></body></html>"
    )
    with serve({"/a": respond(200, page)}) as site:
        urls = f"{site.base_url}/a\n{site.base_url}/missing\n"
        result = run("ingest", "-", db=tmp_path / "u.db", stdin=urls)
    assert result.returncode == 1  # one of the two failed
    rows = result.stdout.decode().strip().splitlines()
    assert len(rows) == 1 and rows[0].endswith(f"{site.base_url}/a")
    assert "404" in result.stderr.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n ", "empty"),
        ("binary.bin", bytes(range(256)) * 64, "binary"),
    ],
)
def test_extract_refuses_bad_input_clearly(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run("extract", str(path))
    assert result.returncode == 1
    assert result.stdout == b""
    assert message in result.stderr.decode().lower()
    assert b"Traceback" not in result.stderr


def test_extract_refuses_a_50_mb_file_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run("extract", str(path))
    assert result.returncode == 1
    assert "limit" in result.stderr.decode()


def test_extract_reads_cp1252_and_stdin(tmp_path: Path) -> None:
    text = "Le ministère a annoncé une hausse de 12 % des prix en 2024, selon l'Insee.\n"
    path = tmp_path / "latin.txt"
    path.write_bytes(text.encode("cp1252"))
    result = run("extract", str(path), "--min-score", "0")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert "ministère" in payload["text"]
    for claim in payload["claims"]:
        assert payload["text"][claim["start"] : claim["end"]] == claim["quote"]
    piped = run("extract", "-", "--format", "table", stdin=text)
    assert piped.returncode == 0
    assert "score" in piped.stdout.decode().splitlines()[0]


def test_extract_refuses_oversized_stdin() -> None:
    result = run("extract", "-", stdin=b"a" * (10 * 1024 * 1024 + 1))
    assert result.returncode == 1
    assert "too large" in result.stderr.decode()
    assert b"Traceback" not in result.stderr


def test_ingest_new_version_of_an_article(tmp_path: Path) -> None:
    db = tmp_path / "v.db"
    first = tmp_path / "story.txt"
    first.write_text("The harbour bridge reopened on 2 May 2026 after 14 months of repairs.\n")
    corrected = tmp_path / "corrected.txt"
    corrected.write_text("The harbour bridge reopened on 4 May 2026 after 14 months of repairs.\n")
    stored = run("ingest", str(first), db=db)
    assert stored.returncode == 0, stored.stderr
    article_id = stored.stdout.decode().split("\t")[0]
    # without the flag, different text is a new article
    other = run("ingest", str(corrected), db=db)
    assert other.stdout.decode().split("\t")[0] != article_id
    again = run("ingest", "--new-version-of", article_id, str(corrected), db=db)
    assert again.returncode == 0, again.stderr
    fields = again.stdout.decode().split("\t")
    assert (fields[0], fields[2]) == (article_id, "stored")
    missing = run("ingest", "--new-version-of", "999", str(corrected), db=db)
    assert missing.returncode == 1 and b"no article 999" in missing.stderr
    both = run("ingest", "--new-version-of", article_id, str(first), str(corrected), db=db)
    assert both.returncode == 1 and b"exactly one" in both.stderr
