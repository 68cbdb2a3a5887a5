"""The scenario's facts as data: plan.yaml (OIG-20-35 figures), signals.yaml and defects.yaml.

Pure: reads the shipped YAML files and returns frozen, typed views of them. No randomness here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

NOISE_LEVELS = ("low", "default", "harsh")


def _yaml(name: str) -> dict[str, Any]:
    data = yaml.safe_load(files("reunify.synth").joinpath(name).read_text("utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass(frozen=True, slots=True)
class Window:
    """A closed window of days [start, end]."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _window(d: dict[str, Any]) -> Window:
    return Window(start=d["start"], end=d["end"])


@dataclass(frozen=True, slots=True)
class Band:
    """One row of OIG Table 1."""

    band: str
    age_min_months: int
    age_max_months: int
    children: int
    days_min: int
    days_max: int


@dataclass(frozen=True, slots=True)
class OtherSeparations:
    name: str
    window: Window
    fixed: int
    per_scale: int
    reasons: dict[str, int]

    def count(self, scale: int) -> int:
        return self.fixed + self.per_scale * scale


@dataclass(frozen=True)
class Plan:
    """Everything plan.yaml commits the scenario to."""

    raw: dict[str, Any]

    @property
    def as_of(self) -> date:
        return self.raw["as_of"]  # type: ignore[no-any-return]

    @property
    def period(self) -> Window:
        return _window(self.raw["period"])

    @property
    def guidance_date(self) -> date:
        return self.raw["guidance_date"]  # type: ignore[no-any-return]

    @property
    def may_june(self) -> Window:
        return _window(self.raw["oig_may_june"]["window"])

    @property
    def asylum_families(self) -> int:
        return int(self.raw["oig_may_june"]["asylum_families"])

    @property
    def may_june_separated(self) -> dict[str, dict[str, int]]:
        return {
            r: {str(p): int(n) for p, n in ports.items()}
            for r, ports in self.raw["oig_may_june"]["separated"].items()
        }

    @property
    def children_per_family(self) -> tuple[int, int]:
        lo, hi = self.raw["oig_may_june"]["children_per_family"]
        return int(lo), int(hi)

    @property
    def table1(self) -> list[Band]:
        return [Band(**b) for b in self.raw["immigration_history"]["table1"]]

    @property
    def ih(self) -> dict[str, Any]:
        return self.raw["immigration_history"]  # type: ignore[no-any-return]

    @property
    def post_guidance(self) -> dict[str, Any]:
        return self.raw["post_guidance"]  # type: ignore[no-any-return]

    @property
    def public_claim(self) -> dict[str, Any]:
        return self.raw["public_claim"]  # type: ignore[no-any-return]

    @property
    def other_separations(self) -> list[OtherSeparations]:
        return [
            OtherSeparations(
                name=name,
                window=_window(d["window"]),
                fixed=int(d.get("fixed", 0)),
                per_scale=int(d.get("per_scale", 0)),
                reasons={str(k): int(v) for k, v in d["reasons"].items()},
            )
            for name, d in self.raw["other_separations"].items()
        ]

    @property
    def background_per_scale(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.raw["background_per_scale"].items()}

    @property
    def may_june_detained_share(self) -> float:
        return float(self.raw["may_june_detained_share"])


@cache
def load_plan() -> Plan:
    """The shipped scenario plan (plan.yaml)."""
    return Plan(_yaml("plan.yaml"))


@cache
def load_signals() -> dict[str, Any]:
    """The shipped signal-recording rates (signals.yaml)."""
    return _yaml("signals.yaml")


@cache
def load_defects() -> dict[str, Any]:
    """The shipped defect rates (defects.yaml)."""
    return _yaml("defects.yaml")


def noise_multiplier(noise: str) -> float:
    """The factor defects.yaml applies to every defect and miss rate at this noise level."""
    return float(load_defects()["multipliers"][noise])
