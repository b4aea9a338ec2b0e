"""Text normalisation for matching: query cleaning, tokenisation and a light stemmer.

The same ``terms()`` function feeds the search index and the query side, so a word is
reduced to the same index term everywhere, on every database backend. Index terms are
lowercase, accent-free runs of letters and digits (never quotes, operators or spaces), so
they are safe to place inside full-text query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_QUERY_CHARS = 4000
"""Queries are cut to this many code points before matching (a claim is rarely longer)."""

_STOP_WORDS_TEXT = """
a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for
from further had has have having he her here hers herself him himself his how i if in
into is it its itself just me more most my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some such than that the
their theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you
your yours yourself yourselves s t don didn doesn isn wasn weren won wouldn ve ll re d
m via rt amp also just get got says said say new one like
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_URL = re.compile(r"(?:https?://|www\.)\S+|\bpic\.twitter\.com/\S+|\b\S+\.(?:com|org|net|ly)/\S*")
_SIGNATURE = re.compile(
    r"\s*[—–-]{1,2}\s*([^—–\n]{0,80}?)\(@\w{1,30}\)\s*(?:(?:"
    + _MONTHS
    + r")\.?\s+\d{1,2},?\s+\d{4})?[\s\"'”]*$",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:(?:" + _MONTHS + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}\s+(?:" + _MONTHS + r")\.?\s+\d{4})\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@])@(\w{1,30})")
_HASHTAG = re.compile(r"(?<![\w#])#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
_NUMBER_SEPARATOR = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_WORD = re.compile(r"\d{1,3}(?:[,.]\d{3})+(?!\d)|\w+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    """A word of the original text: its index term and where it sits."""

    term: str
    start: int
    end: int
    surface: str


def _split_camel(word: str) -> str:
    return _CAMEL.sub(" ", word).replace("_", " ")


def clean_query(text: str) -> str:
    """Strip what a pasted social-media post carries besides its claim.

    Drops URLs (``pic.twitter.com`` too), the handle and date of a trailing
    ``— Name (@handle) Month D, YYYY`` signature (the name stays) and other dates;
    hashtags and handles become their words (``#AustralianFires`` → ``Australian Fires``).
    Never raises; returns "" for no text.
    """
    text = text[:MAX_QUERY_CHARS]
    text = _URL.sub(" ", text)
    # The author's name stays (claims are often about what that person said); the handle
    # and the date go.
    text = _SIGNATURE.sub(lambda m: " " + m.group(1), text)
    text = _DATE.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + _split_camel(m.group(1)) + " ", text)
    text = _HANDLE.sub(lambda m: " " + _split_camel(m.group(1)) + " ", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lowercase, strip accents and unify number separators (``3,000`` → ``3000``)."""
    text = _NUMBER_SEPARATOR.sub("", text)
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A light English suffix stripper (plurals, -ing, -ed, -ly), idempotent enough for
    matching: both sides of a comparison go through it."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= (5 if suffix == "ly" else 4):
            base = word[: -len(suffix)]
            if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    if word.endswith("e") and len(word) > 4:
        return word[:-1]
    return word


@lru_cache(maxsize=262_144)
def term(word: str) -> str | None:
    """The index term of one folded word, or None for stop words and noise."""
    if word in STOP_WORDS or len(word) > 40:
        return None
    if len(word) == 1 and not word.isdigit():
        return None
    return stem(word.replace("_", ""))


def tokens(text: str) -> list[Token]:
    """Index terms of ``text`` with their offsets in ``text`` (stop words dropped)."""
    found: list[Token] = []
    for match in _WORD.finditer(text):
        surface = match.group()
        for part in _WORD.findall(fold(surface)):
            t = term(part)
            if t:
                found.append(Token(t, match.start(), match.end(), surface))
    return found


def terms(text: str) -> list[str]:
    """Index terms of ``text`` in order, repeats kept (stop words dropped)."""
    out: list[str] = []
    for word in _WORD.findall(fold(text)):
        t = term(word)
        if t:
            out.append(t)
    return out


def query_terms(query: str) -> list[str]:
    """Distinct index terms of a cleaned query, in first-seen order."""
    return list(dict.fromkeys(terms(query)))


def names(text: str) -> list[str]:
    """Capitalised words or runs of them that are not sentence-initial (``Ilhan Omar``)."""
    found: list[str] = []
    for match in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*)", text):
        name = match.group(1)
        if fold(name) not in STOP_WORDS:
            found.append(name)
    return list(dict.fromkeys(found))
