"""CLI command ``export``: the desk's approved and published verdicts in a chosen format.

Wire it with ``cli_export.register(app)``. The export goes to stdout, or with ``-o`` to a
file that appears only when the export is complete (it is written beside it under another
name and renamed); a summary line goes to stderr. Exit codes: 0 done, 1 a failure (nothing
is left behind), 2 a format or filter that cannot be used.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claimdesk.cli_support import err, fail, open_database
from claimdesk.core.exports import FORMATS, FilterError, build_query, get_format
from claimdesk.core.exports.filters import ExportQuery
from claimdesk.core.permissions import Role

if TYPE_CHECKING:
    from claimdesk.services import exports

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _usage_error(message: str) -> typer.Exit:
    err(f"error: {message}")
    return typer.Exit(2)


def export_command(
    output_format: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.", show_default=False)
    ],
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="approved and/or published (repeatable or comma-separated); default both.",
        ),
    ] = None,
    verdict: Annotated[
        str | None, typer.Option("--verdict", help="Only verdicts with this label, e.g. False.")
    ] = None,
    article: Annotated[
        str | None, typer.Option("--article", help="Only claims of this article id.")
    ] = None,
    publisher: Annotated[
        str | None, typer.Option("--publisher", help="Only articles of this publisher.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Verdicts published (or approved) on or after YYYY-MM-DD."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="… and on or before YYYY-MM-DD.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
    base_url: Annotated[
        str,
        typer.Option(
            "--base-url",
            help="The web app's address, for fact-check URLs when the desk settings set no "
            "fact-check URL pattern.",
        ),
    ] = DEFAULT_BASE_URL,
) -> None:
    """Export the desk's approved and published verdicts (never unapproved work).

    Formats: claimreview (schema.org ClaimReview JSON-LD), annotations (a W3C Web
    Annotation collection), csv, jsonl, doccano (JSONL) and labelstudio (JSON).

    Example: claimdesk export --format claimreview --status published -o fact-checks.jsonld
    Example: claimdesk export --format csv --since 2026-01-01 --verdict False > false.csv
    """
    try:
        fmt = get_format(output_format)
        query = build_query(
            role=Role.ADMIN.value,  # the CLI is the operator's: every exportable status
            statuses=status,
            label=verdict,
            article_id=article,
            publisher=publisher,
            since=since,
            until=until,
        )
    except (ValueError, FilterError) as exc:
        raise _usage_error(str(exc)) from None
    if output is not None and not output.parent.is_dir():
        raise fail(f"{output.parent}: no such folder")
    if output is not None and output.is_dir():
        raise fail(f"{output} is a folder: name a file")
    try:
        written = _run(fmt.name, query, output, base_url)
    except OSError as exc:
        raise fail(f"the export could not be written ({exc}); nothing was left behind") from None
    where = f" to {output}" if output is not None else ""
    err(f"exported {written} claims as {fmt.name}{where}")


def _run(fmt: str, query: ExportQuery, output: Path | None, base_url: str) -> int:
    from claimdesk.services import desk, exports  # the database stack: only when exporting

    db = open_database()
    try:
        with db.session() as session:
            info = desk.desk_info(session, base_url=base_url)
            stream = exports.export(session, fmt, query, info, role=Role.ADMIN.value)
            if output is None:
                _to_stdout(stream)
            else:
                _to_file(stream, output)
            return stream.count
    finally:
        db.close()


def _to_stdout(stream: exports.ExportStream) -> None:
    out = sys.stdout.buffer
    try:
        for piece in stream:
            out.write(piece.encode("utf-8"))
        out.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def _to_file(stream: exports.ExportStream, output: Path) -> None:
    """Write beside ``output`` and rename once complete; on any failure remove the part."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
        "wb", dir=output.parent, prefix=f".{output.name}.", suffix=".part", delete=False
    )
    part = Path(handle.name)
    try:
        with handle:
            for piece in stream:
                handle.write(piece.encode("utf-8"))
        part.chmod(0o666 & ~_umask())  # a temporary file is private; the export is not
        os.replace(part, output)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def register(app: typer.Typer) -> None:
    """Add ``export`` to the CLI."""
    app.command("export")(export_command)
