"""Fetching an article by URL: http(s) only, redirects followed, size capped while streaming."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from claimdesk.core.decoding import Kind, kind_from_content_type
from claimdesk.core.errors import MAX_INPUT_BYTES, InputError

USER_AGENT = "claimdesk/0.1 (+fact-checking workbench)"


@dataclass(frozen=True)
class FetchedDocument:
    """The raw bytes of a fetched page and what the server said about them."""

    content: bytes
    url: str  # final URL, after redirects
    content_type: str | None
    encoding: str | None  # charset declared by the server, if any
    requested_url: str = ""

    @property
    def kind(self) -> Kind | None:
        return kind_from_content_type(self.content_type)


def refuse_private_hosts(request: httpx.Request) -> None:
    """An httpx request hook: refuse hosts that resolve to loopback, private, link-local or
    other non-public addresses, at every redirect (so a server cannot be made to fetch its
    own network on a user's behalf)."""
    host = request.url.host
    try:
        infos = socket.getaddrinfo(host, request.url.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return  # the connection attempt reports the unknown host
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global:
            raise InputError(
                f"{host} is a private or local address; claimdesk only fetches public pages."
            )


def fetch_url(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = MAX_INPUT_BYTES,
    public_only: bool = False,
) -> FetchedDocument:
    """Download ``url``; every failure is an InputError with a message fit to show a person.

    ``public_only`` refuses hosts on private and local networks (the web app sets it).
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(f"Only http:// and https:// addresses can be fetched, not {url!r}.")
    hooks = {"request": [refuse_private_hosts]} if public_only else {}
    http = httpx.Client(
        follow_redirects=True,
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        event_hooks=hooks,
    )
    try:
        with http.stream("GET", url.strip(), follow_redirects=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise InputError(
                    f"The server answered HTTP {response.status_code} "
                    f"{response.reason_phrase or ''} for {url}.".replace("  ", " ")
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise InputError(_too_large(url, int(declared), max_bytes))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(_too_large(url, size, max_bytes))
                chunks.append(chunk)
            return FetchedDocument(
                content=b"".join(chunks),
                url=str(response.url),
                content_type=response.headers.get("content-type"),
                encoding=response.charset_encoding,
                requested_url=url,
            )
    except httpx.TimeoutException as exc:
        raise InputError(f"Fetching {url} timed out after {timeout:g} s.") from exc
    except httpx.TooManyRedirects as exc:
        raise InputError(f"Fetching {url} was redirected too many times.") from exc
    except httpx.ConnectError as exc:
        raise InputError(
            f"Could not connect to {parts.netloc} (unknown host or connection refused)."
        ) from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise InputError(f"{url!r} is not a valid http(s) address.") from exc
    except httpx.HTTPError as exc:
        raise InputError(f"Fetching {url} failed: {exc}.") from exc
    finally:
        http.close()


def _too_large(url: str, size: int, limit: int) -> str:
    return f"{url} is larger than the {limit // 1_048_576} MB limit ({size:,} bytes or more)."
