"""``reunify demo``: the whole path a user takes, on the OIG-20-35 scenario, with no server.

It runs the same command functions a user would type, in order: ``synth`` (the scenario's four
legacy extracts and its truth), ``init`` (a SQLite store in the working directory unless ``--db``
says otherwise), ``ingest`` (every extract), ``audit`` (the A-H deliverable) and ``report``
(report.html, report.pdf, tables.xlsx), then creates the web application's demo users.
Running it twice is safe: the store recognises extracts it already holds and adds nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.rule import Rule

from reunify.cli.options import DbOption
from reunify.errors import UserError

#: OIG's Table 1 counts days separated as of July 8, 2019; the demo audits as of that day.
DEMO_AS_OF = "2019-07-08"
DEMO_SEED = 2018
EXTRACT_FILES = ("encounters.csv", "i213.csv", "ice_custody.csv", "orr_referrals.csv")


def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the extracts, the deliverable and the report.")
    ] = Path("reunify-demo"),
    seed: Annotated[int, typer.Option("--seed", help="Scenario seed.")] = DEMO_SEED,
    db: DbOption = None,
) -> None:
    """Build the OIG-20-35 scenario, load it, audit it, write the deliverable and the report."""
    from reunify.cli.audit_cmd import audit
    from reunify.cli.ingest_cmd import ingest
    from reunify.cli.init_cmd import init
    from reunify.cli.synth_cmd import synth
    from reunify.config import resolve_database_url
    from reunify.report import build_report

    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a directory (it will be created if missing)")
    console = Console(highlight=False)
    extracts = out / "extracts"

    console.print(Rule("1/5  synth: the OIG-20-35 scenario"))
    synth(seed=seed, out=extracts, scale=1, noise="default")

    console.print(Rule("2/5  init: the store"))
    init(db=db)

    console.print(Rule("3/5  ingest: the four legacy extracts"))
    ingest([extracts / name for name in EXTRACT_FILES], db=db)

    console.print(Rule(f"4/5  audit: every separated family (as of {DEMO_AS_OF})"))
    audit(out=out, as_of=DEMO_AS_OF, db=db, report=False)  # step 5 writes the report

    console.print(Rule("5/5  report"))
    with console.status("building the report") as status:
        result = build_report(
            out,
            out,
            as_of=None,
            formats={"html", "pdf", "xlsx"},
            config=None,
            public=False,
            pseudonymize_key=None,
            on_step=status.update,
        )
    h = result.headline
    console.print(
        f"{h.families} separated families at {h.ports} ports in {h.window}; {h.total_families} in all."
    )

    users = _demo_users(resolve_database_url(db))

    console.print(Rule("done"))
    console.print(f"extracts and their truth: {extracts}")
    console.print(
        f"deliverable (A-H):        {out / 'separated_members.csv'}  "
        "(and separated_families.csv, .xlsx, candidates.csv)"
    )
    for path in result.files:
        console.print(f"report:                   {path}")
    console.print(f"score it against the truth: reunify evaluate --truth {extracts / 'truth'} --pred {out}")
    if users:
        console.print(
            f"web application: reunify serve --dev --audit-dir {out}, then sign in as "
            "(passwords shown once, here only):"
        )
        for username, role, password in users:
            console.print(f"  {role:<13} {username:<12} {password}")
    else:
        console.print(
            f"web application: reunify serve --dev --audit-dir {out} (demo users were created, and their "
            "passwords shown, by the first demo run; `reunify users` manages accounts)"
        )


def _demo_users(url: str) -> list[tuple[str, str, str]]:
    """Create the web application's demo accounts (one per role) if they do not exist yet."""
    from reunify.store.engine import make_engine, session_factory
    from reunify.web import create_demo_users

    engine = make_engine(url)
    try:
        with session_factory(engine)() as session, session.begin():
            return create_demo_users(session)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add ``reunify demo``."""
    app.command("demo")(demo)
