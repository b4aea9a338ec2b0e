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


# Elements of trafilatura's XML output (``bare_extraction(...).body``).
_CONTAINERS = frozenset({"table", "list", "quote", "div", "body", "main", "section", "article"})
_BLOCKS = _CONTAINERS | {"p", "head", "item", "row", "cell", "code"}
_LINK_DENSE = 0.5  # share of a block's characters inside links above which it is a link list
_LEADING_LINK = 0.3  # a block that opens with a linked headline and is this link-dense: a teaser
_LEADING_PUNCT = " -–—•·*>»|"
_SENTENCE_END = ("。", "！", "？", ".", "!", "?", "…")


class _Links:
    """Where a page's link texts fall in a block of extracted text.

    trafilatura's ``include_links`` output splits some paragraphs at their links and loses the
    spaces around them, so the links are taken from the page itself: every ``<a href>`` text.
    """

    def __init__(self, root: Any) -> None:
        texts: set[str] = set()
        if root is not None:
            for anchor in root.iter("a"):
                if anchor.get("href") is not None:
                    text = " ".join(anchor.text_content().split())
                    if len(text) >= 2:
                        texts.add(text)
        ordered = sorted(texts, key=len, reverse=True)[:5000]
        self.pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
            if ordered
            else None
        )

    def is_link_list(self, text: str) -> bool:
        """Mostly links (menus, related stories), or a teaser: a linked headline opening it."""
        if self.pattern is None:
            return False
        size = sum(1 for c in text if not c.isspace())
        if not size:
            return False
        linked = 0
        leading: str | None = None
        start = len(text) - len(text.lstrip(_LEADING_PUNCT))
        for match in self.pattern.finditer(text):
            linked += sum(1 for c in match.group() if not c.isspace())
            after = text[match.end() :].lstrip()
            # a headline on its own: what follows starts anew (not ", the ..." or "said ...")
            starts_anew = not after or (not after[0].islower() and after[0] != ",")
            if match.start() == start and starts_anew:
                leading = match.group()
        density = linked / size
        if (
            leading is not None
            and len(leading.split()) >= 4
            and not leading.rstrip("\"'”’)»").endswith(_SENTENCE_END)
            and density >= _LEADING_LINK
        ):
            return True  # a teaser: another story's linked headline, then its first sentence
        if density < _LINK_DENSE:
            return False
        # prose with many links in it (a sentence of 15 words or more) is content
        return len(text.split()) < 15 or not text.rstrip("\"'”’)»").endswith(_SENTENCE_END)


def _parse(html: str) -> Any:
    import lxml.html

    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, TypeError, SyntaxError):  # lxml's ParserError is a SyntaxError
        return None


# Page furniture marked as such by the page itself: by element kind, by ARIA role, by being
# hidden, or by a class or id naming a widget (one token of it: "newsletter-signup" is, and
# "article-body" is not).
_FURNITURE_TAGS = frozenset({"aside", "figcaption", "nav", "dialog"})
_FURNITURE_ROLES = frozenset(
    {"complementary", "navigation", "banner", "contentinfo", "dialog", "alertdialog"}
)
_FURNITURE_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:newsletters?|subscribe|subscription|signup|membership|paywall|cookies?"
    r"|consent|gdpr|related|promo|social|share|sharing|caption|credits?|bio|outbrain|taboola"
    r"|sponsored)(?=$|[\s_-])",
    re.I,
)
_FURNITURE_MAX = 3000  # a widget is small: never drop a block holding this much text


def _drop_furniture(root: Any) -> None:
    found = []
    for elem in root.iter():
        tag = elem.tag if isinstance(elem.tag, str) else ""
        if tag in ("html", "body", "main", "article"):
            continue
        style = (elem.get("style") or "").replace(" ", "").lower()
        if (
            tag in _FURNITURE_TAGS
            or (elem.get("role") or "").lower() in _FURNITURE_ROLES
            or elem.get("hidden") is not None
            or elem.get("aria-hidden") == "true"
            or "display:none" in style
            or _FURNITURE_TOKEN.search(f"{elem.get('class') or ''} {elem.get('id') or ''}")
        ):
            found.append(elem)
    for elem in found:
        parent = elem.getparent()
        if parent is None or len(elem.text_content()) > _FURNITURE_MAX:
            continue
        elem.drop_tree()


