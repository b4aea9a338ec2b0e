"""W3C Web Annotations → claim records, and finding a quote in an article's text.

Reads what ``core.exports.annotations`` writes and what other tools write:

- the file: an ``AnnotationCollection`` (its embedded ``first`` page and the pages its
  ``next`` embeds), an ``AnnotationPage``, one ``Annotation``, a JSON list of any of
  these, a Hypothesis API search result (``{"rows": [...]}``), or JSON Lines (one
  annotation per line). Anything else is an AnnotationFileError: nothing is imported.
- an annotation: its ``target`` (one, or the first of a list, that has a
  ``TextQuoteSelector``) gives the article (``source``, else the annotation's ``uri`` as
  Hypothesis has it) and the words (``exact``/``prefix``/``suffix``, and a
  ``TextPositionSelector``'s ``start``/``end`` when there is one; a ``RangeSelector`` or any
  other selector is ignored). Bodies by ``purpose``: ``describing`` the claim statement
  (``schema:author`` the claimant, ``schema:datePublished`` the claim date); ``assessing``
  the verdict (label, ``schema:ratingValue``/``bestRating``/``worstRating``,
  ``schema:identifier`` the verdict's ``urn:uuid:``, ``schema:creativeWorkStatus`` approved
  or published — without it a verdict counts as approved, never published: an import does
  not make public what the file does not say was public); ``commenting`` the verdict's
  rationale (a comment on the claim when there is no verdict); ``tagging`` a tag;
  ``linking`` a piece of evidence (``source`` the URL or library ``urn:uuid:``,
  ``schema:name``, ``schema:additionalType`` the stance, ``schema:description`` the note).
  A body given as plain text, or a ``TextualBody`` without a purpose, is a comment; the
  Hypothesis fields ``text`` (a comment) and ``tags`` are read too.
- ``id``: ours is the claim's ``urn:uuid:``; any other id (Hypothesis's short ids, URLs) is
  turned into a stable UUID (``uuid5``), so importing the same file again finds the claims
  it made. An annotation without an id gets one from its content.

An annotation that cannot be read (no target, no quote, a bad date) is an AnnotationProblem
naming it; the others are read.
"""

from __future__ import annotations

import hashlib
import json
import uuid as uuid_mod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

__all__ = [
    "AnnotationFileError",
    "AnnotationProblem",
    "ImportedAnnotation",
    "ImportedEvidence",
    "ImportedVerdict",
    "anchor_quote",
    "read_annotations",
]

STANCES = ("supports", "refutes", "context")
VERDICT_STATES = ("approved", "published")
MAX_ITEMS_DEPTH = 6


class AnnotationFileError(ValueError):
    """The file is not annotations we can read (not UTF-8, not JSON or JSON Lines, not an
    annotation, page, collection or list of them); ``str(error)`` says why."""


@dataclass(frozen=True)
class AnnotationProblem:
    """An annotation that was not imported: its id (or its place in the file) and why."""

    annotation_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.annotation_id}: {self.reason}"


@dataclass(frozen=True)
class ImportedEvidence:
    url: str | None  # an http(s) source
    source_uuid: str | None  # a library source's urn:uuid
    title: str | None
    stance: str | None
    note: str | None


@dataclass(frozen=True)
class ImportedVerdict:
    label: str
    state: Literal["approved", "published"]
    uuid: str | None
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    rationale: str


@dataclass(frozen=True)
class ImportedAnnotation:
    """One annotation as a claim: where it is, what it says, and its verdict if any."""

    annotation_id: str  # as the file gives it (for messages)
    claim_uuid: str
    source: str  # the article's URL or urn:uuid
    exact: str
    prefix: str
    suffix: str
    start: int | None
    end: int | None
    statement: str | None = None
    claimant: str | None = None
    claimant_kind: str | None = None  # person / organisation
    claim_date: date | None = None
    verdict: ImportedVerdict | None = None
    comments: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    evidence: tuple[ImportedEvidence, ...] = ()
    creator: str | None = None  # a person's name (or email)
    created: datetime | None = None
    modified: datetime | None = None


