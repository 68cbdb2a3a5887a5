"""``reunify serve`` (the web application) and ``reunify users add|disable|grant|list|seed-demo``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from reunify.cli.options import DbOption
from reunify.config import resolve_database_url
from reunify.errors import UserError

users_app = typer.Typer(help="Manage the web application's accounts.", no_args_is_help=True)


def serve(  # noqa: PLR0917 (a Typer command's options are its parameters)
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    dev: Annotated[
        bool,
        typer.Option("--dev", help="Development on localhost: built-in key allowed, cookies without Secure."),
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Worker processes.")] = 1,
    audit_dir: Annotated[
        Path | None,
        typer.Option(help="Audit deliverable directory for the auditors' review queue (REUNIFY_AUDIT_DIR)."),
    ] = None,
    no_audit_log: Annotated[
        bool, typer.Option("--no-audit-log", hidden=True, help="Benchmark comparison only (needs --dev).")
    ] = False,
) -> None:
    """Migrate the database, then serve the web application (pages, /api, OpenAPI at /api/docs)."""
    import uvicorn

    from reunify.store.engine import migrate
    from reunify.web.settings import WebSettings

    if dev and host not in ("127.0.0.1", "localhost", "::1"):
        raise UserError("--dev (built-in key, cookies without Secure) is for localhost only: drop --dev")
    url = resolve_database_url(db)
    env = {"REUNIFY_DATABASE_URL": url}
    if dev:
        env["REUNIFY_DEV"] = "true"
    if audit_dir is not None:
        env["REUNIFY_AUDIT_DIR"] = str(audit_dir)
    if no_audit_log:
        env["REUNIFY_AUDIT_LOG_ENABLED"] = "false"
    os.environ.update(env)
    WebSettings().checked()  # refuse insecure settings before anything starts
    migrate(url)
    typer.echo(
        f"reunify: serving on http://{host}:{port}/ (API docs at /api/docs){' [dev mode]' if dev else ''}"
    )
    uvicorn.run(
        "reunify.web.asgi:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


def _session(db: str | None):  # type: ignore[no-untyped-def]
    from reunify.store.engine import make_engine, migrate, session_factory

    url = resolve_database_url(db)
    migrate(url)
    return session_factory(make_engine(url))


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password (12+ characters)", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="officer, supervisor, headquarters, auditor, counsel or admin.")],
    port: Annotated[
        list[str] | None, typer.Option(help="Port scope (officer, supervisor); repeat for several.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account (the password is prompted for, never taken from the command line)."""
    from reunify.web.services import accounts

    password = _read_password(password_stdin)
    factory = _session(db)
    with factory.begin() as session:
        user = accounts.add_user(session, username=username, role=role, password=password)
        for p in port or []:
            accounts.grant(session, username=username, kind="port", value=p)
    typer.echo(f"added {user.username} ({user.role})")


@users_app.command("disable")
def users_disable(username: str, db: DbOption = None) -> None:
    """Disable an account and end its sessions."""
    from reunify.web.services import accounts

    with _session(db).begin() as session:
        accounts.disable_user(session, username=username)
    typer.echo(f"disabled {username}")


@users_app.command("grant")
def users_grant(
    username: str,
    port: Annotated[str | None, typer.Option(help="A port code or name (officer, supervisor scope).")] = None,
    identities: Annotated[
        bool, typer.Option("--identities", help="Let an auditor or headquarters see names and alien numbers.")
    ] = False,
    family: Annotated[str | None, typer.Option(help="A separation id counsel may follow.")] = None,
    db: DbOption = None,
) -> None:
    """Grant a scope or privilege."""
    from reunify.web.services import accounts

    chosen = [
        (k, v)
        for k, v in (("port", port), ("identities", "*" if identities else None), ("family", family))
        if v
    ]
    if len(chosen) != 1:
        raise UserError("give exactly one of --port, --identities, --family")
    kind, value = chosen[0]
    with _session(db).begin() as session:
        row = accounts.grant(session, username=username, kind=kind, value=value)
        granted = f"{row.kind}:{row.value}"
    typer.echo(f"granted {granted} to {username}")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List accounts, roles and grants."""
    from reunify.web.services import accounts

    with _session(db)() as session:
        for user, grants in accounts.list_users(session):
            scope = ", ".join(f"{g.kind}:{g.value}" for g in grants)
            typer.echo(f"{user.username}\t{user.role}\t{'active' if user.active else 'disabled'}\t{scope}")


@users_app.command("seed-demo")
def users_seed_demo(db: DbOption = None) -> None:
    """Create one demo user per role with fresh random passwords, printed once here (stored hashed)."""
    from reunify.web.services import accounts

    with _session(db).begin() as session:
        created = accounts.create_demo_users(session)
    if not created:
        typer.echo("demo users already exist (their passwords were printed when they were created)")
    for username, role, password in created:
        typer.echo(f"{role:13} {username:18} {password}")


def register(app: typer.Typer) -> None:
    """Add ``reunify serve`` and ``reunify users``."""
    app.command("serve", help="Serve the web application.")(serve)
    app.add_typer(users_app, name="users")
