"""Exports and fact-check pages: ``GET /api/exports/{format}``, the Exports page and
``GET /fact-checks/{claim_uuid}``.

The API streams the export (``services.exports``) with its media type and a download file
name: 404 for an unknown format, 422 for a filter that cannot be used, 403 for a status the
role may not export (researchers and reviewers: published only). The Exports page checks
the same filters, says how many claims match and links one download per format.

A fact-check page shows a claim's published verdict with its ClaimReview as a
``<script type="application/ld+json">`` data block (a data block is never run, so the CSP's
``script-src`` does not apply). People who are not signed in see it only when the desk
settings make published fact-checks public; otherwise they are sent to sign in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from markupsafe import Markup

from claimdesk.core.exports import (
    EXPORT_STATUSES,
    FORMATS,
    ExportQuery,
    FilterError,
    StatusNotAllowed,
    UnknownFormat,
    allowed_statuses,
    build_query,
    get_format,
    script_block,
)
from claimdesk.core.permissions import Permission
from claimdesk.services import desk, exports, rating_scale
from claimdesk.services.accounts import Principal
from claimdesk.web.api_research import ErrorOut
from claimdesk.web.auth import AuthenticationRequired, OptionalPrincipal, Require
from claimdesk.web.deps import DatabaseDep, SessionDep
from claimdesk.web.rendering import render

router = APIRouter()
Exporter = Annotated[Principal, Depends(Require(Permission.EXPORT_PUBLISHED))]

# Query parameters: generous bounds; the filters themselves say what is wrong in words.
Statuses = Annotated[list[str] | None, Query()]
Text = Annotated[str | None, Query(max_length=1000)]


def base_url(request: Request) -> str:
    """This server's address as the client reached it (for the default fact-check URLs)."""
    return str(request.base_url).rstrip("/")


def _query(
    principal: Principal | None,
    status: list[str] | None,
    verdict: str | None,
    article: str | None,
    publisher: str | None,
    since: str | None,
    until: str | None,
) -> ExportQuery:
    """The checked filters; raises HTTPException 422 (a filter) or 403 (a status)."""
    try:
        return build_query(
            role=principal.role if principal else None,
            statuses=status,
            label=verdict,
            article_id=article,
            publisher=publisher,
            since=since,
            until=until,
        )
    except FilterError as exc:
        raise HTTPException(422, str(exc)) from None
    except StatusNotAllowed as exc:
        raise HTTPException(403, exc.message) from None


def _export_media() -> dict[str, Any]:
    """Each format's media type, for the OpenAPI schema."""
    content: dict[str, Any] = {}
    for f in FORMATS.values():
        bare = f.media_type.split(";")[0]
        names = ", ".join(g.name for g in FORMATS.values() if g.media_type == f.media_type)
        schema = {} if bare.endswith("json") else {"type": "string"}
        content[bare] = {"schema": {**schema, "description": f"Formats: {names}."}}
    return content


_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The export, streamed as a download.", "content": _export_media()},
    403: {"model": ErrorOut, "description": "A status your role may not export."},
    404: {"model": ErrorOut, "description": "No such export format."},
    422: {"model": ErrorOut, "description": "A filter that cannot be used (said in words)."},
}


@router.get(
    "/api/exports/{format}",
    summary="Export claims and verdicts",
    response_class=StreamingResponse,
    responses=_EXPORT_RESPONSES,
)
def api_export(
    request: Request,
    db: DatabaseDep,
    principal: Exporter,
    format: Annotated[str, Path(json_schema_extra={"enum": list(FORMATS)})],
    status: Statuses = None,
    verdict: Text = None,
    article: Text = None,
    publisher: Text = None,
    since: Text = None,
    until: Text = None,
) -> StreamingResponse:
    """The export in ``format``, streamed; approved and published verdicts by default for
    editors and admins, published ones for everyone else."""
    try:
        chosen = get_format(format)
    except UnknownFormat as exc:
        raise HTTPException(404, str(exc)) from None
    query = _query(principal, status, verdict, article, publisher, since, until)
    address = base_url(request)

    def pieces() -> Iterator[str]:
        # a session of its own: the request's would be closed before the body is sent
        with db.session() as session:
            info = desk.desk_info(session, base_url=address)
            yield from exports.export(session, chosen.name, query, info, role=principal.role)

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    filename = f"claimdesk-{chosen.name}-{stamp}.{chosen.extension}"
    return StreamingResponse(
        pieces(),
        media_type=chosen.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/exports", response_class=HTMLResponse)
def exports_page(
    request: Request,
    session: SessionDep,
    principal: Exporter,
    status: Statuses = None,
    verdict: Text = None,
    article: Text = None,
    publisher: Text = None,
    since: Text = None,
    until: Text = None,
) -> HTMLResponse:
    """The export form: filters, how many claims match, and a download per format."""
    sent: dict[str, Any] = {
        "status": [s for s in status or () if s in EXPORT_STATUSES],
        "verdict": verdict or "",
        "article": article or "",
        "publisher": publisher or "",
        "since": since or "",
        "until": until or "",
    }
    context: dict[str, Any] = {
        "sent": sent,
        "statuses": sorted(allowed_statuses(principal.role), reverse=True),
        "labels": [label.name for label in rating_scale.active_scale(session).labels],
        "formats": list(FORMATS.values()),
        "error": None,
        "count": None,
        "query_string": "",
    }
    try:
        query = _query(principal, status, verdict, article, publisher, since, until)
    except HTTPException as exc:
        if exc.status_code != 422:
            raise
        context["error"] = exc.detail
        return render(request, "exports/index.html", context, status_code=422)
    context["chosen"] = sorted(query.statuses, reverse=True)
    context["count"] = exports.count(session, query)
    params: list[tuple[str, str]] = [("status", s) for s in sorted(query.statuses)]
    for name in ("verdict", "article", "publisher", "since", "until"):
        if sent[name].strip():
            params.append((name, sent[name].strip()))
    context["query_string"] = urlencode(params)
    return render(request, "exports/index.html", context)


def _label_colour(session: SessionDep, label: str) -> str:
    found = rating_scale.active_scale(session).label_named(label)
    return found.colour if found is not None else "#888888"


@router.get("/fact-checks/{claim_uuid}", response_class=HTMLResponse)
def fact_check_page(
    request: Request, session: SessionDep, principal: OptionalPrincipal, claim_uuid: uuid.UUID
) -> HTMLResponse:
    """A published fact-check; 404 when the claim has no published verdict. Anyone may
    read it when the desk makes fact-checks public; otherwise only people signed in."""
    settings = desk.get_desk(session)
    if principal is None and not settings.public_fact_checks:
        raise AuthenticationRequired
    record = exports.find_public(session, claim_uuid)
    if record is None:
        raise HTTPException(404, "There is no published fact-check at this address.")
    info = desk.desk_info(session, base_url=base_url(request))
    context = {
        "record": record,
        "desk": info,
        "colour": _label_colour(session, record.label),
        "ld_json": Markup(script_block(record, info)),  # noqa: S704 - escaped for <script>
    }
    return render(request, "exports/fact_check.html", context)
