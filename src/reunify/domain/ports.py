"""Ports of entry and their field offices (data in ports.yaml beside this module)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import yaml


@dataclass(frozen=True, slots=True)
class Port:
    code: str
    name: str
    field_office: str


@cache
def southwest_border_ports() -> tuple[Port, ...]:
    """Every Southwest Border port in ports.yaml, in file order."""
    data = yaml.safe_load(files("reunify.domain").joinpath("ports.yaml").read_text("utf-8"))
    return tuple(
        Port(code=str(p["code"]), name=str(p["name"]), field_office=office)
        for office, ports in data["field_offices"].items()
        for p in ports
    )


@cache
def port_by_code() -> dict[str, Port]:
    return {p.code: p for p in southwest_border_ports()}


def lookup_port(code_or_name: str | None) -> Port | None:
    """The port with this code or (case-insensitive) name, or None."""
    if not code_or_name:
        return None
    key = str(code_or_name).strip().upper()
    by_code = port_by_code()
    if key in by_code:
        return by_code[key]
    for p in southwest_border_ports():
        if p.name == key:
            return p
    return None
