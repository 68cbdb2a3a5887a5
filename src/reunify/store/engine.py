"""Engines, sessions and migrations: the one place that turns a database URL into a connection.

SQLite is the default (a file; foreign keys on, WAL journal); PostgreSQL is production (psycopg 3).
Every failure a user can cause (a malformed URL, a server that is not there, a file that cannot be
opened) becomes a one-line :class:`~reunify.errors.UserError` with the password hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from reunify.errors import UserError

__all__ = [
    "alembic_config",
    "check_data_key",
    "check_migrations",
    "current_revision",
    "downgrade",
    "head_revisions",
    "make_engine",
    "migrate",
    "normalize_url",
    "safe_url",
    "session_factory",
    "sqlite_path",
]

_URL_HELP = "expected sqlite:///path/to/file.db or postgresql://user@host:5432/dbname"
_SUPPORTED = {"sqlite", "postgresql"}
_PASSWORD_IN_TEXT = re.compile(r"(password=)\S+|(://[^:/@\s]+:)[^@\s]+@", re.IGNORECASE)


def normalize_url(url: str | URL) -> URL:
    """Parse ``url`` and pick our driver: ``postgresql://`` becomes ``postgresql+psycopg://``.

    Raises UserError for a URL that does not parse or names a backend we do not support.
    """
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise UserError(f"the database URL is not a URL; {_URL_HELP}") from None
    if parsed.drivername in ("postgres", "postgresql", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in _SUPPORTED:
        raise UserError(f"unsupported database {backend!r}; {_URL_HELP}")
    return parsed


def safe_url(url: str | URL) -> str:
    """The URL as text with any password masked: fit for messages and logs."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except ArgumentError:
        return "<unparseable URL>"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: str | URL) -> Path | None:
    """The file a SQLite URL points at, or None (in-memory SQLite, or not SQLite)."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # SQLite hands its write lock to whichever waiter retries first, not in turn: with many
        # writers (web workers, the sequencer) one can wait its turn well past 5 s on a busy
        # machine, which failed a write that would have gone through.
        cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        cursor.close()


def _drop_row_details(context: ExceptionContext) -> None:
    """PostgreSQL puts the failing row's values in an error's DETAIL line: keep only the first line.

    Both the driver's exception and SQLAlchemy's wrapper are trimmed; ``orig.sqlstate`` and
    ``orig.diag`` (constraint name etc.) stay available to callers.
    """
    orig = context.original_exception
    text = str(orig).strip()
    if "\n" not in text:
        return
    first = text.splitlines()[0]
    orig.args = (first,)
    wrapper = context.sqlalchemy_exception
    if isinstance(wrapper, DBAPIError):
        wrapper.args = (f"({type(orig).__module__}.{type(orig).__name__}) {first}",)


def _one_line(exc: BaseException) -> str:
    """The first line of a driver error, any password scrubbed."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return _PASSWORD_IN_TEXT.sub(
        lambda m: (m.group(1) or m.group(2)) + "***" + ("" if m.group(1) else "@"), text
    )


def make_engine(url: str | URL, *, check: bool = True, **kwargs: Any) -> Engine:
    """A SQLAlchemy engine for ``url``, configured for our backends.

    SQLite: foreign keys enforced and WAL journal on every connection; the file's folder must
    exist. PostgreSQL: psycopg 3, pool pre-ping. Bound parameters are hidden from SQL logging and
    from error messages (``hide_parameters``), and PostgreSQL's "Failing row contains (...)" detail
    is dropped from errors, so no name or A-number leaks through them. With ``check`` (the default)
    one connection is opened now, so an unreachable database is reported here as a UserError, not
    deep inside a command.
    Also tells :mod:`reunify.store.crypto` where this database's default key file lives.
    """
    parsed = normalize_url(url)
    kwargs.setdefault("hide_parameters", True)  # bound values (names, numbers) never reach logs or errors
    from reunify.store import crypto  # local: crypto imports nothing from here, keep it that way

    crypto.note_database_url(parsed)
    try:
        if parsed.get_backend_name() == "sqlite":
            path = sqlite_path(parsed)
            if path is not None and not path.parent.exists():
                raise UserError(f"cannot create the SQLite database: folder {path.parent} does not exist")
            engine = create_engine(parsed, **kwargs)
            event.listen(engine, "connect", _set_sqlite_pragmas)
        else:
            kwargs.setdefault("pool_pre_ping", True)
            kwargs.setdefault("connect_args", {"connect_timeout": 10})
            engine = create_engine(parsed, **kwargs)
            event.listen(engine, "handle_error", _drop_row_details)
    except NoSuchModuleError:
        raise UserError(f"no driver for {parsed.drivername!r}; {_URL_HELP}") from None
    except ArgumentError as exc:
        raise UserError(f"bad database URL {safe_url(parsed)}: {_one_line(exc)}") from None
    if check:
        try:
            with engine.connect():
                pass
        except DBAPIError as exc:
            engine.dispose()
            raise UserError(f"cannot reach the database {safe_url(parsed)}: {_one_line(exc)}") from None
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``. Objects stay readable after commit (expire_on_commit=False).

    The caller owns the transaction: ``with factory.begin() as session: ...`` commits on success.
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