# --- the file ------------------------------------------------------------------------------


def _type_names(node: dict[str, Any]) -> set[str]:
    value = node.get("type", node.get("@type"))
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("#", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str)}


def _items(value: Any, depth: int = 0) -> Iterator[Any]:
    """The annotations in ``value`` (a collection, page, list, search result or one)."""
    if depth > MAX_ITEMS_DEPTH:
        raise AnnotationFileError("The file nests collections and pages too deeply.")
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and _type_names(item) & {
                "AnnotationCollection",
                "AnnotationPage",
            }:
                yield from _items(item, depth + 1)
            else:
                yield item
        return
    if not isinstance(value, dict):
        raise AnnotationFileError("The file holds no annotations (expected a JSON object).")
    kinds = _type_names(value)
    if "AnnotationCollection" in kinds:
        page = value.get("first")
        if isinstance(page, str):
            raise AnnotationFileError(
                "The collection's first page is a link, not embedded: download its pages."
            )
        if page is not None:
            yield from _items(page, depth + 1)
        elif isinstance(value.get("items"), list):
            yield from _items(value["items"], depth + 1)
        return
    if "AnnotationPage" in kinds:
        items = value.get("items", [])
        if not isinstance(items, list):
            raise AnnotationFileError("The annotation page's items are not a list.")
        yield from items
        following = value.get("next")
        if isinstance(following, dict):
            yield from _items(following, depth + 1)
        return
    if isinstance(value.get("rows"), list) and "target" not in value:  # Hypothesis search
        yield from value["rows"]
        return
    if "Annotation" in kinds or "target" in value:
        yield value
        return
    raise AnnotationFileError(
        "The file is not a Web Annotation, an AnnotationPage or AnnotationCollection, or a "
        "list of annotations."
    )


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationFileError(f"The file is not UTF-8 text (byte {exc.start}).") from None
    if not text.strip():
        raise AnnotationFileError("The file is empty.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
        if len(lines) < 2:
            raise AnnotationFileError(f"The file is not JSON: {whole}.") from None
        values = []
        for number, line in lines:
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise AnnotationFileError(
                    f"The file is neither JSON nor JSON Lines: line {number}: {exc.msg}."
                ) from None
        return values


def read_annotations(data: bytes) -> tuple[list[ImportedAnnotation], list[AnnotationProblem]]:
    """The annotations of a file, and those that could not be read.

    Raises AnnotationFileError when the file as a whole cannot be read.
    """
    items = list(_items(_parse(data)))
    found: list[ImportedAnnotation] = []
    problems: list[AnnotationProblem] = []
    for number, item in enumerate(items, start=1):
        name = f"annotation {number}"
        if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"].strip():
            name = item["id"].strip()[:200]
        try:
            found.append(_annotation(item, name))
        except ValueError as exc:
            problems.append(AnnotationProblem(name, str(exc)))
    return found, problems


# --- one annotation ------------------------------------------------------------------------


def _claim_uuid(annotation_id: str | None, item: dict[str, Any]) -> str:
    if annotation_id:
        if annotation_id.lower().startswith("urn:uuid:"):
            try:
                return str(uuid_mod.UUID(annotation_id[9:]))
            except ValueError:
                pass
        return str(uuid_mod.uuid5(uuid_mod.NAMESPACE_URL, annotation_id))
    digest = hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()
    return str(uuid_mod.uuid5(uuid_mod.NAMESPACE_URL, f"claimdesk-annotation:{digest}"))


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _string(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("@value", value.get("value"))
    if not isinstance(value, str):
        raise ValueError(f"{what} is not text.")
    return value


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} is not a number.")
    return float(value)


def _offset(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} is not an offset (a whole number, 0 or more).")
    return value


def _datetime(value: Any, what: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} {str(value)[:40]!r} is not a date-time.") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"{what} {str(value)[:40]!r} is not a date.") from None


def _target(item: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    """(source, the TextQuoteSelector, the TextPositionSelector or None)."""
    for target in _list(item.get("target")):
        if not isinstance(target, dict):
            continue
        selectors = [s for s in _list(target.get("selector")) if isinstance(s, dict)]
        quote = next((s for s in selectors if "TextQuoteSelector" in _type_names(s)), None)
        if quote is None:
            continue
        position = next((s for s in selectors if "TextPositionSelector" in _type_names(s)), None)
        source = target.get("source", item.get("uri"))
        if isinstance(source, dict):
            source = source.get("id", source.get("@id"))
        if not isinstance(source, str) or not source.strip():
            raise ValueError("The target names no source (the article's URL).")
        return source.strip(), quote, position
    raise ValueError("The annotation has no target with a TextQuoteSelector (no quote).")


def _purpose(body: dict[str, Any]) -> str | None:
    purpose = body.get("purpose")
    if isinstance(purpose, list):
        purpose = purpose[0] if purpose else None
    return str(purpose).rsplit("#", 1)[-1] if isinstance(purpose, str) else None


def _agent(value: Any) -> tuple[str | None, str | None]:
    """(name, kind) of a creator or claimant: a Person or an Organization."""
    value = value[0] if isinstance(value, list) and value else value
    if isinstance(value, str):
        return value.strip() or None, "person"
    if not isinstance(value, dict):
        return None, None
    name = value.get("name", value.get("nickname"))
    kind = "organisation" if _type_names(value) & {"Organization", "Organisation"} else "person"
    return (name.strip() or None, kind) if isinstance(name, str) else (None, None)


def _evidence(body: dict[str, Any]) -> ImportedEvidence:
    source = body.get("source", body.get("id"))
    title = None
    if isinstance(source, dict):
        title = _string(source.get("schema:name"), "An evidence title")
        source = source.get("id", source.get("@id"))
    if not isinstance(source, str):
        raise ValueError("A linking body names no source.")
    source = source.strip()
    stance = _string(body.get("schema:additionalType"), "An evidence stance")
    if stance is not None and stance not in STANCES:
        raise ValueError(f"The evidence stance {stance[:40]!r} is not one of {', '.join(STANCES)}.")
    note = _string(body.get("schema:description"), "An evidence note")
    if source.lower().startswith("urn:uuid:"):
        return ImportedEvidence(None, source[9:], title, stance, note)
    if not source.lower().startswith(("http://", "https://")):
        raise ValueError(f"The evidence source {source[:80]!r} is not an http(s) URL.")
    return ImportedEvidence(source, None, title, stance, note)


def _verdict(body: dict[str, Any], rationale: str) -> ImportedVerdict:
    label = _string(body.get("value"), "The verdict")
    if not label or not label.strip():
        raise ValueError("The assessing body has no verdict label.")
    state = _string(body.get("schema:creativeWorkStatus"), "The verdict's status") or "approved"
    if state not in VERDICT_STATES:
        raise ValueError(f"The verdict's status {state[:40]!r} is not approved or published.")
    ident = _string(body.get("schema:identifier"), "The verdict's identifier")
    verdict_uuid = None
    if ident and ident.lower().startswith("urn:uuid:"):
        try:
            verdict_uuid = str(uuid_mod.UUID(ident[9:]))
        except ValueError:
            verdict_uuid = None
    return ImportedVerdict(
        label=label.strip(),
        state=state,  # type: ignore[arg-type]
        uuid=verdict_uuid,
        rating_value=_number(body.get("schema:ratingValue"), "The rating value"),
        best_rating=_number(body.get("schema:bestRating"), "The best rating"),
        worst_rating=_number(body.get("schema:worstRating"), "The worst rating"),
        rationale=rationale,
    )


def _annotation(item: Any, name: str) -> ImportedAnnotation:
    if not isinstance(item, dict):
        raise ValueError("This item of the file is not an annotation (a JSON object).")
    source, quote, position = _target(item)
    exact = _string(quote.get("exact"), "The quote")
    if not exact or not exact.strip():
        raise ValueError("The TextQuoteSelector has no exact quote.")
    start = end = None
    if position is not None:
        start = _offset(position.get("start"), "The position's start")
        end = _offset(position.get("end"), "The position's end")
    statement = claimant = kind = None
    claim_date = None
    assessing: dict[str, Any] | None = None
    comments: list[str] = []
    tags: list[str] = []
    evidence: list[ImportedEvidence] = []
    for body in _list(item.get("body")):
        if isinstance(body, str):
            comments.append(body)
            continue
        if not isinstance(body, dict):
            continue
        purpose = _purpose(body)
        if purpose == "linking":
            evidence.append(_evidence(body))
            continue
        value = _string(body.get("value"), f"A {purpose or 'text'} body")
        if purpose == "assessing":
            assessing = body
        elif purpose == "describing" and value is not None:
            statement = value
            claimant, kind = _agent(body.get("schema:author"))
            claim_date = _date(body.get("schema:datePublished"), "The claim date")
        elif purpose == "tagging" and value is not None:
            tags.append(value)
        elif purpose in (None, "commenting") and value is not None:
            comments.append(value)
    for tag in _list(item.get("tags")):
        if isinstance(tag, str):
            tags.append(tag)
    text = item.get("text")
    if isinstance(text, str) and text.strip():
        comments.append(text)
    verdict = None
    if assessing is not None:
        # our shape: the one commenting body is the verdict's rationale
        verdict = _verdict(assessing, comments.pop(0) if comments else "")
    creator, _kind = _agent(item.get("creator", item.get("user")))
    raw_id = item.get("id")
    return ImportedAnnotation(
        annotation_id=name,
        claim_uuid=_claim_uuid(raw_id.strip() if isinstance(raw_id, str) else None, item),
        source=source,
        exact=exact,
        prefix=_string(quote.get("prefix"), "The quote's prefix") or "",
        suffix=_string(quote.get("suffix"), "The quote's suffix") or "",
        start=start,
        end=end,
        statement=statement,
        claimant=claimant,
        claimant_kind=kind,
        claim_date=claim_date,
        verdict=verdict,
        comments=tuple(c for c in comments if c.strip()),
        tags=tuple(t for t in tags if t.strip()),
        evidence=tuple(evidence),
        creator=creator,
        created=_datetime(item.get("created"), "The created date"),
        modified=_datetime(item.get("modified", item.get("updated")), "The modified date"),
    )


# --- anchoring -----------------------------------------------------------------------------


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def anchor_quote(
    text: str,
    exact: str,
    *,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
    max_occurrences: int = 1000,
) -> tuple[int, int] | None:
    """Where the quote is in ``text``, or None when it cannot be told.

    1. the position, when ``text[start:end] == exact``;
    2. else the exact quote: its one occurrence, or, when it repeats, the occurrence whose
       surroundings agree longest with ``prefix`` and ``suffix`` (the nearest to ``start``
       among equals, or None when there is no ``start`` to tell equals apart).
    """
    if not exact:
        return None
    if start is not None and end is not None and text[start:end] == exact and start < end:
        return start, end
    found: list[int] = []
    at = text.find(exact)
    while at >= 0 and len(found) < max_occurrences:
        found.append(at)
        at = text.find(exact, at + 1)
    if not found:
        return None
    if len(found) == 1:
        return found[0], found[0] + len(exact)

    def agreement(at: int) -> int:
        before = text[max(0, at - len(prefix)) : at]
        after = text[at + len(exact) : at + len(exact) + len(suffix)]
        return _common_suffix(before, prefix) + _common_prefix(after, suffix)

    best = max(agreement(at) for at in found)
    tied = [at for at in found if agreement(at) == best]
    if len(tied) > 1:
        if start is None:
            return None
        tied.sort(key=lambda at: (abs(at - start), at))
        if abs(tied[0] - start) == abs(tied[1] - start):
            return None
    return tied[0], tied[0] + len(exact)
