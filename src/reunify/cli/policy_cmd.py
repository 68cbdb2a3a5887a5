"""`reunify policy` commands (to be filled in by the capability that owns them)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
