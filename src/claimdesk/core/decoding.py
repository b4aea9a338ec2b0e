"""Turning raw bytes into text: size limit, binary sniffing, charset detection, type sniffing."""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import Literal

from claimdesk.core.errors import MAX_INPUT_BYTES, InputError

Kind = Literal["text", "markdown", "html"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# C0/C1 controls except tab and newline (carriage returns are normalised separately).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_HTML_SNIFF = re.compile(
    r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])|<(?:p|div|article|br|span|h[1-6])[\s>/]",
    re.I,
)
_MARKDOWN_SNIFF = re.compile(
    r"^(?:#{1,6} \S|```|\s{0,3}[-*+] \S.*\n\s{0,3}[-*+] \S)|\[[^\]\n]+\]\([^)\s]+\)|\*\*\S",
    re.M,
)
_WESTERN_RIVALS = frozenset(
    {"cp1250", "cp1252", "cp1254", "cp1257", "latin_1", "iso8859_2", "iso8859_9", "iso8859_15",
     "iso8859_13", "iso8859_4", "mac_roman", "mac_latin2", "cp850", "cp437"}
)  # fmt: skip
_EXTENSIONS: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".txt": "text",
    ".text": "text",
}


def check_size(size: int) -> None:
    """Refuse anything larger than ``MAX_INPUT_BYTES`` before it is parsed."""
    if size > MAX_INPUT_BYTES:
        raise InputError(
            f"The input is too large ({size / 1_048_576:.1f} MB); "
            f"the limit is {MAX_INPUT_BYTES // 1_048_576} MB."
        )


def decode(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; raise InputError for binary input."""
    check_size(len(data))
    if not data.strip():
        raise InputError("The input is empty.")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(
                f"The input looks like {what}, not text; paste text, HTML or Markdown."
            )
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"The input starts with a {encoding} mark but is not valid."
                ) from exc
    if b"\x00" in data[:65536]:
        raise InputError("The input contains NUL bytes: it looks like a binary file, not text.")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            return data.decode(name), codecs.lookup(name).name
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes  # only for input that is not UTF-8

    best = from_bytes(data[:262144]).best()
    if best is None or best.encoding is None:
        raise InputError(
            "The input is not text in any encoding we recognise (is it a binary file?)."
        )
    encoding = best.encoding
    if encoding in _WESTERN_RIVALS:
        # Single-byte Latin encodings are hard to tell apart; Windows-1252 is by far the most
        # common, so it wins whenever it decodes cleanly.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(encoding), encoding
    except (LookupError, UnicodeDecodeError) as exc:
        raise InputError(f"The input could not be decoded (guessed {best.encoding}).") from exc


def normalise(text: str) -> str:
    """Unify newlines, drop control characters (keeping ``\\n`` and ``\\t``) and apply NFC."""
    if not text:
        return text
    controls = len(_CONTROL.findall(text[:65536]))
    if controls > 0.1 * min(len(text), 65536) and controls > 8:
        raise InputError("The input is mostly control characters: it looks binary, not text.")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def kind_from_filename(filename: str | None) -> Kind | None:
    if not filename:
        return None
    name = filename.lower().split("?", 1)[0]
    for ext, kind in _EXTENSIONS.items():
        if name.endswith(ext):
            return kind
    return None


def kind_from_content_type(content_type: str | None) -> Kind | None:
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime in ("text/markdown", "text/x-markdown"):
        return "markdown"
    if mime == "text/plain":
        return "text"
    return None


def sniff_kind(text: str) -> Kind:
    """Guess the type of decoded ``text`` from its first few kilobytes."""
    head = text[:8192]
    if _HTML_SNIFF.search(head):
        return "html"
    if len(_MARKDOWN_SNIFF.findall(head)) >= 1:
        return "markdown"
    return "text"
