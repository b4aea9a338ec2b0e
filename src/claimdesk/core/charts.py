"""Charts as server-rendered SVG, built from plain counts (no JavaScript, no CDN).

A chart is a ``ChartData``: categories (months, publishers, reviewers, day ranges) by
series (verdict labels, proposed/approved), with a count in each cell. The same table
gives the SVG, the numbers shown under it and its CSV, so they always agree.

Readable without colour alone: every series has its own fill pattern as well as its
colour, the legend names it in text, each bar carries its number, and the SVG has
``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>``. Every label is escaped
(publisher and claimant names come from articles anyone may ingest), colours are used only
when they are ``#hex`` colours, and nothing uses ``style=`` (the CSP forbids inline styles):
only SVG presentation attributes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "FALLBACK_COLOURS",
    "ChartData",
    "Series",
    "Spread",
    "day_ranges",
    "empty_message",
    "grouped_bars",
    "histogram",
    "months_between",
    "safe_colour",
    "spread",
    "stacked_bars",
    "stacked_columns",
    "table_from",
    "top_with_other",
]

OTHER = "Other"
FALLBACK_COLOURS = ("#4c6a92", "#8a6d3b", "#5b7f5b", "#8b5a83", "#3f7f86", "#9a5b4f", "#6b6b6b")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_KEY = re.compile(r"[a-z][a-z0-9-]{0,40}")
_FONT = 12
_CHAR = 0.6 * _FONT  # rough width of a character, for layout only
_WIDTH = 340
_PAD = 8
_INK = "#1f2328"
_MUTED = "#5d646c"
_GRID = "#d8dde3"
_MAX_LABEL = 48

# One pattern per series (drawn over its colour), so series differ without colour.
_PATTERNS = (
    "",
    "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",
    "M4,2.5 a1.5,1.5 0 1,0 0.01,0",
    "M0,4 h8",
    "M0,0 L8,8 M8,0 L0,8",
    "M4,0 v8",
    "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",
    "M0,4 h8 M4,0 v8",
)
_PATTERN_NAMES = (
    "solid",
    "diagonal lines",
    "dots",
    "horizontal lines",
    "crosses",
    "vertical lines",
    "back-diagonal lines",
    "grid",
)


def safe_colour(value: str | None, index: int = 0) -> str:
    """``value`` when it is a ``#rgb``/``#rrggbb`` colour, else a fallback colour."""
    if value and _HEX.fullmatch(value.strip()):
        return value.strip().lower()
    return FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)]


@dataclass(frozen=True)
class Series:
    name: str
    colour: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "colour", safe_colour(self.colour))


@dataclass(frozen=True)
class ChartData:
    """Counts of ``categories`` (rows) by ``series`` (columns): ``counts[i][j]``."""

    key: str
    title: str
    description: str
    category_title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    counts: tuple[tuple[int, ...], ...]
    adds_up: bool = True
    """Whether a row's counts add up to a total (not so for proposed and approved)."""

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key):
            raise ValueError(f"chart key {self.key!r} is not lowercase letters and hyphens")
        if len(self.counts) != len(self.categories) or any(
            len(row) != len(self.series) for row in self.counts
        ):
            raise ValueError("counts must have one row per category, one cell per series")

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(row) for row in self.counts)

    @property
    def total(self) -> int:
        return sum(self.totals)

    @property
    def columns(self) -> list[str]:
        """The header of the table and the CSV."""
        extra = ["Total"] if len(self.series) > 1 and self.adds_up else []
        return [self.category_title, *(s.name for s in self.series), *extra]

    @property
    def rows(self) -> list[list[str | int]]:
        extra = len(self.series) > 1 and self.adds_up
        return [
            [cat, *row, *([sum(row)] if extra else [])]
            for cat, row in zip(self.categories, self.counts, strict=True)
        ]


