"""Use cases for articles: ingest an extraction, list articles, read one with its claims."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from claimdesk.core.errors import InputError
from claimdesk.core.extraction import DECISION_THRESHOLD, Extraction
from claimdesk.services import events
from claimdesk.services.article_metadata import (
    ArticleMetadata,
    article_metadata,
    bounded_name,
    claimant_name,
    column_limit,
)
from claimdesk.services.events import Actor
from claimdesk.services.inputs import LoadedInput
from claimdesk.services.reanchoring import Carried, carry_claims
from claimdesk.store import locks, search_index
from claimdesk.store.models import Article, ArticleVersion, Claim, Claimant
from claimdesk.store.types import new_uuid, utcnow

CONTEXT_CHARS = 32


class ArticleNotFound(LookupError):
    """No article has that id."""


@dataclass(frozen=True)
class IngestResult:
    article: Article
    version: ArticleVersion
    claims: list[Claim]
    created: bool  # False when the same text was already stored for this article


@dataclass(frozen=True)
class ArticleSummary:
    article: Article
    claim_count: int


@dataclass(frozen=True)
class ArticleView:
    article: Article
    version: ArticleVersion
    claims: list[Claim]
    claimants: dict[int, Claimant]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ingest(
    session: Session,
    *,
    extraction: Extraction,
    actor: Actor,
    url: str | None = None,
    raw: bytes | None = None,
    content_type: str | None = None,
    ingested_by_id: int | None = None,
    min_score: float = DECISION_THRESHOLD,
    new_version_of: int | None = None,
) -> IngestResult:
    """Store an article version and its claims, or return the stored one if unchanged.

    Which article the text belongs to:

    - ``new_version_of``: that article, as its next version (an explicit editorial action,
      audited as ``new_version`` with the actor); unchanged if the text is its current one;
    - ``url`` (the address the text was fetched from): the article fetched from that same
      address, as a new version when the text changed, else a new article;
    - otherwise (pasted text, a file): the article that already holds exactly this text,
      unchanged, else a new article.

    A canonical URL the page declares never picks the article: it is only metadata.
    Claims are the extractor's candidates scoring at least ``min_score`` (by default its
    decision threshold, as `claimdesk extract` prints them). Safe to run concurrently:
    get-or-create runs under a per-key lock on PostgreSQL and under the write lock of a
    writing session on SQLite. Commits when it stores something.

    Raises InputError when the text or a claim statement holds a NUL character (removing it
    would move every claim offset after it), and ArticleNotFound for an unknown
    ``new_version_of``.
    """
    _check_storable(extraction)
    fields = article_metadata(extraction, url=url, content_type=content_type)
    digest = content_hash(extraction.text)
    if new_version_of is not None:
        article = _locked_article(session, new_version_of)
        current = session.get(ArticleVersion, article.current_version_id)
        if current is not None and current.content_hash == digest:
            return _unchanged(session, article, current)
        action = "new_version"
    elif fields.url is not None:
        locks.serialise(session, f"article-url:{fields.url}")
        found = session.exec(
            select(Article.id).where(Article.url == fields.url).order_by(col(Article.id))
        ).first()
        if found is None:
            return _store(session, extraction, fields, None, actor, raw, ingested_by_id, min_score)
        article = _locked_article(session, found)
        same = session.exec(
            select(ArticleVersion).where(
                ArticleVersion.article_id == article.id, ArticleVersion.content_hash == digest
            )
        ).first()
        if same is not None:
            return _unchanged(session, article, same)
        action = "ingested"
    else:
        locks.serialise(session, f"article-text:{digest}")
        same = session.exec(
            select(ArticleVersion)
            .where(ArticleVersion.content_hash == digest)
            .order_by(col(ArticleVersion.id))
        ).first()
        if same is not None:
            return _unchanged(session, _article_of(session, same), same)
        return _store(session, extraction, fields, None, actor, raw, ingested_by_id, min_score)
    return _store(
        session, extraction, fields, article, actor, raw, ingested_by_id, min_score, action
    )


def ingest_input(
    session: Session,
    loaded: LoadedInput,
    *,
    actor: Actor,
    ingested_by_id: int | None = None,
    new_version_of: int | None = None,
) -> IngestResult:
    """``ingest`` for what ``services.inputs`` loaded (a file, a URL, pasted text).

    Raises what ``ingest`` raises.
    """
    return ingest(
        session,
        extraction=loaded.extraction,
        actor=actor,
        url=loaded.url,
        raw=loaded.raw,
        content_type=loaded.content_type,
        ingested_by_id=ingested_by_id,
        new_version_of=new_version_of,
    )


def _check_storable(extraction: Extraction) -> None:
    if "\x00" in extraction.text:
        raise InputError("The article text contains NUL characters, which cannot be stored.")
    if any("\x00" in span.statement for span in extraction.claims):
        raise InputError("A claim statement contains NUL characters, which cannot be stored.")


def _locked_article(session: Session, article_id: int) -> Article:
    """The article, its row locked until the transaction ends (PostgreSQL; SQLite's writing
    session already holds the write lock) so two new versions cannot take one number."""
    article = session.exec(
        select(Article)
        .where(Article.id == article_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if article is None:
        raise ArticleNotFound(article_id)
    return article


def _article_of(session: Session, version: ArticleVersion) -> Article:
    article = session.get(Article, version.article_id)
    if article is None:  # the foreign key makes this impossible
        raise ArticleNotFound(version.article_id)
    return article


def _unchanged(session: Session, article: Article, version: ArticleVersion) -> IngestResult:
    claims = session.exec(
        select(Claim).where(Claim.version_id == version.id).order_by(col(Claim.start))
    )
    return IngestResult(article, version, list(claims), created=False)


def _store(
    session: Session,
    extraction: Extraction,
    fields: ArticleMetadata,
    article: Article | None,
    actor: Actor,
    raw: bytes | None,
    ingested_by_id: int | None,
    min_score: float,
    action: str = "ingested",
) -> IngestResult:
    """Store ``extraction`` as a new version of ``article`` (a new article when None).

    A new version of an article carries the claims of its current version over
    (``services.reanchoring``: re-anchored or orphaned, never deleted); the extractor's
    candidates that overlap a carried claim are left out, so nothing is claimed twice.
    """
    now = utcnow()
    before: dict[str, Any] | None = None
    current: ArticleVersion | None = None
    if article is None:
        article = Article(
            url=fields.url,
            canonical_url=fields.canonical_url,
            title=fields.title,
            publisher=fields.publisher,
            author=fields.author,
            published_at=fields.published_at,
            language=fields.language,
        )
        session.add(article)
        session.flush()
        number = 1
    else:
        last = session.exec(
            select(func.max(ArticleVersion.number)).where(ArticleVersion.article_id == article.id)
        ).one()
        number = 1 + (last or 0)
        current = session.get(ArticleVersion, article.current_version_id)
        before = {"version": current.number if current else None}
        article.title = fields.title or article.title
        article.updated_at = now
    digest = content_hash(extraction.text)
    version = ArticleVersion(
        article_id=article.id,  # type: ignore[arg-type]
        number=number,
        text=extraction.text,
        content_hash=digest,
        raw=raw,
        content_type=fields.content_type,
        final_url=fields.final_url,
        encoding=fields.encoding,
        extra=fields.extra,
        fetched_at=now if fields.url else None,
        ingested_by_id=ingested_by_id,
    )
    session.add(version)
    session.flush()
    article.current_version_id = version.id
    carried = None
    if current is not None:
        carried = carry_claims(
            session, previous=current, version=version, actor=actor, context_chars=CONTEXT_CHARS
        )
    claims = _store_claims(session, extraction, article, version, min_score, carried)
    after: dict[str, Any] = {"version": number, "claims": len(claims), "content_hash": digest}
    if carried is not None:
        after.update(reanchored=carried.anchored, orphaned=carried.orphaned)
        claims = list(
            session.exec(
                select(Claim)
                .where(Claim.version_id == version.id)
                .order_by(col(Claim.start), col(Claim.id))
            )
        )
    events.record(
        session,
        actor=actor,
        entity_type="article",
        entity_id=article.id,
        action=action,
        before=before if action == "new_version" else None,
        after=after,
    )
    session.commit()
    return IngestResult(article, version, claims, created=True)


def claimant_ids(session: Session, names: Iterable[str | None]) -> dict[str, int]:
    """Each claimant name's id, adding the new ones. Race-safe: ``INSERT ... ON CONFLICT
    (name) DO NOTHING`` then a select, in name order so two ingests cannot deadlock."""
    wanted = sorted({n for n in map(claimant_name, names) if n is not None})
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids: dict[str, int] = {}
    for first in range(0, len(wanted), _BATCH):
        batch = wanted[first : first + _BATCH]
        rows = [
            {"name": n, "uuid": new_uuid(), "kind": "unknown", "created_at": utcnow()}
            for n in batch
        ]
        session.exec(insert(Claimant).values(rows).on_conflict_do_nothing(index_elements=["name"]))
        found = session.exec(
            select(Claimant.id, Claimant.name).where(col(Claimant.name).in_(batch))
        )
        ids.update({name: claimant_id for claimant_id, name in found if claimant_id is not None})
    return ids


_BATCH = 500


def _store_claims(
    session: Session,
    extraction: Extraction,
    article: Article,
    version: ArticleVersion,
    min_score: float,
    carried: Carried | None = None,
) -> list[Claim]:
    """Insert the claims scoring at least ``min_score`` in a few multi-row statements (an
    article can hold thousands) and return them in the extractor's order. Candidates that
    overlap a ``carried`` claim are left out (a repeat of one names that claim instead)."""
    text = extraction.text
    kept = [(i, span) for i, span in enumerate(extraction.claims) if span.score >= min_score]
    ids: dict[int, int] = {}  # candidate index -> stored (or carried) claim id
    if carried is not None:
        covered = {i: carried.covering(span.start, span.end) for i, span in kept}
        ids.update({i: claim_id for i, claim_id in covered.items() if claim_id is not None})
        kept = [(i, span) for i, span in kept if i not in ids]
    claimants = claimant_ids(session, (span.claimant for _, span in kept))
    model_version = bounded_name(extraction.model_version, column_limit(Claim, "model_version"))
    now = utcnow()
    # First occurrences first, so that each repeat can name the claim it repeats.
    for repeats in (False, True):
        batch = [(i, s) for i, s in kept if (s.duplicate_of is not None) == repeats]
        rows = [
            {
                **_CLAIM_DEFAULTS,
                "uuid": new_uuid(),
                "created_at": now,
                "updated_at": now,
                "article_id": article.id,
                "version_id": version.id,
                "start": span.start,
                "end": span.end,
                "quote": span.quote,
                "prefix": text[max(0, span.start - CONTEXT_CHARS) : span.start],
                "suffix": text[span.end : span.end + CONTEXT_CHARS],
                "statement": span.statement,
                "claimant_id": claimants.get(claimant_name(span.claimant) or "")
                if span.claimant
                else None,
                "score": span.score,
                "reasons": list(span.reasons),
                "model_version": model_version,
                "duplicate_of_id": ids.get(span.duplicate_of)
                if span.duplicate_of is not None
                else None,
            }
            for _, span in batch
        ]
        if rows:
            inserted = session.connection().execute(
                insert(Claim).returning(col(Claim.id), sort_by_parameter_order=True), rows
            )
            new_ids = cast("list[int]", inserted.scalars().all())
            ids.update(zip((i for i, _ in batch), new_ids, strict=True))
    search_index.index_claims(session.connection(), [(ids[i], s.statement) for i, s in kept])
    stored = {c.id: c for c in session.exec(select(Claim).where(Claim.version_id == version.id))}
    return [stored[ids[i]] for i, _ in kept]


def _static_defaults(model: type[Any]) -> dict[str, Any]:
    """The plain (non-factory) defaults of ``model``'s fields, for multi-row inserts."""
    return {
        name: field.default
        for name, field in model.model_fields.items()
        if name != "id" and not field.is_required() and field.default_factory is None
    }


