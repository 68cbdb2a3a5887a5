"""``reunify``: the command-line entry point.

Every command module exposes ``register(app)``; this module wires them together and turns a
:class:`reunify.errors.UserError` (and the other kinds of bad input) into a one-line message and
exit status 1, never a traceback.
"""

from __future__ import annotations

import sys

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
    help="Record, judge and track every family separation; audit legacy records for the ones nobody recorded.",
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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
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


def run() -> None:
    """Console-script entry point: run the app, mapping bad input to exit status 1."""
    err = Console(stderr=True, highlight=False)
    try:
        app(standalone_mode=True)
    except UserError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        sys.exit(130)
