"""The dashboard: ``GET /dashboard`` (charts as server-rendered SVG) and
``GET /dashboard/{chart}.csv`` (each chart's numbers; 404 for a chart there is not).

Everyone signed in may look; what is counted follows ``services.dashboard``: researchers
and reviewers see published verdicts only, editors and admins work in progress too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from claimdesk.core import charts
from claimdesk.core.charts import ChartData, Spread
from claimdesk.core.exports.tables import neutralise_formula
from claimdesk.services import dashboard
from claimdesk.web.auth import Reader
from claimdesk.web.deps import SessionDep
from claimdesk.web.rendering import render

router = APIRouter()

_DRAW: dict[str, Callable[[ChartData], Markup]] = {
    "verdicts-by-month": charts.stacked_columns,
    "verdicts-by-publisher": charts.stacked_bars,
    "verdicts-by-claimant": charts.stacked_bars,
    "reviewer-throughput": charts.grouped_bars,
}


def _svg(chart: ChartData, spread: Spread) -> Markup:
    if chart.key == "time-to-verdict":
        return charts.histogram(chart, spread)
    return _DRAW[chart.key](chart)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, session: SessionDep, principal: Reader) -> HTMLResponse:
    """The desk's charts, each with its numbers and a CSV download."""
    found = dashboard.build(session, role=principal.role)
    shown = [(chart, _svg(chart, found.to_verdict_spread)) for chart in found.charts.values()]
    context = {"charts": shown, "work_in_progress": found.work_in_progress}
    return render(request, "dashboard/index.html", context)


def chart_csv(chart: ChartData) -> str:
    """The chart's table as CSV, with cells a spreadsheet would run as formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(chart.columns)
    for row in chart.rows:
        writer.writerow([neutralise_formula(c) if isinstance(c, str) else c for c in row])
    return out.getvalue()


@router.get("/dashboard/{chart}.csv")
def dashboard_csv(session: SessionDep, principal: Reader, chart: str) -> Response:
    """One chart's numbers as CSV; 404 for a chart there is not."""
    try:
        found = dashboard.chart(session, chart, role=principal.role)
    except dashboard.UnknownChart as exc:
        raise HTTPException(404, str(exc)) from None
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        chart_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="claimdesk-{found.key}-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )
