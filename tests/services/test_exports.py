"""The export service on both databases: which verdicts go out, to whom, with which filters."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session

from claimdesk.core.exports import (
    FORMATS,
    DeskInfo,
    ExportQuery,
    StatusNotAllowed,
    UnknownFormat,
    build_query,
)
from claimdesk.core.permissions import Role
from claimdesk.services import desk as desk_service
from claimdesk.services import exports
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Source
from tests import export_desk
from tests.export_desk import ExportDesk
from tests.factories import ingest_article

DESK = DeskInfo("Gazette checks", "https://gazette.test/", "https://gazette.test/fc/{uuid}")
UNAPPROVED = ("proposed", "returned", "in_review", "new")


@pytest.fixture
def built(db: Database) -> Iterator[ExportDesk]:
    with db.session(write=True) as s:
        yield export_desk.build(s)


def _uuids(session: Session, query: ExportQuery, **kw: int) -> list[str]:
    return [r.claim_uuid for r in exports.records(session, query, **kw)]


def _everything(session: Session, role: str) -> str:
    """Every format's default export for ``role``, joined."""
    query = build_query(role=role)
    return "\n".join(
        "".join(exports.export(session, name, query, DESK, role=role)) for name in FORMATS
    )


def test_editors_get_approved_and_published_verdicts_once_per_claim(built: ExportDesk) -> None:
    found = {r.claim_uuid: r for r in exports.records(built.session, build_query(role="editor"))}
    assert set(found) == {built.uuids[n] for n in ("published", "approved", "corrected")}
    assert found[built.uuids["published"]].verdict_state == "published"
    assert found[built.uuids["approved"]].verdict_state == "approved"
    correction = found[built.uuids["corrected"]]  # the approved correction, not the old one
    assert (correction.label, correction.verdict_state) == ("Mostly false", "approved")
    assert correction.rationale == "Corrected."


def test_researchers_see_only_published_verdicts_never_work_in_progress(
    built: ExportDesk,
) -> None:
    found = {
        r.claim_uuid: r for r in exports.records(built.session, build_query(role="researcher"))
    }
    assert set(found) == {built.uuids["published"], built.uuids["corrected"]}
    old = found[built.uuids["corrected"]]  # the published verdict the public sees
    assert (old.label, old.verdict_state) == ("False", "published")
    text = _everything(built.session, "researcher")
    for name in (*UNAPPROVED, "approved"):
        assert built.uuids[name] not in text, name
        assert f"[{name}]" not in text, name  # its statement
    assert "Mostly false" not in text and "Corrected." not in text


@pytest.mark.parametrize("role", ["researcher", "reviewer", None])
def test_who_may_not_export_approved_verdicts_is_refused(
    built: ExportDesk, role: str | None
) -> None:
    with pytest.raises(StatusNotAllowed):
        build_query(role=role, statuses=["approved"])
    query = ExportQuery(statuses=frozenset({"approved", "published"}))
    with pytest.raises(StatusNotAllowed):
        exports.export(built.session, "csv", query, DESK, role=role)
    assert build_query(role=role).statuses == {"published"}


def test_status_label_article_publisher_and_date_filters(built: ExportDesk) -> None:
    s = built.session
    published = build_query(role="editor", statuses=["published"])
    assert set(_uuids(s, published)) == {built.uuids["published"], built.uuids["corrected"]}
    approved = build_query(role="editor", statuses=["approved"])
    assert set(_uuids(s, approved)) == {built.uuids["approved"], built.uuids["corrected"]}
    by_label = build_query(role="editor", label="  MOSTLY   false ")
    assert _uuids(s, by_label) == [built.uuids["corrected"]]
    other = int(ingest_article(s).article.id)  # type: ignore[arg-type]
    assert _uuids(s, build_query(role="editor", article_id=other)) == []
    mine = build_query(role="editor", article_id=str(built.article_id))
    assert len(_uuids(s, mine)) == 3
    by_publisher = build_query(role="editor", publisher="=gazette \u202eEVIL\u202c")
    assert len(_uuids(s, by_publisher)) == 3
    assert _uuids(s, build_query(role="editor", publisher="Gazette")) == []
    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    assert len(_uuids(s, build_query(role="editor", since=today, until=today))) == 3
    assert _uuids(s, build_query(role="editor", since=today + day)) == []
    assert _uuids(s, build_query(role="editor", until=(today - day).isoformat())) == []
    assert exports.count(s, build_query(role="editor", since=today)) == 3


