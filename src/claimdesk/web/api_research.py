"""The research JSON API: claims by filters (paged by cursor, or streamed as NDJSON),
articles, library sources, and counts.

Researchers and reviewers see published verdicts only; editors and admins see work in
progress too (``core.research.sees_work_in_progress``). Errors are JSON
``{"detail": "..."}``: 401 anonymous, 422 a filter, sort, limit or cursor that cannot be
used (said in words). Views only translate: the queries live in ``services.research``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from claimdesk.core import research as rules
from claimdesk.core.research import FilterError
from claimdesk.services import research, research_sources
from claimdesk.services.research import ArticleItem, ClaimItem
from claimdesk.store.models import Source
from claimdesk.web.auth import Reader
from claimdesk.web.deps import DatabaseDep, SessionDep

router = APIRouter(prefix="/api", tags=["research"])

NDJSON = "application/x-ndjson"

Timestamp = Annotated[
    datetime,
    PlainSerializer(lambda when: when.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A UTC timestamp written as GET /api/claims/{id} writes it (``…+00:00``)."""


class VerdictOut(BaseModel):
    id: int
    uuid: str
    label: str
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    rationale: str
    state: str
    proposer: str | None
    approver: str | None
    supersedes_id: int | None
    proposed_at: Timestamp
    approved_at: Timestamp | None
    published_at: Timestamp | None


class ClaimOut(BaseModel):
    """A claim as ``GET /api/claims/{id}`` gives it, without its evidence, plus its
    article's title and publisher, its date and check-worthiness score. ``verdict`` is the
    verdict the caller may see (for researchers: the latest published one)."""

    id: int
    uuid: str
    article_id: int
    article_title: str | None
    publisher: str | None
    status: str
    row_version: int
    statement: str
    quote: str
    start: int | None
    end: int | None
    anchor_state: str
    version_id: int
    claimant: str | None
    claim_date: date | None
    score: float
    assignee_id: int | None
    created_at: Timestamp
    verdict: VerdictOut | None
    published_verdict: VerdictOut | None
    tags: list[str]


_CLAIM_EXAMPLE: dict[str, Any] = {  # no nulls: FastAPI leaves them out of the schema
    "id": 42,
    "uuid": "0b6f3c1e-8d1f-4a53-9a43-2d6f0c1b7e11",
    "article_id": 7,
    "article_title": "Council budget",
    "publisher": "Gazette",
    "status": "published",
    "row_version": 6,
    "statement": "The new tram line will cost 40% more than planned.",
    "quote": "the new tram line will cost 40% more than planned",
    "start": 96,
    "end": 146,
    "anchor_state": "anchored",
    "version_id": 7,
    "claimant": "Councillor Ana Ruiz",
    "claim_date": "2026-03-03",
    "score": 0.8,
    "assignee_id": 3,
    "created_at": "2026-03-04T09:12:00+00:00",
    "verdict": {
        "id": 9,
        "uuid": "5d1e2f3a-0c4b-4e6f-8a9b-1c2d3e4f5a6b",
        "label": "False",
        "rating_value": 1,
        "best_rating": 5,
        "worst_rating": 1,
        "rationale": "The adopted budget shows a 12% overrun.",
        "state": "published",
        "proposer": "reviewer@desk.example",
        "approver": "editor@desk.example",
        "supersedes_id": 8,
        "proposed_at": "2026-03-05T10:00:00+00:00",
        "approved_at": "2026-03-05T11:00:00+00:00",
        "published_at": "2026-03-05T11:30:00+00:00",
    },
    "tags": ["transport"],
}
_CLAIM_EXAMPLE["published_verdict"] = _CLAIM_EXAMPLE["verdict"]


class ClaimList(BaseModel):
    """A page of claims; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [_CLAIM_EXAMPLE], "next_cursor": "WyJuZXdlc3QiLC…"}]
        }
    )
    items: list[ClaimOut]
    next_cursor: str | None


class ArticleOut(BaseModel):
    id: int
    uuid: str
    url: str | None
    title: str | None
    publisher: str | None
    published_at: date | None
    claims: int
    published_claims: int


class ArticleList(BaseModel):
    """A page of articles, newest first; ``next_cursor`` as for claims."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 7,
                            "uuid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                            "url": "https://gazette.example/council-budget",
                            "title": "Council budget",
                            "publisher": "Gazette",
                            "published_at": "2026-03-04",
                            "claims": 3,
                            "published_claims": 1,
                        }
                    ],
                    "next_cursor": "WyJhcnRpY2xlcyIsbnVsbCw3XQ",
                }
            ]
        }
    )
    items: list[ArticleOut]
    next_cursor: str | None


