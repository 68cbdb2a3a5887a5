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

# (command, options its --help must mention): deliverable.md's table, then README.md's.
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("demo", ("--out", "--db")),
    ("synth", ("--seed", "--out", "--scale", "--noise")),
    ("init", ("--db",)),
    ("ingest", ("--mapping", "--source", "--db")),
    ("quarantine list", ("--db",)),
    ("quarantine show", ("--db",)),
    ("quarantine export", ("--out", "--db")),
    ("schema show", ("KIND",)),
    ("policy check", ("--date", "--reason", "--json")),
    ("policy list", ("--json",)),
    ("policy show", ("ID",)),
    ("policy rejudge", ("--db", "--rules")),
    ("reasons normalize", ("TEXT", "--json")),
    ("audit", ("--out", "--from", "--to", "--as-of", "--rules", "--engine", "--db")),
    ("evaluate", ("--truth", "--pred")),
    ("review list", ("--db",)),
    ("review accept", ("ID", "--note", "--db")),
    ("review reject", ("ID", "--note", "--db")),
    ("report", ("--out", "--as-of", "--format", "--public", "--pseudonymize")),
    ("serve", ("--db",)),
    ("users add", ("--role", "--db")),
    ("users disable", ("--db",)),
    ("users grant", ("--db",)),
    ("log verify", ("--db",)),
]


def _mentions(help_text: str, option: str) -> bool:
    """An option (``--as-of``) or an argument's metavar (``ID``) appears as a whole word."""
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