def _xml_text(elem: Any) -> str:
    """Text nodes only, ``<lb/>`` as a line break: what the parser decoded stays as it is
    (``&lt;b&gt;`` in the page is the text <b>, and it is kept)."""
    parts: list[str] = [elem.text or ""]
    for child in elem:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag != "graphic":
            parts.append(_xml_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _has_blocks(elem: Any) -> bool:
    return any(child.tag in _BLOCKS for child in elem)


class _Renderer:
    """One line per paragraph, heading, list item and table row; link lists left out."""

    def __init__(self, links: _Links) -> None:
        self.links = links
        self.lines: list[str] = []

    def block(self, text: str) -> None:
        if not text.strip() or self.links.is_link_list(" ".join(text.split())):
            return
        for part in text.split("\n"):
            if part.strip():
                self.lines.append(" ".join(part.split()))

    def render(self, elem: Any) -> None:
        if elem.tag == "row":
            self.row(elem)
        elif elem.tag in _CONTAINERS or _has_blocks(elem):
            # loose text between blocks is a paragraph of its own
            loose = [elem.text or ""]
            for child in elem:
                if child.tag in _BLOCKS:
                    self.block("".join(loose))
                    loose = []
                    self.render(child)
                elif child.tag == "lb":
                    loose.append("\n")
                elif child.tag != "graphic":
                    loose.append(_xml_text(child))
                loose.append(child.tail or "")
            self.block("".join(loose))
        else:
            self.block(_xml_text(elem))
        if elem.tag not in ("item", "row", "cell"):
            self.lines.append("")

    def row(self, row: Any) -> None:
        """A data row becomes ``| cell | cell |`` on one line; a layout row (blocks in its
        cells, or a single filled cell) is rendered as the paragraphs it holds."""
        cells = [cell for cell in row if cell.tag == "cell"]
        texts = [" ".join(_xml_text(cell).split()) for cell in cells]
        filled = [t for t in texts if t]
        if len(filled) < 2 or any(_has_blocks(cell) for cell in cells):
            for cell in cells:
                self.render(cell)
            return
        if all(self.links.is_link_list(t) for t in filled):
            return  # every cell a link: a menu laid out as a table
        self.lines.append("| " + " | ".join(texts) + " |")


def html_to_text(html: str, *, url: str | None = None) -> PageText:
    """Main content of an HTML page via trafilatura, falling back to all visible text.

    The text is built from trafilatura's XML tree, never from a string with tags in it, so
    text that only looks like markup (``&lt;The Palace&gt;``) stays. Blocks that are mostly
    links (menus, related stories, teasers) are left out; table rows keep their cells.
    """
    import trafilatura  # imported lazily: it is slow to import

    html = _SCRIPT_STYLE.sub(" ", html)
    metadata: dict[str, Any] = {}
    canonical = _CANONICAL.search(html[:65536])
    if canonical:
        metadata["canonical_url"] = canonical.group(1)
    root = _parse(html)
    links = _Links(root)
    if root is not None:
        _drop_furniture(root)
    doc = trafilatura.bare_extraction(
        root if root is not None else html,
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
        if doc.body is not None:
            renderer = _Renderer(links)
            renderer.render(doc.body)
            text = "\n".join(renderer.lines)
        title = doc.title or None
        if doc.author:
            metadata["author"] = metadata["byline"] = doc.author
        if doc.sitename:
            metadata["publisher"] = doc.sitename
        if doc.date:
            metadata["published_at"] = doc.date
        if doc.url and "canonical_url" not in metadata:
            metadata["canonical_url"] = doc.url
    if len(text.strip()) < 40:
        fallback = _visible_text(html)
        if len(fallback.strip()) > len(text.strip()):
            text = fallback
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
            # a table row keeps its outer bars: cleaning knows it by them (cleaning.TABLE_ROW)
            cells = line.strip().strip("|").split("|")
            line = "| " + " | ".join(cell.strip() for cell in cells) + " |"
        if heading and title is None and raw.lstrip().startswith("# "):
            title = line.strip() or None
        out.append(line.rstrip())
        if heading:
            out.append("")
    return PageText(text="\n".join(out), title=title)
