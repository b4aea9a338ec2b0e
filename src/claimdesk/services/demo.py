"""Load the demo desk: written in our own words, reused by `claimdesk demo` and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from claimdesk.core.extraction import extract
from claimdesk.core.permissions import Role
from claimdesk.resources import fixtures_dir
from claimdesk.services import accounts, articles, sources
from claimdesk.services.events import Actor
from claimdesk.store.models import User

DEMO_ARTICLE = "demo-article.md"
DEMO_ARTICLE_URL = "https://demo.claimdesk.invalid/world/france-recalls-envoy-from-baku"


DEMO_DOMAIN = "demo.claimdesk.invalid"
DEMO_LIBRARY = (
    ("demo-sources.jsonl", "demo-library"),
    ("demo-factchecks.jsonld", "demo-fact-checks"),
)


@dataclass(frozen=True)
class DemoResult:
    articles_created: int
    claims_created: int
    sources_created: int = 0
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (email, password)


def load_demo_library(session: Session, *, actor: Actor) -> int:
    """The demo source library and earlier fact-checks; re-importing changes nothing."""
    created = 0
    for name, collection in DEMO_LIBRARY:
        path = fixtures_dir() / name
        report = sources.import_records(
            session,
            sources.iter_path(str(path)),
            collection=collection,
            actor=actor,
            origin=name,
        )
        if report.errors:
            raise ValueError(f"demo fixture {name} does not import: {report.errors[0]}")
        created += report.created
    return created


def create_demo_accounts(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """One account per role with a random password, only on a database without users."""
    if session.exec(select(User)).first() is not None:
        return []
    created = []
    for role in Role:
        email = f"{role.value}@{DEMO_DOMAIN}"
        password = accounts.generate_password()
        accounts.add_user(session, email=email, role=role.value, password=password, actor=actor)
        created.append((email, password))
    return created


def load_demo(session: Session, *, actor: Actor) -> DemoResult:
    """Load the demo content and accounts; a second call changes nothing."""
    demo_accounts = create_demo_accounts(session, actor=actor)
    sources_created = load_demo_library(session, actor=actor)
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
        return DemoResult(0, 0, sources_created, demo_accounts)
    return DemoResult(1, len(result.claims), sources_created, demo_accounts)
