"""Options shared by several commands, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

import typer

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=(
            "Database URL (default: REUNIFY_DATABASE_URL, else sqlite:///reunify.db "
            "in the working directory)."
        ),
        show_default=False,
    ),
]
