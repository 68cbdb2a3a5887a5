"""``reunify``: the command-line entry point.

Every command module exposes ``register(app)``; this module wires them together and turns a
:class:`reunify.errors.UserError` (and the other kinds of bad input) into a one-line message and
exit status 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from reunify import __version__
from reunify.cli import (
    audit_cmd,
    demo_cmd,
    ingest_cmd,
    init_cmd,
    log_cmd,
    policy_cmd,
    report_cmd,
    serve_cmd,
    synth_cmd,
)
from reunify.errors import UserError

app = typer.Typer(
    name="reunify",
    help=(
        "Record, judge and track every family separation; audit legacy records for the ones nobody recorded."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reunify {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """reunify: every separation visible, judged against the rules in force, and tracked home."""


for _module in (
    demo_cmd,
    synth_cmd,
    init_cmd,
    ingest_cmd,
    policy_cmd,
    audit_cmd,
    report_cmd,
    serve_cmd,
    log_cmd,
):
    _module.register(app)


#: Library errors that can only mean the user's input or environment is wrong (a path that is not
#: there or not theirs to read); anything else a library raises is a bug in reunify.
_BAD_PATH_ERRORS = (
    FileNotFoundError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
    FileExistsError,
)
_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_NOT_INITIALISED = "the database has no reunify tables yet: run `reunify init` (with the same --db) first"
_BAD_URL = (
    "the database URL is not one reunify can use: give sqlite:///path/to/file.db "
    "or postgresql://user@host:5432/dbname"
)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) folded to one space."""
    return " ".join(text.split())


def bad_input_message(exc: BaseException) -> str | None:
    """The one-line message for a library error that is clearly bad input, or None for a bug.

    Commits to: a missing/unreadable/wrong-kind path the user named (never a file inside the
    installed package: that is a broken install or a bug); a database URL SQLAlchemy cannot parse or
    has no dialect for; a database with no reunify tables (``init`` was not run). The message never
    repeats a library's text beyond a path, so no row value can reach the terminal this way.
    """
    if isinstance(exc, _BAD_PATH_ERRORS):
        where = exc.filename
        if where is not None and _PACKAGE_DIR in Path(str(where)).resolve().parents:
            return None
        what = (exc.strerror or type(exc).__name__).lower()
        return f"{where}: {what}" if where is not None else what
    sa_exc = sys.modules.get("sqlalchemy.exc")  # only loaded if SQLAlchemy raised it
    if sa_exc is None:
        return None
    if isinstance(exc, sa_exc.NoSuchModuleError) or (
        isinstance(exc, sa_exc.ArgumentError) and "URL" in str(exc)
    ):
        return _BAD_URL
    if isinstance(exc, sa_exc.OperationalError | sa_exc.ProgrammingError):
        orig = getattr(exc, "orig", None)
        if "no such table" in str(orig) or type(orig).__name__ == "UndefinedTable":
            return _NOT_INITIALISED
    return None


def run() -> None:
    """Console-script entry point: run the app, mapping bad input to one line and exit status 1.

    A :class:`UserError` and the library errors :func:`bad_input_message` recognises become
    ``error: <one line>`` on stderr and exit status 1. Every other exception is left to propagate
    with its traceback on purpose: it is a bug in reunify, not the user's mistake, and the traceback
    is what whoever fixes it needs (hiding it would turn bugs into vague "errors").
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        app(standalone_mode=True)
    except UserError as exc:
        err.print(f"error: {one_line(str(exc))}", markup=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:
        message = bad_input_message(exc)
        if message is None:
            raise  # a bug: keep the traceback (see the docstring)
        err.print(f"error: {message}", markup=False)
        sys.exit(1)
