"""`claimdesk sources import` and `claimdesk match` through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.matching.library import BEST, CSV_LIBRARY, JSONL_LIBRARY, QUERY

# Until cli.py registers the commands itself, register them in the child process.
_RUN = """
import sys
from claimdesk import cli, cli_sources
names = {c.name for c in cli.app.registered_commands}
if "match" not in names:
    cli_sources.register(cli.app)
sys.argv[0] = "claimdesk"
cli.app()
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    return subprocess.run(
        [sys.executable, "-c", _RUN, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_import_then_match_as_json_and_trec(tmp_path: Path) -> None:
    lib = tmp_path / "lib.csv"
    lib.write_text(CSV_LIBRARY, encoding="utf-8")
    first = run(tmp_path, "sources", "import", str(lib), "--collection", "desk")
    assert first.returncode == 0, first.stderr
    assert first.stdout.split("\t")[:4] == ["8", "0", "0", "0"]
    again = run(tmp_path, "sources", "import", str(lib), "--collection", "desk")
    assert again.stdout.split("\t")[:4] == ["0", "0", "8", "0"]

    found = run(tmp_path, "match", QUERY, "--limit", "3", "--format", "json")
    assert found.returncode == 0, found.stderr
    rows = json.loads(found.stdout)
    assert rows[0]["external_id"] == BEST and len(rows) == 3
    assert set(rows[0]) == {
        "source_id",
        "external_id",
        "title",
        "url",
        "passage",
        "score",
        "match_start",
        "match_end",
        "why",
    }

    queries = tmp_path / "q.tsv"
    queries.write_text(f"q1\t{QUERY}\nq2\tOld Mill bridge repairs\n", encoding="utf-8")
    trec = run(tmp_path, "match", "--queries", str(queries), "--limit", "5", "--format", "trec")
    assert trec.returncode == 0, trec.stderr
    lines = [line.split() for line in trec.stdout.splitlines()]
    assert lines[0][:4] == ["q1", "Q0", BEST, "1"] and lines[0][5] == "claimdesk"
    q1 = [parts[2] for parts in lines if parts[0] == "q1"]
    assert len(q1) == len(set(q1)) == 4  # only four sources share a term with the query
    assert [int(parts[3]) for parts in lines if parts[0] == "q1"] == [1, 2, 3, 4]
    assert next(parts for parts in lines if parts[0] == "q2")[2] == "fc-2"


def test_mapped_columns_and_malformed_lines(tmp_path: Path) -> None:
    lib = tmp_path / "v.jsonl"
    lib.write_text(JSONL_LIBRARY + "{oops\n", encoding="utf-8")
    result = run(
        tmp_path, "sources", "import", str(lib), "--map", "text=vclaim", "--map", "id=vclaim_id"
    )
    assert result.returncode == 1
    assert result.stdout.split("\t")[:4] == ["3", "0", "0", "1"]
    assert "line 4" in result.stderr
    found = run(tmp_path, "match", "shark on the highway", "--limit", "1")
    assert json.loads(found.stdout)[0]["external_id"] == "v-1"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(tmp_path, "sources", "import", "x.csv", "--map", "bogus=1").returncode == 2
    assert run(tmp_path, "match", "x", "--format", "xml").returncode == 2


def test_queries_end_only_at_newlines(tmp_path: Path) -> None:
    """U+2028, U+0085 and form feeds inside a claim are text, not line ends; CRLF is fine."""
    lib = tmp_path / "lib.csv"
    lib.write_text(CSV_LIBRARY, encoding="utf-8")
    assert run(tmp_path, "sources", "import", str(lib)).returncode == 0
    queries = tmp_path / "q.tsv"
    queries.write_bytes(
        f"\ufeffq1\t{QUERY}\u2028(as reported)\r\nq2\tOld Mill\x0cbridge\x85repairs\r\n".encode()
    )
    result = run(tmp_path, "match", "--queries", str(queries), "--limit", "1", "--format", "json")
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["query_id"] for a in answers] == ["q1", "q2"]
    assert answers[0]["matches"][0]["external_id"] == BEST


def test_a_bad_query_line_is_reported_with_its_true_number(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tthe first\u2028claim\n\nno tab on line three\n", encoding="utf-8")
    result = run(tmp_path, "match", "--queries", str(queries), "--format", "trec")
    assert result.returncode == 1
    assert f"{queries}: line 3: expected id<TAB>text" in result.stderr
    assert result.stdout == ""
