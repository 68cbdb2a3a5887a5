"""The four v1 source kinds, each read from its Frictionless Table Schema (the single source of truth).

A kind is one registered reader: its columns, which of them must be present, which hold dates,
flags, codes or A-numbers, and which are sensitive (encrypted at rest) all come from
``schemas/<kind>.json``; nothing about a kind is repeated in code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from reunify.errors import UserError

KIND_NAMES: tuple[str, ...] = ("encounters", "i213", "ice_custody", "orr_referrals")


@dataclass(frozen=True)
class Field:
    """One v1 column: its name, its role (text, name, date, flag, code, a_number) and constraints."""

    name: str
    role: str
    description: str
    sensitive: bool
    required_column: bool
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceKind:
    """A v1 extract kind as its Table Schema describes it."""

    name: str
    file_name: str
    description: str
    fields: tuple[Field, ...]
    descriptor: dict[str, Any]

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required_column)

    @property
    def sensitive_columns(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.sensitive)

    def columns_with_role(self, role: str) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.role == role)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _load(name: str) -> SourceKind:
    text = (
        resources.files("reunify.sources")
        .joinpath("schemas")
        .joinpath(f"{name}.json")
        .read_text(encoding="utf-8")
    )
    descriptor: dict[str, Any] = json.loads(text)
    fields = []
    for raw in descriptor["fields"]:
        extra = raw.get("reunify", {})
        fields.append(
            Field(
                name=raw["name"],
                role=extra.get("role", "text"),
                description=raw.get("description", ""),
                sensitive=bool(extra.get("sensitive", False)),
                required_column=bool(extra.get("requiredColumn", False)),
                enum=tuple(raw.get("constraints", {}).get("enum", ())),
            )
        )
    return SourceKind(
        name=name,
        file_name=descriptor.get("title", f"{name}.csv"),
        description=descriptor.get("description", ""),
        fields=tuple(fields),
        descriptor=descriptor,
    )


@cache
def get_kind(name: str) -> SourceKind:
    """The kind called ``name``; UserError naming the known kinds otherwise."""
    if name not in KIND_NAMES:
        raise UserError(f"unknown source kind {name!r}: use one of {', '.join(KIND_NAMES)}")
    return _load(name)


def all_kinds() -> tuple[SourceKind, ...]:
    return tuple(get_kind(n) for n in KIND_NAMES)


def detect_kind(header: Sequence[str]) -> SourceKind | None:
    """The kind whose required columns the header holds, preferring the one it matches best.

    None when no kind's required columns are all present.
    """
    present = {h.strip() for h in header}
    best: tuple[int, SourceKind] | None = None
    for kind in all_kinds():
        if not set(kind.required_columns) <= present:
            continue
        score = len(present & set(kind.columns))
        if best is None or score > best[0]:
            best = (score, kind)
    return best[1] if best else None


def closest_kind(header: Sequence[str]) -> tuple[SourceKind, tuple[str, ...]]:
    """The kind the header comes nearest to, and the required columns it lacks (for error messages)."""
    present = {h.strip() for h in header}
    ranked = sorted(
        all_kinds(),
        key=lambda k: (len(set(k.required_columns) - present), -len(present & set(k.columns))),
    )
    kind = ranked[0]
    return kind, tuple(c for c in kind.required_columns if c not in present)
