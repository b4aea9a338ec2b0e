"""Use cases for articles: ingest an extraction, list articles, read one with its claims."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from claimdesk.core.extraction import DECISION_THRESHOLD, Extraction
from claimdesk.core.sources_records import parse_date
from claimdesk.services import events
from claimdesk.services.events import Actor
from claimdesk.services.inputs import LoadedInput
from claimdesk.store.models import Article, ArticleVersion, Claim, Claimant
from claimdesk.store.types import utcnow

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


def _claimant(session: Session, name: str | None) -> Claimant | None:
    if not name:
        return None
    name = name.strip()[:300]
    existing = session.exec(select(Claimant).where(Claimant.name == name)).first()
    if existing is not None:
        return existing
    claimant = Claimant(name=name)
    session.add(claimant)
    session.flush()
    return claimant


def _find_article(session: Session, extraction: Extraction, url: str | None) -> Article | None:
    meta = extraction.metadata
    for candidate in (meta.get("canonical_url"), url, meta.get("url")):
        if isinstance(candidate, str) and candidate:
            found = session.exec(
                select(Article).where(
                    (Article.canonical_url == candidate) | (Article.url == candidate)
                )
            ).first()
            if found is not None:
                return found
    digest = content_hash(extraction.text)
    version = session.exec(
        select(ArticleVersion).where(ArticleVersion.content_hash == digest)
    ).first()
    return session.get(Article, version.article_id) if version is not None else None


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
) -> IngestResult:
    """Store an article version and its claims, or return the stored one if unchanged.

    Claims are the extractor's candidates scoring at least ``min_score`` (by default its
    decision threshold, as `claimdesk extract` prints them).

    Re-ingesting the same text is a no-op; new text for a known article (same URL) becomes
    a new ``ArticleVersion``, never an overwrite. Commits.
    """
    meta = extraction.metadata
    digest = content_hash(extraction.text)
    article = _find_article(session, extraction, url)
    if article is not None:
        same = session.exec(
            select(ArticleVersion).where(
                ArticleVersion.article_id == article.id, ArticleVersion.content_hash == digest
            )
        ).first()
        if same is not None:
            claims = list(
                session.exec(select(Claim).where(Claim.version_id == same.id).order_by("start"))
            )
            return IngestResult(article, same, claims, created=False)
    now = utcnow()
    if article is None:
        article = Article(
            url=url or meta.get("url"),
            canonical_url=meta.get("canonical_url"),
            title=extraction.title,
            publisher=meta.get("publisher"),
            author=meta.get("author") or meta.get("byline"),
            published_at=parse_date(meta.get("published_at")),
            language=meta.get("language"),
        )
        session.add(article)
        session.flush()
        number = 1
    else:
        number = 1 + (
            session.exec(
                select(func.max(ArticleVersion.number)).where(
                    ArticleVersion.article_id == article.id
                )
            ).one()
            or 0
        )
        article.title = extraction.title or article.title
        article.updated_at = now
    version = ArticleVersion(
        article_id=article.id,  # type: ignore[arg-type]
        number=number,
        text=extraction.text,
        content_hash=digest,
        raw=raw,
        content_type=content_type,
        final_url=meta.get("final_url") or url,
        encoding=meta.get("encoding"),
        extra={k: v for k, v in meta.items() if isinstance(v, str | int | float | bool)},
        fetched_at=now if url else None,
        ingested_by_id=ingested_by_id,
    )
    session.add(version)
    session.flush()
    article.current_version_id = version.id
    claims = _store_claims(session, extraction, article, version, min_score)
    events.record(
        session,
        actor=actor,
        entity_type="article",
        entity_id=article.id,
        action="ingested",
        after={"version": number, "claims": len(claims), "content_hash": digest},
    )
    session.commit()
    return IngestResult(article, version, claims, created=True)


def ingest_input(
    session: Session, loaded: LoadedInput, *, actor: Actor, ingested_by_id: int | None = None
) -> IngestResult:
    """``ingest`` for what ``services.inputs`` loaded (a file, a URL, pasted text)."""
    return ingest(
        session,
        extraction=loaded.extraction,
        actor=actor,
        url=loaded.url,
        raw=loaded.raw,
        content_type=loaded.content_type,
        ingested_by_id=ingested_by_id,
    )


def _store_claims(
    session: Session,
    extraction: Extraction,
    article: Article,
    version: ArticleVersion,
    min_score: float,
) -> list[Claim]:
    text = extraction.text
    stored: list[Claim] = []
    by_index: dict[int, Claim] = {}  # candidate index -> stored claim
    for index, span in enumerate(extraction.claims):
        if span.score < min_score:
            continue
        claimant = _claimant(session, span.claimant)
        duplicate_of = by_index.get(span.duplicate_of) if span.duplicate_of is not None else None
        claim = Claim(
            article_id=article.id,  # type: ignore[arg-type]
            version_id=version.id,  # type: ignore[arg-type]
            start=span.start,
            end=span.end,
            quote=span.quote,
            prefix=text[max(0, span.start - CONTEXT_CHARS) : span.start],
            suffix=text[span.end : span.end + CONTEXT_CHARS],
            statement=span.statement,
            claimant_id=claimant.id if claimant else None,
            score=span.score,
            reasons=list(span.reasons),
            model_version=extraction.model_version,
            duplicate_of_id=duplicate_of.id if duplicate_of else None,
        )
        session.add(claim)
        session.flush()
        stored.append(claim)
        by_index[index] = claim
    return stored


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
