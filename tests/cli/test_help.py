"""Every command of the command table exists and documents its options (deliverable.md, README.md).

``reunify COMMAND --help`` exits 0 and mentions each option the tables promise; a command that
reads or writes the store also takes ``--db`` ("`--db URL` or `REUNIFY_DATABASE_URL` selects
another"). ``reunify --version`` prints the version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from reunify import __version__

from .runner import Prefetch, Run, selected_params

# (command, options its --help must mention): deliverable.md's table, README.md's, and every other
# command the app registers (test_the_table_covers_every_command keeps it so).
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("demo", ("--out", "--db")),
    ("synth", ("--seed", "--out", "--scale", "--noise")),
    ("init", ("--db",)),
    ("ingest", ("--mapping", "--source", "--db")),
    ("quarantine list", ("--db",)),
    ("quarantine show", ("--db",)),
    ("quarantine export", ("--out", "--db")),
    ("quarantine reingest", ("--mapping", "--db")),
    ("schema list", ()),
    ("schema show", ()),
    ("policy check", ("--date", "--reason", "--json")),
    ("policy list", ("--json",)),
    ("policy show", ("--json",)),
    ("policy rejudge", ("--db", "--rules")),
    ("reasons normalize", ("--json",)),
    ("reasons coverage", ("--column", "--json")),
    ("audit", ("--out", "--from", "--to", "--as-of", "--rules", "--engine", "--db")),
    ("evaluate", ("--truth", "--pred")),
    ("review list", ("--db",)),
    ("review accept", ("--note", "--db")),
    ("review reject", ("--note", "--db")),
    ("report", ("--out", "--as-of", "--format", "--public", "--pseudonymize")),
    ("serve", ("--db",)),
    ("users add", ("--role", "--db")),
    ("users disable", ("--db",)),
    ("users grant", ("--port", "--identities", "--family", "--db")),
    ("users list", ("--db",)),
    ("users seed-demo", ("--db",)),
    ("log verify", ("--db",)),
    ("log sequence", ("--db",)),
]


def _mentions(help_text: str, option: str) -> bool:
    """An option (``--as-of``) or a command name appears as a whole word."""
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_text) is not None


@pytest.fixture(scope="module")
def help_runs(
    request: pytest.FixtureRequest,
    prefetch: Callable[[dict[str, tuple[list[str], Path, str]]], Prefetch],
    tmp_path_factory: pytest.TempPathFactory,
) -> Prefetch:
    """``reunify COMMAND --help`` for every selected row, started together."""
    work = tmp_path_factory.mktemp("help")
    chosen = selected_params(request, "command")
    return prefetch({cid: ([*str(cmd).split(), "--help"], work, "") for cid, cmd in chosen.items()})


@pytest.mark.parametrize(("command", "options"), COMMANDS, ids=[c for c, _ in COMMANDS])
def test_every_command_has_help_naming_its_options(
    command: str, options: tuple[str, ...], help_runs: Prefetch, request: pytest.FixtureRequest
) -> None:
    run = help_runs.result(request.node.callspec.id)
    assert run.exit_code == 0, run.describe()
    assert "Traceback" not in run.stdout + run.stderr, run.describe()
    assert f"reunify {command}" in run.stdout, run.describe()  # the usage line names the command
    missing = [o for o in options if not _mentions(run.stdout, o)]
    assert not missing, f"`reunify {command} --help` does not mention {missing}\n{run.describe()}"


def test_the_table_covers_every_command() -> None:
    """A command added to the app gets a row here (and so a --help check) or this fails."""
    import typer.main

    from reunify.cli.main import app

    registered: set[str] = set()

    def walk(command: object, path: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            registered.add(path.strip())
        else:
            for name, sub in subcommands.items():
                if not getattr(sub, "hidden", False):
                    walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "")
    assert registered, "no commands found"
    assert registered == {c for c, _ in COMMANDS}


def test_version_prints_the_package_version(run_reunify: Callable[..., Run]) -> None:
    run = run_reunify("--version")
    assert run.exit_code == 0, run.describe()
    assert run.stdout.strip() == f"reunify {__version__}", run.describe()
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


def test_no_command_prints_the_command_list(run_reunify: Callable[..., Run]) -> None:
    run = run_reunify()
    text = run.stdout + run.stderr
    assert "Traceback" not in text, run.describe()
    for command in sorted({c.split()[0] for c, _ in COMMANDS}):
        assert _mentions(text, command), f"`reunify` does not list {command}\n{run.describe()}"
