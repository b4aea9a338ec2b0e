"""Importing W3C Web Annotations, on both databases: our export round-trips into an empty
database, other tools' annotations import, and an annotation that cannot be imported is
reported and leaves nothing behind."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from claimdesk.core.exports import ExportQuery
from claimdesk.core.imports.annotations import AnnotationProblem, read_annotations
from claimdesk.services import annotation_import, articles, desk, exports, review
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, ClaimTag, Event, Verdict
from tests import export_desk
from tests.factories import ARTICLE_TEXT, add_person, ingest_article

COUNCIL_URL = "https://council.test/news/budget"
EVERY = ExportQuery(statuses=frozenset({"approved", "published"}))


def export_annotations(db: Database) -> dict[str, Any]:
    with db.session() as s:
        info = desk.desk_info(s, base_url="https://desk.test")
        text = "".join(exports.export(s, "annotations", EVERY, info, role="admin"))
    collection: dict[str, Any] = json.loads(text)
    return collection


def comparable(collection: dict[str, Any]) -> dict[str, Any]:
    """The collection without what differs by right between two desks holding the same
    article: each target's ``state.sourceDate`` is when *this* desk stored its version of
    the article (ingested again into the new desk, at another time)."""
    copy = json.loads(json.dumps(collection))
    for item in copy["first"]["items"]:
        del item["target"]["state"]["sourceDate"]
    return copy


def empty(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


def import_text(db: Database, text: str) -> annotation_import.ImportReport:
    found, unreadable = read_annotations(text.encode("utf-8"))
    assert unreadable == []
    return annotation_import.import_annotations(
        db.write_engine, found, principal=annotation_import.operator()
    )


def counts(db: Database) -> tuple[int, int, int, int]:
    with db.session() as s:
        return (
            len(s.exec(select(Claim.id)).all()),
            len(s.exec(select(Verdict.id)).all()),
            len(s.exec(select(Event.id)).all()),
            len(s.exec(select(ClaimTag.claim_id)).all()),
        )


def test_an_export_imported_into_an_empty_database_exports_the_same_annotations(
    db: Database,
) -> None:
    with db.session(write=True) as s:
        built = export_desk.build(s)
    first = export_annotations(db)
    items = first["first"]["items"]
    assert {i["id"] for i in items} == {
        f"urn:uuid:{built.uuids[n]}" for n in ("published", "approved", "corrected")
    }
    text = json.dumps(first, ensure_ascii=False)

    empty(db)  # a new desk: the same article and people, no review work
    with db.session(write=True) as s:
        articles.ingest(
            s,
            extraction=export_desk._extraction(),
            actor=SYSTEM,
            url=export_desk.HOSTILE_URL,
            min_score=0.0,
        )
        add_person(s, "reviewer")
        add_person(s, "editor")
    report = import_text(db, text)
    assert (report.imported, report.unchanged, report.problems) == (3, 0, [])

    again = export_annotations(db)
    assert comparable(again) == comparable(first)
    # the states came back: published verdicts are public again, approved ones are not
    with db.session() as s:
        public = {r.claim_uuid for r in exports.records(s, ExportQuery(frozenset({"published"})))}
        statuses = {str(c.uuid): c.status for c in s.exec(select(Claim))}
        imported = s.exec(select(Event).where(Event.action == "imported")).all()
    assert public == {built.uuids["published"]}
    assert statuses[built.uuids["approved"]] == statuses[built.uuids["corrected"]] == "approved"
    assert statuses[built.uuids["published"]] == "published"
    assert len(imported) == 3 and {e.actor_label for e in imported} == {"system"}

    before = counts(db)
    report = import_text(db, text)  # the same file again: nothing new
    assert (report.imported, report.unchanged, report.problems) == (0, 3, [])
    assert counts(db) == before


def _hypothesis(
    *, ident: str, uri: str, exact: str, prefix: str, suffix: str, start: int, end: int
) -> dict[str, Any]:
    return {
        "id": ident,
        "uri": uri,
        "text": "Check the **tram** figure.",
        "tags": ["Transport", "budget"],
        "user": "acct:ana@hypothes.is",
        "created": "2026-03-04T10:00:00.000000+00:00",
        "updated": "2026-03-04T10:05:00.000000+00:00",
        "target": [
            {
                "source": uri,
                "selector": [
                    {
                        "type": "RangeSelector",
                        "startContainer": "/main[1]/p[2]",
                        "startOffset": 0,
                        "endContainer": "/main[1]/p[2]",
                        "endOffset": 40,
                    },
                    {"type": "TextPositionSelector", "start": start, "end": end},
                    {
                        "type": "TextQuoteSelector",
                        "exact": exact,
                        "prefix": prefix,
                        "suffix": suffix,
                    },
                ],
            }
        ],
    }


def test_hypothesis_annotations_import_and_an_unknown_article_is_skipped(db: Database) -> None:
    with db.session(write=True) as s:
        article = ingest_article(s, url=COUNCIL_URL).article
    quote = "Councillor Ana Ruiz said"
    at = ARTICLE_TEXT.index(quote)
    good = _hypothesis(
        ident="Zx81abCD",
        uri=COUNCIL_URL,
        exact=quote,
        prefix=ARTICLE_TEXT[at - 10 : at],
        suffix=ARTICLE_TEXT[at + len(quote) : at + len(quote) + 10],
        start=at + 7,  # the page counted differently: the quote is the authority
        end=at + 7 + len(quote),
    )
    stranger = _hypothesis(
        ident="Qq00", uri="https://elsewhere.test/a", exact="anything", prefix="", suffix="",
        start=0, end=8,
    )  # fmt: skip
    report = import_text(db, json.dumps({"total": 2, "rows": [good, stranger]}))
    assert report.imported == 1
    assert report.problems == [
        AnnotationProblem(
            "Qq00", "No article of the desk is https://elsewhere.test/a: ingest the article first."
        )
    ]
    with db.session() as s:
        claim = s.exec(select(Claim).where(Claim.quote == quote)).one()
        detail = review.get_claim_detail(s, claim.id or 0)
    assert claim.article_id == article.id and (claim.start, claim.end) == (at, at + len(quote))
    assert claim.status == "new" and detail.verdict is None
    assert detail.tags == ["budget", "transport"]
    assert [c.body for c in detail.comments] == ["Check the **tram** figure."]
    report = import_text(db, json.dumps([good]))
    assert (report.imported, report.unchanged) == (0, 1)


def test_a_quote_that_is_not_in_the_article_is_reported(db: Database) -> None:
    with db.session(write=True) as s:
        ingest_article(s, url=COUNCIL_URL)
    missing = _hypothesis(
        ident="gone", uri=COUNCIL_URL, exact="the tram line will be free", prefix="", suffix="",
        start=0, end=26,
    )  # fmt: skip
    before = counts(db)
    report = import_text(db, json.dumps(missing))
    assert report.imported == 0
    (problem,) = report.problems
    assert problem.annotation_id == "gone" and "not in the article's current text" in problem.reason
    assert counts(db) == before


def test_an_annotation_that_fails_halfway_leaves_nothing(db: Database) -> None:
    """The claim, its statement, tags and first evidence are written by services that each
    commit; the unknown library source after them must take all of it back."""
    with db.session(write=True) as s:
        ingest_article(s, url=COUNCIL_URL)
    quote = "What a wonderful day for the city."
    at = ARTICLE_TEXT.index(quote)
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "urn:uuid:0e3c2a52-8a55-4f7d-9a49-cc0b1f6f4a10",
        "type": "Annotation",
        "motivation": "assessing",
        "body": [
            {"type": "TextualBody", "purpose": "describing", "value": "A wonderful day."},
            {"type": "TextualBody", "purpose": "tagging", "value": "mood"},
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": {"id": "https://evidence.test/weather", "schema:name": "Weather"},
                "schema:additionalType": "context",
            },
            {
                "type": "SpecificResource",
                "purpose": "linking",
                "source": {"id": "urn:uuid:7d1b0c8e-3f1a-4f43-9d7e-2b7a0f3e9c11"},
                "schema:additionalType": "supports",
            },
        ],
        "target": {
            "source": COUNCIL_URL,
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote},
                {"type": "TextPositionSelector", "start": at, "end": at + len(quote)},
            ],
        },
    }
    with db.session() as s:
        claim = s.exec(select(Claim).where(Claim.quote == quote)).one()  # ingest found it
        untouched = (claim.uuid, claim.statement, claim.row_version)
    before = counts(db)
    report = import_text(db, json.dumps(annotation))
    assert report.imported == 0
    assert "not in the library" in report.problems[0].reason
    assert counts(db) == before
    with db.session() as s:
        claim = s.exec(select(Claim).where(Claim.quote == quote)).one()
        assert (claim.uuid, claim.statement, claim.row_version) == untouched
        assert s.exec(select(Event).where(col(Event.action) == "evidence_linked")).all() == []


def test_a_claim_someone_is_working_on_is_not_overwritten(db: Database) -> None:
    with db.session(write=True) as s:
        result = ingest_article(s, url=COUNCIL_URL)
        reviewer = add_person(s, "reviewer")
        claim = result.claims[0]
        review.act(
            s, claim_id=claim.id or 0, action="start", row_version=claim.row_version,
            principal=reviewer,
        )  # fmt: skip
    annotation = _hypothesis(
        ident="busy", uri=COUNCIL_URL, exact=claim.quote, prefix="", suffix="",
        start=claim.start, end=claim.end,
    )  # fmt: skip
    report = import_text(db, json.dumps(annotation))
    assert report.imported == 0
    assert f"already claim {claim.id} (in review)" in report.problems[0].reason
    with Session(db.engine) as s:
        assert s.get(Claim, claim.id).status == "in_review"  # type: ignore[union-attr]
