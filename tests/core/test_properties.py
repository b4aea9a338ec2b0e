"""Property tests: offsets always hold, and no control characters survive."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimdesk.core.extraction import InputError, extract

_ALLOWED_CONTROLS = {"\n", "\t"}

words = st.sampled_from(
    ["The", "ministry", "said", "40", "people", "died", "in", "2023", "Dr.", "U.S.", "3.5",
     "1,200", "percent", "?", "!", ".", ",", "\n", "\n\n", "“quoted”", "é", "e\u0301", "👩‍👧",
     "مرحبا", "שלום", "top of page", "Advertisement", "By Jane Doe", "\x00", "\r\n", "\t"]
)  # fmt: skip
texts = st.one_of(
    st.text(max_size=300),
    st.lists(words, max_size=60).map(" ".join),
)


def _check(data: str) -> None:
    try:
        result = extract(data, kind="text")
    except InputError:
        return
    text = result.text
    for ch in text:
        if unicodedata.category(ch) == "Cc":
            assert ch in _ALLOWED_CONTROLS
    for c in result.claims:
        assert 0 <= c.start < c.end <= len(text)
        assert text[c.start : c.end] == c.quote
        assert c.quote == c.quote.strip()
        assert 0.0 <= c.score <= 1.0
        assert c.duplicate_of is None or 0 <= c.duplicate_of < len(result.claims)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_offsets_and_controls(data: str) -> None:
    _check(data)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(words, min_size=1, max_size=40).map(" ".join), st.sampled_from(["html", "markdown"])
)
def test_offsets_for_markup(data: str, kind: str) -> None:
    try:
        result = extract(data, kind=kind)  # type: ignore[arg-type]
    except InputError:
        return
    for c in result.claims:
        assert result.text[c.start : c.end] == c.quote