def test_batches_give_the_same_records_grouped_by_article_version(built: ExportDesk) -> None:
    s = built.session
    ingest_article(s)  # a second article with no verdicts changes nothing
    query = build_query(role="editor")
    one_by_one = list(exports.records(s, query, batch_size=1))
    assert [r.claim_uuid for r in one_by_one] == _uuids(s, query)
    assert len(one_by_one) == 3 and len({r.version_uuid for r in one_by_one}) == 1
    assert all(r.article_text is None for r in one_by_one)
    with_text = list(exports.records(s, query, with_text=True, batch_size=2))
    assert all(r.article_text == export_desk.HOSTILE_TEXT for r in with_text)


def test_a_record_carries_the_claim_its_people_tags_and_confirmed_evidence(
    built: ExportDesk,
) -> None:
    query = build_query(role="editor", statuses=["published"], label="False")
    found = {r.claim_uuid: r for r in exports.records(built.session, query)}
    assert set(found) == {built.uuids["published"], built.uuids["corrected"]}
    record = found[built.uuids["published"]]
    assert record.statement == f"{export_desk.STATEMENT} [published]"
    assert record.claimant == "=Councillor \u202eRuiz\u202c 😀"
    assert record.article_url == export_desk.HOSTILE_URL
    assert record.quote == export_desk.SENTENCES[0]
    assert export_desk.HOSTILE_TEXT[record.start : record.end] == record.quote
    assert (record.reviewer, record.approver) == ("reviewer@review.test", "editor@review.test")
    assert record.tags == ("=tag 😀",)
    assert [(e.url, e.stance) for e in record.evidence] == [
        ("https://evidence.test/published?a=1&b=2", "refutes")
    ]
    assert record.rating_value == 1 and record.best_rating == 5 and record.worst_rating == 1
    assert record.published_at is not None and record.publisher == "=Gazette \u202eevil\u202c"


def test_evidence_from_a_sensitive_source_is_never_exported(built: ExportDesk) -> None:
    s = built.session
    # no service marks a source sensitive yet: set the flag as an admin's tool would
    s.execute(update(Source).values(sensitive=True))
    s.commit()
    text = _everything(s, "editor")
    assert "evidence.test" not in text
    (record, *_) = list(exports.records(s, build_query(role="editor")))
    assert record.evidence == ()


def test_csv_from_the_service_neutralises_formulas_and_keeps_the_text(built: ExportDesk) -> None:
    query = build_query(role="editor", statuses=["published"])
    text = "".join(exports.export(built.session, "csv", query, DESK, role="editor"))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    for row in rows:
        assert row["claimant"] == "'=Councillor \u202eRuiz\u202c 😀"
        assert row["publisher"].startswith("'=")
        assert row["fact_check_url"] == f"https://gazette.test/fc/{row['claim_uuid']}"
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())
    assert {r["rationale"] for r in rows} == {"'" + export_desk.RATIONALE}


def test_unknown_format_is_refused_before_reading(built: ExportDesk) -> None:
    with pytest.raises(UnknownFormat):
        exports.export(built.session, "xml", build_query(role="editor"), DESK, role="editor")


def test_stream_counts_what_it_wrote(built: ExportDesk) -> None:
    stream = exports.export(
        built.session, "jsonl", build_query(role="admin"), DESK, role=Role.ADMIN.value
    )
    lines = "".join(stream).splitlines()
    assert stream.count == len(lines) == 3
    assert all(json.loads(line)["verdict_state"] in ("approved", "published") for line in lines)


