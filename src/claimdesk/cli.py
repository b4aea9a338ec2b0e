"""The `claimdesk` command: a thin shell over the services.

stdout carries only the requested output; progress and logs go to stderr.
Exit codes: 0 success, 1 bad input or a failed operation, 2 usage error.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from claimdesk import cli_accounts, cli_export, cli_import, cli_query, cli_sources
from claimdesk.cli_support import BUSY, database_session, err, fail, open_database
from claimdesk.core.errors import MAX_INPUT_BYTES, InputError
from claimdesk.core.textsafety import show_hidden

if TYPE_CHECKING:
    from claimdesk.core.extraction import Extraction

# The database stack (SQLAlchemy, SQLModel, the store, most services), the HTTP client and
# the web server are imported inside the commands that use them: `claimdesk --help` and
# `claimdesk extract` never load them (tests/test_cli_startup.py, bench/cli_startup.py).
# The extractor too (its patterns take a while to compile): only `extract` and `ingest`.


def decision_threshold() -> float:
    """The check-worthiness model's decision threshold (``core.extraction.DECISION_THRESHOLD``)
    for the help text, read without importing the extractor."""
    model = Path(__file__).parent / "core" / "checkworthiness.json"
    return float(json.loads(model.read_text(encoding="utf-8"))["threshold"])


app = typer.Typer(
    name="claimdesk",
    help="claimdesk: a fact-checking and claims-tracking workbench.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


InputKind = Literal["text", "markdown", "html"]


@app.command("extract")
def extract_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="File paths, folders, http(s) URLs, or - for stdin. One file, URL or - "
            "prints one JSON object; several, or a folder, print JSON Lines.",
            metavar="PATH",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="json (one object) or table.")
    ] = "json",
    min_score: Annotated[
        float | None,
        typer.Option(
            "--min-score",
            help=f"Print claims scoring at least this; default {decision_threshold()} "
            "(the decision threshold). 0 prints every candidate.",
        ),
    ] = None,
    from_kind: Annotated[
        str | None, typer.Option("--from", help="Input type: text, markdown or html.")
    ] = None,
) -> None:
    """Clean an article and print its claims; needs no database.

    Batch: several paths, URLs or folders print JSON Lines, one article per line: the
    single-article object with a "path" first. A folder gives its .txt, .text, .md,
    .markdown, .html, .htm and .xhtml files (recursively, in sorted order). An article that
    fails is a line {"path": ..., "error": ...} and the rest go on; the exit code is then 1.
    A summary goes to stderr. "duplicate_of" is the position of the claim's first printed
    occurrence in "claims" (null for a first one), whatever --min-score keeps.

    Example: claimdesk extract article.html --format table --min-score 0.3

    Example: claimdesk extract a.html b.txt articles/ > claims.jsonl
    """
    if output_format not in ("json", "table"):
        raise typer.BadParameter("choose json or table", param_hint="--format")
    kind = _kind(from_kind)
    from claimdesk.core.extraction import DECISION_THRESHOLD

    threshold = DECISION_THRESHOLD if min_score is None else min_score
    if sources.count("-") > 1:
        raise typer.BadParameter("- (stdin) can be given once")
    if len(sources) > 1 or Path(sources[0]).is_dir():
        if output_format != "json":
            raise typer.BadParameter(
                "several articles print JSON Lines: leave out --format table",
                param_hint="--format",
            )
        _extract_batch(sources, kind, threshold)
        return
    try:
        extraction = _load(sources[0], kind)
    except InputError as exc:
        raise fail(str(exc)) from None
    if output_format == "json":
        json.dump(extraction.to_dict(min_score=threshold), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print_table(extraction, threshold)


def _load(source: str, kind: InputKind | None) -> Extraction:
    from claimdesk.services import inputs

    if source == "-":
        # one byte past the limit is enough for extraction to refuse it
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        return inputs.from_data(data, name="stdin", kind=kind).extraction
    return inputs.load(source, kind=kind).extraction


def _batch_items(sources: list[str]) -> list[tuple[str, str | None]]:
    """(path, None) for each article to extract, or (name, error) for a name that gives
    none: a folder without articles."""
    from claimdesk.services.inputs import INGESTIBLE_SUFFIXES

    items: list[tuple[str, str | None]] = []
    for name in sources:
        path = Path(name)
        if name != "-" and path.is_dir():
            found = sorted(
                str(child)
                for child in path.rglob("*")
                if child.is_file() and child.suffix.lower() in INGESTIBLE_SUFFIXES
            )
            if not found:
                kinds = ", ".join(INGESTIBLE_SUFFIXES)
                items.append((name, f"{name}: no article files ({kinds}) in this folder"))
            items.extend((child, None) for child in found)
        else:
            items.append((name, None))
    return items


def _extract_batch(sources: list[str], kind: InputKind | None, threshold: float) -> None:
    """JSON Lines on stdout, one article per line, flushed as each is done."""
    items = _batch_items(sources)
    failures = 0
    for name, problem in items:
        line: dict[str, Any] = {"path": name}
        if problem is None:
            try:
                line.update(_load(name, kind).to_dict(min_score=threshold))
            except InputError as exc:
                problem = str(exc)
            except Exception as exc:  # one article's bug must not stop the batch
                err(f"{name}: unexpected error")
                traceback.print_exc(file=sys.stderr)
                problem = f"unexpected error ({type(exc).__name__}): {exc}"
        if problem is not None:
            failures += 1
            line = {"path": name, "error": problem}
        _write_line(json.dumps(line, ensure_ascii=False))
    err(f"extracted {len(items) - failures} of {len(items)}; {failures} failed")
    if failures:
        raise typer.Exit(1)


def _write_line(line: str) -> None:
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        import contextlib
        import os

        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None


def _kind(value: str | None) -> InputKind | None:
    if value is None:
        return None
    if value not in ("text", "markdown", "html"):
        raise typer.BadParameter("choose text, markdown or html", param_hint="--from")
    return value  # type: ignore[return-value]


def _print_table(extraction: Extraction, threshold: float) -> None:
    rows = [c for c in extraction.claims if c.score >= threshold]
    print(f"{'score':>5}  {'span':>11}  claim")
    for claim in rows:
        span = f"{claim.start}-{claim.end}"
        quote = show_hidden(claim.quote)  # a terminal would obey bidi controls in the quote
        quote = quote if len(quote) <= 100 else quote[:99] + "…"
        print(f"{claim.score:5.2f}  {span:>11}  {quote}")
        if claim.reasons:
            print(f"{'':5}  {'':>11}  ({', '.join(claim.reasons)})")
        if claim.flags:
            print(f"{'':5}  {'':>11}  warning: {', '.join(claim.flags)}")


@app.command("ingest")
def ingest_command(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders or http(s) URLs; - reads a URL list.")
    ],
    from_kind: Annotated[
        str | None, typer.Option("--from", help="Input type: text, markdown or html.")
    ] = None,
    new_version_of: Annotated[
        int | None,
        typer.Option(
            "--new-version-of",
            min=1,
            help="Store the one file or URL given as the next version of article N "
            "(recorded in the audit log). Otherwise only re-fetching an article's own URL "
            "adds a version; anything else is a new article.",
        ),
    ] = None,
) -> None:
    """Store articles and their claims in the database.

    Example: claimdesk ingest ../shared/fixtures/seed-article.txt articles/ https://example.org/a
    Example: claimdesk ingest --new-version-of 12 corrected-story.html
    """
    from sqlalchemy.exc import SQLAlchemyError

    from claimdesk.progress import Progress
    from claimdesk.services import articles, inputs
    from claimdesk.services.events import SYSTEM

    kind = _kind(from_kind)
    names = list(inputs.expand(_with_stdin_list(sources)))
    if not names:
        raise fail("nothing to ingest: no files found")
    if new_version_of is not None and len(names) != 1:
        raise fail("--new-version-of takes exactly one file or URL")
    db = open_database()
    failures = 0
    progress = Progress(total=len(names), label="ingest")
    try:
        for name in names:
            try:
                loaded = inputs.load(name, kind=kind)
                with db.session(write=True) as session:
                    result = articles.ingest_input(
                        session, loaded, actor=SYSTEM, new_version_of=new_version_of
                    )
                article_id = result.article.id
                state = "stored" if result.created else "unchanged"
                progress.note(f"{name}: {state}, article {article_id}, {len(result.claims)} claims")
                print(f"{article_id}\t{len(result.claims)}\t{state}\t{name}", flush=True)
            except articles.ArticleNotFound:
                failures += 1
                progress.note(f"{name}: failed: no article {new_version_of}")
            except (InputError, SQLAlchemyError) as exc:
                # One item's failure (bad input, a database that stayed busy, a value the
                # database refused) is reported and the rest go on; its transaction was
                # rolled back, so nothing of it is half-stored.
                failures += 1
                progress.note(f"{name}: failed: {_item_error(exc)}")
            progress.advance()
    finally:
        progress.close()
        db.close()
    err(f"ingested {len(names) - failures} of {len(names)}; {failures} failed")
    if failures:
        raise typer.Exit(1)


def _item_error(exc: Exception) -> str:
    from claimdesk.store.engine import is_contention

    if isinstance(exc, InputError):
        return str(exc)
    if is_contention(exc):
        return BUSY
    orig = getattr(exc, "orig", None)
    return f"the database refused it: {str(orig or exc).splitlines()[0]}"


def _with_stdin_list(sources: list[str]) -> list[str]:
    names: list[str] = []
    for source in sources:
        if source == "-":
            names.extend(line.strip() for line in sys.stdin if line.strip())
        else:
            names.append(source)
    return names


@app.command("demo")
def demo_command() -> None:
    """Load the demo desk into the configured database (a second run changes nothing).

    On a database without users it creates demo admin, editor, reviewer and researcher
    accounts with random passwords and prints `email password` lines, once. The demo
    reviewer and editor then take some claims through review, so that every status has one.

    Example: CLAIMDESK_DATABASE_URL=sqlite:///var/claimdesk.db claimdesk demo
    """
    from claimdesk.services import demo
    from claimdesk.services.events import SYSTEM

    with database_session() as session:
        result = demo.load_demo(session, actor=SYSTEM)
    for email, password in result.accounts:
        print(f"{email} {password}")
    if result.accounts:
        err("demo accounts created (shown once): sign in with one of the lines above")
    if result.articles_created or result.sources_created:
        err(
            f"demo loaded: {result.articles_created} article, {result.claims_created} claims "
            f"({result.claims_reviewed} taken through review), {result.sources_created} sources"
        )
    else:
        err("demo already loaded; nothing changed")


@app.command("migrate")
def migrate_command() -> None:
    """Create or upgrade the database schema to the newest migration.

    Example: CLAIMDESK_DATABASE_URL=postgresql://postgres@127.0.0.1/claimdesk claimdesk migrate
    """
    db = open_database()
    db.close()
    err("database is up to date")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only).")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Comma-separated addresses of the reverse proxies (TLS terminators) whose "
            "X-Forwarded-For/-Proto headers are trusted, or '*'. Default: 127.0.0.1 only.",
        ),
    ] = None,
) -> None:
    """Serve the web app (never loads the demo by itself).

    Behind a proxy that terminates TLS, name it with --forwarded-allow-ips so that cookies
    are marked Secure and login limits see the client's address, not the proxy's.

    Example: claimdesk serve --host 0.0.0.0 --port 8080 --forwarded-allow-ips 10.0.0.5
    """
    import uvicorn

    db = open_database()  # migrate once before the workers start
    db.close()
    err(f"claimdesk serving on http://{host}:{port}/")
    uvicorn.run(
        "claimdesk.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        factory=False,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips or "127.0.0.1",
    )


cli_sources.register(app)
cli_accounts.register(app)
cli_export.register(app)
cli_import.register(app)
cli_query.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
