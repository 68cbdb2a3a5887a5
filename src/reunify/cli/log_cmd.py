"""``reunify log verify``: recompute the audit log's hash chain; exit 1 naming the first entry that fails.
``reunify log sequence``: give entries still queued their place in the chain now."""

from __future__ import annotations

from typing import Annotated

import typer

from reunify.cli.options import DbOption
from reunify.config import resolve_database_url
from reunify.errors import UserError


def _upgraded(url: str) -> str:
    """``url``, migrated first if it was initialised before the queue (0006) existed; an empty database
    is left alone (the command then says to run ``reunify init``)."""
    from reunify.store.engine import current_revision, migrate

    if current_revision(url) is not None:
        migrate(url)
    return url


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
    """Check every entry: contiguous seq, prev_hash chaining, and each entry's hash.

    Entries still queued are sequenced first, so the check covers everything committed so far.
    """
    from reunify import auditlog
    from reunify.auditlog.log import SequencerError
    from reunify.store.engine import make_engine, session_factory

    anchor: tuple[int, str] | None = None
    if expect_head:
        seq, _, digest = expect_head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise UserError("--expect-head takes SEQ:HASH, e.g. 42:<64 hex digits>")
        anchor = (int(seq), digest.lower())
    url = _upgraded(resolve_database_url(db))
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            result = auditlog.verify(session, anchor=anchor)
    except SequencerError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    if not result.ok:
        typer.echo(f"audit log FAILS at entry #{result.first_bad_seq}: {result.reason}", err=True)
        raise typer.Exit(1)
    typer.echo(f"audit log verifies: {result.entries} entries; head #{result.head_seq} {result.head_hash}")


@log_app.command("sequence")
def sequence(db: DbOption = None) -> None:
    """Move queued entries into the hash chain now (``reunify serve`` does it a few times a second)."""
    from reunify import auditlog
    from reunify.auditlog.log import SequencerError
    from reunify.store.engine import make_engine, session_factory

    url = _upgraded(resolve_database_url(db))
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            moved = auditlog.sequence(session)
            total = auditlog.count(session)
    except SequencerError as exc:
        raise UserError(str(exc)) from None
    finally:
        engine.dispose()
    typer.echo(f"sequenced {moved} entries; the log holds {total}")


def register(app: typer.Typer) -> None:
    """Add ``reunify log``."""
    app.add_typer(log_app, name="log")
