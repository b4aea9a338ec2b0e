"""Page-noise removal: whole lines go (navigation, ads, prompts, bylines, datelines, a repeated
title); words inside the lines that stay are never touched."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from claimdesk.core.dates import parse_date

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_SHORT = 12  # a prompt or label line has at most this many words

# Lines that are noise whatever their length.
_ALWAYS_NOISE = re.compile(
    r"(?:(?:back|go|return|scroll) to |jump to )?(?:the )?(?:top|bottom) of (?:the )?page"
    r"|(?:back|scroll|return) to top|skip to (?:the )?(?:main )?(?:content|navigation|search)"
    r"|skip navigation|toggle navigation|(?:open|close) (?:the )?menu|main menu|menu|search"
    r"|advert(?:isement)?s?\b.*|ads?\b(?:\s*(?:[-:|•·]|for\b).*)?|sponsored(?:\s+(?:content|by\b.*))?"
    r"|(?:paid|promoted) (?:content|post|partner content)"
    r"|(?:©|\(c\)|copyright\b).*|.*\ball rights reserved\.?"
    r"|(?:\d+ )?comments?(?: \(\d+\))?|\d+\s*min(?:ute)?s?\s+read"
    r"|listen to (?:this )?(?:article|story).*"
    r"|\(?(?:reporting|editing|additional reporting|writing) by\b.*"
    r"|(?:story|article) continues (?:below|after)(?: (?:the|this))? (?:advertisement|ad)",
    re.I,
)
# Lines that are noise when short: prompts, sharing, related-links, newsletters, cookies.
_PROMPT_NOISE = re.compile(
    r"(?:log ?in|log ?out|sign ?in|sign ?up|register|create (?:an|your|a free) account"
    r"|my account)\b.*"
    r"|(?:subscribe|subscribers?\b|subscription|become a (?:member|subscriber)|support (?:our|us)\b"
    r"|donate|already a subscriber|unlock|get unlimited access|start your free trial).*"
    r"|.*\b(?:sign up|subscribe|get|receive|join)\b.*\bnewsletters?\b.*"
    r"|.*\bnewsletters?\b.*\b(?:sign up|subscribe|inbox|delivered)\b.*"
    r"|(?:share|tweet|email|print|copy link|save|bookmark)(?: (?:this|on|via|to)\b.*)?"
    r"|(?:read|see|view|load|show) (?:more|all|the full|full|comments|next|previous)\b.*"
    r"|continue reading\b.*|click here\b.*|follow us\b.*|more from\b.*|more on (?:this|these)\b.*"
    r"|related(?: articles?| stories| coverage| content| posts| topics| news| reading| links)?\b.*"
    r"|(?:also read|read also|see also|you may also like|you might also like|don'?t miss"
    r"|recommended(?: for you)?|most (?:read|popular|viewed|shared)|trending(?: now)?"
    r"|up next|watch)\b.*"
    r"|we use cookies\b.*|.*\bcookie (?:policy|settings|preferences)\b.*|accept (?:all )?cookies"
    r"|privacy (?:policy|settings)|terms (?:of|and) (?:use|service|conditions)"
    r"|contact us|about us|advertise(?: with us)?"
    r"|(?:photo|image|video|picture|credit|caption)s?\s*:.*"
    r"|(?:breaking(?: news)?|live|updated|exclusive|just in|developing(?: story)?|opinion"
    r"|analysis)",
    re.I,
)
_SECTIONS = frozenset(
    (
        "home",
        "news",
        "world",
        "politics",
        "business",
        "economy",
        "economics",
        "markets",
        "money",
        "finance",
        "sport",
        "sports",
        "opinion",
        "opinions",
        "culture",
        "arts",
        "books",
        "music",
        "film",
        "tv",
        "television",
        "entertainment",
        "lifestyle",
        "life",
        "style",
        "travel",
        "food",
        "health",
        "science",
        "tech",
        "technology",
        "climate",
        "environment",
        "education",
        "weather",
        "local",
        "national",
        "international",
        "europe",
        "asia",
        "africa",
        "americas",
        "australia",
        "uk",
        "us",
        "u.s.",
        "latest",
        "video",
        "videos",
        "podcasts",
        "podcast",
        "photos",
        "gallery",
        "newsletters",
        "more",
        "live",
        "middle",
        "east",
        "magazine",
        "features",
        "investigations",
        "obituaries",
        "letters",
        "editorials",
        "editorial",
        "crosswords",
        "games",
        "puzzles",
        "shop",
    )
)
_SOCIAL = frozenset(
    (
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "whatsapp",
        "reddit",
        "telegram",
        "pinterest",
        "email",
        "e-mail",
        "print",
        "share",
        "messenger",
        "instagram",
        "youtube",
        "tiktok",
        "copy",
        "link",
        "flipboard",
        "reprint",
        "reprints",
        "permalink",
    )
)
_NAV_SEPARATORS = re.compile(r"\s*[|•·»›>/]\s*")
_BYLINE = re.compile(
    r"(?i:by|written by|words by|story by|posted by|author:?)\s+"
    r"((?:[A-Z][\w.'’-]*|and|&|de|van|von|der|la|le|del|al|bin|,)(?:\s+|,\s*|$)){1,10}"
    r"(?:\s*[|•·–—-]\s*.*)?",
)
_GLUED_END = re.compile(
    r"(?<=[.!?\"'”’)\]\w])\s*(?:bottom of page|top of page|back to top)\s*$", re.I
)
_GLUED_START = re.compile(r"^\s*(?:top of page|skip to (?:main )?content)(?=\s*[A-Z\"“])\s*", re.I)

# Labels that open a paragraph but are not part of the claim, and news datelines.
LABEL_PREFIX = re.compile(
    r"(?:(?:BREAKING(?: NEWS)?|UPDATE[SD]?|EXCLUSIVE|JUST IN|DEVELOPING(?: STORY)?|WATCH|LIVE"
    r"|ANALYSIS|FACT CHECK|EDITOR'?S NOTE|Breaking(?: [Nn]ews)?|Update|Exclusive|Just in)"
    r"\s*[:—–|-]\s*)"
    r"|(?P<dateline>[A-Z][A-Z.'’-]+(?:[ ,]+[A-Z][A-Za-z.'’-]+){0,3}\s*(?:\([^()\n]{1,40}\))?"
    r"\s*[—–]\s*"
    r"|[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,2}\s*\([^()\n]{1,40}\)\s*-{1,2}\s*)"
)


# A table row as markup.py (and Markdown) writes it: ``| cell | cell |``, two cells or more.
TABLE_ROW = re.compile(r"\|(?:[^|\n]*\|){2,}")


def is_table_row(line: str) -> bool:
    """A row of a table: its cells are data (a name, a figure), never navigation."""
    return TABLE_ROW.fullmatch(line) is not None and any(c.isalnum() for c in line)


@dataclass
class CleanedText:
    text: str
    title: str | None
    metadata: dict[str, Any] = field(default_factory=dict)


def _words(line: str) -> list[str]:
    return _WORD.findall(line)


def _is_nav(line: str) -> bool:
    words = [w.lower() for w in _words(line)]
    if not words or line.rstrip().endswith((".", "!", "?", '"', "”")):
        return False
    if all(w in _SOCIAL for w in words):
        return True
    parts = [p for p in _NAV_SEPARATORS.split(line) if p.strip()]
    if len(parts) >= 3 and all(len(_words(p)) <= 3 for p in parts):
        return True
    return len(words) <= 3 and all(w in _SECTIONS for w in words)


def noise_kind(line: str) -> str | None:
    """Why ``line`` (stripped) is page noise, or None when it is content."""
    if not line:
        return None
    n = len(_words(line))
    if n == 0:
        return "symbols" if not any(c.isalnum() for c in line) else None
    if _ALWAYS_NOISE.fullmatch(line):
        return "boilerplate"
    if n <= _SHORT and _PROMPT_NOISE.fullmatch(line):
        return "prompt"
    if _is_nav(line):
        return "navigation"
    if n <= 12 and _BYLINE.fullmatch(line):
        return "byline"
    if n <= 14 and parse_date(line, whole=True) is not None:
        return "dateline"
    return None


def _key(line: str) -> str:
    return " ".join(_words(line.casefold()))


_CLOSERS = "\"'”’»)]）」』】"
_SENTENCE_END = (".", "!", "?", ":", ";", ",", "…", "。", "！", "？", "；", "：", "，")


def _headline_like(line: str) -> bool:
    """A title: short, opening with a capital, and not ending as a sentence does (also behind a
    closing quote or bracket: ``He said "no."`` and ``会议结束了。`` are sentences)."""
    n = len(_words(line))
    return (
        2 <= n <= 25
        and len(line) <= 200
        and not line.rstrip(_CLOSERS).endswith(_SENTENCE_END)
        and line[0].isupper()
    )


def clean_text(text: str, *, title: str | None = None) -> CleanedText:
    """Drop noise lines, detect the title, and collapse blank lines into paragraph breaks."""
    metadata: dict[str, Any] = {}
    kept: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        line = _GLUED_START.sub("", _GLUED_END.sub("", line)).strip()
        if is_table_row(line):
            kept.append(line)
            continue
        kind = noise_kind(line)
        if kind == "byline":
            match = _BYLINE.fullmatch(line)
            name = re.split(r"\s*[|•·–—]\s*", line, maxsplit=1)[0]
            name = re.sub(
                r"^(?:by|written by|words by|story by|posted by|author:?)\s+", "", name, flags=re.I
            )
            if match and "byline" not in metadata:
                metadata["byline"] = metadata["author"] = name.strip(" ,")
            continue
        if kind == "dateline":
            metadata.setdefault("dateline", line)
            parsed = parse_date(line, whole=True)
            if parsed:
                metadata.setdefault("published_at", parsed)
            continue
        if kind is not None:
            continue
        kept.append(line)
    kept, title = _take_title(kept, title)
    paragraphs: list[str] = []
    blank = True
    for line in kept:
        if not line:
            blank = True
            continue
        if blank and paragraphs:
            paragraphs.append("")
        paragraphs.append(line)
        blank = False
    cleaned = "\n".join(paragraphs)
    for para in cleaned.split("\n"):
        match = LABEL_PREFIX.match(para)
        if match and match.group("dateline"):
            metadata.setdefault("dateline", match.group("dateline").strip(" —–-"))
            break
    return CleanedText(text=cleaned, title=title, metadata=metadata)


def _take_title(lines: list[str], title: str | None) -> tuple[list[str], str | None]:
    content = [i for i, line in enumerate(lines) if line]
    if not content:
        return lines, title
    head = content[:6]
    drop: set[int] = set()
    if title is not None:
        key = _key(title)
        drop = {i for i in head if _key(lines[i]) == key}
        if (
            not drop
            and len(content) > 1
            and _key(lines[content[0]])
            and _key(lines[content[0]]) in key
        ):
            drop = {content[0]}  # the page's own headline, shortened
    else:
        first = lines[content[0]]
        key = _key(first)
        repeats = {i for i in head if _key(lines[i]) == key}
        if _headline_like(first) and (len(repeats) > 1 or len(content) > 1):
            title, drop = first, repeats
    return [line for i, line in enumerate(lines) if i not in drop], title