def table_from(
    cells: Iterable[tuple[str, str, int]],
    *,
    categories: Sequence[str] | None = None,
    series: Sequence[Series],
) -> tuple[tuple[str, ...], tuple[Series, ...], tuple[tuple[int, ...], ...]]:
    """Categories, series and counts from (category, series name, count) cells. Series not
    in ``series`` are added (grey) after them; series with no count anywhere are dropped.
    Categories keep ``categories``' order, else the order they first appear."""
    found: dict[tuple[str, str], int] = {}
    order: list[str] = list(categories or [])
    known = set(order)
    for cat, name, n in cells:
        found[(cat, name)] = found.get((cat, name), 0) + int(n)
        if cat not in known:
            known.add(cat)
            order.append(cat)
    names = [s.name for s in series]
    unknown = sorted({name for _, name in found} - set(names))
    every = list(series) + [
        Series(name, FALLBACK_COLOURS[i % len(FALLBACK_COLOURS)]) for i, name in enumerate(unknown)
    ]
    used = [s for s in every if any(found.get((c, s.name), 0) for c in order)]
    counts = tuple(tuple(found.get((c, s.name), 0) for s in used) for c in order)
    return tuple(order), tuple(used), counts


def top_with_other(
    cells: Iterable[tuple[str, str, int]], *, top: int
) -> tuple[list[str], list[tuple[str, str, int]]]:
    """The ``top`` categories by total (then by name), and the cells with every other
    category folded into ``OTHER`` (listed last)."""
    listed = list(cells)
    totals: dict[str, int] = {}
    for cat, _, n in listed:
        totals[cat] = totals.get(cat, 0) + int(n)
    ranked = sorted(totals, key=lambda c: (-totals[c], c.casefold(), c))
    kept = ranked[:top] if len(ranked) > top + 1 else ranked
    keep = set(kept)
    folded = [(c if c in keep else OTHER, s, n) for c, s, n in listed]
    if len(kept) < len(ranked):
        kept = [*kept, OTHER]
    return kept, folded


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM, both included), so a chart over
    time shows quiet months too; at most 240 months, the latest ones."""
    y0, m0 = (int(p) for p in first.split("-"))
    y1, m1 = (int(p) for p in last.split("-"))
    start, end = y0 * 12 + m0 - 1, y1 * 12 + m1 - 1
    start = max(start, end - 239)
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(start, end + 1)]


# --- time to verdict -------------------------------------------------------------------

_RANGES = ((0, 0), (1, 1), (2, 3), (4, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, None))


def _range_name(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    if low == high:
        return f"{low}"
    return f"{low}–{high}"


def day_ranges(by_day: Mapping[int, int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Claims per range of whole days (0, 1, 2–3, 4–7, … 91+) from claims per day;
    negative days (clock skew) count as 0."""
    counts = [0] * len(_RANGES)
    for day, n in by_day.items():
        day = max(0, int(day))
        for i, (low, high) in enumerate(_RANGES):
            if day >= low and (high is None or day <= high):
                counts[i] += int(n)
                break
    return tuple(_range_name(lo, hi) for lo, hi in _RANGES), tuple(counts)


@dataclass(frozen=True)
class Spread:
    count: int
    median: float | None
    p90: float | None


def _quantile(ordered: list[tuple[int, int]], total: int, q: float) -> float:
    """The ``q`` quantile (nearest rank) of whole days given as sorted (day, count)."""
    rank = max(1, math.ceil(q * total))
    seen = 0
    for day, n in ordered:
        seen += n
        if seen >= rank:
            return float(day)
    return float(ordered[-1][0])


