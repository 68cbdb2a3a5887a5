"""`reunify synth`: write an OIG-20-35 scenario's extracts and ground truth (docs/synth.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def synth(
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed gives the same bytes.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write (created if missing).")],
    scale: Annotated[
        int,
        typer.Option(
            "--scale", help="Multiply the background volume (100 = about a million encounter rows)."
        ),
    ] = 1,
    noise: Annotated[str, typer.Option("--noise", help="Defect rates: low, default or harsh.")] = "default",
) -> None:
    """Write the four legacy extracts (extracts.md) and their ground truth under OUT/truth/."""
    from reunify.synth.scenario import generate, validate_options  # late: keeps `reunify --help` fast

    validate_options(out, scale, noise)
    console = Console(stderr=True)
    with Progress(
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("months", total=None)

        def report(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        summary = generate(seed=seed, out=out, scale=scale, noise=noise, progress=report)
    rows = summary["rows"]
    typer.echo(
        f"wrote {out}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items() if not k.startswith("truth/"))
    )
    typer.echo(
        f"truth: {summary['separated_families_total']} separated families "
        f"({summary['separated_may_june_2018']} in May-June 2018 at "
        f"{summary['separated_may_june_2018_ports']} ports; "
        f"{summary['asylum_families_may_june_2018']:,} asylum-seeking families presented) -> {out / 'truth'}"
    )


def register(app: typer.Typer) -> None:
    """Add ``synth`` to the app."""
    app.command("synth")(synth)
