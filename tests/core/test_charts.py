"""core.charts: SVG from plain counts, well-formed, escaped, without inline styles, and
readable without colour (a pattern and a text label for every series)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from markupsafe import Markup

from claimdesk.core import charts
from claimdesk.core.charts import ChartData, Series, Spread

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> & "quoted" \'single\' </text><g onload="evil()">'
LABELS = (Series("True", "#2e7d5b"), Series("False", "#b3261e"), Series("Mixed", "#b58a1b"))


def _chart(
    categories: tuple[str, ...], counts: tuple[tuple[int, ...], ...], **kw: object
) -> ChartData:
    fields: dict[str, object] = {
        "key": "verdicts-by-publisher",
        "title": "Verdict mix by publisher",
        "description": "Claims by publisher and label.",
        "category_title": "Publisher",
        "categories": categories,
        "series": LABELS,
        "counts": counts,
    }
    fields.update(kw)
    return ChartData(**fields)  # type: ignore[arg-type]


def _draw_histogram(chart: ChartData) -> Markup:
    return charts.histogram(chart, Spread(chart.total, 2.0, 9.0))


DRAWERS: dict[str, Callable[[ChartData], Markup]] = {
    "stacked_columns": charts.stacked_columns,
    "stacked_bars": charts.stacked_bars,
    "grouped_bars": charts.grouped_bars,
    "histogram": _draw_histogram,
}


def _single(chart: ChartData) -> ChartData:
    """The chart with its counts summed into one series (what a histogram draws)."""
    return _chart(
        chart.categories,
        tuple((sum(r),) for r in chart.counts),
        series=(Series("Claims", "#4c6a92"),),
        title=chart.title,
        description=chart.description,
        key=chart.key,
    )


def _svg(drawer: str, chart: ChartData) -> ET.Element:
    if drawer == "histogram":
        chart = _single(chart)
    markup = DRAWERS[drawer](chart)
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))  # raises on anything that is not well-formed XML


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("drawer", sorted(DRAWERS))
def test_hostile_labels_are_escaped_text_never_markup(drawer: str) -> None:
    chart = _chart(
        (HOSTILE, "Herald"),
        ((2, 1, 0), (0, 3, 1)),
        title=f"Title {HOSTILE}",
        description=f"Desc {HOSTILE}",
    )
    root = _svg(drawer, chart)
    assert root.tag == f"{SVG}svg"
    tags = {el.tag for el in root.iter()}
    assert f"{SVG}script" not in tags and "script" not in tags
    assert all(not name.startswith("on") for el in root.iter() for name in el.attrib)
    assert any(HOSTILE[:11] in t for t in _texts(root))  # shortened on the month axis
    assert root.findtext(f"{SVG}title") == f"Title {HOSTILE}"
    assert HOSTILE in (root.findtext(f"{SVG}desc") or "")
    assert HOSTILE in root.attrib["aria-label"]


@pytest.mark.parametrize("drawer", sorted(DRAWERS))
def test_accessible_frame_and_no_inline_style(drawer: str) -> None:
    root = _svg(drawer, _chart(("Gazette", "Herald"), ((2, 1, 0), (0, 3, 1))))
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"].startswith("Verdict mix by publisher: ")
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    assert all("style" not in el.attrib for el in root.iter())
    assert "style=" not in str(DRAWERS[drawer](_chart(("G",), ((1, 1, 1),))))


@pytest.mark.parametrize("drawer", ["stacked_columns", "stacked_bars", "grouped_bars"])
def test_every_series_has_a_text_label_and_its_own_pattern(drawer: str) -> None:
    root = _svg(drawer, _chart(("Gazette", "Herald"), ((2, 1, 4), (1, 3, 1))))
    texts = _texts(root)
    for series in LABELS:
        assert series.name in texts, series.name
    patterns = root.findall(f".//{SVG}pattern")
    assert len(patterns) == len(LABELS)
    looks = {ET.tostring(p).decode().split(">", 1)[1] for p in patterns}
    assert len(looks) == len(LABELS)  # colour and pattern differ for every series
    fills = {r.attrib.get("fill", "") for r in root.iter(f"{SVG}rect")}
    for i in range(len(LABELS)):
        assert any(f"url(#chart-verdicts-by-publisher-p{i})" in f for f in fills)


def test_a_single_series_still_has_its_name_in_the_legend() -> None:
    chart = _chart(("Gazette",), ((0, 3, 0),))
    _, used, counts = charts.table_from([("Gazette", "False", 3)], series=LABELS)
    one = _chart(("Gazette",), counts, series=used)
    assert "False" in _texts(_svg("stacked_bars", one))
    assert chart.total == 3


def test_numbers_are_written_on_the_chart() -> None:
    texts = _texts(_svg("stacked_bars", _chart(("Gazette", "Herald"), ((2, 1, 4), (1, 3, 1)))))
    assert "7" in texts and "5" in texts  # each bar's total
    grouped = _texts(_svg("grouped_bars", _chart(("a@desk.test",), ((2, 5, 0),))))
    assert "true 2" in grouped and "false 5" in grouped and "mixed 0" in grouped


@pytest.mark.parametrize("drawer", sorted(DRAWERS))
def test_empty_data_says_no_data_yet(drawer: str) -> None:
    for chart in (_chart((), ()), _chart(("Gazette",), ((0, 0, 0),))):
        if drawer == "histogram":
            chart = _single(chart)
        out = str(DRAWERS[drawer](chart))
        assert "No data yet" in out
        assert "<svg" not in out
        ET.fromstring(out)


def test_colours_are_used_only_when_they_are_hex() -> None:
    assert charts.safe_colour("#2E7D5B") == "#2e7d5b"
    assert charts.safe_colour("#abc") == "#abc"
    for bad in ('red" onload="x', "url(#x)", "#12345g", "", None, "javascript:1", "#1234"):
        assert charts.safe_colour(bad, 2) == charts.FALLBACK_COLOURS[2]
    series = Series("Bad", '#fff" onmouseover="alert(1)')
    assert series.colour == charts.FALLBACK_COLOURS[0]
    root = _svg("stacked_bars", _chart(("G",), ((1,),), series=(series,)))
    assert "onmouseover" not in ET.tostring(root).decode()


def test_month_axis_labels_fit_and_every_month_is_there() -> None:
    months = charts.months_between("2025-11", "2026-02")
    assert months == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert len(charts.months_between("2000-01", "2026-12")) == 240
    counts = tuple((i % 3, 1, 0) for i in range(len(months)))
    root = _svg("stacked_columns", _chart(tuple(months), counts))
    assert "2026-02" in _texts(root)
    width = float(root.attrib["viewBox"].split()[2])
    for text in root.iter(f"{SVG}text"):
        assert 0 <= float(text.attrib["x"]) <= width


def test_top_with_other_folds_the_rest() -> None:
    cells = [("A", "True", 5), ("B", "True", 4), ("C", "False", 1), ("D", "True", 1)]
    order, folded = charts.top_with_other(cells, top=2)
    assert order == ["A", "B", "Other"]
    assert [c for c in folded if c[0] == "Other"] == [("Other", "False", 1), ("Other", "True", 1)]
    order, _ = charts.top_with_other(cells[:3], top=2)  # one left over: named, not "Other"
    assert order == ["A", "B", "C"]


def test_table_from_keeps_scale_order_and_drops_unused_labels() -> None:
    cells = [("2026-01", "False", 2), ("2026-02", "Retired label", 1), ("2026-01", "True", 1)]
    categories, used, counts = charts.table_from(
        cells, categories=["2026-01", "2026-02"], series=LABELS
    )
    assert categories == ("2026-01", "2026-02")
    assert [s.name for s in used] == ["True", "False", "Retired label"]
    assert counts == ((1, 2, 0), (0, 0, 1))
    chart = _chart(categories, counts, series=used, category_title="Month")
    assert chart.columns == ["Month", "True", "False", "Retired label", "Total"]
    assert chart.rows == [["2026-01", 1, 2, 0, 3], ["2026-02", 0, 0, 1, 1]]


def test_rows_that_do_not_add_up_have_no_total() -> None:
    both = (Series("Proposed", "#1d5fa8"), Series("Approved", "#2e7d5b"))
    chart = _chart(("a@desk.test",), ((3, 2),), series=both, adds_up=False)
    assert chart.columns == ["Publisher", "Proposed", "Approved"]
    assert chart.rows == [["a@desk.test", 3, 2]]
    assert "in all" not in _svg("grouped_bars", chart).attrib["aria-label"]


def test_days_to_verdict_ranges_and_spread() -> None:
    by_day = {0: 3, 1: 1, 2: 1, 5: 2, 12: 1, 40: 1, 200: 1, -1: 1}
    names, counts = charts.day_ranges(by_day)
    assert names[:4] == ("0", "1", "2–3", "4–7") and names[-1] == "91+"
    assert sum(counts) == 11 and counts[0] == 4 and counts[-1] == 1
    found = charts.spread(by_day)
    assert found == Spread(11, 2.0, 40.0)  # 0 0 0 0 1 [2] 5 5 12 [40] 200
    assert charts.spread({}) == Spread(0, None, None)
    one = _single(_chart(names, tuple((n, 0, 0) for n in counts)))
    text = " ".join(_texts(ET.fromstring(str(charts.histogram(one, found)))))
    assert "Median 2 days; 90th percentile 40 days; 11 in all." in text


def test_a_chart_refuses_a_key_that_could_break_an_id() -> None:
    with pytest.raises(ValueError, match="chart key"):
        _chart(("G",), ((1, 1, 1),), key='x" onload="y')
    with pytest.raises(ValueError, match="one row per category"):
        _chart(("G", "H"), ((1, 1, 1),))
