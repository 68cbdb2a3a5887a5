"""``reunify audit``, ``reunify evaluate`` and ``reunify review``: the audit of legacy records."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from reunify.cli.options import DbOption
from reunify.errors import UserError

review_app = typer.Typer(help="Record an auditor's decision on a finding or candidate.", no_args_is_help=True)


def _date(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{flag} must be a date as YYYY-MM-DD") from None


def audit(  # noqa: PLR0917 - a Typer command: one parameter per option
    out: Annotated[Path, typer.Option("--out", help="Directory to write the deliverable into.")],
    from_: Annotated[
        str | None, typer.Option("--from", help="First separation date to report (YYYY-MM-DD).")
    ] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="Last separation date to report (YYYY-MM-DD).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Count days separated to this date (default today).")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Policy rule set (default: the shipped one).")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="Person resolution backend: duckdb or spark.")
    ] = "duckdb",
    extracts: Annotated[
        Path | None,
        typer.Option("--extracts", help="Audit a directory of v1 CSV extracts instead of the store."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Confidence a finding needs (default 0.5).")
    ] = None,
    linkage: Annotated[
        Path | None, typer.Option("--linkage", help="Linkage settings YAML (default: shipped).")
    ] = None,
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[2]).")
    ] = None,
    db: DbOption = None,
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help="End by writing the report (report.html, report.pdf, tables.xlsx) into --out.",
        ),
    ] = True,
) -> None:
    """Identify separated families from everything loaded and write the deliverable (A-H per member)."""
    from reunify.audit import from_csv_dir, from_store, run_audit
    from reunify.audit.people import load_linkage_settings
    from reunify.config import resolve_database_url
    from reunify.policy import load_ruleset

    # Every option is checked before the store or the extracts are touched.
    from_date, to_date, as_of_date = _date(from_, "--from"), _date(to, "--to"), _date(as_of, "--as-of")
    if engine not in ("duckdb", "spark"):
        raise UserError("--engine must be duckdb or spark")
    if from_date and to_date and from_date > to_date:
        raise UserError("--from is after --to: give a date range that runs forward")
    console = Console(stderr=True, highlight=False)
    url = resolve_database_url(db)
    inputs = from_csv_dir(extracts) if extracts else from_store(url)
    ruleset = load_ruleset(rules)
    cfg = load_linkage_settings(linkage) if linkage else None
    with console.status("auditing", spinner="dots") as status:

        def progress(msg: str) -> None:
            console.log(msg)
            status.update(msg)

        result = run_audit(
            inputs,
            out,
            from_date=from_date,
            to_date=to_date,
            as_of=as_of_date,
            ruleset=ruleset,
            engine=engine,
            threshold=threshold,
            database_url=None if extracts and db is None else url,
            linkage=cfg,
            spark_master=spark_master,
            progress=progress,
        )
    out_console = Console(highlight=False)
    out_console.print(
        f"{result.families} separated families ({result.members} members), "
        f"{result.candidates} candidates for review, "
        f"{result.possible_relationships} relationships no source recorded"
    )
    for title, counts in (
        ("period", result.by_period),
        ("reason", result.by_reason),
        ("port", result.by_port),
    ):
        if not counts:
            continue
        table = Table(title=f"families by {title}", show_header=False)
        for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(key, str(n))
        out_console.print(table)
    out_console.print(f"deliverable written to {result.out_dir}")
    if report:
        from reunify.report import build_report

        with console.status("building the report") as status:
            built = build_report(
                result.out_dir,
                result.out_dir,
                as_of=None,
                formats={"html", "pdf", "xlsx"},
                config=None,
                public=False,
                pseudonymize_key=None,
                on_step=status.update,
            )
        h = built.headline
        out_console.print(
            f"report: {h.families} separated families at {h.ports} ports in {h.window}; "
            f"{h.total_families} in all"
        )
        for path in built.files:
            out_console.print(f"wrote {path}")


def evaluate(
    truth: Annotated[Path, typer.Option("--truth", help="A scenario's truth/ directory.")],
    pred: Annotated[Path, typer.Option("--pred", help="An audit deliverable directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score an audit deliverable against a synthetic scenario's truth."""
    from reunify.audit.evaluate import evaluate_deliverable

    ev = evaluate_deliverable(truth, pred)
    console = Console(highlight=False)
    if as_json:
        typer.echo(json.dumps(ev.as_dict(), indent=2))
        return
    table = Table(title="audit accuracy")
    table.add_column("measure")
    table.add_column("score", justify="right")
    for k, v in ev.metrics.items():
        table.add_row(k, f"{v:.3f}")
    console.print(table)
    console.print(", ".join(f"{k} {v}" for k, v in ev.counts.items()))
    fig = Table(title="OIG-20-35 figures: audit vs truth")
    fig.add_column("figure")
    fig.add_column("audit", justify="right")
    fig.add_column("truth", justify="right")
    a, t = ev.figures["audit"], ev.figures["truth"]
    fig.add_row("May-June 2018 families", str(a["may_june_families"]), str(t["may_june_families"]))
    fig.add_row("May-June 2018 ports", str(a["may_june_ports"]), str(t["may_june_ports"]))
    for code in sorted(set(a["figure1"]) | set(t["figure1"])):
        fig.add_row(f"Figure 1: {code}", str(a["figure1"].get(code, 0)), str(t["figure1"].get(code, 0)))
    for band in t["table1"]:
        ab, tb = a["table1"].get(band, {}), t["table1"][band]
        fig.add_row(
            f"Table 1: {band}",
            f"{ab.get('children', 0)} ({ab.get('days_min', 0)}-{ab.get('days_max', 0)} d)",
            f"{tb['children']} ({tb['days_min']}-{tb['days_max']} d)",
        )
    console.print(fig)


