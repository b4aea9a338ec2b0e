"""The review JSON API from outside, as a client sees it, on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from claimdesk.services import accounts, review
from claimdesk.services.accounts import Principal
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from tests.factories import ARTICLE_TEXT, add_source, ingest_article
from tests.web.conftest import make_client

WHY = "The adopted budget lists 12.5 million euros, dated 3 March 2026."
ROLES = ("reviewer", "editor", "researcher", "admin")

# Every action by every role, from the status the action applies to. Written out here, not
# taken from the code: 200 (and the status it leads to) or 403.
ACTION_BY_ROLE = {
    "start": {"reviewer": 200, "editor": 200, "admin": 200, "researcher": 403},
    "propose": {"reviewer": 200, "editor": 200, "admin": 200, "researcher": 403},
    "approve": {"reviewer": 403, "editor": 200, "admin": 200, "researcher": 403},
    "return": {"reviewer": 403, "editor": 200, "admin": 200, "researcher": 403},
    "publish": {"reviewer": 403, "editor": 200, "admin": 200, "researcher": 403},
    "dismiss": {"reviewer": 200, "editor": 200, "admin": 200, "researcher": 403},
    "reopen": {"reviewer": 200, "editor": 200, "admin": 200, "researcher": 403},
    "correct": {"reviewer": 200, "editor": 200, "admin": 200, "researcher": 403},
}
FROM_TO = {
    "start": ("new", "in_review"),
    "propose": ("in_review", "proposed"),
    "approve": ("proposed", "approved"),
    "return": ("proposed", "returned"),
    "publish": ("approved", "published"),
    "dismiss": ("new", "dismissed"),
    "reopen": ("dismissed", "in_review"),
    "correct": ("published", "proposed"),
}
INPUT = {
    "propose": {"label": "Unverifiable", "rationale": WHY},
    "correct": {"label": "Unverifiable", "rationale": "A second look."},
    "return": {"comment": "Cite the budget page."},
    "dismiss": {"comment": "An opinion."},
}
PATH_TO = {  # the service steps (as an editor) that bring a new claim to a status
    "new": [],
    "in_review": ["start"],
    "proposed": ["start", "propose"],
    "approved": ["start", "propose", "approve"],
    "published": ["start", "propose", "approve", "publish"],
    "dismissed": ["dismiss"],
}


class Desk:
    def __init__(self, db: Database, users: dict[str, str]) -> None:
        self.db = db
        self.articles = 0
        self.tokens: dict[str, str] = {}
        with db.session(write=True) as s:
            for role, email in users.items():
                user = accounts.get_user(s, email)
                _, secret = accounts.create_token(s, user=user, name="api test", actor=SYSTEM)
                self.tokens[role] = secret
            editor = accounts.principal_for_token(s, self.tokens["editor"])
            assert editor is not None
            self.editor: Principal = editor
            self.source_id = add_source(s)

    def fresh_claim(self, status: str = "new") -> int:
        """A claim of its own (in an article of its own), brought to ``status``."""
        self.articles += 1
        with self.db.session(write=True) as s:
            text = f"{ARTICLE_TEXT}\n\nUpdate number {self.articles}."
            claim_id = int(ingest_article(s, text=text).claims[0].id)  # type: ignore[arg-type]
            for step in PATH_TO[status]:
                self._step(s, claim_id, step)
        return claim_id

    def _step(self, s: Session, claim_id: int, action: str) -> None:
        version = review.get_claim_detail(s, claim_id).claim.row_version
        review.act(
            s,
            claim_id=claim_id,
            action=action,
            row_version=version,
            principal=self.editor,
            **INPUT.get(action, {}),
        )

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture
def desk(db: Database, users: dict[str, str]) -> Desk:
    return Desk(db, users)


@pytest.fixture
def api(db: Database) -> Iterator[TestClient]:
    with make_client(db) as c:
        yield c


def _get(api: TestClient, desk: Desk, claim_id: int, role: str = "reviewer") -> Any:
    response = api.get(f"/api/claims/{claim_id}", headers=desk.headers(role))
    assert response.status_code == 200, response.text
    return response.json()


def _act(api: TestClient, desk: Desk, claim_id: int, role: str, **body: Any) -> Any:
    if "row_version" not in body:
        body["row_version"] = _get(api, desk, claim_id)["row_version"]
    return api.post(f"/api/claims/{claim_id}/actions", json=body, headers=desk.headers(role))


def test_every_action_by_every_role(api: TestClient, desk: Desk) -> None:
    for action, by_role in ACTION_BY_ROLE.items():
        before, after = FROM_TO[action]
        for role in ROLES:
            claim_id = desk.fresh_claim(before)
            response = _act(api, desk, claim_id, role, action=action, **INPUT.get(action, {}))
            where = f"{role} {action}"
            assert response.status_code == by_role[role], (where, response.text)
            status = _get(api, desk, claim_id)["status"]
            if response.status_code == 200:
                assert response.json()["status"] == after == status, where
            else:
                assert f"({role})" in response.json()["detail"], where
                assert status == before, where


def test_get_claim_shape(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim("proposed")
    body = _get(api, desk, claim_id, "editor")
    # researchers see published work only: no proposed verdict
    assert _get(api, desk, claim_id, "researcher")["verdict"] is None
    assert set(body) >= {
        "id",
        "uuid",
        "article_id",
        "status",
        "row_version",
        "statement",
        "quote",
        "start",
        "end",
        "claimant",
        "verdict",
        "evidence",
    }
    assert (body["id"], body["status"], body["evidence"]) == (claim_id, "proposed", [])
    assert body["quote"] == ARTICLE_TEXT[body["start"] : body["end"]]
    verdict = body["verdict"]
    assert {k: verdict[k] for k in ("label", "rating_value", "rationale", "state")} == {
        "label": "Unverifiable",
        "rating_value": None,
        "rationale": WHY,
        "state": "proposed",
    }
    assert _get(api, desk, desk.fresh_claim())["verdict"] is None


def test_unknown_claim_is_404_and_anonymous_401(api: TestClient, desk: Desk) -> None:
    assert api.get("/api/claims/999999", headers=desk.headers("reviewer")).status_code == 404
    response = _act(api, desk, desk.fresh_claim(), "editor", action="start")
    assert response.status_code == 200
    missing = api.post(
        "/api/claims/999999/actions",
        json={"action": "start", "row_version": 1},
        headers=desk.headers("editor"),
    )
    assert missing.status_code == 404
    assert api.get("/api/claims/1").status_code == 401
    assert api.get("/api/rating-scale").status_code == 401


def test_a_stale_row_version_is_409_with_who_and_when(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim()
    seen = _get(api, desk, claim_id)["row_version"]
    assert _act(api, desk, claim_id, "editor", action="start", row_version=seen).status_code == 200
    late = _act(
        api, desk, claim_id, "reviewer", action="dismiss", comment="Opinion", row_version=seen
    )
    assert late.status_code == 409
    body = late.json()
    assert body["changed_by"] == "editor@desk.test"
    assert body["changed_at"] and body["row_version"] == seen + 1
    assert "editor@desk.test" in body["detail"]
    now = _get(api, desk, claim_id)
    assert (now["status"], now["row_version"]) == ("in_review", seen + 1)
    history = api.get(f"/api/claims/{claim_id}/history", headers=desk.headers("reviewer"))
    assert [(e["action"], e["actor"]) for e in history.json()] == [("start", "editor@desk.test")]


INVALID_ACTIONS: list[tuple[dict[str, Any], str]] = [
    ({"action": "propose", "label": "Unverifiable"}, "rationale"),
    ({"action": "propose", "label": "Pants on fire", "rationale": WHY}, "no label"),
    ({"action": "propose", "label": "False", "rationale": WHY}, "needs evidence"),
    ({"action": "propose", "label": "Unverifiable", "rationale": "a\x00b"}, "NUL"),
    ({"action": "propose", "label": "Mixed", "rationale": "x" * 20_001}, "too long"),
    ({"action": "approve"}, "Only a proposed verdict"),
    ({"action": "shred"}, "Unknown action"),
    ({"action": "start", "row_version": "two"}, "whole number"),
    ({"action": "start", "reason": "extra"}, "reason"),
]


def test_invalid_actions_are_422_in_words_and_change_nothing(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim("in_review")
    before = _get(api, desk, claim_id)
    for body, words in INVALID_ACTIONS:
        response = _act(api, desk, claim_id, "editor", **body)
        assert response.status_code == 422, (body, response.text)
        assert words in response.json()["detail"], (body, response.text)
    returning = desk.fresh_claim("proposed")
    response = _act(api, desk, returning, "editor", action="return", comment="  ")
    assert response.status_code == 422
    assert "comment" in response.json()["detail"]
    assert _get(api, desk, claim_id) == before


def test_the_needs_evidence_rule_through_the_api(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim("in_review")
    propose = {"action": "propose", "label": "False", "rationale": WHY}
    assert _act(api, desk, claim_id, "reviewer", **propose).status_code == 422
    linked = api.post(
        f"/api/claims/{claim_id}/evidence",
        json={"source_id": desk.source_id, "stance": "refutes", "note": "Budget, line 4"},
        headers=desk.headers("reviewer"),
    )
    assert linked.status_code == 201, linked.text
    assert {k: linked.json()[k] for k in ("source_id", "stance", "note", "state")} == {
        "source_id": desk.source_id,
        "stance": "refutes",
        "note": "Budget, line 4",
        "state": "confirmed",
    }
    done = _act(api, desk, claim_id, "reviewer", **propose)
    assert done.status_code == 200, done.text
    assert done.json()["verdict"]["label"] == "False"
    assert done.json()["evidence"][0]["id"] == linked.json()["id"]


def test_a_correction_through_the_api_keeps_both_verdicts(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim("published")
    first = _get(api, desk, claim_id)["verdict"]
    corrected = _act(
        api, desk, claim_id, "reviewer", action="correct", label="Unverifiable", rationale="Again"
    )
    assert corrected.status_code == 200
    assert corrected.json()["verdict"]["supersedes_id"] == first["id"]
    assert corrected.json()["published_verdict"]["id"] == first["id"]
    assert _act(api, desk, claim_id, "editor", action="approve").status_code == 200
    published = _act(api, desk, claim_id, "admin", action="publish").json()
    assert published["published_verdict"]["id"] == corrected.json()["verdict"]["id"]
    history = api.get(f"/api/claims/{claim_id}/history", headers=desk.headers("reviewer")).json()
    publishes = [e for e in history if e["action"] == "publish"]
    assert [e["after"]["verdict_id"] for e in publishes] == [
        first["id"],
        published["verdict"]["id"],
    ]


BAD_EVIDENCE: list[dict[str, Any]] = [
    {"stance": "agrees"},
    {"stance": "refutes", "note": "a\x00b"},
    {"stance": "refutes", "note": "x" * 4001},
    {"stance": "refutes", "source_id": 999999},
    {"stance": "refutes", "source_id": None},
    {"stance": "refutes", "colour": "red"},
    {"stance": "refutes", "url": "https://x.test/a", "title": "Both"},
    {"stance": "refutes", "source_id": None, "url": "ftp://x.test/a", "title": "FTP"},
]


def test_bad_evidence_is_422_and_stores_nothing(api: TestClient, desk: Desk) -> None:
    claim_id = desk.fresh_claim()
    for body in BAD_EVIDENCE:
        payload = {"source_id": desk.source_id, **body}
        response = api.post(
            f"/api/claims/{claim_id}/evidence", json=payload, headers=desk.headers("reviewer")
        )
        assert response.status_code == 422, (body, response.text)
        assert isinstance(response.json()["detail"], str)
    assert _get(api, desk, claim_id)["evidence"] == []


def test_evidence_from_a_url_and_with_the_session_cookie(
    api: TestClient, desk: Desk, login: Callable[[str], TestClient]
) -> None:
    claim_id = desk.fresh_claim()
    browser = login("reviewer")
    made = browser.post(
        f"/api/claims/{claim_id}/evidence",
        json={"url": "https://stats.test/trams", "title": "Tram report", "stance": "context"},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["source_title"], made.json()["state"]) == ("Tram report", "confirmed")
    assert browser.get(f"/api/claims/{claim_id}").json()["evidence"][0]["id"] == made.json()["id"]
    refused = api.post(
        f"/api/claims/{claim_id}/evidence",
        json={"source_id": desk.source_id, "stance": "context"},
        headers=desk.headers("researcher"),
    )
    assert refused.status_code == 403
    unknown = api.post(
        "/api/claims/999999/evidence",
        json={"source_id": desk.source_id, "stance": "context"},
        headers=desk.headers("reviewer"),
    )
    assert unknown.status_code == 404


def test_rating_scale(api: TestClient, desk: Desk) -> None:
    response = api.get("/api/rating-scale", headers=desk.headers("researcher"))
    assert response.status_code == 200
    body = response.json()
    assert (body["best_rating"], body["worst_rating"]) == (5, 1)
    assert body["name"]
    first, last = body["labels"][0], body["labels"][-1]
    assert {k: first[k] for k in ("name", "rating_value", "needs_evidence", "position")} == {
        "name": "True",
        "rating_value": 5,
        "needs_evidence": True,
        "position": 0,
    }
    assert (last["name"], last["rating_value"], last["needs_evidence"]) == (
        "Unverifiable",
        None,
        False,
    )
    assert all(label["colour"].startswith("#") for label in body["labels"])
