"""fetch_url against a real HTTP server on loopback."""

from __future__ import annotations

import socket

import pytest

from claimdesk.core.extraction import InputError, extract_fetched
from claimdesk.core.fetch import fetch_url
from tests.httpserver import redirect, respond, serve, slow, stream

PAGE = (
    b"<html><head><title>Rates</title></head><body><article><p>The central bank raised rates "
    b"to 4.5 percent on Thursday, the highest level since 2008, the bank said.</p></article>"
    b"</body></html>"
)


def test_fetch_follows_redirects_and_reports_final_url() -> None:
    with serve({"/old": redirect("/new"), "/new": respond(200, PAGE)}) as site:
        doc = fetch_url(site.base_url + "/old")
        assert doc.url == site.base_url + "/new"
    assert doc.encoding == "utf-8"
    assert doc.kind == "html"
    result = extract_fetched(doc)
    assert "4.5 percent" in result.text
    assert result.metadata["url"] == site.base_url + "/new"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "example.org", ""])
def test_bad_scheme(url: str) -> None:
    with pytest.raises(InputError, match="http"):
        fetch_url(url)


def test_connection_refused_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connections are refused
        with pytest.raises(InputError, match="connect"):
            fetch_url(f"http://127.0.0.1:{port}/")


def test_timeout_is_a_clear_error() -> None:
    with serve({"/slow": slow(2.0)}) as site, pytest.raises(InputError, match="timed out"):
        fetch_url(site.base_url + "/slow", timeout=0.3)


def test_http_error_status() -> None:
    with serve({}) as site, pytest.raises(InputError, match="404"):
        fetch_url(site.base_url + "/missing")


def test_too_large_by_header_and_by_stream() -> None:
    routes = {"/declared": respond(200, b"x" * 20_000), "/streamed": stream(b"x" * 4096, 64)}
    with serve(routes) as site:
        with pytest.raises(InputError, match="larger"):
            fetch_url(site.base_url + "/declared", max_bytes=10_000)
        with pytest.raises(InputError, match="larger"):
            fetch_url(site.base_url + "/streamed", max_bytes=10_000)


def test_public_only_refuses_local_hosts_by_address_and_by_name() -> None:
    with serve({"/page": respond(200, PAGE)}) as site:
        assert fetch_url(site.base_url + "/page").content == PAGE
        with pytest.raises(InputError, match="private or local address"):
            fetch_url(site.base_url + "/page", public_only=True)
        with pytest.raises(InputError, match="private or local address"):
            fetch_url(site.base_url.replace("127.0.0.1", "localhost") + "/page", public_only=True)
