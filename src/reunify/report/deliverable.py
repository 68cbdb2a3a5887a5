"""Read an audit deliverable directory (spec/deliverable.md) into typed rows: the report's input edge.

Only what the report needs is read. A row the report cannot use (an unreadable date, say) is
kept aside with its file, row number and reason, and listed in the report's method section: it is
never silently dropped. Names and alien numbers are never read here.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reunify.domain.dates import DateParseError, PartialDate, parse_partial_date
from reunify.errors import UserError

FAMILIES = "separated_families.csv"
MEMBERS = "separated_members.csv"
CANDIDATES = "candidates.csv"
MANIFEST = "manifest.json"

FAMILY_COLUMNS = (
    "family_id", "port_code", "port_name", "field_office", "separation_date", "reasons",
    "n_parents", "n_children", "reunified", "still_separated_reason", "confidence", "evidence", "verdicts",
)  # fmt: skip
MEMBER_COLUMNS = ("family_id", "role", "dob", "separation_date", "reunification_date")


@dataclass(frozen=True, slots=True)
class Family:
    """One separated family as the audit found it."""

    family_id: str
    port_code: str
    port_name: str
    field_office: str
    separation_date: date
    reasons: tuple[str, ...]
    n_parents: int
    n_children: int
    reunified: bool
    still_separated_reason: str
    confidence: float | None
    evidence: frozenset[str]
    verdicts: dict[str, str]

    @property
    def month(self) -> str:
        """YYYY-MM of the separation."""
        return self.separation_date.isoformat()[:7]


@dataclass(frozen=True, slots=True)
class Child:
    """One separated child: what Table 1 and the reunification section need, no identity."""

    family_id: str
    dob: PartialDate
    separation_date: date
    reunification_date: date | None
    days_separated: int | None


@dataclass(frozen=True, slots=True)
class SetAside:
    """A row the report could not use, and why."""

    file_name: str
    row_number: int
    reason: str


@dataclass(frozen=True, slots=True)
class Deliverable:
    """The audit's output as the report reads it."""

    directory: Path
    families: tuple[Family, ...]
    children: tuple[Child, ...]
    candidates: int
    manifest: dict[str, object]
    file_hashes: dict[str, str]
    set_aside: tuple[SetAside, ...] = field(default=())


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise UserError(
                    f"{path.name} lacks column(s) {', '.join(missing)}: is it an audit deliverable?"
                )
            return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    except UnicodeDecodeError:
        raise UserError(f"{path.name} is not UTF-8 text: is it an audit deliverable?") from None


def _day(text: str) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _verdicts(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in _split(text):
        framework, sep, verdict = part.partition("=")
        if sep:
            out[framework.strip()] = verdict.strip()
    return out


def _int(text: str, default: int = 0) -> int:
    return int(float(text)) if text else default


def _read_families(path: Path, set_aside: list[SetAside]) -> list[Family]:
    families: list[Family] = []
    for n, row in enumerate(_read_csv(path, FAMILY_COLUMNS), start=2):
        try:
            sep = _day(row["separation_date"])
            if sep is None:
                raise ValueError("no separation date")
            families.append(
                Family(
                    family_id=row["family_id"],
                    port_code=row["port_code"],
                    port_name=row["port_name"],
                    field_office=row["field_office"],
                    separation_date=sep,
                    reasons=tuple(code.upper() for code in _split(row["reasons"])) or ("UNKNOWN",),
                    n_parents=_int(row["n_parents"]),
                    n_children=_int(row["n_children"]),
                    reunified=row["reunified"].upper() in {"Y", "YES", "TRUE", "1"},
                    still_separated_reason=row["still_separated_reason"],
                    confidence=float(row["confidence"]) if row["confidence"] else None,
                    evidence=frozenset(_split(row["evidence"])),
                    verdicts=_verdicts(row["verdicts"]),
                )
            )
        except ValueError as exc:
            set_aside.append(SetAside(path.name, n, str(exc).split(":")[0]))
    return families


def _read_children(path: Path, by_id: dict[str, Family], set_aside: list[SetAside]) -> list[Child]:
    children: list[Child] = []
    for n, row in enumerate(_read_csv(path, MEMBER_COLUMNS), start=2):
        if row["role"].upper() != "CHILD":
            continue
        family = by_id.get(row["family_id"])
        if family is None:
            set_aside.append(SetAside(path.name, n, "family_id not in separated_families.csv"))
            continue
        try:
            dob = parse_partial_date(row["dob"])
            sep = _day(row["separation_date"]) or family.separation_date
            reunion = _day(row["reunification_date"])
            days = _int(row.get("days_separated", ""), -1)
        except (ValueError, DateParseError):
            set_aside.append(SetAside(path.name, n, "unreadable date or number"))
            continue
        children.append(
            Child(
                family_id=family.family_id,
                dob=dob,
                separation_date=sep,
                reunification_date=reunion,
                days_separated=days if days >= 0 else None,
            )
        )
    return children


def _read_manifest(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    try:
        loaded = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError:
        raise UserError(f"{path} is not valid JSON: re-run the audit") from None
    return loaded if isinstance(loaded, dict) else {}


def read_deliverable(directory: Path) -> Deliverable:
    """Read ``directory``'s families, children, candidate count and manifest.

    Raises UserError when the directory or a required file or column is missing; rows the report
    cannot use are returned in ``set_aside`` with their reason.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise UserError(f"no deliverable directory at {directory}: run `reunify audit --out DIR` first")
    families_path = directory / FAMILIES
    members_path = directory / MEMBERS
    for p in (families_path, members_path):
        if not p.is_file():
            raise UserError(f"{directory} has no {p.name}: run `reunify audit --out {directory}` first")
    set_aside: list[SetAside] = []
    families = _read_families(families_path, set_aside)
    children = _read_children(members_path, {f.family_id: f for f in families}, set_aside)
    candidates = 0
    candidates_path = directory / CANDIDATES
    if candidates_path.is_file():
        with candidates_path.open(newline="", encoding="utf-8-sig") as fh:
            candidates = sum(1 for _ in csv.DictReader(fh))
    manifest_path = directory / MANIFEST
    hashes = {
        p.name: sha256_file(p)
        for p in (families_path, members_path, candidates_path, manifest_path)
        if p.is_file()
    }
    return Deliverable(
        directory=directory,
        families=tuple(families),
        children=tuple(children),
        candidates=candidates,
        manifest=_read_manifest(manifest_path),
        file_hashes=hashes,
        set_aside=tuple(set_aside),
    )
