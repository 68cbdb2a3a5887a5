"""``reunify init [--db URL]``: create or migrate the database and make sure there is a data key."""

from __future__ import annotations

import os

import typer

from reunify.cli.options import DbOption
from reunify.config import resolve_database_url


def init(db: DbOption = None) -> None:
    """Create or migrate the database, create the data key file if there is no key, print where both are."""
    from reunify.store import crypto
    from reunify.store.engine import check_data_key, current_revision, make_engine, migrate, safe_url

    url = resolve_database_url(db)
    engine = make_engine(url)  # a bad URL or an unreachable server stops here, before any key is made
    try:
        if os.environ.get(crypto.KEY_ENV):
            key_note = f"from {crypto.KEY_ENV}"
        else:
            path = crypto.default_key_path(url)
            created = crypto.create_key_file(path)
            key_note = (
                f"{path} ({'created, mode 0600: back it up, never commit it' if created else 'existing'})"
            )
        crypto.reset_key_cache()
        migrate(url)
        check_data_key(engine, record_if_absent=True)
    finally:
        engine.dispose()
    typer.echo(f"database: {safe_url(url)}")
    typer.echo(f"revision: {current_revision(url)}")
    typer.echo(f"data key: {key_note}")


def register(app: typer.Typer) -> None:
    """Add ``reunify init``."""
    app.command("init", help="Create or migrate the database and set up the data key.")(init)
