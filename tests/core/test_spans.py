"""Claim spans as people edit them: every span made is exact, trimmed and not blank."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.core.spans import Span, SpanRefused, adjust, locate, merge, split, validate

TEXT = "The council approved 12.5 million euros.\n\nRuiz said the tram will cost 40% more."

words = st.sampled_from(
    ["The", "council", "12.5", "40%", "2026.", "“quoted”", "e\u0301", "👩‍👧", "مرحبا",
     "\u202ehidden", "zero\u200bwidth", " ", "  ", "\n", "\n\n", "\t", "\u00a0", ",", "—"]
)  # fmt: skip
texts = st.one_of(st.lists(words, min_size=1, max_size=40).map("".join), st.text(max_size=120))


def exact(text: str, span: Span) -> None:
    assert 0 <= span.start < span.end <= len(text)
    assert text[span.start : span.end] == span.quote
    assert span.quote.strip() == span.quote
    assert span.quote


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(texts.filter(lambda t: t.strip() != ""))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


def test_validate_trims_the_selection_and_keeps_it_exact() -> None:
    at = TEXT.index("Ruiz") - 2
    span = validate(TEXT, at, at + 11, TEXT[at : at + 11])
    assert span == Span(at + 2, at + 11, "Ruiz said")


@pytest.mark.parametrize(
    ("start", "end", "quote", "says"),
    [
        (0, 3, "the", "does not match"),
        (4, 11, "council ", "does not match"),
        (-1, 3, "The", "not inside"),
        (3, 3, "", "not inside"),
        (0, len(TEXT) + 1, TEXT, "not inside"),
        (40, 42, "\n\n", "only spaces"),
    ],
)
def test_validate_refuses_in_words(start: int, end: int, quote: str, says: str) -> None:
    with pytest.raises(SpanRefused, match=says):
        validate(TEXT, start, end, quote)


def test_locate_prefers_the_offsets_then_the_nearest_repeat() -> None:
    text = "40% more. Not 40% less. Then 40% again."
    repeats = [i for i in range(len(text)) if text.startswith("40%", i)]
    assert locate(text, "40%", repeats[1], repeats[1] + 3).start == repeats[1]
    # offsets counted differently by the browser (e.g. past a hidden-character marker)
    assert locate(text, "40%", repeats[2] + 11, repeats[2] + 14).start == repeats[2]
    assert locate(text, "40%", repeats[1] - 3, repeats[1]).start == repeats[1]
    assert locate(text, "40%").start == repeats[0]
    assert locate(text, " Not ", 0, 1) == Span(10, 13, "Not")
    with pytest.raises(SpanRefused, match="not in this version"):
        locate(text, "50%", 0, 3)
    with pytest.raises(SpanRefused, match="only spaces"):
        locate(text, "  ", 9, 11)


def test_adjust_moves_an_edge_by_one_word() -> None:
    start = TEXT.index("approved")
    end = start + len("approved 12.5")
    assert adjust(TEXT, start, end, edge="start", direction=-1).quote == "council approved 12.5"
    assert adjust(TEXT, start, end, edge="start", direction=1).quote == "12.5"
    assert adjust(TEXT, start, end, edge="end", direction=1).quote == "approved 12.5 million"
    assert adjust(TEXT, start, end, edge="end", direction=-1).quote == "approved"
    # an edge inside a word goes to that word's boundary first
    assert adjust(TEXT, start + 2, end, edge="start", direction=-1).quote == "approved 12.5"
    # across the paragraph break
    tail = TEXT.index("Ruiz")
    assert adjust(TEXT, tail, tail + 4, edge="start", direction=-1).quote == "euros.\n\nRuiz"


@pytest.mark.parametrize(
    ("start", "end", "edge", "direction", "says"),
    [
        (0, 3, "start", -1, "beginning"),
        (len(TEXT) - 5, len(TEXT), "end", 1, "end of the article"),
        (4, 11, "start", 1, "one word"),
        (4, 11, "end", -1, "one word"),
        (4, 11, "end", 2, "-1"),
        (4, 11, "middle", 1, "start or the end"),
    ],
)
def test_adjust_refuses_in_words(
    start: int, end: int, edge: str, direction: int, says: str
) -> None:
    with pytest.raises(SpanRefused, match=says):
        adjust(TEXT, start, end, edge=edge, direction=direction)  # type: ignore[arg-type]


def test_split_and_merge() -> None:
    end = TEXT.index(".\n") + 1
    at = TEXT.index("12.5")
    first, second = split(TEXT, 0, end, at - 1)
    assert (first.quote, second.quote) == ("The council approved", "12.5 million euros.")
    assert merge(TEXT, (second.start, second.end), (first.start, first.end)) == Span(
        0, end, TEXT[:end]
    )
    with pytest.raises(SpanRefused, match="between 1 and"):
        split(TEXT, 0, end, 0)
    with pytest.raises(SpanRefused, match="not inside"):
        merge(TEXT, (0, 3), (5, len(TEXT) + 2))


def test_split_inside_surrounding_spaces_is_refused() -> None:
    assert split("a  b", 0, 4, 2) == (Span(0, 1, "a"), Span(3, 4, "b"))
    with pytest.raises(SpanRefused, match="between 3 and 4"):
        split("  abc  ", 0, 7, 1)  # the span is "abc" at 2–5


@settings(max_examples=300, deadline=None)
@given(text_and_span())
def test_validated_and_located_spans_are_exact(case: tuple[str, int, int]) -> None:
    text, start, end = case
    quote = text[start:end]
    if not quote.strip():
        with pytest.raises(SpanRefused):
            validate(text, start, end, quote)
        return
    span = validate(text, start, end, quote)
    exact(text, span)
    assert span.quote == quote.strip()
    exact(text, locate(text, quote, start + 3, end + 3))


@settings(max_examples=300, deadline=None)
@given(text_and_span(), st.sampled_from(["start", "end"]), st.sampled_from([-1, 1]))
def test_adjusted_spans_are_exact(case: tuple[str, int, int], edge: str, direction: int) -> None:
    text, start, end = case
    try:
        span = adjust(text, start, end, edge=edge, direction=direction)  # type: ignore[arg-type]
    except SpanRefused:
        return
    exact(text, span)
    before = text[start:end].strip()
    widened = (edge == "start") == (direction < 0)
    if widened:
        assert before in span.quote and len(span.quote) > len(before)
    else:
        assert span.quote in before and len(span.quote) < len(before)


@settings(max_examples=300, deadline=None)
@given(text_and_span(), st.data())
def test_split_then_merge_gives_back_the_span(
    case: tuple[str, int, int], data: st.DataObject
) -> None:
    text, start, end = case
    at = data.draw(st.integers(start, end))
    try:
        first, second = split(text, start, end, at)
    except SpanRefused:
        return
    exact(text, first)
    exact(text, second)
    assert first.end <= at <= second.start
    whole = merge(text, (first.start, first.end), (second.start, second.end))
    exact(text, whole)
    assert whole.quote == text[start:end].strip()
