"""``reunify ingest``, ``reunify quarantine ...`` and ``reunify schema ...``: loading legacy extracts.

See docs/ingest.md. Messages name files, rows, columns and reasons, never a name or an A-number.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from reunify.cli.options import DbOption
from reunify.config import resolve_database_url
from reunify.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from reunify.sources.ingest import IngestResult

MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        "-m",
        help="Column mapping (YAML) that turns a non-v1 extract into v1; see docs/ingest.md.",
    ),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        "-s",
        help="The kind: encounters, i213, ice_custody or orr_referrals (default: from the header).",
    ),
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="The files' text encoding when not UTF-8, e.g. cp1252 or latin-1."),
]
SystemOption = Annotated[
    str | None,
    typer.Option(
        "--source-system",
        help="Name of the system the extract came from (default: the mapping's source_system).",
    ),
]

_err = Console(stderr=True, highlight=False)


def _ingest_paths(
    paths: list[Path],
    *,
    db: str | None,
    mapping_file: Path | None,
    source: str | None,
    encoding: str | None,
    system: str | None,
) -> None:
    from reunify.sources.ingest import ingest_file
    from reunify.sources.mapping import load_mapping

    url = resolve_database_url(db)
    mapping = load_mapping(mapping_file) if mapping_file is not None else None
    failed = 0
    for path in paths:
        try:
            result = _with_progress(
                path,
                partial(
                    _ingest_one,
                    ingest_file,
                    url,
                    path,
                    kind=source,
                    mapping=mapping,
                    encoding=encoding,
                    system=system,
                ),
            )
        except UserError as exc:
            _err.print(f"error: {exc}", markup=False, soft_wrap=True)
            failed += 1
            continue
        if result.already_loaded:
            typer.echo(
                f"{path.name}: already loaded (batch {result.batch_id}, {result.kind}): nothing added "
                f"({result.rows_read} rows read, {result.rows_accepted} accepted, "
                f"{result.rows_quarantined} quarantined)"
            )
            continue
        typer.echo(
            f"{path.name}: {result.kind}, batch {result.batch_id}: {result.rows_read} rows read, "
            f"{result.rows_accepted} accepted, {result.rows_quarantined} quarantined"
        )
        for reason, count in result.top_reasons():
            typer.echo(f"  quarantined {count:>7}  {reason}")
        if result.reingested:
            typer.echo(f"  {result.reingested} quarantined rows fixed and re-ingested")
        if result.absent_columns:
            typer.echo(f"  columns not in the file, stored blank: {', '.join(result.absent_columns)}")
    if failed:
        raise typer.Exit(1)


def _ingest_one(
    ingest_file: Callable[..., IngestResult],
    url: str,
    path: Path,
    progress: Callable[[int, int], None],
    **options: object,
) -> IngestResult:
    system = options.pop("system")
    return ingest_file(url, path, source_system=system, progress=progress, **options)


def _with_progress(path: Path, run: Callable[[Callable[[int, int], None]], IngestResult]) -> IngestResult:
    """Run ``run(callback)`` with a progress bar (a terminal) or a plain line per batch (a log)."""
    size = path.stat().st_size if path.is_file() else 0
    if _err.is_terminal:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]} rows"),
            TimeRemainingColumn(),
            console=_err,
            transient=True,
        ) as bar:
            task = bar.add_task(path.name, total=size, rows=0)
            return run(lambda done, rows: bar.update(task, completed=done, rows=rows))

    def line(done: int, rows: int) -> None:
        _err.print(f"ingest: {path.name}: {rows} rows read ({done * 100 // max(size, 1)}%)", markup=False)

    return run(line)


def ingest(  # noqa: PLR0917 (a Typer command's options are its parameters)
    paths: Annotated[list[Path], typer.Argument(help="CSV extracts to load.", show_default=False)],
    mapping: MappingOption = None,
    source: SourceOption = None,
    encoding: EncodingOption = None,
    source_system: SystemOption = None,
    db: DbOption = None,
) -> None:
    """Load extracts into the store: per file, rows read, accepted and quarantined, and why."""
    _ingest_paths(paths, db=db, mapping_file=mapping, source=source, encoding=encoding, system=source_system)


quarantine_app = typer.Typer(help="See, export and fix quarantined rows.", no_args_is_help=True)


def _engine(db: str | None) -> Engine:
    from reunify.sources.staging import require_tables
    from reunify.store.engine import make_engine

    engine = make_engine(resolve_database_url(db))
    require_tables(engine)
    return engine


@quarantine_app.command("list")
def quarantine_list(
    status: Annotated[str, typer.Option(help="open, reingested, superseded, or all.")] = "open",
    batch: Annotated[int | None, typer.Option("--batch", help="Only this load batch.")] = None,
    kind: SourceOption = None,
    db: DbOption = None,
) -> None:
    """List quarantined rows: id, batch, file, row, record_id, status and reason (no raw data)."""
    from reunify.sources.quarantine import list_quarantined

    engine = _engine(db)
    try:
        rows = list_quarantined(engine, status=None if status == "all" else status, batch_id=batch, kind=kind)
    finally:
        engine.dispose()
    table = Table("id", "batch", "file", "row", "record_id", "status", "reason")
    for r in rows:
        table.add_row(
            str(r.id), str(r.batch_id), r.file_name, str(r.row_number), r.record_id or "", r.status, r.reason
        )
    Console(highlight=False, width=200).print(table)
    typer.echo(f"{len(rows)} rows")


@quarantine_app.command("show")
def quarantine_show(
    quarantine_id: Annotated[int, typer.Argument(help="The quarantined row's id (see `quarantine list`).")],
    db: DbOption = None,
) -> None:
    """Print one quarantined row: where it came from, why, and its raw values."""
    from reunify.sources.quarantine import show_quarantined

    engine = _engine(db)
    try:
        row, raw = show_quarantined(engine, quarantine_id)
    finally:
        engine.dispose()
    typer.echo(
        f"quarantined row {row.id} ({row.status}): {row.file_name} row {row.row_number}, "
        f"batch {row.batch_id}, {row.kind}"
    )
    typer.echo(f"reason: {row.reason}")
    width = max((len(k) for k in raw), default=0)
    for key, value in raw.items():
        shown = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        typer.echo(f"  {key:<{width}}  {shown}")


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV file to write.")],
    batch: Annotated[int | None, typer.Option("--batch", help="Only this load batch.")] = None,
    kind: SourceOption = None,
    status: Annotated[str, typer.Option(help="Which rows: open (default), reingested, superseded.")] = "open",
    db: DbOption = None,
) -> None:
    """Write quarantined rows as CSV to fix in a spreadsheet, then `reunify ingest` the file back."""
    from reunify.sources.quarantine import export_quarantined

    engine = _engine(db)
    try:
        n = export_quarantined(engine, out, status=status, batch_id=batch, kind=kind)
    finally:
        engine.dispose()
    typer.echo(
        f"{n} rows written to {out}: fix them, then `reunify ingest {out}` (with the same --mapping, if any)"
    )


@quarantine_app.command("reingest")
def quarantine_reingest(
    paths: Annotated[list[Path], typer.Argument(help="Fixed export files.", show_default=False)],
    mapping: MappingOption = None,
    source: SourceOption = None,
    encoding: EncodingOption = None,
    db: DbOption = None,
) -> None:
    """Load fixed rows back (the same as `reunify ingest`)."""
    _ingest_paths(paths, db=db, mapping_file=mapping, source=source, encoding=encoding, system=None)


schema_app = typer.Typer(help="The v1 extract formats (Frictionless Table Schemas).", no_args_is_help=True)


@schema_app.command("show")
def schema_show(
    kind: Annotated[str, typer.Argument(help="encounters, i213, ice_custody or orr_referrals.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Table Schema JSON.")] = False,
) -> None:
    """Print the v1 columns of a kind: name, required, sensitive, allowed values, meaning."""
    from reunify.sources.kinds import get_kind

    source = get_kind(kind)
    if as_json:
        typer.echo(json.dumps(source.descriptor, indent=2, ensure_ascii=False))
        return
    table = Table(
        "column",
        "required",
        "sensitive",
        "values",
        "meaning",
        title=f"{source.file_name}: {source.description}",
    )
    for f in source.fields:
        values = ", ".join(f.enum) if f.enum else ("date" if f.role == "date" else "")
        table.add_row(
            f.name, "yes" if f.required_column else "", "yes" if f.sensitive else "", values, f.description
        )
    Console(highlight=False, width=160).print(table)


@schema_app.command("list")
def schema_list() -> None:
    """The four v1 kinds and their usual file names."""
    from reunify.sources.kinds import all_kinds

    for k in all_kinds():
        typer.echo(f"{k.name:<14} {k.file_name:<18} {k.description.split(' Legacy extract format')[0]}")


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``quarantine`` and ``schema`` to the app."""
    app.command(
        "ingest", help="Load legacy extracts (CSV) into the store; quarantine rows it cannot accept."
    )(ingest)
    app.add_typer(quarantine_app, name="quarantine")
    app.add_typer(schema_app, name="schema")
