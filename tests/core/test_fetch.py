"""fetch_url against a real HTTP server on loopback."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
from typing import Any

import pytest

from claimdesk.core.extraction import InputError, extract_fetched
from claimdesk.core.fetch import MAX_REDIRECTS, fetch_url, is_public_address
from tests.httpserver import redirect, respond, serve, slow, stream, trickle

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


class Directory:
    """A resolver with fixed answers per name, which counts how often each name is asked."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: dict[str, int] = {}

    def __call__(self, host: str, port: int) -> list[tuple[Any, ...]]:
        self.asked[host] = self.asked.get(host, 0) + 1
        addresses = self.answers[host]
        if len(addresses) > 1:
            self.answers[host] = addresses[1:]  # the next lookup gets a different answer
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addresses[0], port))]


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::127.0.0.1",  # NAT64 of loopback
        "64:ff9b::10.0.0.1",  # NAT64 of a private network
        "64:ff9b:1::10.0.0.1",  # local-use NAT64
        "2002:0a00:0001::1",  # 6to4 of 10.0.0.1
        "2002:7f00:0001::1",  # 6to4 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible loopback
        "::10.0.0.1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:169.254.169.254",  # cloud metadata, mapped
        "fec0::1",  # site-local
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "127.0.0.1",
        "10.1.2.3",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "ff0e::1",
    ],
)
def test_private_and_local_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "64:ff9b::8.8.8.8", "2002:0808:0808::1", "::ffff:8.8.8.8", "2a00::1"]
)
def test_public_addresses_and_what_embeds_them_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))  # classifier only: never fetched


def test_public_only_refuses_local_addresses_wrapped_in_ipv6() -> None:
    with serve({"/page": respond(200, PAGE)}) as site:
        url = f"http://[::ffff:127.0.0.1]:{site.port}/page"
        with pytest.raises(InputError, match="private or local address"):
            fetch_url(url, public_only=True)
        assert site.seen == []


@pytest.mark.parametrize("public_only", [True, False])
def test_a_name_that_does_not_resolve_is_refused(public_only: bool) -> None:
    with pytest.raises(InputError, match=r"nothing\.invalid: the name does not resolve"):
        fetch_url("http://nothing.invalid/page", public_only=public_only)


def test_the_connection_goes_to_the_address_that_was_looked_up() -> None:
    with serve({"/page": respond(200, PAGE)}) as site:
        # a second lookup would answer with an address where nothing listens
        directory = Directory({"pinned.test": ["127.0.0.1", "127.0.0.3"]})
        doc = fetch_url(f"http://pinned.test:{site.port}/page", resolver=directory)
    assert doc.content == PAGE
    assert doc.url == f"http://pinned.test:{site.port}/page"
    assert directory.asked == {"pinned.test": 1}
    assert site.seen == [("/page", f"pinned.test:{site.port}")]


def test_https_goes_to_the_pinned_address_and_names_the_host_for_tls() -> None:
    """The TLS handshake reaches the looked-up address and asks for the URL's name (SNI)."""
    asked_for: list[str | None] = []
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # no certificate: the handshake then fails
    tls.sni_callback = lambda _sock, name, _context: asked_for.append(name)

    def answer_once(listener: socket.socket) -> None:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):
            tls.wrap_socket(conn, server_side=True)

    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = threading.Thread(target=answer_once, args=(listener,), daemon=True)
        server.start()
        directory = Directory({"pinned.test": ["127.0.0.1", "127.0.0.3"]})
        port = listener.getsockname()[1]
        with pytest.raises(InputError, match="secure connection"):
            fetch_url(f"https://pinned.test:{port}/", resolver=directory)
        server.join(5)
    assert asked_for == ["pinned.test"]
    assert directory.asked == {"pinned.test": 1}


def test_every_redirect_hop_is_looked_up_once_and_pinned() -> None:
    with serve({"/page": respond(200, PAGE)}) as site:
        site.routes["/old"] = redirect(f"http://second.test:{site.port}/page")
        directory = Directory(
            {"first.test": ["127.0.0.1", "127.0.0.3"], "second.test": ["127.0.0.1", "127.0.0.3"]}
        )
        doc = fetch_url(f"http://first.test:{site.port}/old", resolver=directory)
    assert doc.content == PAGE
    assert directory.asked == {"first.test": 1, "second.test": 1}
    assert site.seen == [("/old", f"first.test:{site.port}"), ("/page", f"second.test:{site.port}")]


def test_a_redirect_to_a_refused_address_is_stopped_at_that_hop() -> None:
    # Only 127.0.0.1 counts as "public" here (no public address is reachable in tests); the
    # redirect leads to a name on another loopback address, which the rule refuses.
    with serve({"/page": respond(200, PAGE)}) as site:
        site.routes["/old"] = redirect(f"http://internal.test:{site.port}/page")
        directory = Directory({"news.test": ["127.0.0.1"], "internal.test": ["127.0.0.2"]})
        with pytest.raises(InputError, match=r"internal\.test is a private or local address"):
            fetch_url(
                f"http://news.test:{site.port}/old",
                resolver=directory,
                allow_address=lambda address: str(address) == "127.0.0.1",
            )
    assert site.seen == [("/old", f"news.test:{site.port}")]


def test_a_redirect_away_from_http_is_refused() -> None:
    with (
        serve({"/old": redirect("file:///etc/passwd")}) as site,
        pytest.raises(InputError, match="not an http"),
    ):
        fetch_url(site.base_url + "/old")


def test_endless_redirects_stop_at_the_hop_limit() -> None:
    with serve({"/loop": redirect("/loop")}) as site:
        with pytest.raises(InputError, match=f"redirected more than {MAX_REDIRECTS} times"):
            fetch_url(site.base_url + "/loop")
        assert len(site.seen) == MAX_REDIRECTS + 1


def test_a_trickling_server_runs_into_the_total_deadline() -> None:
    with serve({"/slow": trickle(b"x" * 200, 0.5)}) as site:
        started = time.monotonic()
        with pytest.raises(
            InputError, match="timed out: the whole download must finish within 2 s"
        ):
            fetch_url(site.base_url + "/slow", timeout=2)
        assert time.monotonic() - started < 5


def test_the_deadline_covers_every_redirect_hop() -> None:
    routes = {"/a": slow(0.7, redirect("/b")), "/b": slow(0.7, redirect("/c"))}
    routes["/c"] = slow(0.7, respond(200, PAGE))
    with serve(routes) as site, pytest.raises(InputError, match="timed out"):
        fetch_url(site.base_url + "/a", timeout=1.5)
