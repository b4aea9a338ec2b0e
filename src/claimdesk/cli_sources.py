"""CLI commands for the source library: ``sources import`` and ``match``.

Wire them with ``cli_sources.register(app)``. Like the rest of the CLI: stdout carries
only the requested output, progress and errors go to stderr; exit 0 on success, 1 when
something failed (some lines of a collection included), 2 on a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claimdesk.cli_support import BUSY, err, fail, open_database
from claimdesk.core.sources_formats import FormatError, detect_format, parse_mapping

if TYPE_CHECKING:
    from claimdesk.services.matching import SourceMatch

FORMATS = ("auto", "csv", "jsonl", "claimreview")
MAX_ERRORS_SHOWN = 50


def _count_records(name: str, fmt: str) -> int:
    chosen = detect_format(name) if fmt == "auto" else fmt
    path = Path(name)
    if chosen in ("csv", "jsonl") and path.is_file():
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    return 1


def import_command(
    paths: Annotated[
        list[str], typer.Argument(help="Collection files (CSV, JSONL, JSON-LD), documents, URLs.")
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="field=column, e.g. text=vclaim (repeatable)."),
    ] = None,
    collection: Annotated[
        str, typer.Option("--collection", help="Collection the sources belong to.")
    ] = "",
    fmt: Annotated[
        str, typer.Option("--format", help="auto (by file name), csv, jsonl or claimreview.")
    ] = "auto",
) -> None:
    """Import sources into the library; re-importing updates them, never duplicates.

    Prints one line per path: created, updated, unchanged, failed lines, path.
    Malformed lines are reported on stderr with their line numbers; the rest imports.

    Example: claimdesk sources import vclaims.jsonl --map text=vclaim --map id=vclaim_id
    """
    if fmt not in FORMATS:
        raise typer.BadParameter(f"choose one of {', '.join(FORMATS)}", param_hint="--format")
    try:
        columns = parse_mapping(mapping or [])
    except FormatError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    from sqlalchemy.exc import SQLAlchemyError  # the database stack: only when importing

    from claimdesk.progress import Progress
    from claimdesk.services import sources
    from claimdesk.services.events import SYSTEM
    from claimdesk.store.engine import is_contention

    db = open_database()
    failed = False
    try:
        for name in paths:
            progress = Progress(total=_count_records(name, fmt), label=name, unit="records")
            try:
                with db.session(write=True) as session:
                    report = sources.import_records(
                        session,
                        sources.iter_path(name, fmt, columns),  # type: ignore[arg-type]
                        collection=collection,
                        actor=SYSTEM,
                        origin=name,
                        on_batch=progress.advance,
                    )
            except sources.SourceImportError as exc:
                progress.close()
                err(f"error: {exc}")
                failed = True
                continue
            except SQLAlchemyError as exc:
                progress.close()
                reason = BUSY if is_contention(exc) else str(getattr(exc, "orig", exc))
                err(
                    f"error: {name}: {reason.splitlines()[0]} (batches committed before this "
                    "are kept; importing again resumes without duplicates)"
                )
                failed = True
                continue
            except sources.ImportInterrupted as exc:
                progress.close()
                done = exc.report
                raise fail(
                    f"interrupted: {done.created} created and {done.updated} updated sources "
                    "were committed; nothing is half-written"
                ) from None
            progress.close()
            for _origin, error in report.errors[:MAX_ERRORS_SHOWN]:
                err(f"{name}: {error}")
            if len(report.errors) > MAX_ERRORS_SHOWN:
                err(f"{name}: … and {len(report.errors) - MAX_ERRORS_SHOWN} more errors")
            failed = failed or bool(report.errors)
            print(
                f"{report.created}\t{report.updated}\t{report.unchanged}\t"
                f"{len(report.errors)}\t{name}",
                flush=True,
            )
    finally:
        db.close()
    if failed:
        raise typer.Exit(1)


def read_queries(path: Path) -> list[tuple[str, str]]:
    r"""``id<TAB>text`` lines (CSV-style quoted text is unquoted); blank lines skip.

    Lines end at ``\n`` (or ``\r\n``) only: a U+2028 or form feed inside a claim stays in
    its text, and a line's number is one more than the newlines before it. A leading byte
    order mark is ignored.
    Raises OSError, UnicodeDecodeError, or FormatError naming the line that has no id or tab.
    """
    queries = []
    content = path.read_bytes().decode("utf-8-sig")
    for number, line in enumerate(content.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        qid, sep, text = line.partition("\t")
        if not sep or not qid.strip():
            raise FormatError(f"{path}: line {number}: expected id<TAB>text")
        text = text.strip()
        if len(text) > 1 and text.startswith('"') and text.endswith('"'):
            text = text[1:-1].replace('""', '"')
        queries.append((qid.strip(), text))
    return queries


def match_command(
    text: Annotated[str | None, typer.Argument(help="The claim to match.")] = None,
    queries: Annotated[
        Path | None, typer.Option("--queries", help="A TSV file of id<TAB>claim lines.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="Sources per claim.")] = 10,
    output_format: Annotated[
        str, typer.Option("--format", help="json, table, or trec (run file lines).")
    ] = "json",
) -> None:
    """Find the sources that best match a claim (one row per source, its best passage).

    json prints a list of {source_id, external_id, title, url, passage, score,
    match_start, match_end, why}; with --queries, one JSON object per query and line.
    trec prints "query_id Q0 external_id rank score claimdesk".

    Example: claimdesk match --queries queries.tsv --limit 5 --format trec
    """
    if output_format not in ("json", "table", "trec"):
        raise typer.BadParameter("choose json, table or trec", param_hint="--format")
    if (text is None) == (queries is None):
        raise typer.BadParameter("give a claim TEXT or --queries FILE, not both")
    if queries is not None:
        try:
            batch = read_queries(queries)
        except (OSError, FormatError, UnicodeDecodeError) as exc:
            raise fail(str(exc)) from None
    else:
        batch = [("1", text or "")]
    from claimdesk.services import matching  # the database stack: only when matching

    db = open_database()
    try:
        with db.session() as session:
            for qid, claim in batch:
                found = matching.match(session, claim, limit=limit)
                _print(qid, found, output_format, many=queries is not None)
    finally:
        db.close()


def _print(qid: str, found: list[SourceMatch], output_format: str, *, many: bool) -> None:
    if output_format == "trec":
        for rank, m in enumerate(found, start=1):
            doc = m.external_id or f"source-{m.source_id}"
            print(f"{qid} Q0 {doc} {rank} {m.score:.6f} claimdesk")
    elif output_format == "json":
        rows = [m.to_dict() for m in found]
        value: object = {"query_id": qid, "matches": rows} if many else rows
        print(json.dumps(value, ensure_ascii=False))
    else:
        if many:
            print(f"# {qid}")
        print(f"{'score':>6}  {'source':>7}  passage")
        for m in found:
            quote = m.passage[m.match_start : m.match_end] or m.passage
            quote = quote if len(quote) <= 90 else quote[:89] + "…"
            print(f"{m.score:6.3f}  {m.source_id:>7}  {quote}")
            label = m.external_id or m.url or m.title
            if label:
                print(f"{'':6}  {'':>7}  {label}")
            if m.why:
                print(f"{'':6}  {'':>7}  ({'; '.join(m.why)})")


def register(app: typer.Typer) -> None:
    """Add ``sources import`` (a ``sources`` sub-app) and ``match`` to the CLI."""
    group = typer.Typer(
        name="sources",
        help="The source library: documents, statements and earlier fact-checks.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("import")(import_command)
    app.add_typer(group, name="sources")
    app.command("match")(match_command)