class SourceOut(BaseModel):
    id: int
    uuid: str
    kind: str
    collection: str
    url: str | None
    title: str | None
    publisher: str | None
    published_at: date | None
    language: str | None
    claim_reviewed: str | None
    rating_text: str | None
    rating_value: float | None
    sensitive: bool
    created_at: Timestamp


class SourceList(BaseModel):
    """A page of library sources, newest first; ``next_cursor`` as for claims. Sensitive
    sources are listed only for those who link evidence (never for researchers)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 12,
                            "uuid": "3c2b1a09-8f7e-4d6c-9b5a-4a3b2c1d0e9f",
                            "kind": "fact_check",
                            "collection": "claimreview",
                            "url": "https://factcheck.example/tram-costs",
                            "title": "Did the tram line cost 40% more?",
                            "publisher": "Factcheck Example",
                            "published_at": "2026-02-01",
                            "language": "en",
                            "claim_reviewed": "The tram line will cost 40% more than planned.",
                            "rating_text": "Mostly false",
                            "rating_value": 2,
                            "sensitive": False,
                            "created_at": "2026-02-02T08:00:00+00:00",
                        }
                    ],
                    "next_cursor": "WyJzb3VyY2VzIixudWxsLDEyXQ",
                }
            ]
        }
    )
    items: list[SourceOut]
    next_cursor: str | None


class StatsOut(BaseModel):
    """Claim counts: all, by status, and by the label of the verdict the caller may see."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "claims": 120,
                    "by_status": {"new": 80, "in_review": 25, "published": 15},
                    "by_verdict": {"False": 9, "Mostly true": 6},
                }
            ]
        }
    )
    claims: int
    by_status: dict[str, int]
    by_verdict: dict[str, int]


