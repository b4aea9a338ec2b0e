"""Load the demo desk: written in our own words, reused by `claimdesk demo` and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from claimdesk.core.extraction import extract
from claimdesk.resources import fixtures_dir
from claimdesk.services import articles
from claimdesk.services.events import Actor

DEMO_ARTICLE = "demo-article.md"
DEMO_ARTICLE_URL = "https://demo.claimdesk.invalid/world/france-recalls-envoy-from-baku"


@dataclass(frozen=True)
class DemoResult:
    articles_created: int
    claims_created: int


def load_demo(session: Session, *, actor: Actor) -> DemoResult:
    """Load the demo content; a second call changes nothing."""
    path = fixtures_dir() / DEMO_ARTICLE
    data = path.read_bytes()
    extraction = extract(data, filename=path.name, url=DEMO_ARTICLE_URL)
    result = articles.ingest(
        session,
        extraction=extraction,
        actor=actor,
        url=DEMO_ARTICLE_URL,
        raw=data,
        content_type="text/markdown",
    )
    if not result.created:
        return DemoResult(0, 0)
    return DemoResult(1, len(result.claims))
