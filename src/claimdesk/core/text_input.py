"""Checks for short strings that people type and the desk stores (emails, token names).

PostgreSQL cannot store a NUL character in text, and SQLite would store it silently, so a
NUL is refused at the edge, the same on both databases, with a message fit to show.
"""

from __future__ import annotations

__all__ = ["NUL_REFUSED", "TextInputError", "refuse_nul"]

NUL_REFUSED = "contains a NUL character (\\0), which cannot be stored; remove it and try again"


class TextInputError(ValueError):
    """A typed value cannot be stored as it is; ``str(error)`` is fit to show a person."""


def refuse_nul(value: str, field: str) -> str:
    """``value`` unchanged when it holds no NUL character.

    Raises TextInputError naming ``field`` (e.g. "the email") when it does.
    """
    if "\x00" in value:
        raise TextInputError(f"{field} {NUL_REFUSED}")
    return value
