"""fetch_url against a mock transport (no network)."""

from __future__ import annotations

import httpx
import pytest

from claimdesk.core.extraction import InputError, extract_fetched
from claimdesk.core.fetch import fetch_url

PAGE = (
    b"<html><head><title>Rates</title></head><body><article><p>The central bank raised rates "
    b"to 4.5 percent on Thursday, the highest level since 2008, the bank said.</p></article>"
    b"</body></html>"
)


def _client(handler: httpx.MockTransport) -> httpx.Client:
    return httpx.Client(transport=handler, follow_redirects=True)


def test_fetch_follows_redirects_and_reports_final_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "https://example.org/new"})
        return httpx.Response(
            200, content=PAGE, headers={"content-type": "text/html; charset=utf-8"}
        )

    with _client(httpx.MockTransport(handler)) as client:
        doc = fetch_url("https://example.org/old", client=client)
    assert doc.url == "https://example.org/new"
    assert doc.encoding == "utf-8"
    assert doc.kind == "html"
    result = extract_fetched(doc)
    assert "4.5 percent" in result.text
    assert result.metadata["url"] == "https://example.org/new"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "example.org", ""])
def test_bad_scheme(url: str) -> None:
    with pytest.raises(InputError, match="http"):
        fetch_url(url)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (httpx.ConnectError("Name or service not known"), "connect"),
        (httpx.ReadTimeout("slow"), "timed out"),
    ],
)
def test_network_failures(exc: Exception, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    with _client(httpx.MockTransport(handler)) as client, pytest.raises(InputError, match=message):
        fetch_url("https://example.org/", client=client)


def test_http_error_status() -> None:
    with (
        _client(httpx.MockTransport(lambda r: httpx.Response(404))) as client,
        pytest.raises(InputError, match="404"),
    ):
        fetch_url("https://example.org/missing", client=client)


def test_too_large_by_header_and_by_stream() -> None:
    big = httpx.MockTransport(
        lambda r: httpx.Response(200, headers={"content-length": str(10**9)}, content=b"")
    )
    with _client(big) as client, pytest.raises(InputError, match="larger"):
        fetch_url("https://example.org/", client=client)

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter([b"x" * 4096] * 64))

    with (
        _client(httpx.MockTransport(streamed)) as client,
        pytest.raises(InputError, match="larger"),
    ):
        fetch_url("https://example.org/", client=client, max_bytes=10_000)
