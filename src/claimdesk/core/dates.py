"""Recognising dates in datelines and turning them into ISO strings."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_PATTERNS = (
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
    re.compile(
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})", re.I
    ),
    re.compile(r"(?P<day>\d{1,2})/(?P<mnum>\d{1,2})/(?P<year>\d{4})"),
)
# Words that may surround a date in a dateline without making it a sentence.
_FILLER = re.compile(
    r"(?:published|updated|last updated|first published|posted|modified|on|at|date|\d{1,2}[:.]\d{2}"
    r"|\d{1,4}|am|pm|a\.m\.|p\.m\.|gmt|utc|bst|cet|cest|est|edt|pst|pdt|[a-z]{3,4}t|[ecmp]t"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
    r"|" + "|".join(MONTHS) + r"|[\s,.:|/()–—-]+)",
    re.I,
)


def parse_date(text: str, *, whole: bool = False) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``.

    With ``whole``, only when the text is nothing but a dateline.
    """
    if whole and (len(text) > 120 or _FILLER.sub("", text).strip()):
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groupdict()
        month = int(groups["mnum"]) if groups.get("mnum") else MONTHS[groups["month"].lower()]
        try:
            return date(int(groups["year"]), month, int(groups["day"])).isoformat()
        except ValueError:
            continue
    return None
