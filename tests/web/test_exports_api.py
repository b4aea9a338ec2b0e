"""The export API, the Exports page, fact-check pages and the desk settings, on both databases."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from claimdesk.core.exports import FORMATS
from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.web.security import CONTENT_SECURITY_POLICY
from tests import export_desk
from tests.export_desk import ExportDesk

Login = Callable[[str], TestClient]
UNAPPROVED = ("proposed", "returned", "in_review", "new")
LD_BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture
def built(db: Database, users: dict[str, str]) -> ExportDesk:
    """The desk's claim ids and UUIDs (its session is closed: the app writes too)."""
    with db.session(write=True) as s:
        return export_desk.build(s)


def _make_public(login: Login, public: bool = True, **values: str) -> None:
    admin = login("admin")
    form = {
        "organisation_name": "Gazette checks",
        "organisation_url": "https://gazette.test/",
        "fact_check_url_pattern": "",
        **values,
    }
    if public:
        form["public_fact_checks"] = "1"
    response = admin.post("/settings/desk", data=form)
    assert response.status_code == 303, response.text


def test_editors_download_approved_and_published_verdicts(built: ExportDesk, login: Login) -> None:
    editor = login("editor")
    response = editor.get("/api/exports/csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="claimdesk-csv-\d{8}-\d{6}\.csv"', disposition)
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    wanted = {built.uuids[n] for n in ("published", "approved", "corrected")}
    assert {r["claim_uuid"] for r in rows} == wanted
    assert all(r["fact_check_url"].startswith("http://testserver/fact-checks/") for r in rows)
    only = editor.get(
        "/api/exports/jsonl", params={"status": "approved", "verdict": "mostly false"}
    )
    assert [json.loads(line)["claim_uuid"] for line in only.text.splitlines()] == [
        built.uuids["corrected"]
    ]


@pytest.mark.parametrize("role", ["researcher", "reviewer"])
def test_researchers_and_reviewers_never_get_unpublished_work(
    built: ExportDesk, login: Login, role: str
) -> None:
    client = login(role)
    for name, fmt in FORMATS.items():
        response = client.get(f"/api/exports/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(fmt.media_type.split(";")[0])
        for hidden in ("approved", *UNAPPROVED):
            assert built.uuids[hidden] not in response.text, (name, hidden)
        assert "Mostly false" not in response.text and "Corrected." not in response.text
        assert built.uuids["published"] in response.text
    refused = client.get("/api/exports/csv", params={"status": "approved"})
    assert refused.status_code == 403
    assert "published only" in refused.json()["detail"]
    also = client.get("/api/exports/csv", params=[("status", "published"), ("status", "approved")])
    assert also.status_code == 403


def test_bad_filters_unknown_formats_and_strangers(
    built: ExportDesk, login: Login, client: TestClient
) -> None:
    editor = login("editor")
    for params in (
        {"status": "proposed"},
        {"since": "31/12/2026"},
        {"since": "2026-02-01", "until": "2026-01-01"},
        {"article": "abc"},
        {"publisher": "a\x00b"},
        {"verdict": "x" * 1001},
    ):
        response = editor.get("/api/exports/csv", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"]
    unknown = editor.get("/api/exports/xml")
    assert unknown.status_code == 404 and "choose one of" in unknown.json()["detail"]
    assert client.get("/api/exports/csv").status_code == 401


def test_a_token_exports_as_its_owner(built: ExportDesk, db: Database, client: TestClient) -> None:
    with db.session(write=True) as s:
        researcher = accounts.get_user(s, "researcher@desk.test")
        _token, secret = accounts.create_token(s, user=researcher, name="t", actor=SYSTEM)
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.get("/api/exports/claimreview", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    reviews = json.loads(response.text)
    assert {r["creativeWorkStatus"] for r in reviews} == {"published"}
    assert client.get("/api/exports/csv?status=approved", headers=headers).status_code == 403


def test_the_exports_page_offers_what_the_role_may_download(
    built: ExportDesk, login: Login
) -> None:
    researcher = login("researcher")
    page = researcher.get("/exports")
    assert page.status_code == 200
    assert 'value="published"' in page.text and 'value="approved"' not in page.text
    assert "<strong>2</strong> claims match" in page.text
    for name in FORMATS:
        assert f'href="/api/exports/{name}?status=published"' in page.text
    assert 'href="/exports"' in page.text  # in the top navigation
    editor = login("editor")
    filtered = editor.get("/exports", params={"status": "approved", "verdict": "False"})
    assert "<strong>1</strong> claim matches" in filtered.text
    assert "/api/exports/csv?status=approved&amp;verdict=False" in filtered.text
    bad = editor.get("/exports", params={"since": "soon"})
    assert bad.status_code == 422 and "must be a date" in bad.text
    assert researcher.get("/exports?status=approved").status_code == 403


def test_a_fact_check_page_needs_a_sign_in_unless_the_desk_makes_it_public(
    built: ExportDesk, login: Login, client: TestClient
) -> None:
    path = f"/fact-checks/{built.uuids['published']}"
    hidden = client.get(path)
    assert hidden.status_code == 303 and hidden.headers["location"].startswith("/login?next=")
    assert login("researcher").get(path).status_code == 200
    _make_public(login)
    shown = client.get(path)
    assert shown.status_code == 200
    _make_public(login, public=False)
    assert client.get(path).status_code == 303


def test_the_fact_check_page_carries_its_claim_review_safely(
    built: ExportDesk, login: Login, client: TestClient
) -> None:
    _make_public(login, fact_check_url_pattern="https://gazette.test/fc/{uuid}")
    page = client.get(f"/fact-checks/{built.uuids['published']}")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    (block,) = LD_BLOCK.findall(page.text)
    assert "<" not in block and ">" not in block and "&" not in block
    review = json.loads(block)
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == f"{export_desk.STATEMENT} [published]"
    assert review["url"] == f"https://gazette.test/fc/{built.uuids['published']}"
    assert review["author"]["name"] == "Gazette checks"
    # hostile text is shown as text: the page has no script but its own and the data block
    assert page.text.count("<script") == 4 and page.text.count("</script>") == 4
    assert "&lt;/script&gt;" in page.text
    assert "False" in page.text and 'fill="#8e2c3c"' in page.text  # the label's colour
    assert 'href="https://evidence.test/published?a=1&amp;b=2"' in page.text
    assert f'href="{export_desk.HOSTILE_URL.replace("&", "&amp;")}"' in page.text


def test_only_published_verdicts_have_fact_check_pages(built: ExportDesk, login: Login) -> None:
    editor = login("editor")
    for name in ("approved", *UNAPPROVED):
        assert editor.get(f"/fact-checks/{built.uuids[name]}").status_code == 404, name
    corrected = editor.get(f"/fact-checks/{built.uuids['corrected']}")
    assert corrected.status_code == 200 and "Corrected." not in corrected.text
    assert editor.get("/fact-checks/not-a-uuid").status_code == 404


def test_desk_settings_are_admins_and_keep_what_was_typed_when_refused(
    built: ExportDesk, login: Login
) -> None:
    assert login("editor").get("/settings/desk").status_code == 403
    admin = login("admin")
    page = admin.get("/settings/desk")
    assert page.status_code == 200 and 'name="public_fact_checks"' in page.text
    assert 'href="/settings/desk"' in page.text
    refused = admin.post(
        "/settings/desk",
        data={"organisation_name": "Gazette", "fact_check_url_pattern": "https://g.test/fc/"},
    )
    assert refused.status_code == 422
    assert "{uuid}" in refused.text and 'value="https://g.test/fc/"' in refused.text
    saved = admin.post(
        "/settings/desk",
        data={"organisation_name": "Gazette", "public_fact_checks": "1"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Saved." in saved.text and "checked" in saved.text
