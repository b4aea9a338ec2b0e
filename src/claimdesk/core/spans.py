"""Claim spans as people edit them: check a selection, widen or narrow it by a word, split one
span in two, merge two into one. Pure: text and offsets in, exact spans out.

Offsets are Python code points into an article version's cleaned text, as everywhere else.
Every span this module returns holds ``text[start:end] == quote``, is not blank, and has no
whitespace at either end (a selection's surrounding spaces are trimmed off, never the
characters in between). A "word" is a run of non-space characters, so punctuation stays with
the word it touches ("2026." is one word).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Span", "SpanRefused", "adjust", "locate", "merge", "split", "trimmed", "validate"]

Edge = Literal["start", "end"]


class SpanRefused(ValueError):
    """The span cannot be made; ``message`` says why, fit to show a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Span:
    """An exact piece of an article's text: ``text[start:end] == quote``."""

    start: int
    end: int
    quote: str


def _check_bounds(text: str, start: int, end: int) -> None:
    if not 0 <= start < end <= len(text):
        raise SpanRefused(
            f"The span {start}–{end} is not inside the article text (0–{len(text)}) or is empty."
        )


def trimmed(text: str, start: int, end: int) -> Span:
    """``text[start:end]`` without its surrounding whitespace.

    Raises SpanRefused when the offsets are outside the text, empty, or only whitespace.
    """
    _check_bounds(text, start, end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise SpanRefused("The selection holds only spaces: select some words of the article.")
    return Span(start, end, text[start:end])


def validate(text: str, start: int, end: int, quote: str) -> Span:
    """The span at ``start``–``end`` if ``quote`` is exactly the text there, trimmed.

    Raises SpanRefused when the offsets are outside the text or empty, when the text there is
    not ``quote``, or when it is only whitespace.
    """
    _check_bounds(text, start, end)
    if text[start:end] != quote:
        raise SpanRefused(
            f"The quote does not match the article text at {start}–{end}:"
            " the article may have changed; reload it and select again."
        )
    return trimmed(text, start, end)


def locate(text: str, quote: str, start: int | None = None, end: int | None = None) -> Span:
    """Where ``quote`` is in ``text``: at ``start``–``end`` when it is exactly there, else its
    occurrence nearest to ``start`` (the only one, or, with no ``start``, the first), trimmed.

    A browser cannot always count offsets the way the server does (a page shows hidden
    characters as longer visible markers), so the quote is the authority and the offsets a
    hint for telling repeats apart.

    Raises SpanRefused when ``quote`` is blank or does not occur in ``text``.
    """
    if not quote.strip():
        raise SpanRefused("The selection holds only spaces: select some words of the article.")
    if _holds(text, start, end, quote):
        return trimmed(text, start or 0, end or 0)
    found = _occurrences(text, quote)
    if not found:
        raise SpanRefused(
            "The selected text is not in this version of the article: reload the article"
            " and select again."
        )
    hint = start if start is not None else 0
    best = min(found, key=lambda at: (abs(at - hint), at))
    return trimmed(text, best, best + len(quote))


def _holds(text: str, start: int | None, end: int | None, quote: str) -> bool:
    if start is None or end is None or not 0 <= start < end <= len(text):
        return False
    return text[start:end] == quote


def _occurrences(text: str, quote: str) -> list[int]:
    found, at = [], text.find(quote)
    while at >= 0:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _skip(text: str, at: int, step: int, space: bool) -> int:
    """Move from ``at`` in direction ``step`` while the next character is (not) a space."""
    if step > 0:
        while at < len(text) and text[at].isspace() == space:
            at += 1
    else:
        while at > 0 and text[at - 1].isspace() == space:
            at -= 1
    return at


def adjust(text: str, start: int, end: int, *, edge: Edge, direction: int) -> Span:
    """Move one ``edge`` of the span by one word: ``direction`` -1 moves it left, +1 right.
    The start moving left or the end moving right widens the span; the other two narrow it.
    An edge inside a word moves to that word's boundary first.

    Raises SpanRefused when the span is not a valid span of ``text``, the edge is at the end
    of the text already, the span would become empty, or ``edge``/``direction`` are not one
    of the values above.
    """
    span = trimmed(text, start, end)
    if direction not in (-1, 1):
        raise SpanRefused("Move an edge by -1 (left) or +1 (right) word.")
    if edge == "start":
        if direction < 0:
            moved = _skip(text, _skip(text, span.start, -1, True), -1, False)
            if not text[moved : span.start].strip():  # only spaces before the claim
                raise SpanRefused("The claim already starts at the beginning of the article.")
        else:
            moved = _skip(text, _skip(text, span.start, 1, False), 1, True)
            if moved >= span.end:
                raise SpanRefused("The claim is one word long: it cannot be narrowed further.")
        return trimmed(text, moved, span.end)
    if edge == "end":
        if direction > 0:
            moved = _skip(text, _skip(text, span.end, 1, True), 1, False)
            if not text[span.end : moved].strip():  # only spaces after the claim
                raise SpanRefused("The claim already ends at the end of the article.")
        else:
            moved = _skip(text, _skip(text, span.end, -1, False), -1, True)
            if moved <= span.start:
                raise SpanRefused("The claim is one word long: it cannot be narrowed further.")
        return trimmed(text, span.start, moved)
    raise SpanRefused("Choose the start or the end of the claim to move.")


def split(text: str, start: int, end: int, at: int) -> tuple[Span, Span]:
    """The span cut at offset ``at`` into the part before and the part after, each trimmed
    (both hold words: the span's own ends are never spaces).

    Raises SpanRefused when the span is not valid in ``text`` or ``at`` is not strictly
    inside it (after trimming).
    """
    span = trimmed(text, start, end)
    if not span.start < at < span.end:
        raise SpanRefused(
            f"Split inside the claim: choose an offset between {span.start + 1} and {span.end - 1}."
        )
    return trimmed(text, span.start, at), trimmed(text, at, span.end)


def merge(text: str, first: tuple[int, int], second: tuple[int, int]) -> Span:
    """One span covering both spans (and whatever lies between them), trimmed.

    Raises SpanRefused when either span is not a valid span of ``text``.
    """
    a, b = trimmed(text, *first), trimmed(text, *second)
    return trimmed(text, min(a.start, b.start), max(a.end, b.end))
