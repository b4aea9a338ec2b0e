from __future__ import annotations

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
