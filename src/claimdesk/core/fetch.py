"""Fetching an article by URL: http(s) only, size capped while streaming, one deadline for all.

Every hop (the first request and each redirect, followed here rather than by httpx) resolves
its host once, checks every address it got, and connects only to those addresses: the request
keeps the host name, so the Host header, TLS SNI and certificate checks use the name, while a
second DNS answer (a rebinding attack) never gets a say. ``timeout`` is a total deadline for
the whole fetch (name lookups, connections, TLS, redirects and the body), not a per-read limit.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from claimdesk.core.decoding import Kind, kind_from_content_type
from claimdesk.core.errors import MAX_INPUT_BYTES, InputError

USER_AGENT = "claimdesk/0.1 (+fact-checking workbench)"
MAX_REDIRECTS = 10

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[tuple[Any, ...]]]
"""Answers like ``socket.getaddrinfo(host, port)``: tuples whose last item starts with the IP."""
AddressRule = Callable[[IPAddress], bool]

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")


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


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: IPv4-mapped (``::ffff:a.b.c.d``),
    IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::/96``) or 6to4 (``2002::/16``)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is on the public internet: not loopback, private, link-local,
    site-local, multicast or reserved, judging IPv6 addresses that embed an IPv4 one by the
    IPv4 address they lead to."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public_address(inner)
        if address in _SITE_LOCAL or address in _NAT64_LOCAL:
            return False
    return address.is_global and not address.is_multicast


def _any_address(address: IPAddress) -> bool:
    return True


def fetch_url(
    url: str,
    *,
    timeout: float = 15.0,
    max_bytes: int = MAX_INPUT_BYTES,
    public_only: bool = False,
    resolver: Resolver = socket.getaddrinfo,
    allow_address: AddressRule | None = None,
) -> FetchedDocument:
    """Download ``url`` within ``timeout`` seconds in all; raises InputError, with a message
    fit to show a person, for every failure (bad address, refused host, unknown name,
    connection failure, HTTP error status, too large, too many redirects, out of time).

    ``public_only`` refuses hosts with any address on a private or local network (the web app
    sets it). ``resolver`` looks host names up, once per hop. ``allow_address`` replaces the
    rule ``public_only`` picks (for a desk with its own idea of what is reachable).
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InputError(f"Only http:// and https:// addresses can be fetched, not {url!r}.")
    rule = allow_address or (is_public_address if public_only else _any_address)
    where = parts.netloc
    deadline = _Deadline(time.monotonic() + timeout)
    network = _PinnedNetwork(deadline)
    client = httpx.Client(
        transport=_PinnedTransport(network),
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        trust_env=False,
    )
    try:
        with client:
            request = client.build_request("GET", url)
            for _hop in range(MAX_REDIRECTS + 1):
                host = _checked_host(request.url, url)
                where = request.url.netloc.decode("ascii")
                network.pin(host, _addresses(host, request.url, url, resolver, rule, deadline))
                response = client.send(request, stream=True)
                try:
                    if response.next_request is None:
                        return _read(response, url, max_bytes)
                    request = response.next_request
                finally:
                    response.close()
            raise InputError(f"Fetching {url} was redirected more than {MAX_REDIRECTS} times.")
    except httpx.TimeoutException as exc:
        raise InputError(
            f"Fetching {url} timed out: the whole download must finish within {timeout:g} s."
        ) from exc
    except httpx.ConnectError as exc:
        raise InputError(
            f"Could not connect to {where} (the connection was refused "
            "or a secure connection could not be set up)."
        ) from exc
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise InputError(f"{url!r} is not a valid http(s) address.") from exc
    except httpx.HTTPError as exc:
        raise InputError(f"Fetching {url} failed: {exc}.") from exc


def _checked_host(target: httpx.URL, url: str) -> str:
    """The ASCII host name of one hop's URL. Raises InputError for a non-http(s) redirect."""
    if target.scheme not in ("http", "https") or not target.raw_host:
        raise InputError(f"{url} redirected to {str(target)!r}, which is not an http(s) page.")
    return target.raw_host.decode("ascii")


