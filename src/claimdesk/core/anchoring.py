"""Re-anchoring claims when an article's text changes: find each claim's words in the new
text, or say honestly that they are gone. Pure: two texts and the claims' selectors in,
new spans out.

A claim carries the selectors of a W3C Web Annotation: its position (``start``/``end``) and
its quote with ``prefix``/``suffix`` context. First a diff of the old text against the new
one (paragraphs, then sentences inside the changed paragraphs, then words inside each
changed sentence paired with the new sentence most like it) says which characters survived
and where they went. Then, per claim:

1. **anchored** / **moved**: the diff carried all the claim's characters, unchanged and
   together, to the same offsets (anchored) or elsewhere (moved: text was inserted or
   deleted before it). The diff comes before "the quote is at the same offsets" because
   in repetitive text inserted words can read the same at the old offsets while the
   claim's own words moved on (a property test found that). Then the old offsets are
   taken if they still hold the quote and the diff says at least half of it is the claim's
   own characters, none from other old text;
2. **moved**: the exact quote elsewhere with its context (a paragraph moved, re-typed):
   the occurrence whose prefix/suffix agree best, the one nearest to where the diff maps
   the old position on a tie;
3. **changed**: words inside the claim changed. The candidate spans are where the diff maps
   the claim's ends (snapped to word boundaries) and rapidfuzz's best alignment of the quote
   near there (``partial_ratio_alignment``); one is taken only if it passes every check
   below, the best scoring one if several do;
4. **orphaned**: none of the above. The claim keeps its old quote and context and has no
   span in the new text (``start == end == 0``).

An orphan given again (no valid offsets) goes through step 2 only, and only onto new text.

What keeps a claim off the wrong words (thresholds chosen to orphan rather than guess):

- *Provenance* (from the diff): a new span may hold characters that came from the claim's
  own old words or that are new, never characters the diff traces back to other old text.
  This is what stops "the claim's sentence was deleted" from landing on the next sentence
  that says something similar, or on another copy of a repeated quote that was already
  there. At most ``STRAY_CHARS`` stray characters are tolerated (a boundary space).
- *Exact elsewhere* needs context: its prefix and its suffix on average at least
  ``CONTEXT_MIN`` similar (rapidfuzz ``ratio``, 0–100) to the old ones (one side alone is
  not enough: in repetitive text one side often reads the same around other words), and
  a side counts only if the diff does not trace it mostly to old text away from the claim
  (the same surroundings, not other surroundings that read alike) (an empty context stood for the
  edge of the text and agrees only there), or else a long quote (``UNIQUE_MIN_CHARS``)
  that occurs exactly once in the old text and once in the new one (not for an orphan:
  its words coming back need their context).
- *Changed* needs all of: the new words at least ``QUOTE_MIN`` similar to the old quote
  (``ratio``: about one word in five may change, and a length change costs too); at least
  ``SURVIVING_MIN`` of the new span's characters being the claim's own surviving
  characters per the diff (a similar sentence written anew elsewhere is not the claim); and
  the prefix or the suffix at least ``CONTEXT_MIN`` similar.
- Two claims that had different spans never share one new span: the better anchored keeps
  it, the other is orphaned.

Cost: the paragraph diff is linear-ish; the sentence and word diffs run only inside
changed stretches (difflib's "autojunk" keeps very common words from making it quadratic:
about a second for a 300 KB text rewritten everywhere). Per claim the work is bounded
by the quote, its context and a window around it: ``MAX_OCCURRENCES`` exact occurrences at most, and
rapidfuzz's alignment only for quotes up to ``ALIGN_MAX_CHARS``.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

__all__ = [
    "CONTEXT_CHARS",
    "Anchor",
    "AnchorState",
    "Reanchored",
    "TextMap",
    "reanchor",
]

AnchorState = Literal["anchored", "moved", "changed", "orphaned"]

CONTEXT_CHARS = 32
"""Characters of prefix/suffix context kept around a span."""
CONTEXT_MIN = 80.0
"""How similar (0–100) the prefix or the suffix must be for an exact quote found elsewhere or
a changed quote: a 32-character context this similar is the same surroundings."""
QUOTE_MIN = 80.0
"""How similar a changed quote must stay to the old one (rapidfuzz ``ratio``)."""
SURVIVING_MIN = 0.5
"""The share of a changed span's characters that must be the claim's own old characters."""
STRAY_CHARS = 2
"""Characters from elsewhere in the old text a new span may hold (a space at an edge)."""
UNIQUE_MIN_CHARS = 24
"""A quote this long, once in the old text and once in the new, is the same words even when
both its neighbours changed (a sentence moved to another paragraph)."""
MAX_OCCURRENCES = 1000
"""Exact occurrences looked at per quote; a quote repeated more than this is orphaned
unless the diff carried it."""
MOVE_MIN_CHARS = 12
"""A sentence or paragraph at least this long that left one place and reappears unchanged
at another counts as moved there (shorter ones are too likely to be a coincidence)."""
PAIR_MIN = 50.0
"""How similar (rapidfuzz ``ratio``) a changed sentence must be to a new one for their words
to be compared; below that it was deleted and the other written anew."""
PAIR_MAX_CELLS = 40_000
"""Changed paragraphs with up to this many old × new changed sentences have their sentences
paired; a larger rewrite is compared word by word, stretch by stretch."""
ALIGN_MAX_CHARS = 2000
"""Quotes longer than this are not aligned with rapidfuzz (its cost grows with the square
of the length); the diff's own candidate still applies."""

