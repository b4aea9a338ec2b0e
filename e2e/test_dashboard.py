"""The dashboard in a real browser: every chart drawn, nothing refused by the CSP, readable
at 360 px wide (screenshots kept in the test's output folder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from e2e.conftest import LiveServer, sign_in


@pytest.mark.parametrize("width", [1280, 360])
def test_dashboard_draws_every_chart_within_the_csp(
    page: Page, live_server: LiveServer, shots: Path, width: int
) -> None:
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            problems.append(f"{message.text} at {where}")

    page.on("console", note)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "researcher")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    figures = page.locator("figure.chart")
    expect(figures).to_have_count(5)
    expect(page.get_by_role("img", name="Verdicts per month: ")).to_be_visible()
    expect(page.get_by_role("link", name="Download CSV")).to_have_count(5)
    for box in page.locator("svg.chart-svg").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().right)"
    ):
        assert box <= width  # no chart runs off the screen
    page.get_by_text("The numbers").first.click()
    expect(page.locator("#verdicts-by-month table")).to_be_visible()
    page.screenshot(path=str(shots / f"dashboard-{width}.png"), full_page=True)
    assert problems == []
