"""From HTML or Markdown to plain text (plus whatever metadata the page declares)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
     "head", "iframe", "object", "button", "select"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
     "blockquote", "section", "article", "main", "pre", "hr", "dd", "dt", "figcaption", "title"}
)  # fmt: skip
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"})
_SCRIPT_STYLE = re.compile(r"<(script|style|noscript|template)\b.*?(?:</\1\s*>|\Z)", re.I | re.S)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_CANONICAL = re.compile(
    r"""<link\b(?=[^>]*\brel\s*=\s*["']?canonical)[^>]*\bhref\s*=\s*["']?([^"'\s>]+)""", re.I
)


@dataclass
class PageText:
    """Text pulled out of a page, with the page's own metadata."""

    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class _TextCollector(HTMLParser):
    """Fallback extractor: visible text of the page, one block per line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS and tag not in _VOID_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and tag not in _VOID_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def html_to_text(html: str, *, url: str | None = None) -> PageText:
    """Main content of an HTML page via trafilatura, falling back to all visible text."""
    import trafilatura  # imported lazily: it is slow to import

    html = _SCRIPT_STYLE.sub(" ", html)
    metadata: dict[str, Any] = {}
    canonical = _CANONICAL.search(html[:65536])
    if canonical:
        metadata["canonical_url"] = canonical.group(1)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = ""
    title: str | None = None
    if doc is not None and not isinstance(doc, dict):
        text = doc.text or ""
        title = doc.title or None
        if doc.author:
            metadata["author"] = metadata["byline"] = doc.author
        if (doc.sitename and doc.sitename != doc.hostname) or doc.sitename:
            metadata["publisher"] = doc.sitename
        if doc.date:
            metadata["published_at"] = doc.date
        if doc.url and "canonical_url" not in metadata:
            metadata["canonical_url"] = doc.url
    if len(text.strip()) < 40:
        fallback = _visible_text(html)
        if len(fallback.strip()) > len(text.strip()):
            text = fallback
    # Whatever survived, no markup may reach the text.
    text = _TAG.sub("", _SCRIPT_STYLE.sub(" ", text))
    return PageText(text=text, title=title, metadata=metadata)


_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REFLINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"`([^`\n]+)`")


def _inline(line: str) -> str:
    line = _IMAGE.sub(lambda m: m.group(1), line)
    line = _LINK.sub(lambda m: m.group(1), line)
    line = _REFLINK.sub(lambda m: m.group(1), line)
    line = _AUTOLINK.sub(lambda m: m.group(1), line)
    line = _CODE.sub(lambda m: m.group(1), line)
    line = _STRONG.sub(lambda m: m.group(2), line)
    line = _STRIKE.sub(lambda m: m.group(1), line)
    line = _EM_STAR.sub(lambda m: m.group(1), line)
    line = _EM_UNDER.sub(lambda m: m.group(1), line)
    return _TAG.sub("", line)


def markdown_to_text(markdown: str) -> PageText:
    """Strip Markdown markup line by line; words are kept as written. Code blocks are dropped."""
    markdown = _SCRIPT_STYLE.sub(" ", markdown)
    out: list[str] = []
    title: str | None = None
    in_fence = False
    for raw in markdown.split("\n"):
        if _FENCE.match(raw):
            in_fence = not in_fence
            out.append("")
            continue
        if in_fence or (raw.startswith("    ") and (not out or not out[-1])):
            continue  # fenced or indented code
        if _RULE.match(raw) or _REFDEF.match(raw) or _TABLE_SEP.match(raw):
            out.append("")
            continue
        if _SETEXT.match(raw) and out and out[-1]:
            out.append("")
            continue
        heading = _HEADING.match(raw)
        line = heading.group(1) if heading else raw
        line = _QUOTE.sub("", line)
        line = _BULLET.sub("", line)
        line = _inline(line)
        if "|" in line and line.strip().startswith("|"):
            line = " | ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        if heading and title is None and raw.lstrip().startswith("# "):
            title = line.strip() or None
        out.append(line.rstrip())
        if heading:
            out.append("")
    return PageText(text="\n".join(out), title=title)
