"""``reunify log verify``: recompute the audit log's hash chain; exit 1 naming the first entry that fails."""

from __future__ import annotations

from typing import Annotated

import typer

from reunify.cli.options import DbOption
from reunify.config import resolve_database_url
from reunify.errors import UserError

log_app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@log_app.command("verify")
def verify(
    db: DbOption = None,
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="SEQ:HASH of a head recorded earlier outside the database: also detects a log cut short."
        ),
    ] = None,
) -> None:
    """Check every entry: contiguous seq, prev_hash chaining, and each entry's hash."""
    from reunify import auditlog
    from reunify.store.engine import make_engine, session_factory

    anchor: tuple[int, str] | None = None
    if expect_head:
        seq, _, digest = expect_head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise UserError("--expect-head takes SEQ:HASH, e.g. 42:<64 hex digits>")
        anchor = (int(seq), digest.lower())
    engine = make_engine(resolve_database_url(db))
    try:
        with session_factory(engine)() as session:
            result = auditlog.verify(session, anchor=anchor)
    finally:
        engine.dispose()
    if not result.ok:
        typer.echo(f"audit log FAILS at entry #{result.first_bad_seq}: {result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit log verifies: {result.entries} entries; head #{result.head_seq} {result.head_hash}")


def register(app: typer.Typer) -> None:
    """Add ``reunify log``."""
    app.add_typer(log_app, name="log")
