"""W3C Web Annotations (JSON-LD): one ``Annotation`` per claim, in an ``AnnotationCollection``.

The collection embeds its one page (``first`` and ``last``), so an export file is complete
by itself and can be written as the records come: the page's ``items`` are streamed and
the collection's ``total`` follows them. Every annotation and the page carry their own
``@context`` so each validates on its own.

One annotation, motivated by ``assessing``:

- ``id``: the claim's ``urn:uuid:`` (stable across corrections of its verdict).
- ``target``: a ``SpecificResource`` whose ``source`` is the article URL (its ``urn:uuid:``
  when it has none) with a ``TextQuoteSelector`` (exact, prefix, suffix) and a
  ``TextPositionSelector`` (code points into the cleaned text of the article version), and
  a ``TimeState`` whose ``sourceDate`` is when that version was fetched.
- ``body``: the verdict (``TextualBody``, purpose ``assessing``, value the label, with
  ``schema:ratingValue``/``schema:bestRating``/``schema:worstRating``, the verdict's
  ``urn:uuid:`` as ``schema:identifier`` and its state, ``approved`` or ``published``, as
  ``schema:creativeWorkStatus``, so that an import knows which verdicts were public); the
  claim statement (``describing``, with the claimant as ``schema:author`` and the claim
  date as ``schema:datePublished``); the rationale
  (``commenting``); each tag (``tagging``); each piece of confirmed evidence
  (``SpecificResource``, purpose ``linking``, source the evidence URL or the library
  source's ``urn:uuid:``, with ``schema:name`` the title, ``schema:additionalType`` the
  stance — supports, refutes or context — and ``schema:description`` the note).
- ``creator`` the reviewer who proposed the verdict (else the desk), ``created`` when it was
  proposed, ``modified`` when it took its current state; ``generator`` claimdesk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from claimdesk.core.exports.records import DeskInfo, ExportRecord, http_url, iso_datetime

__all__ = ["ANNO_CONTEXT", "annotation", "annotation_collection_chunks"]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
GENERATOR = {"type": "Software", "name": "claimdesk"}


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _text_body(purpose: str, value: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "TextualBody",
        "purpose": purpose,
        "value": value,
        "format": "text/plain",
    }
    body.update(extra)
    return body


def _desk_agent(desk: DeskInfo) -> dict[str, Any]:
    agent: dict[str, Any] = {"type": "Organization", "name": desk.organisation_name}
    homepage = http_url(desk.organisation_url)
    if homepage:
        agent["homepage"] = homepage
    return agent


def _verdict_body(record: ExportRecord) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key, value in (
        ("schema:ratingValue", record.rating_value),
        ("schema:bestRating", record.best_rating),
        ("schema:worstRating", record.worst_rating),
    ):
        number = _number(value)
        if number is not None:
            extra[key] = number
    # no "id": the W3C suite reads a body with an id as an External Web Resource, and such
    # a body may not have a purpose (3.3.5-bodyEWRNoPurpose)
    extra["schema:identifier"] = f"urn:uuid:{record.verdict_uuid}"
    extra["schema:creativeWorkStatus"] = record.verdict_state
    return _text_body("assessing", record.label, **extra)


def _statement_body(record: ExportRecord) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if record.claimant:
        kind = "Organization" if record.claimant_kind == "organisation" else "Person"
        extra["schema:author"] = {"type": kind, "name": record.claimant}
    if record.claim_date is not None:
        extra["schema:datePublished"] = record.claim_date.isoformat()
    return _text_body("describing", record.statement, **extra)


def _evidence_bodies(record: ExportRecord) -> list[dict[str, Any]]:
    bodies = []
    for item in record.evidence:
        source: dict[str, Any] = {"id": http_url(item.url) or f"urn:uuid:{item.source_uuid}"}
        if item.title:
            source["schema:name"] = item.title
        body: dict[str, Any] = {"type": "SpecificResource", "purpose": "linking", "source": source}
        if item.stance:
            body["schema:additionalType"] = item.stance
        if item.note:
            body["schema:description"] = item.note
        bodies.append(body)
    return bodies


def _target(record: ExportRecord) -> dict[str, Any]:
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": record.quote}
    if record.prefix:
        quote["prefix"] = record.prefix
    if record.suffix:
        quote["suffix"] = record.suffix
    selectors: list[dict[str, Any]] = [quote]
    if record.start is not None and record.end is not None:  # None: an orphan, quote only
        selectors.append({"type": "TextPositionSelector", "start": record.start, "end": record.end})
    return {
        "type": "SpecificResource",
        "source": record.article_uri,
        "selector": selectors,
        "state": {"type": "TimeState", "sourceDate": iso_datetime(record.version_date)},
    }


def annotation(record: ExportRecord, desk: DeskInfo) -> dict[str, Any]:
    """The Web Annotation of one claim and its verdict (see the module docstring)."""
    bodies: list[dict[str, Any]] = [_verdict_body(record), _statement_body(record)]
    if record.rationale.strip():
        bodies.append(_text_body("commenting", record.rationale))
    bodies.extend(_text_body("tagging", tag) for tag in record.tags)
    bodies.extend(_evidence_bodies(record))
    creator = {"type": "Person", "name": record.reviewer} if record.reviewer else None
    return {
        "@context": ANNO_CONTEXT,
        "id": f"urn:uuid:{record.claim_uuid}",
        "type": "Annotation",
        "motivation": "assessing",
        "created": iso_datetime(record.proposed_at),
        "modified": iso_datetime(record.verdict_date),
        "creator": creator or _desk_agent(desk),
        "generator": GENERATOR,
        "body": bodies,
        "target": _target(record),
    }


def annotation_collection_chunks(
    records: Iterable[ExportRecord], desk: DeskInfo, *, collection_id: str, label: str
) -> Iterator[str]:
    """The collection as JSON text, in pieces: its head, each annotation of its one embedded
    page as it comes, then the page's end with the collection's ``last`` and ``total``.

    ``collection_id`` must be an absolute URI (e.g. ``urn:uuid:…``); the page is
    ``collection_id`` + ``#page-1``.
    """
    page_id = f"{collection_id}#page-1"
    head = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "creator": _desk_agent(desk),
    }
    page_head = {"@context": ANNO_CONTEXT, "id": page_id, "type": "AnnotationPage"}
    yield json.dumps(head, ensure_ascii=False)[:-1]
    yield ', "first": ' + json.dumps(page_head, ensure_ascii=False)[:-1]
    # no "partOf": the page is inside its collection (and the W3C suite wants a partOf to
    # be the collection's description, whose total is known only at the end)
    yield ', "startIndex": 0, "items": ['
    total = 0
    for record in records:
        yield ("\n" if total == 0 else ",\n") + json.dumps(
            annotation(record, desk), ensure_ascii=False
        )
        total += 1
    yield f'\n]}}, "last": {json.dumps(page_id)}, "total": {total}}}\n'
