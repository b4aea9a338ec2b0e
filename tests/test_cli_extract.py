"""`claimdesk extract` as a pipeline uses it: several articles in one run (JSON Lines), and
``duplicate_of`` that always points into the list printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import run

BUDGET = "The council approved a budget of 12.5 million euros in March 2026."
JOBS = "Unemployment fell to 4.1% in 2025, the statistics office said."
REPEATING = (
    f"{BUDGET}\n\nIt was a sunny day and everyone seemed happy about it.\n\n{JOBS}\n\n"
    f"Maybe things will get better.\n\n{BUDGET}\n\n{JOBS}\n"
)


def _lines(stdout: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.decode().splitlines()]


def test_several_paths_and_a_folder_print_one_json_line_per_article(tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(f"{BUDGET}\n")
    page = tmp_path / "b.html"
    page.write_text(f"<html><body><article><h1>Jobs</h1><p>{JOBS}</p></article></body></html>")
    folder = tmp_path / "more"
    (folder / "deep").mkdir(parents=True)
    (folder / "z.md").write_text(f"# Budget\n\n{BUDGET}\n")
    (folder / "deep" / "c.txt").write_text(f"{JOBS}\n")
    (folder / "notes.csv").write_text("a,b\n1,2\n")  # not an article type: not read
    result = run("extract", str(first), str(page), str(folder))
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    assert [line["path"] for line in lines] == [
        str(first),
        str(page),
        str(folder / "deep" / "c.txt"),  # a folder's files in sorted order
        str(folder / "z.md"),
    ]
    single = json.loads(run("extract", str(first)).stdout)
    assert lines[0] == {"path": str(first), **single}  # the single-article object, plus path
    assert all(list(line) == ["path", "title", "metadata", "text", "claims"] for line in lines)
    assert lines[1]["metadata"]["input_type"] == "html"
    assert "extracted 4 of 4; 0 failed" in result.stderr.decode()


def test_a_failing_article_is_an_error_line_and_the_rest_go_on(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(f"{BUDGET}\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "blob.html"
    binary.write_bytes(bytes(range(256)) * 64)
    bare = tmp_path / "bare"
    bare.mkdir()
    missing = tmp_path / "missing.txt"
    result = run("extract", str(empty), str(missing), str(good), str(binary), str(bare))
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    lines = _lines(result.stdout)
    assert [line["path"] for line in lines] == [
        str(empty),
        str(missing),
        str(good),
        str(binary),
        str(bare),
    ]
    failed = [line for line in lines if "error" in line]
    assert [line["path"] for line in failed] == [str(empty), str(missing), str(binary), str(bare)]
    assert all(set(line) == {"path", "error"} and line["error"] for line in failed)
    assert "empty" in failed[0]["error"].lower()
    assert "binary" in failed[2]["error"].lower()
    assert "no article files" in failed[3]["error"]
    assert lines[2]["claims"] and lines[2]["claims"][0]["quote"] == BUDGET
    assert "extracted 1 of 5; 4 failed" in result.stderr.decode()


def test_one_path_keeps_the_single_object_and_batch_refuses_a_table(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(f"{BUDGET}\n")
    single = run("extract", str(article))
    assert single.returncode == 0
    assert len(single.stdout.decode().splitlines()) == 1
    assert "path" not in json.loads(single.stdout)
    table = run("extract", str(article), str(article), "--format", "table")
    assert table.returncode == 2
    assert b"JSON Lines" in table.stderr
    twice = run("extract", "-", "-", stdin=BUDGET)
    assert twice.returncode == 2


def test_stdin_can_be_one_of_the_batch(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(f"{BUDGET}\n")
    result = run("extract", "-", str(article), stdin=f"{JOBS}\n")
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    assert [line["path"] for line in lines] == ["-", str(article)]
    assert JOBS in lines[0]["text"]


@pytest.mark.parametrize("min_score", ["0", "0.05", "0.29", "0.5", "0.9", "0.99", None])
def test_duplicate_of_points_into_the_printed_list(tmp_path: Path, min_score: str | None) -> None:
    article = tmp_path / "repeats.txt"
    article.write_text(REPEATING)
    args = ["extract", str(article)] + (["--min-score", min_score] if min_score else [])
    single = json.loads(run(*args).stdout)
    batch = _lines(run(*args, str(article)).stdout)
    for payload in (single, batch[0], batch[1]):
        claims = payload["claims"]
        first_at: dict[str, int] = {}
        for position, claim in enumerate(claims):
            first = first_at.setdefault(claim["quote"], position)
            assert claim["duplicate_of"] == (None if first == position else first)
    if min_score in (None, "0.29", "0.5"):  # the low-scoring lines between are left out
        quotes = [c["quote"] for c in single["claims"]]
        assert BUDGET in quotes and quotes.count(BUDGET) == 2
        repeat = quotes.index(BUDGET, quotes.index(BUDGET) + 1)
        assert single["claims"][repeat]["duplicate_of"] == quotes.index(BUDGET)
