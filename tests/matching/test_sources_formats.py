"""Reading collections: CSV, JSON Lines, ClaimReview JSON-LD, mapping, malformed lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimdesk.core.sources_formats import FormatError, parse_file, parse_mapping
from tests.conftest import shared_path
from tests.matching.library import CLAIMREVIEW_FEED, CSV_LIBRARY


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_columns_become_fields(tmp_path: Path) -> None:
    result = parse_file(_write(tmp_path, "lib.csv", CSV_LIBRARY), "csv")
    assert not result.errors and len(result.records) == 8
    first = result.records[0]
    assert first.external_id == "fc-1" and first.url == "https://checks.test/tram"
    assert first.published_at == date(2026, 3, 4)
    assert first.rating_text == "Mostly true" and first.kind == "fact_check"


def test_malformed_csv_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    content = 'id,title,text\na,T,"fine"\nb,only two\nc,,\nd,T,"also fine"\n'
    result = parse_file(_write(tmp_path, "bad.csv", content), "csv")
    assert [r.external_id for r in result.records] == ["a", "d"]
    assert [e.line for e in result.errors] == [3, 4]


def test_malformed_jsonl_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    content = '{"id": "a", "text": "one"}\n{not json\n\n[1, 2]\n{"id": "b", "text": "two"}\n'
    result = parse_file(_write(tmp_path, "bad.jsonl", content), "jsonl")
    assert [r.external_id for r in result.records] == ["a", "b"]
    assert [e.line for e in result.errors] == [2, 4]


def test_mapping_renames_columns(tmp_path: Path) -> None:
    content = '{"vclaim_id": "v-9", "vclaim": "Cats can see in total darkness.", "x": 1}\n'
    mapping = parse_mapping(["text=vclaim", "id=vclaim_id"])
    [record] = parse_file(_write(tmp_path, "v.jsonl", content), "jsonl", mapping).records
    assert record.external_id == "v-9" and record.text == "Cats can see in total darkness."
    assert record.extra == {"x": 1}


@pytest.mark.parametrize("pair", ["text", "nope=col", "=col", "text="])
def test_bad_mapping_is_refused(pair: str) -> None:
    with pytest.raises(FormatError):
        parse_mapping([pair])


def test_datafeed_reviews_keep_claims_and_ratings(tmp_path: Path) -> None:
    result = parse_file(_write(tmp_path, "feed.jsonld", CLAIMREVIEW_FEED), "claimreview")
    assert not result.errors
    first, second = result.records
    assert first.external_id == "https://checks.test/review/1"
    assert first.claim_reviewed == "Lightning never strikes the same place twice."
    assert (first.rating_text, first.rating_value, first.rating_best, first.rating_worst) == (
        "False",
        1.0,
        5.0,
        1.0,
    )
    assert first.publisher == "Desk Checks" and first.extra["claimant"] == "A Blogger"
    assert first.extra["appearances"] == ["https://blog.test/p"]
    assert second.rating_text == "Mostly false" and second.rating_value == 2.0


def test_graph_and_list_shapes(tmp_path: Path) -> None:
    graph = (
        '{"@context": "https://schema.org", "@graph": ['
        '{"@id": "#org", "@type": "Organization", "name": "Desk Checks"},'
        '{"@type": "ClaimReview", "url": "https://checks.test/g", "author": {"@id": "#org"},'
        '"claimReviewed": "Bulls hate the colour red."}]}'
    )
    [record] = parse_file(_write(tmp_path, "g.jsonld", graph), "claimreview").records
    assert record.publisher == "Desk Checks"
    listed = (
        '[{"@type": "ClaimReview", "url": "https://checks.test/l1", "claimReviewed": "A."},\n'
        ' {"@type": "ClaimReview", "url": "https://checks.test/l2"},\n'
        ' {"@type": "Person", "name": "x"}]'
    )
    result = parse_file(_write(tmp_path, "l.jsonld", listed), "claimreview")
    assert [r.external_id for r in result.records] == ["https://checks.test/l1"]
    assert [e.line for e in result.errors] == [2, None]


def test_broken_json_ld_reports_its_line(tmp_path: Path) -> None:
    result = parse_file(
        _write(tmp_path, "b.jsonld", '{\n "@type": "ClaimReview",\n oops\n}'), "claimreview"
    )
    assert not result.records and result.errors[0].line == 3


def test_schema_org_examples_import() -> None:
    folder = shared_path("conformance", "claimreview", "jsonld")
    records = {}
    for path in sorted(folder.glob("eg-*.jsonld")):
        result = parse_file(path, "claimreview")
        assert not result.errors, path
        records[path.name] = result.records[0]
    perry = records["eg-0324.jsonld"]
    assert perry.claim_reviewed and perry.claim_reviewed.startswith("More than 3,000 homicides")
    assert perry.rating_text == "True" and perry.rating_value == 1 and perry.rating_best == 6
    assert perry.external_id == perry.url and perry.url and "politifact" in perry.url
    assert perry.extra["claimant"] == "Rich Perry"
    media = records["eg-0467.jsonld"]  # MediaReview: mapped, not refused
    assert media.extra["review_type"] == "MediaReview"
    assert media.claim_reviewed and media.claim_reviewed.startswith("Mariah Carey faked")
    assert media.rating_text == "DecontextualizedContent" and media.publisher == "PolitiFact"
