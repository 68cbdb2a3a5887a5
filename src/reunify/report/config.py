"""The report's configuration: windows, groups, claims and deadlines, read from YAML.

The shipped file (``oig_20_35.yaml`` beside this module) reproduces OIG-20-35's reading;
``reunify report --config FILE`` replaces it with another of the same shape.
"""

from __future__ import annotations

import hashlib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reunify.errors import UserError

SHIPPED_CONFIG = "oig_20_35.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Window(_Strict):
    """An inclusive date range with a label for people."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    label: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("a window's 'to' is before its 'from'")
        return self

    def holds(self, day: date | None) -> bool:
        """True when ``day`` falls in the window (both ends included)."""
        return day is not None and self.start <= day <= self.end

    def describe(self) -> str:
        return self.label or f"{self.start.isoformat()} to {self.end.isoformat()}"


class MonthRange(_Strict):
    start: str = Field(alias="from", pattern=r"^\d{4}-\d{2}$")
    end: str = Field(alias="to", pattern=r"^\d{4}-\d{2}$")

    def months(self) -> list[str]:
        """Every YYYY-MM from start to end inclusive."""
        y, m = (int(v) for v in self.start.split("-"))
        out: list[str] = []
        while f"{y:04d}-{m:02d}" <= self.end:
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


class Headline(_Strict):
    window: Window


class ReasonGroup(_Strict):
    label: str
    codes: list[str]


class Figure1(_Strict):
    title: str
    framework: str
    groups: list[ReasonGroup]


class Figure2(_Strict):
    title: str
    months: MonthRange
    following: Window


class Focus(_Strict):
    label: str
    reasons_all_in: list[str]


class AgeBand(_Strict):
    label: str
    min: int
    max: int


class Table1(_Strict):
    title: str
    as_of: date
    focus: Focus
    age_bands: list[AgeBand]


class Place(_Strict):
    label: str
    field_offices: list[str] = []
    ports: list[str] = []


class Claim(_Strict):
    id: str
    text: str
    said_by: str
    said_on: date
    claimed: int
    window: Window
    place: Place
    source: str = ""


class SignalLabel(_Strict):
    name: str
    label: str


class Consistency(_Strict):
    signals: list[SignalLabel]


class Deadline(_Strict):
    label: str
    min_age: int
    max_age: int
    by: date


class MsL(_Strict):
    order_date: date
    separated_before: date
    deadlines: list[Deadline]
    phone_contact_days: int


class EstimateSettings(_Strict):
    window: Window
    lists: list[str]
    criterion: Literal["aic", "bic"] = "aic"
    bootstrap_reps: int = Field(300, ge=0, le=10_000)
    seed: int = 0
    level: float = Field(0.95, gt=0.5, lt=1.0)
    min_families: int = Field(10, ge=2)


class PublicSettings(_Strict):
    min_cell: int = Field(10, ge=1)


class ReportConfig(_Strict):
    """Everything about a report that is a choice rather than a computation."""

    title: str
    source_note: str = ""
    headline: Headline
    figure1: Figure1
    figure2: Figure2
    table1: Table1
    claims: list[Claim]
    consistency: Consistency
    ms_l: MsL
    estimate: EstimateSettings
    public: PublicSettings = Field(default_factory=lambda: PublicSettings(min_cell=10))
    sha256: str = ""

    @field_validator("claims")
    @classmethod
    def _unique_claims(cls, claims: list[Claim]) -> list[Claim]:
        ids = [c.id for c in claims]
        if len(ids) != len(set(ids)):
            raise ValueError("claim ids must be unique")
        return claims


def load_report_config(path: Path | None = None) -> ReportConfig:
    """Read and check a report configuration; None reads the shipped OIG-20-35 one.

    Raises UserError naming the file and the first problem when it is missing or malformed.
    """
    if path is None:
        text = files("reunify.report").joinpath(SHIPPED_CONFIG).read_text("utf-8")
        where = SHIPPED_CONFIG
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError:
            raise UserError(f"cannot read report config {path}: check the path") from None
        where = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UserError(f"report config {where} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UserError(f"report config {where} must be a YAML mapping")
    data["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    try:
        return ReportConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise UserError(f"report config {where}: {loc}: {first['msg']}") from None