def spread(by_day: Mapping[int, int]) -> Spread:
    """How many, the median and the 90th percentile (nearest rank) of whole days."""
    ordered = sorted((max(0, int(d)), int(n)) for d, n in by_day.items() if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return Spread(0, None, None)
    return Spread(total, _quantile(ordered, total, 0.5), _quantile(ordered, total, 0.9))


# --- drawing ---------------------------------------------------------------------------


def _e(value: object) -> str:
    return str(escape(str(value)))


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int = _MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ink_on(colour: str) -> str:
    """Dark or light lines for a pattern over ``colour`` (a checked #hex)."""
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return "#1f2328" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.55 else "#ffffff"


def _pattern_id(chart: ChartData, index: int) -> str:
    return f"chart-{chart.key}-p{index}"


def _defs(chart: ChartData) -> str:
    parts = []
    for i, s in enumerate(chart.series):
        path = _PATTERNS[i % len(_PATTERNS)]
        lines = (
            f'<path d="{path}" stroke="{_ink_on(s.colour)}" stroke-width="1.3" '
            f'stroke-opacity="0.75" fill="none"/>'
            if path
            else ""
        )
        parts.append(
            f'<pattern id="{_pattern_id(chart, i)}" width="8" height="8" '
            f'patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="{s.colour}"/>'
            f"{lines}</pattern>"
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _fill(chart: ChartData, index: int) -> str:
    return f"url(#{_pattern_id(chart, index)}) {chart.series[index].colour}"


def _legend(chart: ChartData, y: float) -> tuple[str, float]:
    """The legend from ``y``, wrapping; returns its markup and the y below it."""
    parts = ['<g class="legend">']
    x, row = float(_PAD), y
    for i, s in enumerate(chart.series):
        label = _short(s.name, 28)
        width = 18 + len(label) * _CHAR + 14
        if x + width > _WIDTH - _PAD and x > _PAD:
            x, row = float(_PAD), row + 20
        pattern = _PATTERN_NAMES[i % len(_PATTERN_NAMES)]
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(row)}" width="14" height="14" '
            f'fill="{_fill(chart, i)}" stroke="{_INK}" stroke-width="0.5">'
            f"<title>{_e(s.name)} ({pattern})</title></rect>"
            f'<text x="{_num(x + 18)}" y="{_num(row + 11)}" font-size="{_FONT}" '
            f'fill="{_INK}">{_e(label)}</text>'
        )
        x += width
    parts.append("</g>")
    return "".join(parts), row + 26


def _svg(chart: ChartData, height: float, body: str, summary: str) -> Markup:
    label = f"{chart.title}: {summary}"
    cid = f"chart-{chart.key}"
    return Markup(  # noqa: S704 - every piece of data in it went through _e (escape)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" '
        f'viewBox="0 0 {_WIDTH} {_num(height)}" width="{_WIDTH}" height="{_num(height)}" '
        f'aria-label="{_e(label)}" aria-describedby="{cid}-desc" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{cid}-title">{_e(chart.title)}</title>'
        f'<desc id="{cid}-desc">{_e(chart.description)} {_e(summary)}</desc>'
        f"{_defs(chart)}{body}</svg>"
    )


def empty_message(chart: ChartData) -> Markup:
    """What a chart with nothing to count shows instead of an empty frame."""
    return Markup(  # noqa: S704 - the key is checked: lowercase letters and hyphens
        f'<p class="chart-empty" id="chart-{chart.key}-empty">No data yet: nothing to chart '
        f"until verdicts are given.</p>"
    )


def _summary(chart: ChartData) -> str:
    parts = [f"{s.name} {sum(row[j] for row in chart.counts)}" for j, s in enumerate(chart.series)]
    what = "; ".join(parts)
    if not chart.adds_up:
        return f"{len(chart.categories)} rows: {what}."
    return f"{chart.total} in all across {len(chart.categories)} rows ({what})."


def _nice_step(top: int) -> int:
    """A round step giving at most five grid lines up to ``top``."""
    raw = max(1.0, top / 5)
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return int(m * power)
    return int(10 * power)  # pragma: no cover


