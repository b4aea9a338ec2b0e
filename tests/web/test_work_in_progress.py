"""Researchers see what the desk published, never its work in progress: not through the
claim API, its history, the claim panel or the live poller (issue 11)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from claimdesk.store.database import Database
from tests import export_desk


def _desk(db: Database) -> export_desk.ExportDesk:
    with db.session(write=True) as s:
        return export_desk.build(s)


def test_the_claim_api_gives_researchers_published_verdicts_only(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    desk = _desk(db)
    researcher, editor = login("researcher"), login("editor")

    proposed = researcher.get(f"/api/claims/{desk.claims['proposed']}").json()
    assert proposed["verdict"] is None and proposed["published_verdict"] is None
    assert editor.get(f"/api/claims/{desk.claims['proposed']}").json()["verdict"]["state"] == (
        "proposed"
    )

    corrected = researcher.get(f"/api/claims/{desk.claims['corrected']}").json()
    assert corrected["verdict"]["state"] == "published"
    assert corrected["verdict"]["label"] == "False"  # the approved correction stays hidden
    assert "Corrected." not in str(corrected)
    assert editor.get(f"/api/claims/{desk.claims['corrected']}").json()["verdict"]["label"] == (
        "Mostly false"
    )
    assert all(e["state"] == "confirmed" for e in corrected["evidence"])

    for name in ("proposed", "returned", "published"):
        history = researcher.get(f"/api/claims/{desk.claims[name]}/history")
        assert history.status_code == 403
        assert editor.get(f"/api/claims/{desk.claims[name]}/history").status_code == 200


def test_the_claim_panel_and_live_poller_hide_work_in_progress_from_researchers(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    desk = _desk(db)
    researcher, editor = login("researcher"), login("editor")
    returned = f"/articles/{desk.article_id}/claims/{desk.claims['returned']}"
    assert "Needs a second source." in editor.get(returned).text
    page = researcher.get(returned)
    assert page.status_code == 200
    assert "Needs a second source." not in page.text  # the editor's comment
    assert "the record says otherwise" not in page.text  # the proposed rationale
    corrected = researcher.get(
        f"/articles/{desk.article_id}/claims/{desk.claims['corrected']}"
    ).text
    assert "Corrected." not in corrected

    live = f"/articles/{desk.article_id}/changes?since=0"
    assert "proposed" in editor.get(live, headers={"HX-Request": "true"}).text
    assert "proposed" not in researcher.get(live, headers={"HX-Request": "true"}).text
