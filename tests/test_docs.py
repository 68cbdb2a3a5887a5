"""The command table in README.md, the commands the program has, and docs/ agree.

- Every command the Typer app registers (each top-level command, each subcommand of a group; not
  hidden ones) appears in README.md's command table.
- Every command of that table appears in the app (the table promises nothing the program lacks).
- Every command of that table is explained in docs/ (architecture.md or its area's page): the page
  shows ``reunify COMMAND [SUBCOMMAND]``, or a line shows ``reunify GROUP`` and the subcommand among
  its alternatives (``reunify review accept|reject ID``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from reunify.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")
DOCS = {p.name: p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}

Command = tuple[str, ...]

#: README commands docs/ does not explain yet: page to fix -> strict xfail (remove when written).
DOC_GAPS: dict[Command, str] = {}


def readme_commands(readme: str = README) -> list[Command]:
    """The commands of README's table: ``reunify quarantine list|show|export`` is three of them.

    A row's words after ``reunify`` are the command, then (until the first option or ``[``) the
    subcommands, alternatives split on ``|``; capitalised words (ID, KIND, PATH...) are arguments.
    """
    found: list[Command] = []
    for line in readme.splitlines():
        row = re.match(r"\|\s*`reunify ([^`]+)`", line)
        if row is None:
            continue
        first, *rest = row.group(1).replace("\\|", "|").split()
        subs: list[str] = []
        for word in rest:
            if word.startswith(("-", "[")):
                break
            subs += [alt for alt in word.split("|") if re.fullmatch(r"[a-z][a-z-]*", alt)]
        found += [(first, sub) for sub in subs] or [(first,)]
    return found


def app_commands() -> list[Command]:
    """Every visible command of the Typer app, as a user types it (``("policy", "check")``)."""
    root = typer.main.get_command(app)
    out: list[Command] = []

    def walk(command: object, path: Command) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            out.append(path)
            return
        for name, sub in subcommands.items():
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))

    walk(root, ())
    return out


def explained_in(command: Command, text: str) -> bool:
    """``reunify <command>`` is shown, or a line names its group and it among alternatives."""
    words = r"\s+".join(map(re.escape, command))
    if re.search(rf"reunify\s+{words}(?![\w-])", text):
        return True
    if len(command) == 2:
        group, sub = command
        for line in text.splitlines():
            after = line.partition(f"reunify {group} ")[2]
            if after and re.search(rf"(^|[\s|]){re.escape(sub)}(?![\w-])", after):
                return True
    return False


README_COMMANDS = readme_commands()


def test_the_readme_table_is_read() -> None:
    """The parser finds the table (a test of the test: an empty list would make the rest vacuous)."""
    assert ("policy", "check") in README_COMMANDS
    assert ("quarantine", "export") in README_COMMANDS
    assert ("audit",) in README_COMMANDS
    assert readme_commands("| `reunify x a\\|b ID\\|c --o V` | d |") == [("x", "a"), ("x", "b"), ("x", "c")]


@pytest.mark.parametrize("command", app_commands(), ids=" ".join)
def test_every_registered_command_is_in_the_readme_table(command: Command) -> None:
    assert command in README_COMMANDS, f"`reunify {' '.join(command)}` is not in README.md's command table"


@pytest.mark.parametrize("command", README_COMMANDS, ids=" ".join)
def test_every_readme_command_exists(command: Command) -> None:
    assert command in app_commands(), f"README.md lists `reunify {' '.join(command)}`, which the app lacks"


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=DOC_GAPS[c])) if c in DOC_GAPS else c
        for c in README_COMMANDS
    ],
    ids=" ".join,
)
def test_every_readme_command_is_explained_in_docs(command: Command) -> None:
    pages = [name for name, text in DOCS.items() if explained_in(command, text)]
    assert pages, (
        f"no page in docs/ explains `reunify {' '.join(command)}` (architecture.md or its area's page)"
    )
