"""How much of a column of real free-text reasons the reason patterns map to a code. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from reunify.domain.reasons import ReasonCode
from reunify.policy.normalize import NormalizedReason, ReasonPatterns, normalize_reason_text

UNMAPPED = frozenset({ReasonCode.OTHER, ReasonCode.UNKNOWN})


class CellResult(BaseModel):
    """One distinct cell, how often it occurs, and how it was read."""

    model_config = ConfigDict(frozen=True)

    rows: int
    reason: NormalizedReason

    @property
    def mapped(self) -> bool:
        """True when the cell got a code other than OTHER and UNKNOWN."""
        return any(code not in UNMAPPED for code in self.reason.codes)


class CoverageReport(BaseModel):
    """Shares of distinct cells and of rows mapped to a real code, with every cell's reading.

    ``*_recorded`` shares leave out cells that record no reason at all (UNKNOWN: blanks and
    page-header junk), which no reading could map.
    """

    model_config = ConfigDict(frozen=True)

    cells: tuple[CellResult, ...]

    @property
    def distinct(self) -> int:
        return len(self.cells)

    @property
    def rows(self) -> int:
        return sum(cell.rows for cell in self.cells)

    def _share(self, *, weighted: bool, recorded_only: bool) -> float:
        pool = [c for c in self.cells if not (recorded_only and c.reason.codes == [ReasonCode.UNKNOWN])]
        total = sum(c.rows if weighted else 1 for c in pool)
        mapped = sum(c.rows if weighted else 1 for c in pool if c.mapped)
        return mapped / total if total else 0.0

    @property
    def distinct_share(self) -> float:
        return self._share(weighted=False, recorded_only=False)

    @property
    def distinct_share_recorded(self) -> float:
        return self._share(weighted=False, recorded_only=True)

    @property
    def row_share(self) -> float:
        return self._share(weighted=True, recorded_only=False)

    @property
    def row_share_recorded(self) -> float:
        return self._share(weighted=True, recorded_only=True)

    def summary(self) -> dict[str, float | int]:
        """The counts and shares as plain numbers (for ``--json`` and docs)."""
        return {
            "distinct_cells": self.distinct,
            "rows": self.rows,
            "distinct_mapped_share": round(self.distinct_share, 4),
            "distinct_mapped_share_recorded": round(self.distinct_share_recorded, 4),
            "row_mapped_share": round(self.row_share, 4),
            "row_mapped_share_recorded": round(self.row_share_recorded, 4),
        }


def measure(texts: Iterable[str], patterns: ReasonPatterns | None = None) -> CoverageReport:
    """Read every distinct text once (most frequent first) and count how many are mapped."""
    counts = Counter(texts)
    cells = tuple(
        CellResult(rows=n, reason=normalize_reason_text(text, patterns))
        for text, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    return CoverageReport(cells=cells)
