"""Sharing safely: keyed pseudonyms for identities, and the public edition's suppression rule.

``pseudonymize_deliverable`` rewrites a deliverable with every alien number and name replaced by a
keyed hash (HMAC-SHA256): the same key gives the same pseudonym on every run, so researchers can
link records across files and releases without seeing who anyone is; without the key the
pseudonyms cannot be reversed or recomputed. Which columns identify a person is data
(``sharing.yaml``). Suppression of small cells lives with the tables (:func:`reunify.report.tables.suppress`).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import shutil
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml
from openpyxl import Workbook

from reunify.domain.identifiers import normalize_a_number
from reunify.domain.names import fold_name
from reunify.errors import UserError

MIN_KEY_LENGTH = 16


@dataclass(frozen=True, slots=True)
class SharingRules:
    a_number_columns: frozenset[str]
    a_number_suffixes: tuple[str, ...]
    name_columns: frozenset[str]
    name_suffixes: tuple[str, ...]
    files: tuple[str, ...]
    copy_unchanged: tuple[str, ...]
    members_xlsx: str

    def kind(self, column: str) -> str | None:
        """'a_number', 'name' or None for a column header."""
        c = column.strip().lower()
        if c in self.a_number_columns or c.endswith(self.a_number_suffixes):
            return "a_number"
        if c in self.name_columns or c.endswith(self.name_suffixes):
            return "name"
        return None


@cache
def sharing_rules() -> SharingRules:
    """The shipped identity-column rules."""
    data = yaml.safe_load(files("reunify.report").joinpath("sharing.yaml").read_text("utf-8"))
    return SharingRules(
        a_number_columns=frozenset(data["a_number_columns"]),
        a_number_suffixes=tuple(data["a_number_suffixes"]),
        name_columns=frozenset(data["name_columns"]),
        name_suffixes=tuple(data["name_suffixes"]),
        files=tuple(data["files"]),
        copy_unchanged=tuple(data["copy_unchanged"]),
        members_xlsx=str(data["members_xlsx"]),
    )


class Pseudonymizer:
    """Keyed hashes of identities. Values are normalised first (an alien number to its 9 digits,
    a name folded), so the same person typed two ways gets one pseudonym."""

    def __init__(self, key: str) -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise UserError(f"the pseudonymisation key must be at least {MIN_KEY_LENGTH} characters")
        self._key = key.encode("utf-8")

    def _digest(self, domain: str, value: str) -> str:
        mac = hmac.new(self._key, f"{domain}\x1f{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:20]

    def a_number(self, value: str) -> str:
        """``A-`` plus 20 hex digits of the HMAC of the normalised number; blank stays blank."""
        if not value.strip():
            return ""
        normal = normalize_a_number(value) or value.strip().upper()
        return "A-" + self._digest("a_number", normal)

    def name(self, value: str) -> str:
        """``N-`` plus 20 hex digits of the HMAC of the folded name; blank stays blank."""
        folded = fold_name(value)
        if not folded:
            return ""
        return "N-" + self._digest("name", folded)

    def value(self, kind: str, value: str) -> str:
        return self.a_number(value) if kind == "a_number" else self.name(value)


def _pseudonymize_csv(src: Path, dst: Path, pseudo: Pseudonymizer, rules: SharingRules) -> list[list[str]]:
    with src.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        dst.write_text("", encoding="utf-8")
        return rows
    header = rows[0]
    kinds = [rules.kind(h) for h in header]
    out = [header]
    for row in rows[1:]:
        new: list[str] = []
        for i, value in enumerate(row):
            kind = kinds[i] if i < len(kinds) else None
            new.append(pseudo.value(kind, value) if kind else value)
        out.append(new)
    with dst.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(out)
    return out


def pseudonymize_deliverable(src_dir: Path, out_dir: Path, key: str) -> list[Path]:
    """Write ``src_dir``'s deliverable into ``out_dir`` with identities replaced by keyed hashes.

    Rewrites every CSV named in sharing.yaml that exists, writes the member table again as XLSX,
    copies the manifest unchanged, and returns the paths written. Refuses (UserError) to write
    over the originals: ``out_dir`` must differ from ``src_dir``.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    pseudo = Pseudonymizer(key)
    rules = sharing_rules()
    if not src_dir.is_dir():
        raise UserError(f"no deliverable directory at {src_dir}")
    if out_dir.resolve() == src_dir.resolve():
        raise UserError("the pseudonymised deliverable must go to a directory other than the original")
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    members: list[list[str]] | None = None
    for name in rules.files:
        src = src_dir / name
        if not src.is_file():
            continue
        rows = _pseudonymize_csv(src, out_dir / name, pseudo, rules)
        written.append(out_dir / name)
        if name == "separated_members.csv":
            members = rows
    if members is not None:
        book = Workbook()
        sheet = book.create_sheet("separated_members")
        book.remove(book.worksheets[0])
        for row in members:
            sheet.append(row)
        book.save(out_dir / rules.members_xlsx)
        written.append(out_dir / rules.members_xlsx)
    for name in rules.copy_unchanged:
        if (src_dir / name).is_file():
            shutil.copyfile(src_dir / name, out_dir / name)
            written.append(out_dir / name)
    return written
