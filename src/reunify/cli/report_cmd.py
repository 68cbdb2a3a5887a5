"""`reunify report`: write the report (HTML, PDF, XLSX) of an audit deliverable."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from reunify.errors import UserError

OutOption = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Directory to write the report into (and, without --deliverable, to read the deliverable from).",
    ),
]
DeliverableOption = Annotated[
    Path | None,
    typer.Option("--deliverable", help="Read the audit deliverable from this directory instead of --out."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help=(
            "Date the report (YYYY-MM-DD), Table 1 included. "
            "Default: the audit's as-of date, Table 1 the config's."
        ),
    ),
]
FormatOption = Annotated[str, typer.Option("--format", help="Comma-separated: html, pdf, xlsx.")]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="Report configuration YAML replacing the shipped OIG-20-35 one."),
]
PublicOption = Annotated[
    bool,
    typer.Option("--public", help="Public edition: suppress every count under 10 people; no identities."),
]
PseudonymizeOption = Annotated[
    str | None,
    typer.Option(
        "--pseudonymize",
        envvar="REUNIFY_PSEUDONYM_KEY",
        help=(
            "Also write the deliverable with alien numbers and names replaced by keyed hashes "
            "(HMAC-SHA256) made with this key (or REUNIFY_PSEUDONYM_KEY, which keeps it out of "
            "the shell history)."
        ),
        show_default=False,
    ),
]


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--as-of {text!r} is not a date: use YYYY-MM-DD") from None


def register(app: typer.Typer) -> None:
    """Add ``reunify report`` to the app."""

    @app.command("report")
    def report(  # noqa: PLR0917 (a Typer command's options are its parameters)
        out: OutOption,
        deliverable: DeliverableOption = None,
        as_of: AsOfOption = None,
        formats: FormatOption = "html,pdf,xlsx",
        config: ConfigOption = None,
        public: PublicOption = False,
        pseudonymize: PseudonymizeOption = None,
    ) -> None:
        """Write report.html, report.pdf and tables.xlsx from an audit deliverable."""
        from reunify.report import build_report, parse_formats

        console = Console(highlight=False)
        wanted = parse_formats(formats)
        with console.status("building the report") as status:
            result = build_report(
                deliverable or out,
                out,
                as_of=_parse_day(as_of),
                formats=wanted,
                config=config,
                public=public,
                pseudonymize_key=pseudonymize,
                on_step=status.update,
            )
        h = result.headline
        console.print(
            f"{h.families} separated families at {h.ports} ports in {h.window}; {h.total_families} in all."
        )
        e = result.estimate
        if e.estimable and e.total is not None and e.ci_low is not None and e.ci_high is not None:
            console.print(
                f"estimated total in {result.model.estimate.window}: {e.total:.0f} "
                f"({e.level:.0%} interval {e.ci_low:.0f}-{e.ci_high:.0f})"
            )
        for path in result.files:
            console.print(f"wrote {path}")
