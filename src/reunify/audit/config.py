"""The audit's tunable settings (data/audit.yaml), parsed once."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def audit_settings() -> dict[str, Any]:
    """The shipped data/audit.yaml as a dict (families, custody, separation)."""
    data: dict[str, Any] = yaml.safe_load(
        files("reunify.audit").joinpath("data/audit.yaml").read_text("utf-8")
    )
    return data


def sql_list(values: list[Any]) -> str:
    """A SQL list literal of quoted strings (values come from shipped settings, not users)."""
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"
