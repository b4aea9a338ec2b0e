"""The claim search page in a real browser: search, narrow by a facet, and the Back button
brings the previous results back (htmx pushes each state into the URL); screenshots at
desktop and phone widths."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, sign_in


def _result_ids(page: Page) -> list[str]:
    return [
        str(i) for i in page.locator("li.claim-result").evaluate_all("els => els.map(e => e.id)")
    ]


def test_search_facet_and_back(page: Page, live_server: LiveServer, shots: Path) -> None:
    sign_in(page, live_server, "editor")
    page.get_by_role("link", name="Claims", exact=True).click()
    expect(page).to_have_url(re.compile(r"/claims$"))
    page.get_by_label("Search statements, quotes and rationales").fill("Paris")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/claims\?q=Paris$"))
    expect(page.locator(".result-count")).to_contain_text("match “Paris”")
    searched = _result_ids(page)
    assert len(searched) >= 2

    # a status that only some of the results have narrows them
    total = len(searched)
    chosen = None
    for item in page.locator("#facet-status li").all():
        count = int(item.locator(".count").inner_text())
        if count < total:
            chosen = (item.locator("a"), count)
            break
    assert chosen is not None, "the demo's Paris claims should differ in status"
    link, count = chosen
    link.click()
    expect(page).to_have_url(re.compile(r"/claims\?q=Paris&status=\w+$"))
    expect(page.locator("li.claim-result")).to_have_count(count)
    expect(page.locator("#facet-status a.selected")).to_have_count(1)
    page.screenshot(path=str(shots / "claims-desktop.png"), full_page=True)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/claims\?q=Paris$"))
    expect(page.locator("li.claim-result")).to_have_count(total)
    assert _result_ids(page) == searched
    expect(page.locator("#facet-status a.selected")).to_have_count(0)

    page.go_forward()
    expect(page.locator("li.claim-result")).to_have_count(count)

    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px wide)"
    page.screenshot(path=str(shots / "claims-360.png"), full_page=True)
