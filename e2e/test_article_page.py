"""A fact-checker opens the demo article and reads its claims."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, sign_in


def test_home_lists_the_demo_article(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "reviewer")
    link = page.locator("#article-list a").first
    expect(link).to_contain_text("Paris pulls its envoy from Baku")
    count = page.locator("#article-list td.num").first.inner_text()
    assert int(count) >= 5


def test_claims_are_highlighted_and_open_on_click(
    page: Page, live_server: LiveServer, shots: Path
) -> None:
    sign_in(page, live_server, "reviewer")
    page.locator("#article-list a").first.click()
    highlights = page.locator("#article-text a.claim-hl")
    expect(highlights.first).to_be_visible()
    assert highlights.count() >= 5
    background = highlights.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")

    target = highlights.filter(has_text="GM200").first
    quote_part = target.inner_text()
    with page.expect_response(lambda r: "/claims/" in r.url) as response:
        target.click()
    assert response.value.request.headers.get("hx-request") == "true"
    detail = page.locator("#claim-detail")
    expect(detail.locator("blockquote.quote")).to_contain_text(quote_part)
    expect(detail).to_contain_text("Check-worthiness")
    suggestion = detail.locator("#claim-sources .match").first
    expect(suggestion).to_contain_text("radar")
    expect(suggestion.locator("mark")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/articles/\d+/claims/\d+$"))
    expect(target).to_have_class(re.compile(r"\bselected\b"))
    page.screenshot(path=str(shots / "article-claim-open.png"), full_page=True)


def test_keyboard_walks_the_claims(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "reviewer")
    page.locator("#article-list a").first.click()
    expect(page.locator("#claim-detail .empty")).to_be_visible()
    page.keyboard.press("j")
    first = page.locator("#claim-list a").first.get_attribute("data-claim-id")
    expect(page.locator("#claim-detail")).to_have_attribute("data-selected", str(first))
    page.keyboard.press("j")
    second = page.locator("#claim-list a").nth(1).get_attribute("data-claim-id")
    expect(page.locator("#claim-detail")).to_have_attribute("data-selected", str(second))
    page.keyboard.press("k")
    expect(page.locator("#claim-detail")).to_have_attribute("data-selected", str(first))


def test_seed_article_ingested_by_cli_shows_highlights(
    page: Page, live_server: LiveServer, shots: Path
) -> None:
    seed = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "seed-article.txt"
    if not seed.exists():
        pytest.skip(f"{seed} is absent (the shared data lives beside the repository)")
    result = live_server.claimdesk("ingest", str(seed))
    article_id = result.stdout.split("\t")[0]
    sign_in(page, live_server, "researcher")
    page.goto(f"{live_server.base_url}/articles/{article_id}")
    highlights = page.locator("#article-text a.claim-hl")
    expect(highlights.first).to_be_visible()
    text = page.locator("#article-text").inner_text()
    assert "top of page" not in text
    assert "complete occupation of Artsakh" in " ".join(highlights.all_inner_texts())
    page.screenshot(path=str(shots / "seed-article.png"), full_page=True)


def test_a_reviewer_pastes_an_article_and_sees_its_claims(
    page: Page, live_server: LiveServer, shots: Path
) -> None:
    sign_in(page, live_server, "reviewer")
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Article text").fill(
        "Ferry fares rise again\n\nSign in to read more\n\n"
        "The island ferry raised its fares by 14% in January 2026, the third rise in two years, "
        "the operator said.\n\nPassenger numbers fell to 1.2 million last year, according to "
        "the port authority.\n"
    )
    page.get_by_role("button", name="Find claims").click()
    expect(page).to_have_url(re.compile(r"/articles/\d+$"))
    expect(page.locator("h1")).to_have_text("Ferry fares rise again")
    highlights = page.locator("#article-text a.claim-hl")
    expect(highlights.first).to_be_visible()
    assert "Sign in to read more" not in page.locator("#article-text").inner_text()
    page.screenshot(path=str(shots / "pasted-article.png"), full_page=True)