def stacked_columns(chart: ChartData) -> Markup:
    """Columns over time (one per category, e.g. month), each stacked by series, with the
    total above each column."""
    if chart.total == 0:
        return empty_message(chart)
    legend, top = _legend(chart, _PAD)
    left, plot_h = 36, 180.0
    plot_top, plot_w = top + 14, _WIDTH - 36 - _PAD
    columns = len(chart.categories)
    slot = plot_w / columns
    bar = max(2.0, min(36.0, slot * 0.7))
    peak = max(chart.totals)
    step = _nice_step(peak)
    ceiling = step * math.ceil(peak / step)
    scale = plot_h / ceiling
    base = plot_top + plot_h
    parts = [legend]
    for tick in range(0, ceiling + 1, step):
        y = base - tick * scale
        parts.append(
            f'<line x1="{left}" x2="{_WIDTH - _PAD}" y1="{_num(y)}" y2="{_num(y)}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
            f'<text x="{left - 4}" y="{_num(y + 4)}" font-size="{_FONT - 1}" '
            f'text-anchor="end" fill="{_MUTED}">{tick}</text>'
        )
    widest = max(len(_short(c, 12)) for c in chart.categories)
    every = max(1, math.ceil((widest * _CHAR + 6) / slot))
    for i, (cat, row) in enumerate(zip(chart.categories, chart.counts, strict=True)):
        x = left + i * slot + (slot - bar) / 2
        y = base
        for j, n in enumerate(row):
            if not n:
                continue
            h = n * scale
            y -= h
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" height="{_num(h)}" '
                f'fill="{_fill(chart, j)}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{_e(cat)} · {_e(chart.series[j].name)}: {n}</title></rect>"
            )
        total = sum(row)
        if total and bar >= 10:
            parts.append(
                f'<text x="{_num(x + bar / 2)}" y="{_num(y - 3)}" font-size="{_FONT - 1}" '
                f'text-anchor="middle" fill="{_INK}">{total}</text>'
            )
        if (columns - 1 - i) % every == 0:
            name = _short(cat, 12)
            half = len(name) * _CHAR / 2
            middle = min(max(x + bar / 2, left + half), _WIDTH - _PAD / 2 - half)
            parts.append(
                f'<text x="{_num(middle)}" y="{_num(base + 15)}" font-size="{_FONT - 1}" '
                f'text-anchor="middle" fill="{_MUTED}">{_e(name)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{_WIDTH - _PAD}" y1="{_num(base)}" y2="{_num(base)}" '
        f'stroke="{_MUTED}" stroke-width="1"/>'
    )
    return _svg(chart, base + 24, "".join(parts), _summary(chart))


def _bar_geometry() -> tuple[float, float]:
    """Where bars start and how long the longest may be (room left for its number)."""
    return float(_PAD), _WIDTH - 2 * _PAD - 40


def stacked_bars(chart: ChartData) -> Markup:
    """One horizontal bar per category (its name above it), stacked by series, with the
    total at its end."""
    if chart.total == 0:
        return empty_message(chart)
    legend, y = _legend(chart, _PAD)
    x0, length = _bar_geometry()
    scale = length / max(chart.totals)
    parts = [legend]
    for cat, row in zip(chart.categories, chart.counts, strict=True):
        parts.append(
            f'<text x="{_num(x0)}" y="{_num(y + 11)}" font-size="{_FONT}" fill="{_INK}">'
            f"{_e(_short(cat))}</text>"
        )
        y += 15
        x = x0
        for j, n in enumerate(row):
            if not n:
                continue
            w = n * scale
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="16" '
                f'fill="{_fill(chart, j)}" stroke="#ffffff" stroke-width="0.5">'
                f"<title>{_e(cat)} · {_e(chart.series[j].name)}: {n}</title></rect>"
            )
            x += w
        parts.append(
            f'<text x="{_num(x + 5)}" y="{_num(y + 12.5)}" font-size="{_FONT}" '
            f'fill="{_INK}">{sum(row)}</text>'
        )
        y += 26
    return _svg(chart, y, "".join(parts), _summary(chart))


