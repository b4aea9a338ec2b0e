"""Test data that goes through the real write path (services), never straight into tables."""

from __future__ import annotations

from sqlmodel import Session

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.services import articles
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM

ARTICLE_TEXT = (
    "The city council approved a budget of 12.5 million euros on 3 March 2026.\n\n"
    "Councillor Ana Ruiz said the new tram line will cost 40% more than planned.\n\n"
    "What a wonderful day for the city."
)


def span(text: str, quote: str, score: float, *, claimant: str | None = None) -> ClaimSpan | None:
    start = text.find(quote)
    if start < 0:
        return None
    return ClaimSpan(start, start + len(quote), quote, quote, claimant, score, ("quantity",))


def make_extraction(text: str = ARTICLE_TEXT, title: str = "Council budget") -> Extraction:
    """The council article's three claims; a changed ``text`` keeps those still in it."""
    claims = [
        span(
            text, "The city council approved a budget of 12.5 million euros on 3 March 2026.", 0.9
        ),
        span(
            text,
            "the new tram line will cost 40% more than planned",
            0.8,
            claimant="Councillor Ana Ruiz",
        ),
        span(text, "What a wonderful day for the city.", 0.1),
    ]
    kept = [c for c in claims if c is not None]
    return Extraction(title=title, text=text, claims=kept, metadata={"publisher": "Gazette"})


def ingest_article(
    session: Session, *, text: str = ARTICLE_TEXT, url: str | None = None
) -> articles.IngestResult:
    """Ingest the council article keeping every candidate (the low-scoring one too)."""
    return articles.ingest(
        session, extraction=make_extraction(text), actor=SYSTEM, url=url, min_score=0.0
    )


def add_source(
    session: Session,
    *,
    title: str = "Council budget 2026",
    text: str = "The council budget for 2026 is 12.5 million euros, approved on 3 March.",
    url: str | None = "https://council.test/budget-2026",
    collection: str = "library",
) -> int:
    """Import one source into the library through the real import path; returns its id."""
    from sqlmodel import select

    from claimdesk.core.sources_records import SourceRecord
    from claimdesk.services import sources
    from claimdesk.store.models import Source

    record = SourceRecord(text=text, title=title, url=url)
    sources.import_records(session, [record], collection=collection, actor=SYSTEM)
    ident = sources.identity(external_id=None, url=url, text=text)
    found = session.exec(
        select(Source.id).where(Source.collection == collection, Source.identity == ident)
    ).one()
    assert found is not None
    return found


def add_person(session: Session, role: str, email: str | None = None) -> Principal:
    """A user with ``role`` (made through the accounts service) as a signed-in Principal."""
    from claimdesk.services import accounts

    email = email or f"{role}@review.test"
    user = accounts.add_user(
        session, email=email, role=role, password="correct horse battery", actor=SYSTEM
    )
    assert user.id is not None
    return Principal(
        user_id=user.id, email=user.email, role=user.role, via="session", credential_id=0
    )
