"""Whatever an article, a claim or a query says is shown as text, never run."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database

HOSTILE = (
    "<script>window.__pwned = 1</script> The minister said 40% of <img src=x onerror=alert(1)> "
    'schools closed in 2024. {{ 7*7 }} {% raw %} <a href="javascript:alert(2)">link</a>'
)


def _hostile_article(db: Database) -> int:
    claim_start = HOSTILE.index("The minister")
    claim_end = HOSTILE.index("2024.") + 5
    quote = HOSTILE[claim_start:claim_end]
    extraction = Extraction(
        title="<script>alert('title')</script>{{ 7*7 }}",
        text=HOSTILE,
        claims=[
            ClaimSpan(claim_start, claim_end, quote, quote, "<b>Minister</b>", 0.9, ("quantity",))
        ],
        metadata={"publisher": "<img src=x onerror=alert(3)>"},
    )
    with db.session() as s:
        result = articles.ingest(s, extraction=extraction, actor=SYSTEM, url="javascript:alert(4)")
        return int(result.article.id)  # type: ignore[arg-type]


def test_hostile_article_is_escaped_everywhere(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    article_id = _hostile_article(db)
    browser = login("reviewer")
    pages = [browser.get("/").text, browser.get(f"/articles/{article_id}").text]
    claim_id = pages[1].split('data-claim-id="')[1].split('"')[0]
    pages.append(browser.get(f"/articles/{article_id}/claims/{claim_id}").text)
    pages.append(
        browser.get(
            f"/articles/{article_id}/claims/{claim_id}", headers={"HX-Request": "true"}
        ).text
    )
    for html in pages:
        assert "<script>alert" not in html
        assert "<script>window" not in html
        assert "<img src=x" not in html
        assert 'href="javascript:' not in html
        assert "{{ 7*7 }}" in html or "{{" not in html  # template syntax stays literal
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in pages[1]
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;{{ 7*7 }}" in pages[0]
    assert "&lt;b&gt;Minister&lt;/b&gt;" in pages[2]


def test_hostile_login_fields_are_escaped(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"email": '"><script>alert(1)</script>', "password": "x", "next": '"><svg onload=1>'},
    )
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in response.text
    assert "<svg onload" not in response.text


def test_hostile_source_titles_and_passages_are_escaped(
    db: Database, login: Callable[[str], TestClient]
) -> None:
    from claimdesk.core.sources_records import SourceRecord
    from claimdesk.services import sources

    article_id = _hostile_article(db)
    with db.session() as s:
        record = SourceRecord(
            external_id="evil",
            title="<script>alert('source')</script>",
            text="The minister said 40% of schools closed in 2024 <img src=x onerror=alert(5)>.",
            url="javascript:alert(6)",
        )
        sources.import_records(s, [record], collection="c", actor=SYSTEM)
    browser = login("reviewer")
    page = browser.get(f"/articles/{article_id}").text
    claim_id = page.split('data-claim-id="')[1].split('"')[0]
    html = browser.get(f"/articles/{article_id}/claims/{claim_id}").text
    assert "&lt;script&gt;alert(&#39;source&#39;)&lt;/script&gt;" in html
    assert "<script>alert('source')" not in html
    assert "<img src=x onerror=alert(5)>" not in html
    assert 'href="javascript:' not in html