# ---------------------------------------------------------------- migrations (Alembic, in code)


def alembic_config(url: str | URL, *, connection: Connection | None = None) -> Any:
    """An Alembic ``Config`` for our migrations, built in code (no alembic.ini on disk).

    ``script_location`` is the package folder ``reunify/store/migrations`` (shipped as package data).
    With ``connection``, env.py runs on it instead of opening its own.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "reunify.store:migrations")
    cfg.set_main_option("file_template", "%%(rev)s")  # versions/0004_review.py for rev_id "0004_review"
    # ConfigParser interpolation treats % specially; a URL-encoded password may contain it.
    cfg.set_main_option(
        "sqlalchemy.url", normalize_url(url).render_as_string(hide_password=False).replace("%", "%%")
    )
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def _migration_connection(url: str | URL) -> Iterator[Connection]:
    """One transaction for a whole migration run; a database refusal becomes a one-line UserError."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            yield connection
    except DBAPIError as exc:
        hint = ""
        if "btree_gist" in str(exc.orig):
            hint = " (install PostgreSQL's contrib package, or CREATE EXTENSION btree_gist as a superuser)"
        raise UserError(f"the database refused the migration: {_one_line(exc)}{hint}") from None
    finally:
        engine.dispose()


def migrate(url: str | URL, revision: str = "heads") -> None:
    """Create or upgrade the database at ``url`` to ``revision`` (default: every head), in one transaction."""
    from alembic import command

    with _migration_connection(url) as connection:
        command.upgrade(alembic_config(url, connection=connection), revision)


def downgrade(url: str | URL, revision: str) -> None:
    """Downgrade the database at ``url`` to ``revision`` (``base`` removes every table)."""
    from alembic import command

    with _migration_connection(url) as connection:
        command.downgrade(alembic_config(url, connection=connection), revision)


def check_migrations(url: str | URL) -> None:
    """Raise alembic's ``AutogenerateDiffsDetected`` if the tables at ``url`` differ from the models."""
    from alembic import command

    with _migration_connection(url) as connection:
        command.check(alembic_config(url, connection=connection))


def current_revision(url: str | URL) -> str | None:
    """The revision the database is at (heads joined by ``+`` if several), or None if never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return "+".join(sorted(heads)) if heads else None


def head_revisions() -> tuple[str, ...]:
    """The head revision(s) of the shipped migrations."""
    from alembic.script import ScriptDirectory

    return tuple(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


# ---------------------------------------------------------------- the data key and the database


def check_data_key(engine: Engine, *, record_if_absent: bool = False) -> bool:
    """Raise UserError if this database was set up with a different data key than the one in force.

    With ``record_if_absent``, a database with no recorded key gets the current key's fingerprint
    (``reunify init`` does this). Returns True when a fingerprint was written. Needs migration 0001.
    """
    from sqlalchemy import insert, select

    from reunify.store import crypto
    from reunify.store.schema.canonical import DataKeyCheck
    from reunify.store.types import utcnow

    check = crypto.key_check_value()
    with engine.begin() as connection:
        recorded = set(connection.scalars(select(DataKeyCheck.check_value)))
        if check in recorded:
            return False
        if recorded:
            raise UserError(
                "the data key in force is not the key this database was encrypted with; "
                "set REUNIFY_DATA_KEY (or REUNIFY_KEY_FILE) to this database's key"
            )
        if record_if_absent:
            connection.execute(insert(DataKeyCheck).values(check_value=check, created_at=utcnow()))
            return True
    return False
