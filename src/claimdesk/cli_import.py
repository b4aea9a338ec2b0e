"""CLI command group ``import``: ``import annotations`` reads W3C Web Annotations into claims.

Wire it with ``cli_import.register(app)``. A line per annotation that was not imported (its
id and why) and a summary line go to stderr. Exit codes: 0 every annotation imported (or
already there), 1 some were skipped, 2 a file that cannot be read (nothing is imported).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from claimdesk.cli_support import BUSY, err, fail, open_database
from claimdesk.core.errors import MAX_INPUT_BYTES

MAX_FILE_BYTES = max(MAX_INPUT_BYTES, 200 * 1024 * 1024)


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        err(f"error: {path}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    if len(data) > MAX_FILE_BYTES:
        err(f"error: {path}: larger than {MAX_FILE_BYTES:,} bytes; split it")
        raise typer.Exit(2)
    return data


def annotations_command(
    path: Annotated[
        Path, typer.Argument(help="A Web Annotation file: collection, page, list or JSONL.")
    ],
) -> None:
    """Import W3C Web Annotations as claims on the desk's articles.

    Reads what `claimdesk export --format annotations` writes (claims with their statement,
    claimant, tags, evidence and approved or published verdict) and other tools'
    annotations (e.g. Hypothesis: a target with quote and position selectors, text and
    tags). Each annotation needs its article in the desk (by URL): ingest the articles
    first. Annotations whose article is missing or whose quote is not in the article's
    text are reported on stderr and skipped; importing a file again adds nothing.

    Example: claimdesk import annotations desk-annotations.jsonld
    """
    from claimdesk.core.imports.annotations import AnnotationFileError, read_annotations

    data = _read(path)
    try:
        found, unreadable = read_annotations(data)
    except AnnotationFileError as exc:
        err(f"error: {path}: {exc} Nothing was imported.")
        raise typer.Exit(2) from None
    for problem in unreadable:
        err(f"skipped {problem}")
    from sqlalchemy.exc import SQLAlchemyError  # the database stack: only when importing

    from claimdesk.services import annotation_import
    from claimdesk.store.engine import is_contention

    db = open_database()
    try:
        report = annotation_import.import_annotations(
            db.write_engine,
            found,
            principal=annotation_import.operator(),
            on_problem=lambda problem: err(f"skipped {problem}"),
        )
    except SQLAlchemyError as exc:
        reason = BUSY if is_contention(exc) else str(getattr(exc, "orig", exc)).splitlines()[0]
        raise fail(f"{reason} (annotations imported before this are kept; importing again "
                   "adds only the rest)") from None  # fmt: skip
    finally:
        db.close()
    skipped = len(report.problems) + len(unreadable)
    err(
        f"imported {report.imported} annotations, {report.unchanged} already there, "
        f"{skipped} skipped"
    )
    if skipped:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``import`` group (``import annotations``) to the CLI."""
    group = typer.Typer(
        name="import",
        help="Import claims made elsewhere: W3C Web Annotations.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    group.command("annotations")(annotations_command)
    app.add_typer(group, name="import")