def _addresses(
    host: str,
    target: httpx.URL,
    url: str,
    resolver: Resolver,
    rule: AddressRule,
    deadline: _Deadline,
) -> list[str]:
    """Every address of ``host``, each allowed by ``rule``.

    Raises InputError when the name does not resolve or an address is not allowed, and
    httpx.ConnectTimeout when the lookup outlives the deadline.
    """
    try:
        ipaddress.ip_address(host)
        found = [host]
    except ValueError:
        found = _look_up(
            host, target.port or (443 if target.scheme == "https" else 80), resolver, deadline
        )
    for address in found:
        if not rule(ipaddress.ip_address(address)):
            via = "" if str(target) == url else f" (reached by a redirect from {url})"
            raise InputError(
                f"{host} is a private or local address{via}; claimdesk only fetches public pages."
            )
    return found


def _look_up(host: str, port: int, resolver: Resolver, deadline: _Deadline) -> list[str]:
    """Resolve ``host`` in a helper thread, so a stalling DNS server cannot outlast the deadline.

    Raises InputError when the name does not resolve, httpx.ConnectTimeout when out of time.
    """
    answers: list[Sequence[tuple[Any, ...]]] = []

    def ask() -> None:
        with contextlib.suppress(OSError, UnicodeError):  # no answer: an unknown name
            answers.append(resolver(host, port))

    lookup = threading.Thread(target=ask, name=f"claimdesk resolve {host}", daemon=True)
    lookup.start()
    lookup.join(max(deadline.remaining(), 0.0))
    if lookup.is_alive():
        raise httpx.ConnectTimeout(f"looking up {host} took too long")
    found: list[str] = []
    for info in answers[0] if answers else ():
        if info[0] in (socket.AF_INET, socket.AF_INET6) and str(info[4][0]) not in found:
            found.append(str(info[4][0]))
    if not found:
        raise InputError(f"Could not find the address of {host}: the name does not resolve.")
    return found


def _read(response: httpx.Response, url: str, max_bytes: int) -> FetchedDocument:
    """The body of the final response. Raises InputError for an HTTP error or a large body."""
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


def _too_large(url: str, size: int, limit: int) -> str:
    return f"{url} is larger than the {limit // 1_048_576} MB limit ({size:,} bytes or more)."


@dataclass(frozen=True)
class _Deadline:
    """The moment (``time.monotonic``) a fetch runs out of time."""

    at: float

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def cap(self, timeout: float | None, expired: type[httpcore.TimeoutException]) -> float:
        """``timeout`` shortened to the time left. Raises ``expired`` when none is left."""
        left = self.remaining()
        if left <= 0:
            raise expired("the fetch ran out of time")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadline.cap(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadline.cap(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = self._deadline.cap(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, wait), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedNetwork(httpcore.SyncBackend):
    """Opens connections only to the addresses checked for a host name, by the deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        self._deadline = deadline
        self._pins: dict[str, list[str]] = {}

    def pin(self, host: str, addresses: list[str]) -> None:
        """Connections to ``host`` go to ``addresses`` (tried in order), and nowhere else."""
        self._pins[host] = addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._pins.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked before connecting")
        options = list(socket_options or ())
        refused: httpcore.ConnectError | None = None
        for address in addresses:
            wait = self._deadline.cap(timeout, httpcore.ConnectTimeout)
            try:
                stream = super().connect_tcp(address, port, wait, local_address, options)
            except httpcore.ConnectError as exc:
                refused = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        assert refused is not None
        raise refused


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, connecting through a :class:`_PinnedNetwork`.

    httpx keeps its connection pool in ``_pool`` and offers no public way to hand it a network
    backend; should that change, the pinning tests in ``tests/core/test_fetch.py`` fail (their
    ``*.test`` names resolve only through the pins).
    """

    def __init__(self, network: _PinnedNetwork) -> None:
        ssl_context = _tls_context()
        super().__init__(verify=ssl_context, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=network)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's certificate-checking TLS settings, built once (loading the CA bundle is slow)."""
    return httpx.create_ssl_context()