def grouped_bars(chart: ChartData) -> Markup:
    """Per category (its name above), one thin horizontal bar per series, each with its
    series' name and number at its end (e.g. proposed and approved per reviewer)."""
    if chart.total == 0:
        return empty_message(chart)
    legend, y = _legend(chart, _PAD)
    x0, length = _bar_geometry()
    length -= 70  # room for "approved 12"
    peak = max(max(row) for row in chart.counts)
    scale = length / peak
    parts = [legend]
    for cat, row in zip(chart.categories, chart.counts, strict=True):
        parts.append(
            f'<text x="{_num(x0)}" y="{_num(y + 11)}" font-size="{_FONT}" fill="{_INK}">'
            f"{_e(_short(cat))}</text>"
        )
        y += 15
        for j, n in enumerate(row):
            w = max(1.0, n * scale) if n else 0.0
            name = chart.series[j].name
            if w:
                parts.append(
                    f'<rect x="{_num(x0)}" y="{_num(y)}" width="{_num(w)}" height="12" '
                    f'fill="{_fill(chart, j)}"><title>{_e(cat)} · {_e(name)}: {n}</title></rect>'
                )
            parts.append(
                f'<text x="{_num(x0 + w + 5)}" y="{_num(y + 10)}" font-size="{_FONT - 1}" '
                f'fill="{_INK}">{_e(_short(name, 16).lower())} {n}</text>'
            )
            y += 15
        y += 10
    return _svg(chart, y, "".join(parts), _summary(chart))


def histogram(chart: ChartData, summary: Spread) -> Markup:
    """Columns of one series over ranges (e.g. days to verdict), the count above each,
    with the median and 90th percentile written out above the plot."""
    if chart.total == 0:
        return empty_message(chart)
    median = "—" if summary.median is None else _days(summary.median)
    p90 = "—" if summary.p90 is None else _days(summary.p90)
    said = f"Median {median}; 90th percentile {p90}; {summary.count} in all."
    parts = [
        f'<text x="{_PAD}" y="{_PAD + 12}" font-size="{_FONT}" fill="{_INK}">{_e(said)}</text>'
    ]
    plot_top, plot_h = _PAD + 36.0, 150.0
    n = len(chart.categories)
    slot = (_WIDTH - 2 * _PAD) / n
    bar = slot * 0.8
    peak = max(chart.totals)
    base = plot_top + plot_h
    for i, (cat, row) in enumerate(zip(chart.categories, chart.counts, strict=True)):
        total = sum(row)
        x = _PAD + i * slot + (slot - bar) / 2
        h = total * plot_h / peak
        if total:
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(base - h)}" width="{_num(bar)}" '
                f'height="{_num(h)}" fill="{_fill(chart, 0)}">'
                f"<title>{_e(cat)} days: {total}</title></rect>"
            )
        parts.append(
            f'<text x="{_num(x + bar / 2)}" y="{_num(base - h - 4)}" font-size="{_FONT - 1}" '
            f'text-anchor="middle" fill="{_INK}">{total}</text>'
            f'<text x="{_num(x + bar / 2)}" y="{_num(base + 15)}" font-size="{_FONT - 2}" '
            f'text-anchor="middle" fill="{_MUTED}">{_e(cat)}</text>'
        )
    parts.append(
        f'<line x1="{_PAD}" x2="{_WIDTH - _PAD}" y1="{_num(base)}" y2="{_num(base)}" '
        f'stroke="{_MUTED}" stroke-width="1"/>'
        f'<text x="{_WIDTH / 2}" y="{_num(base + 32)}" font-size="{_FONT - 1}" '
        f'text-anchor="middle" fill="{_MUTED}">{_e(chart.category_title)}</text>'
    )
    return _svg(chart, base + 40, "".join(parts), said)


def _days(value: float) -> str:
    if value == 0:
        return "under a day"
    return "1 day" if value == 1 else f"{_num(value)} days"