_PARAGRAPH = re.compile(r"[^\n]+\n*|\n+")
_SENTENCE = re.compile(r"(?s).+?(?:[.!?]+[\"'”’)\]]*(?:\s+|$)|\n+|$)")
_WORD = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_LEVELS = (_PARAGRAPH, _SENTENCE, _WORD)
Block = tuple[int, int, int]  # (old_start, new_start, length) of a run of equal text
_RANK: dict[str, int] = {"anchored": 0, "moved": 1, "changed": 2, "orphaned": 3}


@dataclass(frozen=True)
class Anchor:
    """Where a claim was: its span of the old text and its quote with context. An orphan
    (``start >= end``, or offsets that no longer hold the quote) has only its quote."""

    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Reanchored:
    """Where a claim is in the new text. ``new_text[start:end] == quote`` unless orphaned;
    an orphan keeps its old quote, prefix and suffix, with ``start == end == 0``."""

    state: AnchorState
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    similarity: float = 100.0  # of the new quote to the old one (rapidfuzz ratio)


def _tokens(pattern: re.Pattern[str], text: str) -> tuple[list[str], list[int]]:
    """The tokens of ``text`` and their offsets (with ``len(text)`` appended)."""
    found = [(m.group(), m.start()) for m in pattern.finditer(text)]
    return [t for t, _ in found], [at for _, at in found] + [len(text)]


class TextMap:
    """Which characters of the old text survive in the new text, and where.

    ``blocks`` are (old_start, new_start, length) runs of equal text in order in both texts
    (the diff; empty ones mark where paired sentences begin and end); ``moves`` are whole
    sentences or paragraphs that left one place and appear, unchanged, at another (each
    reads the same once among the removed ones and once among the added ones). Moves count
    for provenance and for carrying a claim, not for mapping an offset in proportion.
    """

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        blocks, moves = _diff(old, new)
        self.moves = _disjoint(sorted(moves, key=lambda b: -b[2]), [], mutual=True)
        self.blocks = _merge(_disjoint(blocks, self.moves, mutual=False))
        self._old_starts = [b[0] for b in self.blocks]
        everything = [b for b in self.blocks + self.moves if b[2]]  # not the empty ones
        self._by_old = sorted(everything)
        self._by_old_starts = [b[0] for b in self._by_old]
        self._by_new = sorted(everything, key=lambda b: b[1])
        self._by_new_starts = [b[1] for b in self._by_new]

    def _block_at_old(self, offset: int) -> int:
        """Index of the last diff block starting at or before old ``offset`` (-1 if none)."""
        return bisect.bisect_right(self._old_starts, offset) - 1

    def delta_of(self, start: int, end: int) -> int | None:
        """How far the old span moved, if all its characters survived together; else None."""
        i = bisect.bisect_right(self._by_old_starts, start) - 1
        if i < 0:
            return None
        old_start, new_start, length = self._by_old[i]
        if end <= old_start + length:
            return new_start - old_start
        return None

    def to_new(self, offset: int, *, edge: Literal["start", "end"]) -> int:
        """Where an old offset lands in the new text: exactly when the character there (the
        one before, for an ``end``) survived, else in proportion across the changed stretch."""
        probe = offset if edge == "start" else offset - 1
        i = self._block_at_old(probe)
        if i >= 0 and probe >= 0:
            old_start, new_start, length = self.blocks[i]
            if probe < old_start + length:
                return new_start + (probe - old_start) + (0 if edge == "start" else 1)
        # in a gap between block i and block i + 1
        old_lo = new_lo = 0
        if i >= 0:
            old_lo = self.blocks[i][0] + self.blocks[i][2]
            new_lo = self.blocks[i][1] + self.blocks[i][2]
        if i + 1 < len(self.blocks):
            old_hi, new_hi = self.blocks[i + 1][0], self.blocks[i + 1][1]
        else:
            old_hi, new_hi = len(self.old), len(self.new)
        if old_hi <= old_lo:
            return new_lo
        share = (min(max(offset, old_lo), old_hi) - old_lo) / (old_hi - old_lo)
        return new_lo + round(share * (new_hi - new_lo))

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the new text that old ``[start, end)`` can have become: from where
        its first character went (or, if it is gone, from the start of the changed stretch
        it was in) to where its last one went (or the end of that stretch)."""
        return self._edge(start, "start"), self._edge(end, "end")

    def _edge(self, offset: int, edge: Literal["start", "end"]) -> int:
        probe = offset if edge == "start" else offset - 1
        i = self._block_at_old(probe)
        if i >= 0 and probe >= 0:
            old_start, new_start, length = self.blocks[i]
            if probe < old_start + length:
                return new_start + (probe - old_start) + (0 if edge == "start" else 1)
        if edge == "start":
            return self.blocks[i][1] + self.blocks[i][2] if i >= 0 else 0
        return self.blocks[i + 1][1] if i + 1 < len(self.blocks) else len(self.new)

    def origins(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """The old ranges that the surviving characters of new ``[start, end)`` came from."""
        i = max(0, bisect.bisect_right(self._by_new_starts, start) - 1)
        while i < len(self._by_new) and self._by_new[i][1] < end:
            old_start, new_start, length = self._by_new[i]
            lo, hi = max(start, new_start), min(end, new_start + length)
            if lo < hi:
                yield old_start + (lo - new_start), old_start + (hi - new_start)
            i += 1

    def provenance(self, start: int, end: int, own: tuple[int, int]) -> tuple[int, int]:
        """(own, stray): how many characters of new ``[start, end)`` came from the old span
        ``own``, and how many from elsewhere in the old text."""
        own_count = stray = 0
        for lo, hi in self.origins(start, end):
            inside = max(0, min(hi, own[1]) - max(lo, own[0]))
            own_count += inside
            stray += (hi - lo) - inside
        return own_count, stray


def _diff(old: str, new: str) -> tuple[list[Block], list[Block]]:
    """Equal runs and moves: paragraphs first, then sentences inside each changed stretch of
    paragraphs, then words inside each changed stretch of sentences. Aligning whole
    sentences before words keeps a deleted sentence from lending its first words to a
    similar next one."""
    moves: list[Block] = []
    known = _Known(
        frozenset(t.rstrip() for t in _SENTENCE.findall(old)),
        frozenset(t.rstrip() for t in _SENTENCE.findall(new)),
    )
    return _level(old, new, 0, 0, 0, moves, known), moves


@dataclass(frozen=True)
class _Known:
    """Every sentence of each whole text: one that is still (or already) there verbatim
    elsewhere is that sentence moved, never another one edited."""

    old: frozenset[str]
    new: frozenset[str]


def _level(
    old: str,
    new: str,
    old_base: int,
    new_base: int,
    depth: int,
    moves: list[Block],
    known: _Known,
) -> list[Block]:
    pattern = _LEVELS[depth]
    old_tokens, old_at = _tokens(pattern, old)
    new_tokens, new_at = _tokens(pattern, new)
    old_keys, new_keys = [t.rstrip() for t in old_tokens], [t.rstrip() for t in new_tokens]
    last = depth == len(_LEVELS) - 1
    # tokens compare without their trailing spaces (a paragraph that gained a following one
    # gained a line break, not new words); autojunk only at the word level, where it keeps
    # very common words from making the diff quadratic
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=last)
    opcodes = matcher.get_opcodes()

    def block(i: int, j: int) -> Block:
        a, b = old_tokens[i], new_tokens[j]
        tail = _common_prefix(a[len(old_keys[i]) :], b[len(new_keys[j]) :])
        return old_base + old_at[i], new_base + new_at[j], len(old_keys[i]) + len(tail)

    def deeper(i1: int, i2: int, j1: int, j2: int) -> list[Block]:
        a0, a1, b0, b1 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        return _level(old[a0:a1], new[b0:b1], old_base + a0, new_base + b0, depth + 1, moves, known)

    blocks: list[Block] = []
    changed = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            blocks.extend(block(i, j) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            changed.append((i1, i2, j1, j2))
    if last:
        return blocks
    gone = [i for i1, i2, _, _ in changed for i in range(i1, i2)]
    came = [j for _, _, j1, j2 in changed for j in range(j1, j2)]
    _exact_moves(old_keys, new_keys, gone, came, block, moves)
    if pattern is not _SENTENCE or len(gone) * len(came) > PAIR_MAX_CELLS:
        for i1, i2, j1, j2 in changed:
            if i1 < i2 and j1 < j2:
                blocks.extend(deeper(i1, i2, j1, j2))
        return blocks
    local, far = _pairs(old_keys, new_keys, changed, known)
    for i, j in local:
        # a paired sentence's ends correspond: empty blocks that keep an offset mapped in
        # proportion inside its own sentence, not into a neighbour
        blocks.append((old_base + old_at[i], new_base + new_at[j], 0))
        blocks.append((old_base + old_at[i + 1], new_base + new_at[j + 1], 0))
        blocks.extend(deeper(i, i + 1, j, j + 1))
    for i, j in far:  # a sentence moved and edited: its words count as moved
        moves.extend(deeper(i, i + 1, j, j + 1))
    return blocks


def _exact_moves(
    old_keys: list[str],
    new_keys: list[str],
    gone: list[int],
    came: list[int],
    block: Callable[[int, int], Block],
    moves: list[Block],
) -> None:
    """Changed-place tokens that read the same once among the removed and once among the
    added ones (and are long enough not to be a coincidence) moved."""
    removed: dict[str, list[int]] = {}
    added: dict[str, list[int]] = {}
    for i in gone:
        removed.setdefault(old_keys[i], []).append(i)
    for j in came:
        added.setdefault(new_keys[j], []).append(j)
    for key, olds in removed.items():
        news = added.get(key, [])
        if len(key) >= MOVE_MIN_CHARS and len(olds) == len(news) == 1:
            moves.append(block(olds[0], news[0]))


def _pairs(
    old: list[str], new: list[str], changed: list[tuple[int, int, int, int]], known: _Known
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Which changed old sentence became which new one: (local, far) pairs.

    A pair must be at least ``PAIR_MIN`` similar and each the other's best match among all
    the changed sentences here (so a deleted sentence never takes the words of a sentence
    that moved in beside it and was edited), and neither may be a sentence that the other
    text holds verbatim somewhere (that is where it went, or came from). Local pairs lie in
    one changed stretch, in order in both texts, with the greatest total similarity there
    (a weighted longest common subsequence); far pairs are the remaining mutual best
    matches (moved sentences). A sentence left unpaired was deleted or written anew: its
    words are never matched to another sentence's.
    """
    gone = [i for i1, i2, _, _ in changed for i in range(i1, i2)]
    came = [j for _, _, j1, j2 in changed for j in range(j1, j2)]
    gone = [i for i in gone if old[i] not in known.new]
    came = [j for j in came if new[j] not in known.old]
    similar = {(i, j): _similar(old[i], new[j]) for i in gone for j in came}
    best_old = {i: max((similar[i, j] for j in came), default=0.0) for i in gone}
    best_new = {j: max((similar[i, j] for i in gone), default=0.0) for j in came}

    def weight(i: int, j: int) -> float:
        value = similar.get((i, j), 0.0)
        if value < PAIR_MIN or value < max(best_old[i], best_new[j]):
            return 0.0
        return value

    local: list[tuple[int, int]] = []
    for i1, i2, j1, j2 in changed:
        m, n = i2 - i1, j2 - j1
        best = [[0.0] * (n + 1) for _ in range(m + 1)]
        for a in range(m):
            for b in range(n):
                w = weight(i1 + a, j1 + b)
                paired = best[a][b] + w if w else 0.0
                best[a + 1][b + 1] = max(best[a][b + 1], best[a + 1][b], paired)
        found: list[tuple[int, int]] = []
        a, b = m, n
        while a and b:
            if best[a][b] == best[a - 1][b]:
                a -= 1
            elif best[a][b] == best[a][b - 1]:
                b -= 1
            else:
                found.append((i1 + a - 1, j1 + b - 1))
                a, b = a - 1, b - 1
        local.extend(reversed(found))
    taken_old, taken_new = {i for i, _ in local}, {j for _, j in local}
    far: list[tuple[int, int]] = []
    for (i, j), _value in sorted(similar.items(), key=lambda item: -item[1]):
        if i not in taken_old and j not in taken_new and weight(i, j):
            far.append((i, j))
            taken_old.add(i)
            taken_new.add(j)
    return local, far


