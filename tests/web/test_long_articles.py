"""Articles with thousands of claims: the whole text stays highlighted and the claim list
comes in pages whose number is kept in the URL."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from claimdesk.core.extraction import ClaimSpan, Extraction
from claimdesk.services import articles
from claimdesk.services.events import SYSTEM
from claimdesk.store.database import Database
from claimdesk.web.rendering import CLAIMS_PER_PAGE


def long_article(db: Database, sentences: int) -> tuple[int, list[int]]:
    """An article of ``sentences`` claims, each with a clause claim nested inside it; the
    claim ids ranked as the list shows them (best score first, ties in document order)."""
    parts: list[str] = []
    spans: list[ClaimSpan] = []
    position = 0
    for i in range(sentences):
        sentence = f"Harbour {i} handled {i} containers in 2025."
        clause = f"handled {i} containers"
        score = 0.5 + (i % 7) / 20
        spans.append(
            ClaimSpan(position, position + len(sentence), sentence, sentence, None, score, ())
        )
        inner = position + sentence.index(clause)
        spans.append(ClaimSpan(inner, inner + len(clause), clause, clause, None, score - 0.01, ()))
        parts.append(sentence)
        position += len(sentence) + 1
    extraction = Extraction(title="Port statistics", text=" ".join(parts), claims=spans)
    with db.session(write=True) as s:
        result = articles.ingest(s, extraction=extraction, actor=SYSTEM, min_score=0.0)
    ranked = sorted(result.claims, key=lambda c: (-c.score, c.start, c.id))
    return result.article.id, [c.id for c in ranked]  # type: ignore[misc]


def listed(html: str) -> list[int]:
    block = html.split('id="claim-list"', 1)[1].split("</ol>", 1)[0]
    return [int(n) for n in re.findall(r'<li id="claim-(\d+)">', block)]


def highlighted(html: str) -> set[int]:
    return {
        int(n) for n in re.findall(r'class="claim-hl[^"]*"[^>]*data-claim-id="(\d+)"', html, re.S)
    }


def test_the_claim_list_comes_in_pages_and_the_text_stays_whole(
    reader: TestClient, db: Database
) -> None:
    article_id, ranked = long_article(db, 230)  # 460 claims: three pages
    first = reader.get(f"/articles/{article_id}")
    assert first.status_code == 200
    assert listed(first.text) == ranked[:CLAIMS_PER_PAGE]
    assert f'href="/articles/{article_id}?page=2"' in first.text
    assert 'rel="prev"' not in first.text
    assert "page 1 of 3" in first.text
    assert highlighted(first.text) == set(ranked)
    last = reader.get(f"/articles/{article_id}?page=3")
    assert listed(last.text) == ranked[2 * CLAIMS_PER_PAGE :]
    assert f'href="/articles/{article_id}?page=2"' in last.text and 'rel="next"' not in last.text
    assert highlighted(last.text) == set(ranked)
    assert listed(reader.get(f"/articles/{article_id}?page=99").text) == listed(last.text)
    assert reader.get(f"/articles/{article_id}?page=0").status_code == 422
    assert reader.get(f"/articles/{article_id}?page=two").status_code == 422


def test_a_claim_opens_with_the_list_page_that_holds_it(reader: TestClient, db: Database) -> None:
    article_id, ranked = long_article(db, 230)
    claim_id = ranked[2 * CLAIMS_PER_PAGE + 5]
    opened = reader.get(f"/articles/{article_id}/claims/{claim_id}")
    assert opened.status_code == 200
    assert claim_id in listed(opened.text) and "page 3 of 3" in opened.text
    assert f'href="/articles/{article_id}/claims/{claim_id}?page=3"' in opened.text
    kept = reader.get(f"/articles/{article_id}/claims/{claim_id}?page=1")
    assert listed(kept.text) == ranked[:CLAIMS_PER_PAGE]
    assert f'data-selected="{claim_id}"' in kept.text


def test_an_article_with_sixteen_thousand_claims_renders(reader: TestClient, db: Database) -> None:
    article_id, ranked = long_article(db, 8000)  # 16,000 claims, half nested in the others
    response = reader.get(f"/articles/{article_id}")
    assert response.status_code == 200
    assert len(listed(response.text)) == CLAIMS_PER_PAGE
    assert highlighted(response.text) == set(ranked)
    assert "page 1 of 80" in response.text
