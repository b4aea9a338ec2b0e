"""schema.org ClaimReview JSON-LD: one document per claim, and the fact-check page's snippet.

Each review carries what Google's fact-check guidance asks for (``claimReviewed``,
``reviewRating`` with ``alternateName``, ``url``, ``author``) and the rest the desk knows:
``reviewBody`` (the rationale), ``datePublished`` (when the verdict was published; an
approved verdict not yet published has none and says so in ``creativeWorkStatus``), and
``itemReviewed``, a ``Claim`` with its ``author`` (the claimant), ``datePublished`` (the
claim's date) and ``appearance``/``firstAppearance`` (the article it was found in).
Only schema.org 30.0 types and properties are used (the conformance tests check it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from claimdesk.core.exports.records import DeskInfo, ExportRecord, http_url

__all__ = ["claim_review", "claim_review_chunks", "script_block", "script_json"]

SCHEMA_CONTEXT = "https://schema.org"


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _organisation(desk: DeskInfo) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Organization", "name": desk.organisation_name}
    url = http_url(desk.organisation_url)
    if url:
        node["url"] = url
    return node


def _claimant(record: ExportRecord) -> dict[str, Any] | None:
    if not record.claimant:
        return None
    kind = "Organization" if record.claimant_kind == "organisation" else "Person"
    return {"@type": kind, "name": record.claimant}


def _appearance(record: ExportRecord) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork"}
    url = http_url(record.article_url)
    if url:
        node["url"] = url
    else:
        node["identifier"] = f"urn:uuid:{record.article_uuid}"
    if record.article_title:
        node["headline"] = record.article_title
    if record.publisher:
        node["publisher"] = {"@type": "Organization", "name": record.publisher}
    return node


def _rating(record: ExportRecord) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": record.label}
    for key, value in (
        ("ratingValue", record.rating_value),
        ("bestRating", record.best_rating),
        ("worstRating", record.worst_rating),
    ):
        number = _number(value)
        if number is not None:
            rating[key] = number
    return rating


def claim_review(record: ExportRecord, desk: DeskInfo) -> dict[str, Any]:
    """The ClaimReview of one claim's verdict, as a JSON-LD object."""
    claim: dict[str, Any] = {"@type": "Claim"}
    author = _claimant(record)
    if author is not None:
        claim["author"] = author
    if record.claim_date is not None:
        claim["datePublished"] = record.claim_date.isoformat()
    appearance = _appearance(record)
    claim["appearance"] = appearance
    claim["firstAppearance"] = appearance
    review: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "ClaimReview",
        "identifier": f"urn:uuid:{record.verdict_uuid}",
        "url": desk.fact_check_url(record.claim_uuid),
        "claimReviewed": record.statement,
        "author": _organisation(desk),
        "reviewRating": _rating(record),
        "reviewBody": record.rationale,
        "itemReviewed": claim,
        "creativeWorkStatus": record.verdict_state,
    }
    if record.published_at is not None and record.verdict_state == "published":
        review["datePublished"] = record.published_at.date().isoformat()
    if record.language:
        review["inLanguage"] = record.language
    return review


def claim_review_chunks(records: Iterable[ExportRecord], desk: DeskInfo) -> Iterator[str]:
    """A JSON-LD document: a list of ClaimReviews, one per claim (each with its own
    ``@context``), one per line, written as the records come."""
    yield "["
    separator = "\n"
    for record in records:
        yield separator + json.dumps(claim_review(record, desk), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: Any) -> str:
    """``value`` as JSON safe to put inside a ``<script>`` element: ``<``, ``>`` and ``&``
    (and the two line separators) are written as ``\\u`` escapes, so no text in it can
    close the element or open a comment. The JSON means exactly the same."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return "".join(_SCRIPT_ESCAPES.get(c, c) for c in text)


def script_block(record: ExportRecord, desk: DeskInfo) -> str:
    """The ``<script type="application/ld+json">`` element for a fact-check page."""
    body = script_json(claim_review(record, desk))
    return f'<script type="application/ld+json">\n{body}\n</script>'
