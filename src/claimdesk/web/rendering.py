"""Templates, and the pieces of rendering that pages share (fragments, highlights)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2_fragments.fastapi import Jinja2Blocks

from claimdesk.core.extraction import DECISION_THRESHOLD
from claimdesk.core.permissions import Permission, allows
from claimdesk.resources import templates_dir
from claimdesk.services.accounts import Principal
from claimdesk.store.models import Claim
from claimdesk.web.text_display import install_text_safety


def make_templates() -> Jinja2Blocks:
    templates = Jinja2Blocks(directory=str(templates_dir()))
    templates.env.globals["score_band"] = score_band
    templates.env.globals["can"] = can
    templates.env.filters["http_url"] = http_url
    templates.env.globals["excerpt"] = excerpt
    install_text_safety(templates.env)
    return templates


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the whole page, or only ``block`` when htmx asks for a fragment."""
    templates: Jinja2Blocks = request.app.state.templates
    kwargs: dict[str, Any] = {"status_code": status_code}
    context = {"principal": getattr(request.state, "principal", None), **context}
    if block is not None and is_htmx(request):
        kwargs["block_name"] = block
    response = templates.TemplateResponse(request, template, context, **kwargs)
    response.headers["Vary"] = "HX-Request"
    return cast(HTMLResponse, response)  # Jinja2Blocks returns an HTMLResponse subclass


def excerpt(text: str, start: int, end: int, *, context: int = 140) -> tuple[str, str, str]:
    """``text`` around ``[start, end)`` as (before, match, after), shortened with ellipses."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    before = text[max(0, start - context) : start]
    after = text[end : end + context]
    if start - context > 0:
        before = "…" + before.split(" ", 1)[-1] if " " in before else "…" + before
    if end + context < len(text):
        after = (after.rsplit(" ", 1)[0] if " " in after else after) + "…"
    return before, text[start:end], after


def http_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) link, else None: never a javascript: or data: href."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def can(principal: Principal | None, permission: str) -> bool:
    return principal is not None and allows(principal.role, Permission(permission))


HIGH_SCORE = 0.75


def score_band(score: float) -> str:
    """high / medium above the extractor's decision threshold; low below it."""
    if score >= max(HIGH_SCORE, DECISION_THRESHOLD):
        return "high"
    if score >= DECISION_THRESHOLD:
        return "medium"
    return "low"


@dataclass(frozen=True)
class Segment:
    """A run of article text; ``claim`` is the innermost claim covering it, if any."""

    text: str
    claim: Claim | None
    depth: int


def highlight_segments(text: str, claims: list[Claim]) -> list[Segment]:
    """Cut ``text`` at every claim boundary so overlapping spans can all be shown."""
    cuts = {0, len(text)}
    for claim in claims:
        cuts.add(max(0, min(claim.start, len(text))))
        cuts.add(max(0, min(claim.end, len(text))))
    points = sorted(cuts)
    segments: list[Segment] = []
    for left, right in itertools.pairwise(points):
        covering = [c for c in claims if c.start <= left and right <= c.end]
        innermost = min(covering, key=lambda c: (c.end - c.start, c.start), default=None)
        segments.append(Segment(text[left:right], innermost, len(covering)))
    return segments
