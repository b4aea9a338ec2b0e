"""The export formats as pure functions of ExportRecords (no database)."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from claimdesk.core.exports import (
    FORMATS,
    DeskInfo,
    ExportEvidence,
    ExportRecord,
    FilterError,
    PatternError,
    StatusNotAllowed,
    UnknownFormat,
    annotation,
    build_query,
    check_url_pattern,
    chunks,
    claim_review,
    get_format,
    script_json,
)
from claimdesk.core.exports.tables import neutralise_formula
from claimdesk.core.exports.tools import utf16_offset

TEXT = "😀 Intro.\n\nThe council spent 12 million euros. Prices rose 3%."
DESK = DeskInfo("Gazette checks", "https://gazette.test/", "https://gazette.test/fc/{uuid}")
WHEN = datetime(2026, 3, 4, 10, 30, 5, 123456, tzinfo=UTC)


def record(**changes: Any) -> ExportRecord:
    """A published verdict on the council claim of TEXT; ``changes`` override fields."""
    quote = "The council spent 12 million euros."
    start = TEXT.index(quote)
    base = ExportRecord(
        claim_uuid="11111111-1111-4111-8111-111111111111",
        article_uuid="22222222-2222-4222-8222-222222222222",
        article_url="https://news.test/council",
        article_title="Council spends",
        publisher="Gazette",
        version_uuid="33333333-3333-4333-8333-333333333333",
        version_number=1,
        version_date=WHEN,
        start=start,
        end=start + len(quote),
        quote=quote,
        prefix=TEXT[max(0, start - 10) : start],
        suffix=TEXT[start + len(quote) : start + len(quote) + 10],
        statement="The council spent 12 million euros",
        claimant="Ana Ruiz",
        claimant_kind="person",
        claim_date=date(2026, 3, 3),
        claim_created_at=WHEN,
        verdict_uuid="44444444-4444-4444-8444-444444444444",
        label="False",
        rating_value=1.0,
        best_rating=5.0,
        worst_rating=1.0,
        rationale="The budget says 10 million.",
        verdict_state="published",
        proposed_at=WHEN,
        approved_at=WHEN,
        published_at=WHEN,
        tags=("budget",),
        evidence=(
            ExportEvidence(
                "55555555-5555-4555-8555-555555555555",
                "https://council.test/b",
                "Budget",
                "refutes",
                "Line 4",
            ),
            ExportEvidence(
                "66666666-6666-4666-8666-666666666666", None, "Internal memo", "context", None
            ),
        ),
        reviewer="rev@desk.test",
        approver="ed@desk.test",
        article_text=TEXT,
    )
    return replace(base, **changes)


def _all(name: str, records: list[ExportRecord]) -> str:
    return "".join(chunks(name, records, DESK, collection_id="urn:uuid:abc", label="x"))


def test_claim_review_has_googles_fields_and_the_claim() -> None:
    review = claim_review(record(), DESK)
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["url"] == "https://gazette.test/fc/11111111-1111-4111-8111-111111111111"
    assert review["claimReviewed"] == "The council spent 12 million euros"
    assert review["author"] == {
        "@type": "Organization",
        "name": "Gazette checks",
        "url": "https://gazette.test/",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["datePublished"] == "2026-03-04"
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim" and claim["datePublished"] == "2026-03-03"
    assert claim["author"] == {"@type": "Person", "name": "Ana Ruiz"}
    assert claim["appearance"]["url"] == "https://news.test/council"
    assert claim["firstAppearance"] == claim["appearance"]
    assert claim["appearance"]["publisher"] == {"@type": "Organization", "name": "Gazette"}


def test_claim_review_of_an_unrated_unpublished_verdict_on_an_article_without_url() -> None:
    item = record(
        rating_value=None,
        verdict_state="approved",
        published_at=None,
        article_url="javascript:x",
        claimant=None,
        claim_date=None,
        claimant_kind=None,
    )
    review = claim_review(item, DeskInfo("Desk", "not a url", DESK.fact_check_url_pattern))
    assert "ratingValue" not in review["reviewRating"] and review["reviewRating"]["bestRating"] == 5
    assert "datePublished" not in review and review["creativeWorkStatus"] == "approved"
    assert review["author"] == {"@type": "Organization", "name": "Desk"}
    appearance = review["itemReviewed"]["appearance"]
    assert "url" not in appearance
    assert appearance["identifier"] == "urn:uuid:22222222-2222-4222-8222-222222222222"
    assert "author" not in review["itemReviewed"]
    organisation = claim_review(record(claimant_kind="organisation"), DESK)
    assert organisation["itemReviewed"]["author"]["@type"] == "Organization"


def test_script_json_escapes_what_could_close_the_element() -> None:
    value = {"a": '</script><!-- & > \u2028 \u2029 😀 "q"'}
    text = script_json(value)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == value


def test_annotation_targets_the_article_with_both_selectors_and_the_version_date() -> None:
    item = annotation(record(), DESK)
    assert item["id"] == "urn:uuid:11111111-1111-4111-8111-111111111111"
    assert (item["type"], item["motivation"]) == ("Annotation", "assessing")
    assert item["created"] == "2026-03-04T10:30:05Z"
    target = item["target"]
    assert target["source"] == "https://news.test/council"
    quote, position = target["selector"]
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == record().quote
    assert TEXT[position["start"] : position["end"]] == quote["exact"]
    assert target["state"] == {"type": "TimeState", "sourceDate": "2026-03-04T10:30:05Z"}
    purposes = [b["purpose"] for b in item["body"]]
    assert purposes == ["assessing", "describing", "commenting", "tagging", "linking", "linking"]
    links = [b["source"]["id"] for b in item["body"] if b["purpose"] == "linking"]
    assert links == ["https://council.test/b", "urn:uuid:66666666-6666-4666-8666-666666666666"]
    assert item["creator"] == {"type": "Person", "name": "rev@desk.test"}


def test_annotation_without_url_context_or_reviewer() -> None:
    item = annotation(
        record(article_url=None, prefix="", suffix="", reviewer=None, rationale=" "), DESK
    )
    assert item["target"]["source"] == "urn:uuid:22222222-2222-4222-8222-222222222222"
    quote = item["target"]["selector"][0]
    assert "prefix" not in quote and "suffix" not in quote
    assert item["creator"] == {
        "type": "Organization",
        "name": "Gazette checks",
        "homepage": "https://gazette.test/",
    }
    assert "commenting" not in [b["purpose"] for b in item["body"]]


@pytest.mark.parametrize("count", [0, 1, 3])
def test_annotation_collection_is_one_json_document_with_its_total(count: int) -> None:
    items = [record(claim_uuid=f"00000000-0000-4000-8000-00000000000{i}") for i in range(count)]
    collection = json.loads(_all("annotations", items))
    assert collection["type"] == "AnnotationCollection" and collection["total"] == count
    page = collection["first"]
    assert page["type"] == "AnnotationPage" and page["startIndex"] == 0
    assert [a["id"] for a in page["items"]] == [f"urn:uuid:{r.claim_uuid}" for r in items]
    assert collection["last"] == page["id"] == "urn:uuid:abc#page-1"


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_formula(first: str) -> None:
    assert neutralise_formula(first + "cmd") == "'" + first + "cmd"
    assert neutralise_formula("a" + first) == "a" + first


def test_csv_neutralises_text_cells_keeps_numbers_and_newlines() -> None:
    hostile = record(
        statement='=HYPERLINK("http://evil.test")',
        rationale="line one\n+line two",
        tags=("@x", "y"),
        rating_value=-1.0,
        worst_rating=-2.0,
        claimant="\tTab",
    )
    rows = list(csv.DictReader(io.StringIO(_all("csv", [hostile, record()]), newline="")))
    assert rows[0]["statement"] == '\'=HYPERLINK("http://evil.test")'
    assert rows[0]["rationale"] == "line one\n+line two"
    assert rows[0]["tags"] == "'@x\ny" and rows[0]["claimant"] == "'\tTab"
    assert (rows[0]["rating_value"], rows[0]["worst_rating"]) == ("-1", "-2")
    assert rows[0]["evidence_urls"] == "https://council.test/b"
    assert rows[1]["statement"] == "The council spent 12 million euros"
    assert rows[1]["published_at"] == "2026-03-04T10:30:05Z"


def test_jsonl_is_one_object_per_claim() -> None:
    lines = _all("jsonl", [record(), record(statement="two\nlines")]).splitlines()
    assert len(lines) == 2
    row = json.loads(lines[1])
    assert row["statement"] == "two\nlines" and row["verdict"] == "False"
    assert row["evidence_urls"] == ["https://council.test/b"]
    assert row["reviewer"] == "rev@desk.test" and row["approver"] == "ed@desk.test"


def test_doccano_groups_a_version_and_counts_utf16_code_units() -> None:
    prices = "Prices rose 3%."
    start = TEXT.index(prices)
    other = record(claim_uuid="7", start=start, end=start + len(prices), quote=prices, label="True")
    second_version = record(version_uuid="v2", claim_uuid="8")
    lines = _all("doccano", [record(), other, second_version]).splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["text"] == TEXT
    (s1, e1, l1), (s2, e2, l2) = first["label"]
    assert (l1, l2) == ("False", "True")
    units = TEXT.encode("utf-16-le")
    assert units[s1 * 2 : e1 * 2].decode("utf-16-le") == record().quote  # as JavaScript slices
    assert units[s2 * 2 : e2 * 2].decode("utf-16-le") == prices
    assert s1 == record().start + 1  # the emoji before it counts twice
    assert utf16_offset("a😀b", 2) == 3


def test_label_studio_tasks_use_code_points() -> None:
    tasks = json.loads(_all("labelstudio", [record()]))
    (task,) = tasks
    assert task["data"]["text"] == TEXT
    (region,) = task["annotations"][0]["result"]
    assert (region["from_name"], region["to_name"], region["type"]) == ("label", "text", "labels")
    value = region["value"]
    assert TEXT[value["start"] : value["end"]] == value["text"] == record().quote
    assert value["labels"] == ["False"]
    assert json.loads(_all("labelstudio", [])) == []


def test_tool_formats_need_the_article_text() -> None:
    with pytest.raises(ValueError):
        _all("doccano", [record(article_text=None)])


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_writes_as_the_records_come(name: str) -> None:
    """Each format gives its first claims before it has read them all: here the records
    never end, and the claim text still comes out."""

    def endless() -> Iterator[ExportRecord]:
        for n in itertools.count():
            yield record(claim_uuid=str(n), version_uuid=f"v{n}")

    written = ""
    for piece in itertools.islice(
        chunks(name, endless(), DESK, collection_id="urn:uuid:abc", label="x"), 1000
    ):
        written += piece
        if "The council spent 12 million euros" in written:
            break
    assert "The council spent 12 million euros" in written


def test_build_query_checks_every_filter() -> None:
    query = build_query(
        role="editor",
        statuses=["published, approved"],
        label=" False ",
        article_id="12",
        publisher=" Gazette ",
        since="2026-01-01",
        until="2026-01-31",
    )
    assert query.statuses == {"approved", "published"} and query.label == "False"
    assert (query.article_id, query.publisher) == (12, "Gazette")
    assert (query.since, query.until) == (date(2026, 1, 1), date(2026, 1, 31))
    assert build_query(role="editor").statuses == {"approved", "published"}
    assert build_query(role="researcher").statuses == {"published"}
    assert build_query(role=None, statuses=["published"]).statuses == {"published"}
    bad: list[dict[str, Any]] = [
        {"statuses": ["proposed"]},
        {"statuses": ["new"]},
        {"since": "2026-02-30"},
        {"until": "yesterday"},
        {"since": "20260101"},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"article_id": "0"},
        {"article_id": "abc"},
        {"article_id": str(2**31)},
        {"publisher": "a\x00b"},
        {"label": "x" * 101},
    ]
    for values in bad:
        with pytest.raises(FilterError):
            build_query(role="editor", **values)
    for role in ("researcher", "reviewer", None):
        with pytest.raises(StatusNotAllowed):
            build_query(role=role, statuses=["published", "approved"])


def test_formats_and_url_patterns() -> None:
    assert get_format(" CSV ").name == "csv"
    with pytest.raises(UnknownFormat):
        get_format("xml")
    assert check_url_pattern(" https://x.test/fc/{uuid} ") == "https://x.test/fc/{uuid}"
    for bad in (
        "https://x.test/fc/",
        "ftp://x/{uuid}",
        "https://x.test/{uuid}/{uuid}",
        "https://x.test/a b/{uuid}",
    ):
        with pytest.raises(PatternError):
            check_url_pattern(bad)
