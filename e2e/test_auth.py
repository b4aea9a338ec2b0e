"""Roles, hostile content and cross-site posts, in a real browser against a real server."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import LiveServer, free_port, sign_in

NAV = {
    "admin": {
        "Articles",
        "Claims",
        "Dashboard",
        "API tokens",
        "Exports",
        "SQL",
        "Rating scale",
        "Users",
        "Desk settings",
    },
    "editor": {"Articles", "Claims", "Dashboard", "API tokens", "Exports", "Rating scale"},
    "reviewer": {"Articles", "Claims", "Dashboard", "API tokens", "Exports"},
    "researcher": {"Articles", "Claims", "Dashboard", "API tokens", "Exports", "SQL"},
}


def test_anonymous_visitor_is_sent_to_login(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.base_url + "/articles/1")
    expect(page).to_have_url(re.compile(r"/login\?next=/articles/1$"))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


@pytest.mark.parametrize("role", sorted(NAV))
def test_each_role_sees_only_what_it_may(page: Page, live_server: LiveServer, role: str) -> None:
    sign_in(page, live_server, role)
    links = set(page.locator(".topbar nav a").all_inner_texts())
    assert links == NAV[role]
    expect(page.locator(".whoami")).to_contain_text(role)
    response = page.goto(live_server.base_url + "/admin/users")
    assert response is not None
    if role == "admin":
        assert response.status == 200
        expect(page.locator("#users")).to_contain_text("researcher@")
    else:
        assert response.status == 403
    page.goto(live_server.base_url + "/")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(live_server.base_url + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))


def test_wrong_password_shows_one_calm_message(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.base_url + "/login")
    page.get_by_label("Email").fill("nobody@demo.claimdesk.invalid")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error")).to_have_text("Email or password is incorrect.")


def test_hostile_article_runs_no_script(
    page: Page, live_server: LiveServer, tmp_path: Path, shots: Path
) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        "Hostile test article\n\n"
        "<script>window.__pwned = 1; alert('x')</script> The agency said 3,000 jobs were cut "
        'in 2025. <img src=x onerror="window.__pwned = 2"> Officials added that {{ 7*7 }} '
        "regional offices closed in March 2025.\n\n"
        'Read the <a href="javascript:window.__pwned=3">report</a>, which says exports rose '
        "12% in 2024.\n",
        encoding="utf-8",
    )
    article_id = live_server.claimdesk("ingest", str(hostile)).stdout.split("\t")[0]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.base_url}/articles/{article_id}")
    text = page.locator("#article-text")
    expect(text).to_contain_text("<script>window.__pwned = 1; alert('x')</script>")
    expect(text).to_contain_text("{{ 7*7 }}")
    assert text.locator("img, script, a[href^='javascript']").count() == 0
    for highlight in page.locator("#article-text a.claim-hl").all()[:3]:
        highlight.click()
        expect(page.locator("#claim-detail blockquote")).to_be_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    page.screenshot(path=str(shots / "hostile-article.png"), full_page=True)


@pytest.fixture
def attacker_site(tmp_path: Path, live_server: LiveServer) -> Iterator[str]:
    """Another origin serving a page whose form posts to claimdesk."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>attacker</title>"
        f'<form id="f" method="post" action="{live_server.base_url}/tokens">'
        '<input name="name" value="stolen"><button id="go" type="submit">go</button></form>',
        encoding="utf-8",
    )
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def test_cross_site_form_post_is_refused(
    page: Page, live_server: LiveServer, attacker_site: str
) -> None:
    sign_in(page, live_server, "reviewer")
    page.goto(attacker_site)
    with page.expect_response(lambda r: r.url.endswith("/tokens")) as response_info:
        page.locator("#go").click()
    response = response_info.value
    assert response.status == 403
    assert "cross-site request refused" in response.text()
    page.goto(live_server.base_url + "/tokens")
    expect(page.locator("#tokens")).not_to_contain_text("stolen")
