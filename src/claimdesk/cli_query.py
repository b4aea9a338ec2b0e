"""CLI command ``query``: the claims matching the research API's filters, as a table, JSON
or CSV.

Wire it with ``cli_query.register(app)``. The terminal has the database's own access, so
it sees what an admin sees (work in progress included) unless ``--as-role researcher``
asks for what a researcher sees. Claims go to stdout; a summary line to stderr. Exit
codes: 0 done, 1 a failure, 2 a filter, role or option that cannot be used.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Annotated, Any

import typer

from claimdesk.cli_support import err, open_database
from claimdesk.core import research as rules
from claimdesk.core.exports.tables import neutralise_formula
from claimdesk.core.permissions import Role, parse_role
from claimdesk.core.textsafety import show_hidden

if TYPE_CHECKING:
    from claimdesk.services.research import ClaimItem

FORMATS = ("table", "json", "csv")
CSV_COLUMNS = (
    "id",
    "uuid",
    "article_id",
    "article_title",
    "publisher",
    "status",
    "statement",
    "claimant",
    "claim_date",
    "score",
    "created_at",
    "verdict",
    "verdict_state",
    "rationale",
    "reviewer",
    "verdict_date",
    "tags",
)
STATEMENT_WIDTH = 60


def _usage_error(message: str) -> typer.Exit:
    err(f"error: {message}")
    return typer.Exit(2)


def query_command(
    q: Annotated[str | None, typer.Option("--q", help="Words the statement holds (all).")] = None,
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="Verdict label, e.g. False.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Claim status (repeatable or comma-separated)."),
    ] = None,
    publisher: Annotated[str | None, typer.Option("--publisher", help="Article publisher.")] = None,
    claimant: Annotated[str | None, typer.Option("--claimant", help="Who made the claim.")] = None,
    reviewer: Annotated[
        str | None, typer.Option("--reviewer", help="Email of the verdict's proposer.")
    ] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="A tag of the claim.")] = None,
    article: Annotated[str | None, typer.Option("--article", help="An article id.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Verdict dated on or after YYYY-MM-DD.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="… and on or before YYYY-MM-DD.")
    ] = None,
    claimed_since: Annotated[
        str | None, typer.Option("--claimed-since", help="Claim dated on or after YYYY-MM-DD.")
    ] = None,
    claimed_until: Annotated[
        str | None, typer.Option("--claimed-until", help="… and on or before YYYY-MM-DD.")
    ] = None,
    sort: Annotated[
        str, typer.Option("--sort", help="newest, oldest or score (check-worthiness).")
    ] = "newest",
    limit: Annotated[
        int, typer.Option("--limit", help="How many claims at most.", min=1)
    ] = rules.DEFAULT_LIMIT,
    every: Annotated[
        bool, typer.Option("--all", help="Every matching claim (no --limit).")
    ] = False,
    output_format: Annotated[
        str, typer.Option("--format", help="table, json (an array) or csv.")
    ] = "table",
    as_role: Annotated[
        str | None,
        typer.Option("--as-role", help="See what this role sees, e.g. researcher (default admin)."),
    ] = None,
) -> None:
    """Print the claims matching the filters (those of GET /api/claims).

    Example: claimdesk query --q "tram line" --status published
    Example: claimdesk query --verdict False --since 2026-01-01 --all --format csv > false.csv
    Example: claimdesk query --tag transport --as-role researcher --format json
    """
    try:
        role = parse_role(as_role).value if as_role is not None else Role.ADMIN.value
        fmt = output_format.strip().lower()
        if fmt not in FORMATS:
            raise ValueError(
                f"unknown format {output_format!r}: choose one of {', '.join(FORMATS)}"
            )
        filters = rules.build_filters(
            q=q,
            verdict=verdict,
            status=status,
            publisher=publisher,
            claimant=claimant,
            reviewer=reviewer,
            tag=tag,
            article=article,
            since=since,
            until=until,
            claimed_since=claimed_since,
            claimed_until=claimed_until,
        )
        sort = rules.check_sort(sort)
    except ValueError as exc:  # FilterError is one
        raise _usage_error(str(exc)) from None
    from claimdesk.services import research  # the database stack: only when querying

    db = open_database()
    try:
        with db.session() as session:
            size = rules.MAX_LIMIT if every else min(rules.MAX_LIMIT, limit + 1)
            found = research.iter_claims(session, filters, role=role, sort=sort, page_size=size)
            wanted = found if every else islice(found, limit + 1)
            items = list(wanted)
    finally:
        db.close()
    more = not every and len(items) > limit
    items = items if every else items[:limit]
    _write(_render(items, fmt))
    hint = " (more match: raise --limit or use --all)" if more else ""
    err(f"{len(items)} claims{hint}")


def _render(items: list[ClaimItem], fmt: str) -> Iterator[str]:
    if fmt == "json":
        yield json.dumps([i.to_dict() for i in items], ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        yield from _csv(items)
    else:
        yield from _table(items)


def _flat(item: ClaimItem) -> dict[str, Any]:
    data = item.to_dict()
    shown = data["verdict"] or {}
    return {
        **{k: data[k] for k in CSV_COLUMNS if k in data and k != "verdict"},
        "verdict": shown.get("label"),
        "verdict_state": shown.get("state"),
        "rationale": shown.get("rationale"),
        "reviewer": shown.get("proposer"),
        "verdict_date": shown.get("published_at")
        or shown.get("approved_at")
        or shown.get("proposed_at"),
        "tags": "; ".join(data["tags"]),
    }


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    return neutralise_formula(str(value))


def _csv(items: Iterable[ClaimItem]) -> Iterator[str]:
    """RFC 4180 with a header row; text a spreadsheet would run as a formula is defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        row = _flat(item)
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
    yield buffer.getvalue()


def _one_line(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` characters, hidden characters (bidi
    controls and the like) shown as markers and other control characters as U+FFFD, so
    a terminal obeys none of them."""
    flat = " ".join(show_hidden(text).split())
    flat = "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in flat)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _table(items: list[ClaimItem]) -> Iterator[str]:
    header = ("id", "status", "verdict", "score", "publisher", "claimant", "statement")
    rows = [
        (
            str(i.claim.id),
            i.claim.status,
            i.verdict.label if i.verdict else "-",
            f"{i.claim.score:.2f}",
            _one_line(i.publisher or "-", 20),
            _one_line(i.claimant or "-", 24),
            _one_line(i.claim.statement, STATEMENT_WIDTH),
        )
        for i in items
    ]
    widths = [max(len(r[n]) for r in [header, *rows]) for n in range(len(header))]
    for row in [header, *rows]:
        yield "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"


def _write(pieces: Iterable[str]) -> None:
    out = sys.stdout
    try:
        for piece in pieces:
            out.write(piece)
        out.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def register(app: typer.Typer) -> None:
    """Add ``query`` to the CLI."""
    app.command("query")(query_command)