def _disjoint(blocks: list[Block], taken: list[Block], *, mutual: bool) -> list[Block]:
    """``blocks`` that overlap ``taken`` in neither text (nor, when ``mutual``, an earlier
    kept block: the diff's own blocks never overlap each other, moves may)."""
    kept: list[Block] = []
    old_spans = sorted((a, a + n) for a, _, n in taken)
    new_spans = sorted((b, b + n) for _, b, n in taken)
    for a, b, n in blocks:
        if _hits(old_spans, a, a + n) or _hits(new_spans, b, b + n):
            continue
        kept.append((a, b, n))
        if mutual:
            bisect.insort(old_spans, (a, a + n))
            bisect.insort(new_spans, (b, b + n))
    return kept


def _hits(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """Whether ``[lo, hi)`` overlaps one of the sorted, disjoint ``spans``."""
    i = bisect.bisect_left(spans, (lo, lo))
    return (i < len(spans) and spans[i][0] < hi) or (i > 0 and spans[i - 1][1] > lo)


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _merge(blocks: list[Block]) -> list[Block]:
    merged: list[Block] = []
    for old_start, new_start, length in sorted(blocks):
        if merged:
            a, b, n = merged[-1]
            if a + n == old_start and b + n == new_start:
                merged[-1] = (a, b, n + length)
                continue
        merged.append((old_start, new_start, length))
    return merged


def _similar(a: str, b: str) -> float:
    return float(fuzz.ratio(a, b))


def _context(text: str, start: int, end: int, anchor: Anchor) -> tuple[float, float]:
    """How similar the text around ``[start, end)`` is to the anchor's prefix and suffix.
    An empty prefix (suffix) stood for the start (end) of the text: it agrees only there."""
    if anchor.prefix:
        before = _similar(anchor.prefix, text[max(0, start - len(anchor.prefix)) : start])
    else:
        before = 100.0 if start == 0 else 0.0
    if anchor.suffix:
        after = _similar(anchor.suffix, text[end : end + len(anchor.suffix)])
    else:
        after = 100.0 if end == len(text) else 0.0
    return before, after


def _traced_context(
    tm: TextMap, start: int, end: int, anchor: Anchor, own: tuple[int, int]
) -> tuple[float, float]:
    """``_context``, except that a side the diff traces mostly to old text away from the
    claim (other words that happen to read alike) does not agree at all. An orphan had no
    place in the old text, so its sides are taken as they read."""
    before, after = _context(tm.new, start, end, anchor)
    if own[0] >= own[1]:
        return before, after
    reach = 2 * max(len(anchor.prefix), len(anchor.suffix), 1)
    near = (own[0] - reach, own[1] + reach)
    windows = (
        (start - len(anchor.prefix), start),
        (end, end + len(anchor.suffix)),
    )
    scores = [before, after]
    for side, (lo, hi) in enumerate(windows):
        lo, hi = max(0, lo), min(len(tm.new), hi)
        _near, away = tm.provenance(lo, hi, near)
        if hi > lo and away * 2 > hi - lo:
            scores[side] = 0.0
    return scores[0], scores[1]


def _is_word(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] == "_")


