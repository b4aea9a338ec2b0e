"""The research API from outside, as a client sees it, on both databases: /api/claims
(filters, cursor pages, NDJSON), /api/articles and /api/stats."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, update
from sqlmodel import col

from claimdesk.services import accounts
from claimdesk.services.events import SYSTEM
from claimdesk.store import search_index
from claimdesk.store.database import Database
from claimdesk.store.models import Claim, Source
from claimdesk.store.types import new_uuid, utcnow
from tests.factories import add_source, ingest_article
from tests.research_desk import DRAFT, ResearchDesk, build
from tests.services.test_research import CASES
from tests.web.conftest import make_client


@pytest.fixture
def api(db: Database) -> Iterator[TestClient]:
    with make_client(db) as c:
        yield c


@pytest.fixture
def tokens(db: Database, users: dict[str, str]) -> dict[str, dict[str, str]]:
    """role -> Authorization headers."""
    made = {}
    with db.session(write=True) as s:
        for role, email in users.items():
            user = accounts.get_user(s, email)
            _, secret = accounts.create_token(s, user=user, name="research", actor=SYSTEM)
            made[role] = {"Authorization": f"Bearer {secret}"}
    return made


@pytest.fixture
def desk(db: Database) -> ResearchDesk:
    with db.session() as s:
        return build(s)


def _schema(api: TestClient, name: str) -> dict[str, Any]:
    spec = api.app.openapi()  # type: ignore[attr-defined]
    return {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}


def _params(desk: ResearchDesk, given: dict[str, Any]) -> dict[str, Any]:
    if "article" in given:
        return {**given, "article": desk.articles[given["article"]]}
    return given


def test_each_filter(
    api: TestClient, tokens: dict[str, dict[str, str]], desk: ResearchDesk
) -> None:
    by_id = {v: k for k, v in desk.claims.items()}
    schema = _schema(api, "ClaimList")
    for given, editor, researcher in CASES:
        for role, expected in (("editor", editor), ("researcher", researcher)):
            response = api.get("/api/claims", params=_params(desk, given), headers=tokens[role])
            assert response.status_code == 200, response.text
            jsonschema.validate(response.json(), schema)
            found = {by_id[i["id"]] for i in response.json()["items"]}
            assert found == expected, (given, role)


def test_items_have_the_shape_of_a_single_claim(
    api: TestClient, tokens: dict[str, dict[str, str]], desk: ResearchDesk
) -> None:
    listed = api.get("/api/claims", headers=tokens["editor"]).json()["items"]
    for item in listed:
        single = api.get(f"/api/claims/{item['id']}", headers=tokens["editor"]).json()
        del single["evidence"]
        assert {k: item[k] for k in single} == json.loads(json.dumps(single)), item["id"]


def test_researchers_never_see_work_in_progress(
    api: TestClient, tokens: dict[str, dict[str, str]], desk: ResearchDesk
) -> None:
    seen = [
        api.get("/api/claims", headers=tokens["researcher"]),
        api.get("/api/claims?format=ndjson", headers=tokens["researcher"]),
        api.get("/api/stats", headers=tokens["researcher"]),
        api.get("/api/claims?verdict=Mostly%20false", headers=tokens["researcher"]),
    ]
    for response in seen:
        assert response.status_code == 200
        assert DRAFT not in response.text and "Mostly false" not in response.text
    items = seen[0].json()["items"]
    assert {i["verdict"]["state"] for i in items if i["verdict"]} == {"published"}
    assert seen[2].json()["by_verdict"] == {"False": 1, "Unverifiable": 1}
    reviewer = api.get("/api/stats", headers=tokens["reviewer"]).json()
    assert reviewer == seen[2].json()  # reviewers count published verdicts, as researchers
    staff = api.get("/api/stats", headers=tokens["editor"]).json()
    assert staff["by_verdict"] == {"Mostly false": 1, "Unverifiable": 2}
    assert "Mostly false" in api.get("/api/claims?format=ndjson", headers=tokens["editor"]).text


def test_ndjson_streams_every_claim_whatever_the_limit(
    api: TestClient, tokens: dict[str, dict[str, str]], desk: ResearchDesk
) -> None:
    response = api.get(
        "/api/claims", params={"format": "ndjson", "limit": 1}, headers=tokens["researcher"]
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = response.text.splitlines()
    assert len(lines) == 4 and response.text.endswith("\n")
    claim_schema = _schema(api, "ClaimOut")
    for line in lines:
        jsonschema.validate(json.loads(line), claim_schema)
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(desk.claims.values())
    transport = api.get(
        "/api/claims?format=ndjson&tag=transport&sort=score", headers=tokens["researcher"]
    )
    assert [json.loads(line)["id"] for line in transport.text.splitlines()] == [
        desk.claims["tram"],
        desk.claims["ferry"],
    ]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("cursor=not-a-cursor", "The cursor is not one this API gave out"),
        ("cursor=WyJzY29yZSIsMC41LDNd", "another sort"),  # ["score",0.5,3] with sort=newest
        ("format=ndjson&cursor=e30", "The cursor is not one"),
        ("limit=0", "must be at least 1"),
        ("limit=501", "must be at most 500"),
        ("limit=ten", "must be a whole number"),
        ("sort=random", "must be one of"),
        ("format=xml", "must be one of"),
        ("status=pending", "Unknown status 'pending'"),
        ("since=2026-02-30", "since date must be a date like"),
        ("article=-3", "article must be an article id"),
        ("tag=a%00b", "NUL"),
    ],
)
def test_bad_input_is_a_422_in_words(
    api: TestClient, tokens: dict[str, dict[str, str]], query: str, says: str
) -> None:
    response = api.get(f"/api/claims?{query}", headers=tokens["researcher"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    assert says in response.json()["detail"]


def test_articles_are_paged(
    api: TestClient, tokens: dict[str, dict[str, str]], desk: ResearchDesk
) -> None:
    first = api.get("/api/articles?limit=1", headers=tokens["researcher"])
    assert first.status_code == 200
    jsonschema.validate(first.json(), _schema(api, "ArticleList"))
    cursor = first.json()["next_cursor"]
    second = api.get(f"/api/articles?limit=1&cursor={cursor}", headers=tokens["researcher"]).json()
    assert second["next_cursor"] is None
    herald, gazette = first.json()["items"][0], second["items"][0]
    assert (herald["publisher"], herald["claims"], herald["published_claims"]) == ("Herald", 1, 1)
    assert (gazette["id"], gazette["claims"]) == (desk.articles["gazette"], 3)
    bad = api.get("/api/articles?cursor=%21%21", headers=tokens["researcher"])
    assert bad.status_code == 422 and "cursor" in bad.json()["detail"]


def test_sources_are_paged_and_researchers_never_see_sensitive_ones(
    db: Database, api: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    with db.session() as s:
        ids = [
            add_source(s, title=f"Report {n}", text=f"Report {n} text.", url=f"https://r.test/{n}")
            for n in range(3)
        ]
        other = add_source(s, title="Elsewhere", url="https://e.test/", collection="other")
        # no service marks a source sensitive yet: the flag is set directly
        s.exec(update(Source).where(col(Source.id) == ids[1]).values(sensitive=True))  # type: ignore[call-overload]
        s.commit()

    def walk(role: str, query: str = "") -> list[int]:
        seen, cursor = [], ""
        while True:
            response = api.get(f"/api/sources?limit=1{query}{cursor}", headers=tokens[role])
            assert response.status_code == 200, response.text
            jsonschema.validate(response.json(), _schema(api, "SourceList"))
            seen += [item["id"] for item in response.json()["items"]]
            if response.json()["next_cursor"] is None:
                return seen
            cursor = f"&cursor={response.json()['next_cursor']}"

    assert walk("editor") == [other, ids[2], ids[1], ids[0]]
    assert walk("researcher") == [other, ids[2], ids[0]]
    assert walk("researcher", "&collection=library") == [ids[2], ids[0]]
    assert walk("editor", "&kind=fact_check") == []
    shown = api.get("/api/sources", headers=tokens["editor"]).json()["items"]
    assert [item["sensitive"] for item in shown] == [False, False, True, False]
    assert shown[1]["title"] == "Report 2" and shown[1]["url"] == "https://r.test/2"
    bad = api.get("/api/sources?cursor=WyJhcnRpY2xlcyIsbnVsbCw3XQ", headers=tokens["editor"])
    assert bad.status_code == 422 and "another sort" in bad.json()["detail"]


def test_anonymous_callers_are_told_to_authenticate(api: TestClient) -> None:
    paths = ("/api/claims", "/api/claims?format=ndjson", "/api/articles", "/api/sources")
    for path in (*paths, "/api/stats"):
        response = api.get(path)
        assert response.status_code == 401
        assert "Authentication required" in response.json()["detail"]


def test_the_openapi_schema_describes_the_routes(api: TestClient) -> None:
    spec = api.app.openapi()  # type: ignore[attr-defined]
    claims = spec["paths"]["/api/claims"]["get"]
    names = {p["name"] for p in claims["parameters"]}
    assert names >= {"q", "verdict", "status", "publisher", "claimant", "reviewer", "tag"}
    assert names >= {"article", "since", "until", "sort", "limit", "cursor", "format"}
    ok = claims["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/ClaimList"}
    assert "application/x-ndjson" in ok
    assert claims["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    for name in ("ClaimList", "ArticleList", "SourceList", "StatsOut"):
        example = spec["components"]["schemas"][name]["examples"][0]
        jsonschema.validate(example, _schema(api, name))


CLAIMS = 10_000


def test_paging_reaches_the_end_of_ten_thousand_claims_without_repeats_or_gaps(
    db: Database, api: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Claims share their sort keys in runs (many found in the same instant, scores from
    ten values), so only the id tells them apart."""
    with db.session() as s:
        article = ingest_article(s)
        start = utcnow()
        rows = [
            {
                "uuid": new_uuid(),
                "article_id": article.article.id,
                "version_id": article.version.id,
                "start": 0,
                "end": 1,
                "quote": "x",
                "statement": f"Rainfall in district {n} reached {n % 97} millimetres",
                "score": (n % 10) / 10,
                "reasons": [],
                "created_at": start + timedelta(seconds=n // 37),
                "updated_at": start,
            }
            for n in range(CLAIMS)
        ]
        ids = list(s.connection().execute(insert(Claim).returning(col(Claim.id)), rows).scalars())
        search_index.index_claims(
            s.connection(), [(i, str(r["statement"])) for i, r in zip(ids, rows, strict=True)]
        )
        s.commit()
    key = dict(zip(ids, rows, strict=True))
    expected = {
        "newest": sorted(ids, key=lambda i: (key[i]["created_at"], i), reverse=True),
        "oldest": sorted(ids, key=lambda i: (key[i]["created_at"], i)),
        "score": sorted(ids, key=lambda i: (key[i]["score"], i), reverse=True),
    }
    for sort, order in expected.items():
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"sort": sort, "limit": 500, "q": "millimetres rainfall"}
            if cursor:
                params["cursor"] = cursor
            page = api.get("/api/claims", params=params, headers=tokens["researcher"]).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == CLAIMS, sort
        assert seen == order, sort
    stream = api.get("/api/claims?format=ndjson&q=millimetres", headers=tokens["researcher"])
    assert len(stream.text.splitlines()) == CLAIMS
