"""`reunify policy` (check, list, show, rejudge) and `reunify reasons` (normalize, coverage).

The edge: parse options, call the policy engine, print. ``--json`` output is a contract
(docs/policy.md); the human output may change.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from reunify.cli.options import DbOption
from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy import FrameworkVerdict, RuleSet, evaluate, load_ruleset, normalize_reason_text
from reunify.policy.coverage import measure
from reunify.policy.evaluate import canonical_reasons, in_force

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Judge under this rule set (a YAML file or a directory of them) instead of the shipped one.",
        show_default=False,
    ),
]
"""``--rules FILE_OR_DIR``: other commands that judge separations (the audit) reuse this alias."""

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (a stable contract) instead of a table.")
]

policy_app = typer.Typer(
    help="The frameworks that judge separations, and their verdicts.", no_args_is_help=True
)
reasons_app = typer.Typer(help="Read free-text separation reasons into reason codes.", no_args_is_help=True)

_STYLE = {"consistent": "green", "inconsistent": "bold red", "undetermined": "yellow", "not_in_force": "dim"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date, or UserError saying what to type."""
    if _ISO_DATE.match(text.strip()):
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            pass
    raise UserError(f"--date must be a real date as YYYY-MM-DD (got {text!r})")


def verdict_json(verdict: FrameworkVerdict) -> dict[str, Any]:
    """One framework's verdict as the ``--json`` contract shapes it."""
    return {
        "id": verdict.framework_id,
        "verdict": verdict.verdict,
        "reason_codes": [str(code) for code in verdict.reason_codes],
        "rule_id": verdict.rule_id,
        "explanation": verdict.explanation,
        "quote": verdict.quote,
        "citation": verdict.citation,
        "findings": [
            {"reason_code": str(f.reason_code), "verdict": f.verdict, "rule_id": f.rule_id}
            for f in verdict.findings
        ],
    }


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@policy_app.command("check")
def check(
    on: Annotated[
        str, typer.Option("--date", help="Date of the separation, YYYY-MM-DD.", show_default=False)
    ],
    reason: Annotated[
        list[str] | None,
        typer.Option(
            "--reason", help="A reason code (repeat for several; none means UNKNOWN).", show_default=False
        ),
    ] = None,
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Judge a separation on a date, for its reasons, against every framework, and say why."""
    day = parse_day(on)
    ruleset = load_ruleset(rules)
    codes = canonical_reasons([r.strip().upper() for r in reason or []], ruleset)
    verdicts = evaluate(codes, day, ruleset)
    if as_json:
        _echo_json(
            {
                "date": day.isoformat(),
                "reasons": [str(c) for c in codes],
                "ruleset_hash": ruleset.hash,
                "frameworks": [verdict_json(v) for v in verdicts],
            }
        )
        return
    console = _console()
    console.print(f"Separation on {day.isoformat()} for {', '.join(codes)}; rule set {ruleset.hash[:12]}")
    table = Table(show_lines=False)
    for column in ("framework", "verdict", "rule", "reasons"):
        table.add_column(column, overflow="fold")
    for v in verdicts:
        table.add_row(
            v.framework_id,
            f"[{_STYLE[v.verdict]}]{v.verdict}[/]",
            v.rule_id or "-",
            ", ".join(v.reason_codes),
        )
    console.print(table)
    if not in_force(ruleset, day):
        console.print("No framework was in force on that date: nothing can call this separation consistent.")
    for v in verdicts:
        if v.verdict == "not_in_force":
            continue
        console.print(f"\n[bold]{v.framework_id}[/]: {v.explanation}", markup=True, soft_wrap=True)


@policy_app.command("list")
def list_frameworks(rules: RulesOption = None, as_json: JsonOption = False) -> None:
    """The frameworks of the rule set, with their issuers and in-force windows."""
    ruleset = load_ruleset(rules)
    if as_json:
        _echo_json(
            {
                "ruleset_hash": ruleset.hash,
                "frameworks": [
                    {
                        "id": f.id,
                        "title": f.title,
                        "issuer": f.issuer,
                        "in_force": [w.model_dump(mode="json", by_alias=True) for w in f.in_force],
                        "citation": f.citation,
                        "rules": len(f.rules),
                    }
                    for f in ruleset.frameworks
                ],
            }
        )
        return
    table = Table(title=f"Rule set {ruleset.hash[:12]} ({ruleset.source})")
    for column in ("id", "title", "issuer", "in force", "rules"):
        table.add_column(column, overflow="fold")
    for f in ruleset.frameworks:
        table.add_row(f.id, f.title, f.issuer, f.windows_text(), str(len(f.rules)))
    _console().print(table)


@policy_app.command("show")
def show(
    framework_id: Annotated[
        str, typer.Argument(metavar="ID", help="A framework id, as `policy list` prints.")
    ],
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """One framework: its text, citation, windows, and the verdict it gives each reason code."""
    ruleset = load_ruleset(rules)
    framework = ruleset.framework(framework_id)
    if as_json:
        data = framework.model_dump(mode="json", by_alias=True)
        data["ruleset_hash"] = ruleset.hash
        _echo_json(data)
        return
    console = _console()
    console.print(f"[bold]{framework.title}[/] ({framework.id})")
    console.print(f"Issued by {framework.issuer}; in force {framework.windows_text()}")
    console.print(f"“{framework.quote}”", soft_wrap=True)
    console.print(f"Citation: {framework.citation}", soft_wrap=True)
    table = Table()
    for column in ("reason", "verdict", "rule", "because"):
        table.add_column(column, overflow="fold")
    for code in ruleset.codes:
        rule = framework.rule_by_code[code]
        table.add_row(str(code), f"[{_STYLE[rule.verdict]}]{rule.verdict}[/]", rule.id, rule.because)
    console.print(table)


@policy_app.command("rejudge")
def rejudge_command(db: DbOption = None, rules: RulesOption = None, as_json: JsonOption = False) -> None:
    """Re-judge every separation in the store under the rule set, and report what moved."""
    from reunify.config import resolve_database_url
    from reunify.policy.rejudge import rejudge_database

    ruleset = load_ruleset(rules)
    report = rejudge_database(resolve_database_url(db), ruleset)
    if as_json:
        _echo_json(report.as_json())
        return
    console = _console()
    console.print(
        f"Re-judged {report.separations} separations under rule set {ruleset.hash[:12]}: "
        f"{report.changed} verdicts moved, {report.unchanged} unchanged, {report.added} new."
    )
    if report.moves:
        table = Table(title="What moved")
        for column in ("framework", "from", "to", "separations"):
            table.add_column(column)
        for (framework_id, before, after), n in sorted(report.moves.items()):
            table.add_row(framework_id, before or "(none)", after, str(n))
        console.print(table)


@reasons_app.command("normalize")
def normalize(
    texts: Annotated[
        list[str], typer.Argument(metavar="TEXT...", help="Free-text reasons, one per argument.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Read each free-text reason into the codes it names, keeping the text and saying why."""
    results = [normalize_reason_text(text) for text in texts]
    if as_json:
        _echo_json(
            [
                {"text": r.text, "codes": [str(c) for c in r.codes], "explanation": r.explanation}
                for r in results
            ]
        )
        return
    console = _console()
    for r in results:
        console.print(f"[bold]{', '.join(r.codes)}[/]  ← {r.text!r}", soft_wrap=True)
        console.print(f"  {r.explanation}", soft_wrap=True, markup=False)


@reasons_app.command("coverage")
def coverage(
    csv_file: Annotated[
        Path, typer.Argument(metavar="CSV", help="A CSV file with a column of free-text reasons.")
    ],
    column: Annotated[
        str, typer.Option("--column", help="The column holding the reasons.")
    ] = "Reason fo Separation",
    as_json: JsonOption = False,
) -> None:
    """Read every distinct cell of a reason column and report the share mapped to a real code."""
    if not csv_file.is_file():
        raise UserError(f"{csv_file}: no such CSV file")
    with csv_file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            # The header is not echoed: in a file exported without one, the first row is a person's data.
            raise UserError(
                f"{csv_file}: no column {column!r} in its first line ({len(reader.fieldnames or [])} "
                "columns): pass --column with the exact name of the column holding the reasons"
            )
        report = measure(row[column] or "" for row in reader)
    if as_json:
        _echo_json(
            {
                **report.summary(),
                "cells": [
                    {
                        "rows": c.rows,
                        "text": c.reason.text,
                        "codes": [str(x) for x in c.reason.codes],
                        "explanation": c.reason.explanation,
                    }
                    for c in report.cells
                ],
            }
        )
        return
    console = _console()
    table = Table(title=f"{csv_file.name}: column {column!r}")
    for name in ("rows", "codes", "text"):
        table.add_column(name)
    for cell in report.cells:
        table.add_row(str(cell.rows), ", ".join(cell.reason.codes), " ".join(cell.reason.text.split()))
    console.print(table)
    s = report.summary()
    recorded = "of those recording a reason"
    console.print(
        f"{s['distinct_cells']} distinct cells in {s['rows']} rows. "
        "Mapped to a code other than OTHER/UNKNOWN: "
        f"{s['distinct_mapped_share']:.1%} of distinct cells "
        f"({s['distinct_mapped_share_recorded']:.1%} {recorded}), "
        f"{s['row_mapped_share']:.1%} of rows ({s['row_mapped_share_recorded']:.1%} {recorded})."
    )


def register(app: typer.Typer) -> None:
    """Add `policy` and `reasons` to the app."""
    app.add_typer(policy_app, name="policy")
    app.add_typer(reasons_app, name="reasons")


__all__ = ["ReasonCode", "RuleSet", "RulesOption", "parse_day", "register", "verdict_json"]