def _snap(text: str, start: int, end: int, old: str, anchor: Anchor) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words where the old quote began/ended between words,
    then trim spaces."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if not (_is_word(old, anchor.start - 1) and _is_word(old, anchor.start)):
        while _is_word(text, start - 1) and _is_word(text, start):
            start -= 1
    if not (_is_word(old, anchor.end - 1) and _is_word(old, anchor.end)):
        while _is_word(text, end - 1) and _is_word(text, end):
            end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass(frozen=True)
class _Found:
    state: AnchorState
    start: int
    end: int
    similarity: float
    score: float  # for choosing between candidates


def _positioned(old: str, anchor: Anchor) -> bool:
    return 0 <= anchor.start < anchor.end <= len(old) and old[anchor.start : anchor.end] == (
        anchor.quote
    )


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    at = text.find(quote)
    while at >= 0 and len(found) <= MAX_OCCURRENCES:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def _count(text: str, quote: str, most: int) -> int:
    n, at = 0, text.find(quote)
    while at >= 0 and n < most:
        n += 1
        at = text.find(quote, at + 1)
    return n


def _exact(tm: TextMap, anchor: Anchor, own: tuple[int, int], hint: int) -> _Found | None:
    """Step 1–2: the quote unchanged, where the diff carried it or elsewhere with context."""
    old, new, quote = tm.old, tm.new, anchor.quote
    if own[0] < own[1]:
        delta = tm.delta_of(*own)
        if delta is not None:
            state: AnchorState = "anchored" if delta == 0 else "moved"
            return _Found(state, own[0] + delta, own[1] + delta, 100.0, 300.0)
        if new[own[0] : own[1]] == quote:
            own_chars, stray = tm.provenance(*own, own)
            if not stray and own_chars >= SURVIVING_MIN * len(quote):
                return _Found("anchored", own[0], own[1], 100.0, 300.0)
    found = _occurrences(new, quote)
    if not found or len(found) > MAX_OCCURRENCES:
        return None
    unique = (  # an orphan's words coming back always need their context
        own[0] < own[1]
        and len(found) == 1
        and len(quote.strip()) >= UNIQUE_MIN_CHARS
        and _count(old, quote, 2) == 1
    )
    best: _Found | None = None
    for at in found:
        end = at + len(quote)
        _own, stray = tm.provenance(at, end, own)
        if stray:
            continue  # these are other old words that happen to read the same
        before, after = _traced_context(tm, at, end, anchor, own)
        if (before + after) / 2 < CONTEXT_MIN and not unique:
            continue
        score = before + after - abs(at - hint) / (len(new) + 1)
        if best is None or score > best.score:
            best = _Found("moved", at, end, 100.0, score)
    return best


