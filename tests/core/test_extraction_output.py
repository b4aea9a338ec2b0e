"""Extraction.to_dict: ``duplicate_of`` is a position in the printed claims, whatever
``min_score`` leaves out."""

from __future__ import annotations

from claimdesk.core.extraction import ClaimSpan, Extraction

TEXT = "A rose 5%. B fell 2%. A rose 5%. C held. A rose 5%. B fell 2%."


def _claim(quote: str, nth: int, score: float, duplicate_of: int | None) -> ClaimSpan:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quote, start + 1)
    return ClaimSpan(start, start + len(quote), quote, quote, None, score, (), duplicate_of)


# the first "A" scores low (say its sentence carried a hedge); its repeats score high
CLAIMS = [
    _claim("A rose 5%.", 0, 0.2, None),
    _claim("B fell 2%.", 0, 0.9, None),
    _claim("A rose 5%.", 1, 0.9, 0),
    _claim("C held.", 0, 0.1, None),
    _claim("A rose 5%.", 2, 0.8, 0),
    _claim("B fell 2%.", 1, 0.9, 1),
]
EXTRACTION = Extraction(title=None, text=TEXT, claims=CLAIMS)


def _printed(min_score: float | None) -> list[tuple[str, int | None]]:
    claims = EXTRACTION.to_dict(min_score=min_score)["claims"]
    return [(c["quote"], c["duplicate_of"]) for c in claims]


def test_every_candidate_keeps_the_extractor_indices() -> None:
    expected = [
        ("A rose 5%.", None),
        ("B fell 2%.", None),
        ("A rose 5%.", 0),
        ("C held.", None),
        ("A rose 5%.", 0),
        ("B fell 2%.", 1),
    ]
    assert _printed(None) == expected
    assert _printed(0.0) == expected


def test_filtered_output_points_at_the_first_printed_occurrence() -> None:
    # printed: B, A (its first occurrence filtered out: this one is now the first), A, B
    assert _printed(0.5) == [
        ("B fell 2%.", None),
        ("A rose 5%.", None),
        ("A rose 5%.", 1),
        ("B fell 2%.", 0),
    ]
    assert _printed(0.85) == [("B fell 2%.", None), ("A rose 5%.", None), ("B fell 2%.", 0)]
    assert _printed(0.95) == []


def test_the_spans_themselves_keep_indices_into_every_candidate() -> None:
    # services (ingest) map repeats by the unfiltered index; only the output renumbers
    EXTRACTION.to_dict(min_score=0.5)
    assert [c.duplicate_of for c in EXTRACTION.claims] == [None, None, 0, None, 0, 1]
