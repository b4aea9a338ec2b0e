from __future__ import annotations

from claimdesk.core.segmentation import segment


def test_abbreviations_numbers_and_repeats() -> None:
    text = (
        "Dr. Smith met the U.S. envoy at No. 10 Downing St. on Monday. Inflation hit 3.5 percent. "
        'Over 1,200 people came. "It is bad," he said. It is bad. It is bad.\n'
        "A heading without punctuation\nAnother line"
    )
    sentences = segment(text)
    assert [s.text for s in sentences] == [
        "Dr. Smith met the U.S. envoy at No. 10 Downing St. on Monday.",
        "Inflation hit 3.5 percent.",
        "Over 1,200 people came.",
        '"It is bad," he said.',
        "It is bad.",
        "It is bad.",
        "A heading without punctuation",
        "Another line",
    ]
    assert sentences[4].start < sentences[5].start
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_long_line_is_cut_into_pieces() -> None:
    text = "a" * 200_000
    sentences = segment(text)
    assert "".join(s.text for s in sentences) == text