def _changed(tm: TextMap, anchor: Anchor, own: tuple[int, int]) -> _Found | None:
    """Step 3: the quote with some words changed, at the place the diff points to."""
    old, new, quote = tm.old, tm.new, anchor.quote
    mapped = (tm.to_new(own[0], edge="start"), tm.to_new(own[1], edge="end"))
    candidates = {_snap(new, *mapped, old, anchor)}
    if len(quote) <= ALIGN_MAX_CHARS:
        pad = max(CONTEXT_CHARS, len(quote) // 2)
        lo = max(0, mapped[0] - pad)
        window = new[lo : max(mapped[1], mapped[0] + len(quote)) + pad]
        if len(window) >= len(quote):
            aligned = fuzz.partial_ratio_alignment(quote, window, score_cutoff=QUOTE_MIN)
            if aligned is not None:
                at = (lo + aligned.dest_start, lo + aligned.dest_end)
                candidates.add(_snap(new, *at, old, anchor))
    lowest, highest = tm.bounds(*own)
    best: _Found | None = None
    for start, end in candidates:
        start, end = max(start, lowest), min(end, highest)
        while start < end and new[start].isspace():
            start += 1
        while end > start and new[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        similarity = _similar(quote, new[start:end])
        if similarity < QUOTE_MIN:
            continue
        own_chars, stray = tm.provenance(start, end, own)
        if stray > STRAY_CHARS or own_chars < SURVIVING_MIN * (end - start):
            continue
        before, after = _context(new, start, end, anchor)
        if max(before, after) < CONTEXT_MIN:
            continue
        score = similarity + (before + after) / 2
        if best is None or score > best.score:
            state: AnchorState = "changed" if new[start:end] != quote else "moved"
            best = _Found(state, start, end, similarity, score)
    return best


def _anchor_one(tm: TextMap, anchor: Anchor) -> _Found | None:
    if not anchor.quote.strip():
        return None
    if _positioned(tm.old, anchor):
        own = (anchor.start, anchor.end)
        hint = tm.to_new(anchor.start, edge="start")
    else:
        own, hint = (0, 0), 0  # an orphan: only new words can take it back
    found = _exact(tm, anchor, own, hint)
    if found is None and own[0] < own[1]:
        found = _changed(tm, anchor, own)
    return found


def reanchor(
    old_text: str,
    new_text: str,
    anchors: Sequence[Anchor],
    *,
    context_chars: int = CONTEXT_CHARS,
) -> list[Reanchored]:
    """Each anchor's place in ``new_text`` (same order as ``anchors``); see the module
    docstring for the steps and the thresholds."""
    tm = TextMap(old_text, new_text)
    found = [_anchor_one(tm, anchor) for anchor in anchors]
    # two claims that had different spans never share one new span: the better keeps it
    holder: dict[tuple[int, int], int] = {}
    for i, hit in enumerate(found):
        if hit is None:
            continue
        key = (hit.start, hit.end)
        j = holder.get(key)
        if j is None:
            holder[key] = i
            continue
        mine, theirs = anchors[i], anchors[j]
        if (mine.start, mine.end) == (theirs.start, theirs.end):
            continue  # the same old span: both follow it
        other = found[j]
        assert other is not None
        if (_RANK[hit.state], -hit.score) < (_RANK[other.state], -other.score):
            holder[key], found[j] = i, None
        else:
            found[i] = None
    results: list[Reanchored] = []
    for anchor, hit in zip(anchors, found, strict=True):
        if hit is None:
            results.append(
                Reanchored("orphaned", 0, 0, anchor.quote, anchor.prefix, anchor.suffix, 0.0)
            )
            continue
        results.append(
            Reanchored(
                hit.state,
                hit.start,
                hit.end,
                new_text[hit.start : hit.end],
                new_text[max(0, hit.start - context_chars) : hit.start],
                new_text[hit.end : hit.end + context_chars],
                hit.similarity,
            )
        )
    return results
