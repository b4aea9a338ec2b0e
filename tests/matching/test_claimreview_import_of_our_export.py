"""Our own ClaimReview export reads back as fact-check sources with their ratings (the
ClaimReview import of the sources library), on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from claimdesk.core.exports import ExportQuery
from claimdesk.services import desk, exports, sources
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.store.models import Source
from tests import export_desk


def test_our_claimreview_export_imports_as_fact_checks_with_their_ratings(
    db: Database, tmp_path: Path
) -> None:
    query = ExportQuery(statuses=frozenset({"approved", "published"}))
    with db.session(write=True) as s:
        built = export_desk.build(s)
        info = desk.desk_info(s, base_url="https://desk.test")
        expected = {r.claim_uuid: r for r in exports.records(s, query)}
        target = tmp_path / "fact-checks.jsonld"
        target.write_text("".join(exports.export(s, "claimreview", query, info, role="admin")))
        report = sources.import_records(
            s, sources.iter_path(str(target)), collection="ours", actor=SYSTEM, origin="test"
        )
    assert (report.created, report.errors) == (3, [])
    assert set(expected) == {built.uuids[n] for n in ("published", "approved", "corrected")}
    with db.session() as s:
        found = {src.url: src for src in s.exec(select(Source).where(Source.collection == "ours"))}
    for claim_uuid, record in expected.items():
        source = found[info.fact_check_url(claim_uuid)]
        assert source.kind == "fact_check"
        assert source.claim_reviewed == record.statement
        assert (source.rating_text, source.rating_value) == (record.label, record.rating_value)
        assert (source.rating_best, source.rating_worst) == (5, 1)
        assert source.reviewer == info.organisation_name
        assert record.rationale in source.text
        assert source.extra["claimant"] == record.claimant
        assert source.extra["appearances"] == [export_desk.HOSTILE_URL]
    corrected = found[info.fact_check_url(built.uuids["corrected"])]
    assert corrected.rating_text == "Mostly false"  # the correction, as exported
    with db.session(write=True) as s:  # importing it again changes nothing
        again = sources.import_records(
            s, sources.iter_path(str(target)), collection="ours", actor=SYSTEM, origin="test"
        )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
