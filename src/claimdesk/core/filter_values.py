"""Reading filter values people type (exports, research): one text and one date rule.

Each caller passes its own error class, so its callers keep catching what they catch.
"""

from __future__ import annotations

from datetime import date


def text_value(value: str | None, *, what: str, limit: int, error: type[ValueError]) -> str | None:
    """``value`` with its whitespace collapsed (None when empty); raises ``error`` for a
    NUL character or more than ``limit`` characters."""
    if value is None:
        return None
    if "\x00" in value:
        raise error(f"The {what} filter cannot hold a NUL character.")
    text = " ".join(value.split())
    if len(text) > limit:
        raise error(f"The {what} filter is too long (at most {limit} characters).")
    return text or None


def date_value(value: str | date | None, *, what: str, error: type[ValueError]) -> date | None:
    """A ``YYYY-MM-DD`` date (None when empty); raises ``error`` saying what was wrong."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        shown = text[:40]
        message = f"The {what} date must be a date like 2026-03-31, not {shown!r}."
        raise error(message) from None
