"""Turn what a user names (a file, a folder, a URL, stdin) into extractions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from claimdesk.core.decoding import check_size
from claimdesk.core.errors import InputError
from claimdesk.core.extraction import Extraction, extract

Kind = Literal["text", "markdown", "html"]
INGESTIBLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class LoadedInput:
    name: str
    extraction: Extraction
    raw: bytes
    url: str | None
    content_type: str | None


def is_url(name: str) -> bool:
    return name.startswith(("http://", "https://"))


def read_file(path: Path) -> bytes:
    """Read a file, refusing anything over the input limit before reading it."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        check_size(size)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    if path.is_dir():
        raise InputError(f"{path} is a folder")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def load(name: str, *, kind: Kind | None = None, public_only: bool = False) -> LoadedInput:
    """Load and extract one file path or URL. Raises InputError.

    ``public_only`` refuses URLs on private or local networks.
    """
    if is_url(name):
        from claimdesk.core.fetch import fetch_url  # the HTTP client: only for a URL

        fetched = fetch_url(name, public_only=public_only)
        extraction = extract(
            fetched.content,
            kind=kind or fetched.kind,
            url=fetched.url,
            content_type=fetched.content_type,
        )
        return LoadedInput(name, extraction, fetched.content, fetched.url, fetched.content_type)
    path = Path(name)
    data = read_file(path)
    extraction = extract(data, kind=kind, filename=path.name)
    return LoadedInput(name, extraction, data, None, None)


def from_data(data: bytes | str, *, name: str, kind: Kind | None = None) -> LoadedInput:
    """Extract an article given directly (pasted or piped). Raises InputError."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return LoadedInput(name, extract(data, kind=kind), raw, None, None)


def expand(names: list[str]) -> Iterator[str]:
    """Each name as given; a folder gives its ingestible files, sorted, recursively."""
    for name in names:
        path = Path(name)
        if not is_url(name) and path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in INGESTIBLE_SUFFIXES:
                    yield str(child)
        else:
            yield name