class ErrorOut(BaseModel):
    """Every error of the JSON API (a 409 adds fields of its own)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"detail": "There is nothing at this address."}]}
    )
    detail: str = Field(description="What went wrong, in words.")


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in (send a Bearer token)."},
    422: {"model": ErrorOut, "description": "A filter, sort, limit or cursor that cannot be used."},
}

Text = Annotated[str | None, Query(max_length=500)]
DateText = Annotated[str | None, Query(max_length=40, description="YYYY-MM-DD, inclusive.")]
Limit = Annotated[
    int, Query(ge=1, le=rules.MAX_LIMIT, description=f"Page size, 1 to {rules.MAX_LIMIT}.")
]
Cursor = Annotated[
    str | None,
    Query(max_length=rules.MAX_CURSOR, description="The next_cursor of the page before."),
]
Sort = Annotated[
    Literal["newest", "oldest", "score"],
    Query(description="newest / oldest claim first, or highest check-worthiness score first."),
]


def claim_out(item: ClaimItem) -> ClaimOut:
    return ClaimOut.model_validate(item.to_dict())


def _article_out(item: ArticleItem) -> ArticleOut:
    a = item.article
    return ArticleOut(
        id=a.id or 0,
        uuid=str(a.uuid),
        url=a.url,
        title=a.title,
        publisher=a.publisher,
        published_at=a.published_at,
        claims=item.claims,
        published_claims=item.published_claims,
    )


def _unprocessable(exc: FilterError) -> HTTPException:
    return HTTPException(422, str(exc))


@router.get(
    "/claims",
    summary="Search claims (cursor pages, or NDJSON)",
    response_model=ClaimList,
    responses={
        **ERRORS,
        200: {
            "description": "A page of claims; with format=ndjson every matching claim, one "
            "JSON object (as in items) per line.",
            "content": {NDJSON: {"schema": {"$ref": "#/components/schemas/ClaimOut"}}},
        },
    },
)
def list_claims(
    session: SessionDep,
    db: DatabaseDep,
    principal: Reader,
    q: Annotated[
        str | None,
        Query(max_length=rules.MAX_QUERY, description="Words in the statement (all of them)."),
    ] = None,
    verdict: Annotated[
        str | None, Query(max_length=100, description="Verdict label, e.g. False.")
    ] = None,
    status: Annotated[
        list[str] | None, Query(description="Claim status (repeatable or comma-separated).")
    ] = None,
    publisher: Text = None,
    claimant: Text = None,
    reviewer: Annotated[
        str | None, Query(max_length=320, description="Email of the verdict's proposer.")
    ] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    article: Annotated[str | None, Query(max_length=20, description="Article id.")] = None,
    since: DateText = None,
    until: DateText = None,
    claimed_since: DateText = None,
    claimed_until: DateText = None,
    sort: Sort = "newest",
    limit: Limit = rules.DEFAULT_LIMIT,
    cursor: Cursor = None,
    format: Literal["json", "ndjson"] = "json",
) -> Any:
    """Claims matching every filter given, a page at a time (``next_cursor`` leads on), or
    with ``format=ndjson`` all of them streamed, one claim per line. Researchers and
    reviewers see published verdicts only: the verdict, reviewer and date filters and the
    search look at those too."""
    try:
        filters = rules.build_filters(
            q=q,
            verdict=verdict,
            status=status,
            publisher=publisher,
            claimant=claimant,
            reviewer=reviewer,
            tag=tag,
            article=article,
            since=since,
            until=until,
            claimed_since=claimed_since,
            claimed_until=claimed_until,
        )
        if cursor:
            rules.decode_cursor(cursor, sort=sort)
        if format == "ndjson":
            return _stream(db, filters, principal.role, sort, cursor)
        page = research.list_claims(
            session, filters, role=principal.role, sort=sort, limit=limit, cursor=cursor
        )
    except FilterError as exc:
        raise _unprocessable(exc) from None
    return ClaimList(items=[claim_out(i) for i in page.items], next_cursor=page.next_cursor)


def _stream(
    db: DatabaseDep, filters: rules.ClaimFilters, role: str, sort: str, cursor: str | None
) -> StreamingResponse:
    def lines() -> Iterator[str]:
        # a session of its own: the request's would be closed before the body is sent
        with db.session() as session:
            for item in research.iter_claims(session, filters, role=role, sort=sort, cursor=cursor):
                yield json.dumps(item.to_dict(), ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type=NDJSON, headers={"Cache-Control": "no-store"})


@router.get("/articles", summary="List articles", response_model=ArticleList, responses=ERRORS)
def list_articles(
    session: SessionDep,
    principal: Reader,
    limit: Limit = rules.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ArticleList:
    """Articles, newest first, a page at a time, with how many claims each holds and how
    many of those are published."""
    try:
        page = research.list_articles(session, limit=limit, cursor=cursor)
    except FilterError as exc:
        raise _unprocessable(exc) from None
    return ArticleList(items=[_article_out(i) for i in page.items], next_cursor=page.next_cursor)


def _source_out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id or 0,
        uuid=str(source.uuid),
        kind=source.kind,
        collection=source.collection,
        url=source.url,
        title=source.title,
        publisher=source.publisher,
        published_at=source.published_at,
        language=source.language,
        claim_reviewed=source.claim_reviewed,
        rating_text=source.rating_text,
        rating_value=source.rating_value,
        sensitive=source.sensitive,
        created_at=source.created_at,
    )


@router.get("/sources", summary="List library sources", response_model=SourceList, responses=ERRORS)
def list_sources(
    session: SessionDep,
    principal: Reader,
    kind: Annotated[
        str | None, Query(max_length=20, description="document, statement, dataset, fact_check…")
    ] = None,
    collection: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = rules.DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> SourceList:
    """Library sources, newest first, a page at a time (researchers: not the sensitive)."""
    try:
        page = research_sources.list_sources(
            session,
            role=principal.role,
            kind=kind,
            collection=collection,
            limit=limit,
            cursor=cursor,
        )
    except FilterError as exc:
        raise _unprocessable(exc) from None
    return SourceList(items=[_source_out(s) for s in page.items], next_cursor=page.next_cursor)


@router.get(
    "/stats",
    summary="Count claims by status and verdict",
    response_model=StatsOut,
    responses=ERRORS,
)
def get_stats(session: SessionDep, principal: Reader) -> StatsOut:
    """How many claims there are, by status and by verdict label (researchers and
    reviewers: the labels of published verdicts only)."""
    found = research.stats(session, role=principal.role)
    return StatsOut(claims=found.claims, by_status=found.by_status, by_verdict=found.by_verdict)