def test_find_public_gives_only_a_published_verdict(built: ExportDesk) -> None:
    import uuid

    s = built.session
    published = exports.find_public(s, uuid.UUID(built.uuids["published"]))
    assert published is not None and published.verdict_state == "published"
    corrected = exports.find_public(s, uuid.UUID(built.uuids["corrected"]))
    assert corrected is not None and corrected.label == "False"
    for name in ("approved", *UNAPPROVED):
        assert exports.find_public(s, uuid.UUID(built.uuids[name])) is None, name
    assert exports.find_public(s, uuid.uuid4()) is None


def test_desk_settings_default_pattern_and_validation(db: Database) -> None:
    with db.session(write=True) as s:
        info = desk_service.desk_info(s, base_url="https://desk.test/")
        assert info.fact_check_url("u-1") == "https://desk.test/fact-checks/u-1"
        view = desk_service.update_desk(
            s,
            actor=SYSTEM,
            organisation_name="  Gazette   checks ",
            organisation_url="https://gazette.test/",
            fact_check_url_pattern="https://gazette.test/fc/{uuid}",
            public_fact_checks=True,
        )
        assert view.organisation_name == "Gazette checks" and view.public_fact_checks
        info = desk_service.desk_info(s, base_url="https://desk.test")
        assert info.fact_check_url("u-1") == "https://gazette.test/fc/u-1"
        for bad in (
            {"organisation_name": " "},
            {"organisation_url": "javascript:alert(1)"},
            {"fact_check_url_pattern": "https://gazette.test/fc/"},
            {"fact_check_url_pattern": "ftp://x/{uuid}"},
            {"organisation_name": "a\x00b"},
        ):
            values = {
                "organisation_name": "Other",
                "organisation_url": "",
                "fact_check_url_pattern": "",
                "public_fact_checks": False,
                **bad,
            }
            with pytest.raises(desk_service.DeskSettingsError):
                desk_service.update_desk(s, actor=SYSTEM, **values)  # type: ignore[arg-type]
            s.rollback()
        assert desk_service.get_desk(s) == view  # nothing refused was kept


def test_an_orphaned_claim_is_exported_by_its_quote_alone(built: ExportDesk) -> None:
    """A published claim whose sentence a correction deleted keeps its verdict in every
    export, but no offsets: annotations carry only its quote, CSV/JSONL leave the span
    empty, and the annotation tools (which label spans in the text) leave it out."""
    from claimdesk.core.extraction import Extraction
    from claimdesk.services import articles
    from claimdesk.store.models import ArticleVersion, Claim

    s = built.session
    claim = s.get(Claim, built.claims["published"])
    assert claim is not None
    current = s.get(ArticleVersion, claim.version_id)
    assert current is not None
    corrected = current.text.replace(claim.quote, "")
    articles.ingest(
        s,
        extraction=Extraction(title="Corrected", text=corrected, claims=[]),
        actor=SYSTEM,
        new_version_of=claim.article_id,
    )
    s.expire_all()
    assert s.get(Claim, built.claims["published"]).anchor_state == "orphaned"  # type: ignore[union-attr]
    uuid = built.uuids["published"]
    query = build_query(role="editor")
    record = next(r for r in exports.records(s, query) if r.claim_uuid == uuid)
    assert (record.start, record.end) == (None, None)

    collection = json.loads("".join(exports.export(s, "annotations", query, DESK, role="editor")))
    mine = [a for a in collection["first"]["items"] if uuid in json.dumps(a)]
    assert len(mine) == 1
    selectors = mine[0]["target"]["selector"]
    assert [sel["type"] for sel in selectors] == ["TextQuoteSelector"]
    assert selectors[0]["exact"] == claim.quote  # type: ignore[union-attr]

    rows = list(
        csv.DictReader(io.StringIO("".join(exports.export(s, "csv", query, DESK, role="editor"))))
    )
    row = next(r for r in rows if uuid in r.values())
    assert (row["start"], row["end"]) == ("", "")
    for tool in ("doccano", "labelstudio"):
        assert uuid not in "".join(exports.export(s, tool, query, DESK, role="editor"))
