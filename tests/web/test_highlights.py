from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from claimdesk.store.models import Claim
from claimdesk.web.rendering import highlight_segments


def _claim(start: int, end: int, text: str, claim_id: int) -> Claim:
    return Claim(
        id=claim_id,
        article_id=1,
        version_id=1,
        start=start,
        end=end,
        quote=text[start:end],
        statement=text[start:end],
    )


def test_nested_spans_pick_the_innermost_claim() -> None:
    text = "Alpha beta gamma delta."
    outer = _claim(0, len(text), text, 1)
    inner = _claim(6, 16, text, 2)
    segments = highlight_segments(text, [outer, inner])
    assert [(s.text, s.claim.id if s.claim else None, s.depth) for s in segments] == [
        ("Alpha ", 1, 1),
        ("beta gamma", 2, 2),
        (" delta.", 1, 1),
    ]


@given(
    st.text(min_size=1, max_size=200),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=6),
)
def test_segments_rebuild_the_text_and_pick_the_shortest_cover(
    text: str, pairs: list[tuple[int, int]]
) -> None:
    n = len(text) + 1
    claims = [_claim(min(a, b) % n, max(a, b) % n, text, i) for i, (a, b) in enumerate(pairs)]
    segments = highlight_segments(text, claims)
    assert "".join(s.text for s in segments) == text
    pos = 0
    for seg in segments:
        left, right = pos, pos + len(seg.text)
        covering = [c for c in claims if c.start <= left and right <= c.end]
        assert seg.depth == len(covering)
        if covering:
            assert seg.claim is not None
            assert seg.claim.end - seg.claim.start == min(c.end - c.start for c in covering)
        else:
            assert seg.claim is None
        pos = right


def quadratic_segments(text: str, claims: list[Claim]) -> list[tuple[str, int | None, int]]:
    """The definition the sweep must match: every claim checked against every segment."""
    cuts = {0, len(text)}
    for claim in claims:
        cuts.add(max(0, min(claim.start, len(text))))
        cuts.add(max(0, min(claim.end, len(text))))
    points = sorted(cuts)
    segments = []
    for left, right in itertools.pairwise(points):
        covering = [c for c in claims if c.start <= left and right <= c.end]
        innermost = min(covering, key=lambda c: (c.end - c.start, c.start), default=None)
        segments.append((text[left:right], innermost.id if innermost else None, len(covering)))
    return segments


@given(
    st.text(min_size=0, max_size=60),
    st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=25),
)
def test_the_sweep_matches_the_quadratic_definition(
    text: str, pairs: list[tuple[int, int]]
) -> None:
    # raw pairs: empty, inverted, out-of-range and repeated spans included
    claims = [_claim(a, b, text, i) for i, (a, b) in enumerate(pairs)]
    got = [
        (s.text, s.claim.id if s.claim else None, s.depth) for s in highlight_segments(text, claims)
    ]
    assert got == quadratic_segments(text, claims)


class CountedSpan:
    """A claim-like span that counts how often its bounds are read."""

    reads = 0

    def __init__(self, start: int, end: int, claim_id: int) -> None:
        self._start, self._end, self.id = start, end, claim_id

    @property
    def start(self) -> int:
        CountedSpan.reads += 1
        return self._start

    @property
    def end(self) -> int:
        CountedSpan.reads += 1
        return self._end


def test_highlighting_reads_each_claim_a_bounded_number_of_times() -> None:
    # 1,000 sentences, each a claim with a clause claim nested inside it
    text = "".join(f"Sentence {i} says the figure rose {i}% this year. " for i in range(1000))
    spans: list[CountedSpan] = []
    position = 0
    for i in range(1000):
        length = len(f"Sentence {i} says the figure rose {i}% this year.")
        spans.append(CountedSpan(position, position + length, 2 * i))
        spans.append(CountedSpan(position + 9, position + length - 10, 2 * i + 1))
        position += length + 1
    CountedSpan.reads = 0
    segments = highlight_segments(text, spans)  # type: ignore[arg-type]
    assert len(segments) > 3 * 1000
    assert CountedSpan.reads <= 8 * len(spans)  # the quadratic version reads ~10^7 times
