from __future__ import annotations

import re

from fastapi.testclient import TestClient

from claimdesk.store.database import Database
from tests.factories import ingest_article


def _article(db: Database) -> tuple[int, list[int]]:
    with db.session() as s:
        result = ingest_article(s)
        return result.article.id, [c.id for c in result.claims]  # type: ignore[return-value,misc]


def test_healthz_answers_with_the_database_reachable(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_lists_articles_with_claim_counts(reader: TestClient, db: Database) -> None:
    article_id, _ = _article(db)
    html = reader.get("/").text
    assert f'href="/articles/{article_id}"' in html
    assert "Council budget" in html
    assert re.search(r'<td class="num">3</td>', html)


def test_home_without_articles_says_how_to_add_one(reader: TestClient) -> None:
    assert "claimdesk ingest" in reader.get("/").text


def test_article_page_highlights_every_claim_span(reader: TestClient, db: Database) -> None:
    article_id, claim_ids = _article(db)
    response = reader.get(f"/articles/{article_id}")
    assert response.status_code == 200
    for claim_id in claim_ids:
        assert f'data-claim-id="{claim_id}"' in response.text
    assert "12.5 million euros" in response.text
    assert response.headers["vary"] == "HX-Request"


def test_claim_detail_is_a_full_page_without_htmx(reader: TestClient, db: Database) -> None:
    article_id, claim_ids = _article(db)
    response = reader.get(f"/articles/{article_id}/claims/{claim_ids[1]}")
    assert response.status_code == 200
    assert "<html" in response.text
    assert "Councillor Ana Ruiz" in response.text
    assert 'class="claim-hl score-high status-new selected"' in response.text


def test_claim_detail_is_only_the_panel_for_htmx(reader: TestClient, db: Database) -> None:
    article_id, claim_ids = _article(db)
    response = reader.get(
        f"/articles/{article_id}/claims/{claim_ids[1]}", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    body = response.text.strip()
    assert body.startswith('<section id="claim-detail"')
    assert "<html" not in body
    assert "the new tram line will cost 40% more than planned" in body
    assert "Councillor Ana Ruiz" in body


def test_unknown_article_and_claim_are_404(reader: TestClient, db: Database) -> None:
    article_id, _ = _article(db)
    assert reader.get("/articles/999999").status_code == 404
    assert reader.get(f"/articles/{article_id}/claims/999999").status_code == 404


def test_pages_carry_no_inline_scripts_or_handlers(reader: TestClient, db: Database) -> None:
    article_id, claim_ids = _article(db)
    for path in ("/", f"/articles/{article_id}", f"/articles/{article_id}/claims/{claim_ids[0]}"):
        html = reader.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, tag
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html


def test_htmx_is_served_from_our_own_static_route(reader: TestClient, client: TestClient) -> None:
    html = reader.get("/").text
    assert '/static/vendor/htmx.min.js"' in html
    response = client.get("/static/vendor/htmx.min.js")  # no login needed
    assert response.status_code == 200
    assert "htmx" in response.text[:2000]


def test_errors_are_pages_for_people_and_json_for_the_api(
    reader: TestClient, client: TestClient
) -> None:
    missing = reader.get("/articles/999999")
    assert missing.status_code == 404
    assert "<h1>Not found</h1>" in missing.text and "No such article" in missing.text
    assert client.get("/api/nothing-here").json() == {"detail": "Not Found"}
    forbidden = reader.get("/admin/users")
    assert forbidden.status_code == 403
    assert "<h1>Not allowed</h1>" in forbidden.text
