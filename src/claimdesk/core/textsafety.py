"""Hidden and direction-changing characters: find them, and show them when text is displayed.

A right-to-left override (U+202E) makes "it rose 5%" display in a different order from what
it says; a zero-width space hides inside a word. Cleaning keeps these characters (it never
rewrites a sentence and offsets must stay exact), so claims that contain them are flagged and
every display replaces each one with a short visible marker such as ``⟨RLO U+202E⟩``.

Why a named marker: Unicode's control pictures (U+2400…) only cover the C0 controls, so there
is no picture for a bidirectional control or a zero-width character. A short name with its code
point is readable, searchable, and uses no HTML-special character, so it is safe in any place
text is printed. The angle brackets (U+27E8/U+27E9) are rare in news text and neutral in
direction, so a marker cannot itself reorder what follows. The soft hyphen (U+00AD) is left
alone: it is visible where it takes effect and changes no meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "HIDDEN_CHARACTERS",
    "HIDDEN_CHARACTERS_FLAG",
    "HiddenCharacter",
    "find_hidden",
    "has_hidden",
    "hidden_character_flags",
    "marker",
    "show_hidden",
]

#: Every character this module treats as hidden, with its short Unicode name.
HIDDEN_CHARACTERS: dict[str, str] = {
    # bidirectional embeddings and overrides
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    # bidirectional isolates
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    # direction marks
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u061c": "ALM",
    # zero-width characters
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\ufeff": "ZWNBSP",
}

#: The warning attached to a claim whose text holds hidden characters (never a score reason).
HIDDEN_CHARACTERS_FLAG = "hidden characters"

_HIDDEN = re.compile("[" + "".join(HIDDEN_CHARACTERS) + "]")


@dataclass(frozen=True)
class HiddenCharacter:
    """One hidden character: where it is in the text, the character and its short name."""

    offset: int
    char: str
    name: str


def marker(char: str) -> str:
    """The visible stand-in for a hidden ``char``, e.g. ``⟨RLO U+202E⟩``.

    Raises KeyError when ``char`` is not one of HIDDEN_CHARACTERS.
    """
    return f"⟨{HIDDEN_CHARACTERS[char]} U+{ord(char):04X}⟩"


_MARKERS = {ord(char): marker(char) for char in HIDDEN_CHARACTERS}


def find_hidden(text: str) -> list[HiddenCharacter]:
    """Every hidden character of ``text``, in order, with its offset."""
    return [
        HiddenCharacter(m.start(), m.group(), HIDDEN_CHARACTERS[m.group()])
        for m in _HIDDEN.finditer(text)
    ]


def has_hidden(text: str) -> bool:
    """Whether ``text`` holds at least one hidden character."""
    return _HIDDEN.search(text) is not None


def hidden_character_flags(*texts: str) -> tuple[str, ...]:
    """``(HIDDEN_CHARACTERS_FLAG,)`` when any of ``texts`` holds a hidden character, else ``()``."""
    return (HIDDEN_CHARACTERS_FLAG,) if any(has_hidden(t) for t in texts) else ()


def show_hidden(text: str) -> str:
    """``text`` for display: each hidden character replaced by its visible marker.

    Only for showing text to people; stored text and offsets keep the characters.
    """
    return text.translate(_MARKERS) if has_hidden(text) else text


_FROM_MARKER = {marker(char): char for char in HIDDEN_CHARACTERS}
_MARKER = re.compile("|".join(re.escape(m) for m in _FROM_MARKER))


def restore_hidden(text: str) -> str:
    """The inverse of ``show_hidden``: markers typed back (e.g. a statement edited in a form
    that showed them) become the characters they stand for, so editing keeps text exact."""
    return _MARKER.sub(lambda m: _FROM_MARKER[m.group()], text) if "⟨" in text else text
