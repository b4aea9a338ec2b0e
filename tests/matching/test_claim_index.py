"""The claim search index behind "checked before?", on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from sqlalchemy import Engine, delete, insert, update
from sqlmodel import Session, col

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.core.sources_records import SourceRecord
from claimdesk.services import articles, matching, review, sources
from claimdesk.services.events import SYSTEM
from claimdesk.store import migrate, search_index
from claimdesk.store.database import Database
from claimdesk.store.engine import make_engine
from claimdesk.store.models import Claim
from claimdesk.store.types import new_uuid, utcnow
from tests.factories import add_person, ingest_article

REPO = Path(__file__).resolve().parents[2]
TRAM = "Councillor says the new tram line will cost 40% more than planned"


def _bench() -> ModuleType:
    """bench/review_speed.py, whose ``old_checked_before`` is the scan the index replaced."""
    spec = importlib.util.spec_from_file_location("review_speed", REPO / "bench/review_speed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _claim_ids(session: Session, text: str) -> list[int]:
    return [m.claim_id for m in matching.checked_before(session, text).claims]


def test_claims_are_indexed_when_an_article_is_ingested(db: Database) -> None:
    with db.session() as s:
        result = ingest_article(s)
        conn = s.connection()
        assert search_index.claim_stats(conn).documents == len(result.claims) == 3
        assert search_index.claim_doc_freq(conn, ["tram", "budget", "absent"]) == {
            "tram": 1,
            "budget": 1,
        }
        tram = result.claims[1]
        assert _claim_ids(s, TRAM) == [tram.id]


def test_a_changed_statement_is_found_by_its_new_words_only(db: Database) -> None:
    with db.session() as s:
        tram = ingest_article(s).claims[1]
        before = search_index.claim_stats(s.connection())
        new = "The harbour ferry will carry 9000 passengers a day"
        s.exec(update(Claim).where(col(Claim.id) == tram.id).values(statement=new))
        search_index.index_claims(s.connection(), [(tram.id, new)])
        s.commit()
        after = search_index.claim_stats(s.connection())
        assert after.documents == before.documents
        assert after.terms != before.terms
        assert tram.id not in _claim_ids(s, TRAM)
        assert _claim_ids(s, "Will the harbour ferry carry 9000 passengers a day?") == [tram.id]
        search_index.remove_claims(s.connection(), [tram.id, 999_999])
        assert search_index.claim_stats(s.connection()).documents == before.documents - 1
        assert _claim_ids(s, "the harbour ferry will carry 9000 passengers") == []


def test_a_deleted_claim_leaves_the_index(db: Database) -> None:
    with db.session() as s:
        tram = ingest_article(s).claims[1]
        s.exec(delete(Claim).where(col(Claim.id) == tram.id))
        s.commit()
        assert search_index.claim_stats(s.connection()).documents == 2
        assert search_index.claim_candidates(s.connection(), ["tram"], {}, limit=10) == []


def test_claims_older_than_the_newest_twenty_thousand_are_found(db: Database) -> None:
    with db.session() as s:
        oldest = ingest_article(s)
        tram = oldest.claims[1]
        now = utcnow()
        filler = [
            {
                "uuid": new_uuid(),
                "article_id": oldest.article.id,
                "version_id": oldest.version.id,
                "start": 0,
                "end": 1,
                "quote": "x",
                "statement": f"Rainfall in district {n} reached {n % 97} millimetres",
                "reasons": [],
                "created_at": now,
                "updated_at": now,
            }
            for n in range(20_001)
        ]
        ids = s.connection().execute(insert(Claim).returning(col(Claim.id)), filler).scalars()
        search_index.index_claims(
            s.connection(), [(i, str(row["statement"])) for i, row in zip(ids, filler, strict=True)]
        )
        s.commit()
        assert _claim_ids(s, TRAM) == [tram.id]


def _desk(session: Session) -> None:
    """Forty short articles whose claims share words in varying measure."""
    subjects = ["tram line", "harbour ferry", "school meals", "city budget", "bridge repairs"]
    verbs = ["will cost", "cost", "is expected to cost", "was said to cost"]
    for n in range(40):
        sentences = [
            f"The {subjects[(n + k) % 5]} {verbs[(n * k) % 4]} {10 + (n * 7 + k) % 30}% more "
            f"than planned in {2020 + (n + k) % 6}."
            for k in range(3)
        ]
        text = " ".join(sentences)
        spans, at = [], 0
        for sentence in sentences:
            spans.append(ClaimSpan(at, at + len(sentence), sentence, sentence, None, 0.9, ()))
            at += len(sentence) + 1
        articles.ingest(
            session,
            extraction=Extraction(title=f"Article {n}", text=text, claims=spans),
            actor=SYSTEM,
            min_score=0.0,
        )


@pytest.mark.parametrize(
    "query",
    [
        "The tram line will cost 25% more than planned in 2023.",
        "harbour ferry cost more than planned",
        "Is the city budget expected to cost 12% more?",
        "bridge repairs 2021",
    ],
)
def test_the_index_finds_what_the_in_python_scan_found(db: Database, query: str) -> None:
    old_checked_before = _bench().old_checked_before
    with db.session() as s:
        _desk(s)
        ours = matching.checked_before(s, query).claims
        old = old_checked_before(s, query).claims
    assert ours
    assert [m.claim_id for m in ours] == [m.claim_id for m in old]


def test_a_fact_check_is_found_behind_a_thousand_closer_documents(db: Database) -> None:
    text = "The new tram line in Riverton will cost 40 percent more than the council planned."
    documents = [
        SourceRecord(text=f"{text} Minutes of meeting {n}.", external_id=f"doc-{n}")
        for n in range(1001)
    ]
    check = SourceRecord(
        text=text + " A long, careful review of the figures.",
        external_id="fc-tram",
        kind="fact_check",
        rating_text="Mostly true",
    )
    with db.session() as s:
        sources.import_records(s, [*documents, check], collection="library", actor=SYSTEM)
        found = matching.checked_before(s, "Riverton tram line will cost 40 percent more")
    assert [m.external_id for m in found.fact_checks] == ["fc-tram"]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'backfill.db'}"
    else:
        yield request.getfixturevalue("fresh_postgres")


def _downgrade_before_0006(engine: Engine) -> None:
    with engine.connect() as conn:
        command.downgrade(migrate.alembic_config(conn), "0004")
        conn.commit()


def test_the_migration_indexes_the_claims_already_stored(fresh_url: str) -> None:
    db = Database.open(fresh_url)
    try:
        with db.session() as s:
            tram = ingest_article(s).claims[1]
        _downgrade_before_0006(db.engine)  # drops the claim index, keeps the claims
        migrate.upgrade(db.engine)
        with db.session() as s:
            assert search_index.claim_stats(s.connection()).documents == 3
            assert _claim_ids(s, TRAM) == [tram.id]
    finally:
        db.close()
    engine = make_engine(fresh_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


def test_a_reviewer_editing_the_statement_keeps_the_index_current(db: Database) -> None:
    with db.session(write=True) as s:
        tram = ingest_article(s).claims[1]
        reviewer = add_person(s, "reviewer")
        new = "The harbour ferry will carry 9000 passengers a day"
        review.edit_claim(
            s, claim_id=tram.id, row_version=tram.row_version, principal=reviewer, statement=new
        )
        assert tram.id not in _claim_ids(s, TRAM)
        assert _claim_ids(s, "Will the harbour ferry carry 9000 passengers a day?") == [tram.id]