@review_app.command("list")
def review_list(db: DbOption = None) -> None:
    """List every review decision, oldest first."""
    from reunify.audit.review import list_decisions
    from reunify.config import resolve_database_url

    decisions = list_decisions(resolve_database_url(db))
    if not decisions:
        typer.echo("no review decisions yet")
        return
    table = Table()
    for col in ("id", "kind", "decision", "by", "at", "note"):
        table.add_column(col)
    for d in decisions:
        table.add_row(
            d.target_id,
            d.target_kind,
            d.decision,
            d.decided_by,
            d.decided_at.isoformat(timespec="seconds"),
            d.note,
        )
    Console(highlight=False).print(table)


DeliverableOption = Annotated[
    Path | None,
    typer.Option(
        "--deliverable",
        envvar="REUNIFY_AUDIT_DIR",
        help="The audit's --out directory whose findings and candidates the id must be among "
        "(default $REUNIFY_AUDIT_DIR; without one only ids already decided on in the store are known).",
    ),
]


def _decide(
    decision: str, target_id: str, *, note: str, by: str, db: str | None, deliverable: Path | None
) -> None:
    from reunify.audit.review import check_target, family_id_of, record_decision
    from reunify.config import resolve_database_url

    family_id_of(target_id)  # a malformed id is refused before anything is opened
    url = resolve_database_url(db)
    check_target(target_id, url, deliverable)
    d = record_decision(url, target_id, decision, note=note, decided_by=by)
    typer.echo(f"{d.decision}ed {d.target_kind} {d.target_id}; the next audit will show it")


@review_app.command("accept")
def review_accept(
    target_id: Annotated[str, typer.Argument(help="A finding id (F...) or candidate id (C...).")],
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "auditor",
    deliverable: DeliverableOption = None,
    db: DbOption = None,
) -> None:
    """Accept a finding or candidate as a separation."""
    _decide("accept", target_id, note=note, by=by, db=db, deliverable=deliverable)


@review_app.command("reject")
def review_reject(
    target_id: Annotated[str, typer.Argument(help="A finding id (F...) or candidate id (C...).")],
    note: Annotated[str, typer.Option("--note", help="Why.")] = "",
    by: Annotated[str, typer.Option("--by", help="Who decided.")] = "auditor",
    deliverable: DeliverableOption = None,
    db: DbOption = None,
) -> None:
    """Reject a finding or candidate: it is not a separation."""
    _decide("reject", target_id, note=note, by=by, db=db, deliverable=deliverable)


def register(app: typer.Typer) -> None:
    """Add ``audit``, ``evaluate`` and the ``review`` sub-app to the app."""
    app.command("audit")(audit)
    app.command("evaluate")(evaluate)
    app.add_typer(review_app, name="review")
