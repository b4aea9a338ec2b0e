"""Templates, and the pieces of rendering that pages share (fragments, highlights)."""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
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
    start: int = 0  # offset of the segment in the article text


def highlight_segments(text: str, claims: list[Claim]) -> list[Segment]:
    """Cut ``text`` at every claim boundary so overlapping spans can all be shown.

    Each segment names the innermost claim covering it (the shortest; then the one starting
    first; then the earliest in ``claims``) and how many claims cover it. One sweep over the
    sorted boundaries with a heap of the open claims: O(n log n) in the number of claims.
    """
    size = len(text)
    opening: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    depth_change: dict[int, int] = defaultdict(int)
    cuts = {0, size}
    for index, claim in enumerate(claims):
        start, end = max(0, min(claim.start, size)), max(0, min(claim.end, size))
        cuts.update((start, end))
        if claim.start < claim.end and start < end:  # an empty span covers nothing
            opening[start].append((claim.end - claim.start, claim.start, index, end))
            depth_change[start] += 1
            depth_change[end] -= 1
    open_claims: list[tuple[int, int, int, int]] = []  # heap: innermost first
    depth = 0
    segments: list[Segment] = []
    for left, right in itertools.pairwise(sorted(cuts)):
        for entry in opening.get(left, ()):
            heapq.heappush(open_claims, entry)
        depth += depth_change.get(left, 0)
        while open_claims and open_claims[0][3] <= left:  # closed before this segment
            heapq.heappop(open_claims)
        innermost = claims[open_claims[0][2]] if open_claims else None
        segments.append(Segment(text[left:right], innermost, depth, left))
    return segments


CLAIMS_PER_PAGE = 200


@dataclass(frozen=True)
class ClaimListPage:
    """One page of an article's claim list, best scores first."""

    claims: list[Claim]
    number: int
    count: int  # how many pages there are (at least 1)
    total: int  # how many claims in all
    size: int  # claims per page

    @property
    def first_rank(self) -> int:
        """The rank of this page's first claim in the whole list (from 1)."""
        return (self.number - 1) * self.size + 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def claim_list_page(
    claims: list[Claim],
    *,
    page: int | None,
    selected: Claim | None = None,
    size: int = CLAIMS_PER_PAGE,
) -> ClaimListPage:
    """Page ``page`` of ``claims`` ranked by score (ties in the order given). Without a
    page, the one holding ``selected``, else the first; a page past the end is the last."""
    ranked = sorted(claims, key=lambda c: -c.score)
    count = max(1, -(-len(ranked) // size))
    if page is None:
        position = next((i for i, c in enumerate(ranked) if c is selected), 0)
        page = position // size + 1
    number = max(1, min(page, count))
    chosen = ranked[(number - 1) * size : number * size]
    return ClaimListPage(chosen, number, count, len(ranked), size)
