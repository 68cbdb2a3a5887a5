"""Tables as data: every table the report shows, in one shape that HTML, XLSX and suppression share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Cell = str | int | float | None
ColumnKind = Literal["text", "number", "count", "rate", "range", "days"]


@dataclass(frozen=True, slots=True)
class Column:
    """A column. ``count`` columns count people in the data; ``rate``/``range``/``days`` columns
    describe the people counted in the ``basis`` column of the same row (so they are suppressed
    with it); ``number`` is a figure that discloses no one (e.g. a number in a public statement)."""

    key: str
    label: str
    kind: ColumnKind = "text"
    basis: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table; ``key`` names its XLSX sheet and its HTML anchor."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Cell], ...]
    note: str = ""
    suppressed: int = field(default=0)

    def column(self, key: str) -> list[Cell]:
        """The values of one column, in row order."""
        return [row.get(key) for row in self.rows]


def suppressed_label(min_cell: int) -> str:
    return f"<{min_cell}"


def suppress(table: Table, min_cell: int) -> Table:
    """The table with every count of people from 1 to ``min_cell - 1`` replaced by ``<min_cell``.

    Rates, ranges and day counts resting on a suppressed count (their ``basis``) are blanked too,
    since a range over fewer than ``min_cell`` children describes individual children. Zero is not
    suppressed: it discloses no one.
    """
    label = suppressed_label(min_cell)
    hidden = 0
    rows: list[dict[str, Cell]] = []
    for row in table.rows:
        new = dict(row)
        small: set[str] = set()
        for col in table.columns:
            value = row.get(col.key)
            if col.kind == "count" and isinstance(value, int | float) and 0 < value < min_cell:
                new[col.key] = label
                small.add(col.key)
                hidden += 1
        for col in table.columns:
            if col.kind in {"rate", "range", "days"} and col.basis is not None:
                basis = row.get(col.basis)
                rests_on_small = col.basis in small or (
                    isinstance(basis, int | float) and 0 < basis < min_cell
                )
                if rests_on_small and row.get(col.key) not in (None, ""):
                    new[col.key] = label
                    hidden += 1
        rows.append(new)
    return replace(table, rows=tuple(rows), suppressed=hidden)
