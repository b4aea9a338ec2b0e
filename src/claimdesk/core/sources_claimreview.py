"""schema.org ClaimReview (and MediaReview) JSON-LD → source records.

Accepted shapes: one review object, a list of them, a ``DataFeed`` whose
``dataFeedElement`` holds reviews (directly or as ``DataFeedItem.item``), and an
``@graph`` (nodes that are not reviews are skipped; ``{"@id": ...}`` references to other
graph nodes are followed). A review's external id is its ``url``.

MediaReview is mapped, not refused: its claim is ``itemReviewed.interpretedAsClaim``
(else ``originalMediaContextDescription``) and its rating is the
``mediaAuthenticityCategory``; ``extra["review_type"]`` says it was a MediaReview.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from claimdesk.core.sources_records import RecordError, SourceRecord, parse_date, parse_number

REVIEW_TYPES = ("ClaimReview", "MediaReview")
MAX_DEPTH = 8


def type_names(value: object) -> list[str]:
    """``"schema:ClaimReview"`` or ``["https://schema.org/ClaimReview"]`` → ``["ClaimReview"]``."""
    items = value if isinstance(value, list) else [value]
    return [str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in items if isinstance(v, str)]


def is_review_type(value: object) -> bool:
    return any(name in REVIEW_TYPES for name in type_names(value))


def _first(value: object) -> object:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _text(value: object) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name"))
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _line_of(source_text: str | None, needle: str | None, after: int) -> tuple[int | None, int]:
    """The 1-based line where ``needle`` (as JSON) first appears after offset ``after``."""
    if not source_text or not needle:
        return None, after
    at = source_text.find(needle.replace("/", "\\/"), after)
    if at < 0:
        at = source_text.find(needle, after)
    if at < 0:
        return None, after
    return source_text.count("\n", 0, at) + 1, at + 1


def review_records(
    value: object, *, line: int | None, source_text: str | None = None
) -> Iterator[SourceRecord | RecordError]:
    """Records for every review in a parsed JSON-LD value, errors for the broken ones.

    ``line`` is the line of a JSON Lines record; for a whole JSON-LD file each review's
    line is found by looking for its ``url`` (or claim) in ``source_text``.
    """
    graph: dict[str, Any] = {}
    if isinstance(value, dict) and isinstance(value.get("@graph"), list):
        graph = {n["@id"]: n for n in value["@graph"] if isinstance(n, dict) and "@id" in n}
    cursor = 0
    for index, (node, strict) in enumerate(_reviews(value, graph, strict=True, depth=0)):
        where = line
        if where is None and isinstance(node, dict):
            needle = _text(node.get("url")) or _text(node.get("claimReviewed"))
            where, cursor = _line_of(source_text, needle, cursor)
        if not isinstance(node, dict) or not is_review_type(node.get("@type")):
            if strict:
                found = type_names(node.get("@type")) if isinstance(node, dict) else []
                label = found[0] if found else type(node).__name__
                yield RecordError(where, f"item {index + 1} is not a ClaimReview ({label})")
            continue
        yield _record(node, graph, where, index)


def _reviews(
    value: object, graph: Mapping[str, Any], *, strict: bool, depth: int
) -> Iterator[tuple[object, bool]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _reviews(item, graph, strict=strict, depth=depth + 1)
        return
    if not isinstance(value, dict):
        yield value, strict
        return
    node: dict[str, Any] = value
    if set(node) == {"@id"} and isinstance(graph.get(node["@id"]), dict):
        node = graph[node["@id"]]
    names = type_names(node.get("@type"))
    if isinstance(node.get("@graph"), list):
        for child in node["@graph"]:
            yield from _reviews(child, graph, strict=False, depth=depth + 1)
    elif "DataFeed" in names:
        yield from _reviews(node.get("dataFeedElement", []), graph, strict=True, depth=depth + 1)
    elif "DataFeedItem" in names:
        yield from _reviews(node.get("item"), graph, strict=True, depth=depth + 1)
    else:
        yield node, strict


def _resolve(value: object, graph: Mapping[str, Any]) -> Any:
    value = _first(value)
    if isinstance(value, dict) and set(value) == {"@id"}:
        return graph.get(value["@id"], value)
    return value


def _record(
    node: Mapping[str, Any], graph: Mapping[str, Any], line: int | None, index: int
) -> SourceRecord | RecordError:
    review_type = "MediaReview" if "MediaReview" in type_names(node.get("@type")) else "ClaimReview"
    item = _resolve(node.get("itemReviewed"), graph)
    item = item if isinstance(item, dict) else {}
    rating = _resolve(node.get("reviewRating"), graph)
    rating = rating if isinstance(rating, dict) else {}
    author = _resolve(node.get("author"), graph)
    author = author if isinstance(author, dict) else {"name": author}
    claim = _text(node.get("claimReviewed"))
    rating_text = _text(rating.get("alternateName")) or _text(rating.get("name"))
    if review_type == "MediaReview":
        interpreted = _resolve(item.get("interpretedAsClaim"), graph)
        if isinstance(interpreted, dict):
            claim = claim or _text(interpreted.get("description") or interpreted.get("name"))
        claim = claim or _text(node.get("originalMediaContextDescription"))
        rating_text = rating_text or _text(node.get("mediaAuthenticityCategory"))
    if claim is None:
        return RecordError(line, f"item {index + 1}: {review_type} without claimReviewed")
    url = _text(node.get("url"))
    body = _text(node.get("reviewBody"))
    claimant = _resolve(item.get("author") or item.get("creator"), graph)
    reviewer = _text(author.get("name")) or _text(author.get("url"))
    extra: dict[str, Any] = {"review_type": review_type}
    if isinstance(claimant, dict) and _text(claimant.get("name")):
        extra["claimant"] = _text(claimant.get("name"))
    elif isinstance(claimant, str):
        extra["claimant"] = claimant
    claim_date = parse_date(_text(item.get("datePublished")))
    if claim_date is not None:
        extra["claim_date"] = claim_date.isoformat()
    appearances = _appearances(item, graph)
    if appearances:
        extra["appearances"] = appearances
    if _text(item.get("name")):
        extra["claim_source"] = _text(item.get("name"))
    published: date | None = parse_date(_text(node.get("datePublished")))
    return SourceRecord(
        text=claim if body is None else f"{claim}\n\n{body}",
        title=_text(node.get("name")) or _text(node.get("headline")),
        external_id=url,
        url=url,
        publisher=_text(author.get("name"))
        if "Organization" in type_names(author.get("@type"))
        else None,
        published_at=published,
        kind="fact_check",
        claim_reviewed=claim,
        rating_text=rating_text,
        rating_value=parse_number(_first(rating.get("ratingValue"))),
        rating_best=parse_number(_first(rating.get("bestRating"))),
        rating_worst=parse_number(_first(rating.get("worstRating"))),
        reviewer=reviewer,
        extra=extra,
        line=line,
    )


def _appearances(item: Mapping[str, Any], graph: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in ("appearance", "firstAppearance", "mediaItemAppearance", "isPartOf"):
        values = item.get(key)
        for value in values if isinstance(values, list) else [values]:
            value = _resolve(value, graph)
            url = value if isinstance(value, str) else None
            if isinstance(value, dict):
                url = _text(value.get("url")) or _text(value.get("contentUrl"))
            if url and url not in found:
                found.append(url)
    return found
