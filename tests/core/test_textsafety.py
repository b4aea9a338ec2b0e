"""Hidden and direction-changing characters: kept exactly, flagged on claims, shown visibly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from claimdesk.core.extraction import extract_from_text
from claimdesk.core.textsafety import (
    HIDDEN_CHARACTERS,
    HIDDEN_CHARACTERS_FLAG,
    find_hidden,
    has_hidden,
    marker,
    restore_hidden,
    show_hidden,
)

RLO = "\u202e"
SENTENCE = "The ministry said unemployment fell to 4.1% in March 2024, its lowest level since 2008."


def test_every_listed_character_is_found_and_shown() -> None:
    expected = [
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060",
        "\ufeff",
    ]  # fmt: skip
    assert sorted(HIDDEN_CHARACTERS) == sorted(expected)
    for char in expected:
        text = f"a{char}b"
        assert [(h.offset, h.char) for h in find_hidden(text)] == [(1, char)]
        shown = show_hidden(text)
        assert char not in shown
        assert shown == f"a⟨{HIDDEN_CHARACTERS[char]} U+{ord(char):04X}⟩b"
    assert marker(RLO) == "⟨RLO U+202E⟩"


def test_soft_hyphen_and_ordinary_text_are_left_alone() -> None:
    for text in ("co\u00adoperate", "مرحبا שלום", "naïve café", "line\nbreak\ttab"):
        assert not has_hidden(text)
        assert show_hidden(text) == text


def test_markers_need_no_escaping() -> None:
    """A marker may be printed inside HTML or an attribute without changing its meaning."""
    for char in HIDDEN_CHARACTERS:
        assert not set(marker(char)) & set("<>&\"'`\\")
        assert not has_hidden(marker(char))


hostile = st.text(
    alphabet=st.one_of(st.sampled_from(sorted(HIDDEN_CHARACTERS)), st.characters()), max_size=200
)


@settings(max_examples=200, deadline=None)
@given(hostile)
def test_shown_text_has_no_hidden_characters_and_reads_back(text: str) -> None:
    shown = show_hidden(text)
    assert not has_hidden(shown)
    if "⟨" not in text:  # markers are the only thing added, so they can be read back
        restored = shown
        for char in HIDDEN_CHARACTERS:
            restored = restored.replace(marker(char), char)
        assert restored == text
    assert len(find_hidden(text)) == sum(text.count(c) for c in HIDDEN_CHARACTERS)


def test_extraction_keeps_the_characters_and_flags_the_claim() -> None:
    hidden = SENTENCE.replace("4.1%", f"4.1{RLO}%").replace("lowest", "low\u200best")
    result = extract_from_text(hidden + "\n\n" + SENTENCE.replace("2008", "2009"))
    flagged, clean = result.claims[0], result.claims[1]
    assert result.text[flagged.start : flagged.end] == flagged.quote
    assert RLO in flagged.quote and "\u200b" in flagged.quote  # never deleted
    assert flagged.flags == (HIDDEN_CHARACTERS_FLAG,)
    assert clean.flags == ()
    # a warning, not a reason: reasons only name the model's cues
    assert HIDDEN_CHARACTERS_FLAG not in flagged.reasons
    as_json = flagged.to_dict()
    assert as_json["quote"] == flagged.quote
    assert as_json["flags"] == [HIDDEN_CHARACTERS_FLAG]
    assert clean.to_dict()["flags"] == []


@given(st.text(alphabet=st.sampled_from(["a", " ", "⟩", "U", *HIDDEN_CHARACTERS])))
def test_restore_hidden_reads_back_what_show_hidden_shows(text: str) -> None:
    assert restore_hidden(show_hidden(text)) == text


def test_restore_hidden_leaves_other_brackets_alone() -> None:
    assert restore_hidden("⟨not a marker⟩ and ⟨RLO U+202E⟩") == "⟨not a marker⟩ and \u202e"