_CLAIM_DEFAULTS = _static_defaults(Claim)


def list_articles(session: Session) -> list[ArticleSummary]:
    """Articles, newest first, with the number of claims in their current version."""
    counts = (
        select(Claim.version_id, func.count(col(Claim.id)).label("n"))
        .group_by(col(Claim.version_id))
        .subquery()
    )
    rows = session.exec(
        select(Article, counts.c.n)
        .join(counts, counts.c.version_id == Article.current_version_id, isouter=True)
        .order_by(col(Article.created_at).desc(), col(Article.id).desc())
    ).all()
    return [ArticleSummary(article, int(n or 0)) for article, n in rows]


def get_article(session: Session, article_id: int) -> ArticleView:
    """The article's current version and its claims in document order.

    Raises ArticleNotFound.
    """
    article = session.get(Article, article_id)
    if article is None or article.current_version_id is None:
        raise ArticleNotFound(article_id)
    version = session.get(ArticleVersion, article.current_version_id)
    if version is None:
        raise ArticleNotFound(article_id)
    claims = list(
        session.exec(
            select(Claim)
            .where(Claim.version_id == version.id)
            .order_by(col(Claim.start), col(Claim.id))
        )
    )
    ids = {c.claimant_id for c in claims if c.claimant_id is not None}
    claimants = (
        {c.id: c for c in session.exec(select(Claimant).where(col(Claimant.id).in_(ids)))}
        if ids
        else {}
    )
    return ArticleView(article, version, claims, claimants)  # type: ignore[arg-type]
