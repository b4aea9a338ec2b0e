"""``claimdesk import annotations``: export a desk, import into an empty database of each
kind, export again; exit codes 0 / 1 / 2 with a line per skipped annotation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Event
from tests import export_desk
from tests.factories import add_person
from tests.services.test_annotation_import import comparable


def run(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "CLAIMDESK_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "claimdesk", *args],
        env=env,
        capture_output=True,
        timeout=120,
        cwd=cwd,
    )


def _new_desk(url: str) -> None:
    """The hostile article and the people, with no review work."""
    db = Database.open(url)
    try:
        with db.session(write=True) as s:
            articles.ingest(
                s,
                extraction=export_desk._extraction(),
                actor=SYSTEM,
                url=export_desk.HOSTILE_URL,
                min_score=0.0,
            )
            add_person(s, "reviewer")
            add_person(s, "editor")
    finally:
        db.close()


def _claims_and_events(url: str) -> tuple[int, int]:
    db = Database.open(url)
    try:
        with db.session() as s:
            return len(s.exec(select(Claim.id)).all()), len(s.exec(select(Event.id)).all())
    finally:
        db.close()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The export desk's annotations, exported by the CLI."""
    folder = tmp_path_factory.mktemp("source-desk")
    url = f"sqlite:///{folder / 'desk.db'}"
    db = Database.open(url)
    try:
        with db.session(write=True) as s:
            export_desk.build(s)
    finally:
        db.close()
    target = folder / "annotations.jsonld"
    result = run("export", "--format", "annotations", "-o", str(target), url=url, cwd=folder)
    assert result.returncode == 0, result.stderr.decode()
    return target


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'new-desk.db'}"
    fresh: str = request.getfixturevalue("fresh_postgres")
    return fresh


def test_export_import_export_gives_the_same_annotations(
    exported: Path, url: str, tmp_path: Path
) -> None:
    _new_desk(url)
    result = run("import", "annotations", str(exported), url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode().strip() == "imported 3 annotations, 0 already there, 0 skipped"
    again = tmp_path / "again.jsonld"
    result = run("export", "--format", "annotations", "-o", str(again), url=url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    first = json.loads(exported.read_text(encoding="utf-8"))
    assert comparable(json.loads(again.read_text(encoding="utf-8"))) == comparable(first)

    before = _claims_and_events(url)
    result = run("import", "annotations", str(exported), url=url, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.decode().strip() == "imported 0 annotations, 3 already there, 0 skipped"
    assert _claims_and_events(url) == before


def test_jsonl_with_an_unknown_article_imports_the_rest_and_exits_1(
    exported: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new-desk.db'}"
    _new_desk(url)
    items = json.loads(exported.read_text(encoding="utf-8"))["first"]["items"]
    stray = json.loads(json.dumps(items[0]))
    stray["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555"
    stray["target"]["source"] = "https://unknown.test/story"
    lines = tmp_path / "annotations.jsonl"
    lines.write_text(
        "\n".join(json.dumps(i, ensure_ascii=False) for i in [*items, stray]) + "\n",
        encoding="utf-8",
    )
    result = run("import", "annotations", str(lines), url=url, cwd=tmp_path)
    assert result.returncode == 1
    stderr = result.stderr.decode().splitlines()
    assert stderr == [
        "skipped urn:uuid:11111111-2222-4333-8444-555555555555: No article of the desk is "
        "https://unknown.test/story: ingest the article first.",
        "imported 3 annotations, 0 already there, 1 skipped",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"type": "AnnotationPage", "items": [', "not JSON"),
        (b'{"a": 1}\n{"b": ', "neither JSON nor JSON Lines: line 2"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"title": "a feed"}', "not a Web Annotation"),
        (b"", "empty"),
    ],
)
def test_an_unreadable_file_exits_2_and_writes_nothing(
    content: bytes, reason: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new-desk.db'}"
    _new_desk(url)
    before = _claims_and_events(url)
    bad = tmp_path / "bad.jsonld"
    bad.write_bytes(content)
    result = run("import", "annotations", str(bad), url=url, cwd=tmp_path)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert message.startswith(f"error: {bad}: ") and reason in message
    assert "Nothing was imported." in message and "Traceback" not in message
    assert _claims_and_events(url) == before


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new-desk.db'}"
    result = run("import", "annotations", str(tmp_path / "nope.json"), url=url, cwd=tmp_path)
    assert result.returncode == 2
    assert "No such file" in result.stderr.decode()
