"""Matching through the database on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from claimdesk.services import matching, sources
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from tests.factories import ingest_article
from tests.matching.library import BEST, CSV_LIBRARY, QUERY

_seen: dict[str, list[tuple[str | None, float]]] = {}

HOSTILE = [
    "",
    "x",
    "a" * 10_000,
    "tram " * 2_000,
    '"',
    '"tram',
    "*",
    "tram*",
    "NEAR",
    "NEAR(tram line, 2)",
    "-",
    "-tram",
    ":",
    "text:tram",
    "(",
    "((tram) OR (",
    "AND OR NOT",
    "tram AND OR NOT line",
    "'; DROP TABLE source; --",
    "\\",
    "tram & | ! <-> line",
    "日本語のテキスト",
    "Ünïcödé ÇAFÉ 🦁🔥",
    "\x00\x01",
]


def _library(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "lib.csv"
    path.write_text(CSV_LIBRARY, encoding="utf-8")
    with db.session() as session:
        sources.import_records(session, sources.iter_path(str(path)), actor=SYSTEM)


def test_same_best_match_and_top_five_on_every_backend(db: Database, tmp_path: Path) -> None:
    _library(db, tmp_path)
    with db.session() as session:
        found = matching.match(session, QUERY, limit=5)
    assert found[0].external_id == BEST
    assert len({m.source_id for m in found}) == len(found) == 4  # four share a term
    top = found[0]
    assert top.passage[top.match_start : top.match_end].startswith("tram line in Riverton")
    assert any(w.startswith("shared terms") for w in top.why)
    assert "same numbers: 40" in top.why
    results = [(m.external_id, m.score) for m in found]
    backend = db.engine.dialect.name
    for other, seen in _seen.items():
        if other != backend:
            assert results == seen, f"{backend} differs from {other}"
    _seen[backend] = results


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(db: Database, tmp_path: Path, query: str) -> None:
    _library(db, tmp_path)
    with db.session() as session:
        found = matching.match(session, query, limit=5)
    for m in found:
        assert 0 <= m.match_start <= m.match_end <= len(m.passage)
        assert 0.0 <= m.score <= 1.0


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=200))
def test_any_text_is_a_safe_query(db: Database, query: str) -> None:
    with db.session() as session:
        sources.import_records(
            session,
            [sources.SourceRecord(text="Tram line costs (40%) rise", external_id="t")],
            actor=SYSTEM,
        )
        for m in matching.match(session, query, limit=3):
            assert m.external_id == "t"


def test_checked_before_finds_fact_checks_and_claims(db: Database, tmp_path: Path) -> None:
    _library(db, tmp_path)
    with db.session() as session:
        ingest_article(session)
        result = matching.checked_before(
            session, "Councillor says the new tram line will cost 40% more than planned"
        )
    assert result.found
    assert result.fact_checks[0].external_id == BEST
    assert result.fact_checks[0].rating_text == "Mostly true"
    assert result.claims and result.claims[0].status == "new"
    assert "tram line" in result.claims[0].statement


def test_nothing_found_in_an_empty_library(session: Session) -> None:
    assert matching.match(session, QUERY) == []
    assert not matching.checked_before(session, QUERY).found
