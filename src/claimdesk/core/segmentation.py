"""Sentence segmentation with exact code-point offsets into the cleaned text.

pysbd finds the boundaries inside each line; offsets are recovered here by locating each
segment with ``str.find`` from a moving cursor (pysbd's own ``char_span`` mode misplaces
repeated sentences). Every line is a boundary of its own, so headings and list items never
run into the next sentence. Very long lines are cut into pieces first so nothing is quadratic.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_MAX_PIECE = 2000  # longest stretch handed to pysbd in one call
_ROUGH_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def _pieces(line: str) -> Iterator[tuple[int, str]]:
    """Split a line into stretches of at most ``_MAX_PIECE`` code points, preferring
    sentence ends, then whitespace; yield ``(offset, piece)``."""
    start = 0
    n = len(line)
    while n - start > _MAX_PIECE:
        window_end = start + _MAX_PIECE
        cut = -1
        for match in _ROUGH_END.finditer(line, start + _MAX_PIECE // 4, window_end):
            cut = match.end()
        if cut <= start:
            space = line.rfind(" ", start + _MAX_PIECE // 4, window_end)
            cut = space + 1 if space > start else window_end
        yield start, line[start:cut]
        start = cut
    yield start, line[start:]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _segment_piece(piece: str) -> Iterator[tuple[int, int]]:
    """Offsets of pysbd's sentences within ``piece``; whatever cannot be located stays attached."""
    segments = [s for s in _segmenter().segment(piece) if s.strip()] if piece.strip() else []
    cursor = 0
    bounds: list[int] = []
    for segment in segments:
        probe = segment.strip()
        found = piece.find(probe, cursor)
        if found < 0:
            found = piece.find(probe[:12], cursor)
        if found < 0:
            continue
        if found > cursor or not bounds:
            bounds.append(found)
        cursor = found + max(1, len(probe) if piece.startswith(probe, found) else 1)
    if not bounds:
        bounds = [0]
    bounds[0] = 0
    bounds.append(len(piece))
    for a, b in itertools.pairwise(bounds):
        s, e = _trimmed(piece, a, b)
        if s < e:
            yield s, e


def segment(text: str) -> list[Sentence]:
    """Sentences of ``text`` in order, trimmed, with ``text[s.start:s.end] == s.text``."""
    sentences: list[Sentence] = []
    line_start = 0
    for line in text.split("\n"):
        if line.strip():
            for offset, piece in _pieces(line):
                base = line_start + offset
                for s, e in _segment_piece(piece):
                    sentences.append(Sentence(base + s, base + e, text[base + s : base + e]))
        line_start += len(line) + 1
    return sentences
