"""Checking v1 rows, vectorised: what makes a row unacceptable, and the values as stored.

A row is quarantined (never dropped) when its record_id is blank or repeats an earlier row's,
when a date cannot be read, or when a coded column (sex, Y/N flags, transferred_to, ...) holds a
value outside its vocabulary. A malformed A-number is *not* a reason: it is stored blank (the
raw row keeps what was typed). Dates are stored as ISO text of their precision (``2018`` for a
bare year, never an invented day) by :func:`reunify.domain.dates.parse_partial_date`, applied
once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from reunify.domain.dates import DateParseError, parse_partial_date
from reunify.sources.kinds import SourceKind
from reunify.sources.transform import REASON

DATE_FORMS = "YYYY-MM-DD, MM/DD/YYYY, YYYY-MM, MM/YYYY or YYYY"


def normalize_a_numbers(values: pl.Series) -> pl.Series:
    """Polars twin of :func:`reunify.domain.identifiers.normalize_a_number` ("" when blank or malformed).

    Works on a Series, step by step: as one expression Polars would recompute the shared steps.
    """
    s = values.str.replace_all(r"[\s\-.]", "").str.to_uppercase().str.strip_prefix("A")
    padded = s.str.zfill(9)
    ok = s.str.contains(r"^\d{8,9}$") & (padded != "000000000")
    return pl.select(pl.when(ok).then(padded).otherwise(pl.lit("")).alias(values.name)).to_series()


@dataclass
class DateStats:
    nonblank: int = 0
    unreadable: int = 0
    first_bad_row: int | None = None


@dataclass
class Checked:
    """One batch after checking: rows to stage and rows to quarantine (same columns, plus ``_reason``)."""

    accepted: pl.DataFrame
    quarantined: pl.DataFrame


@dataclass
class RowChecker:
    """Checks one file's v1 rows batch by batch (remembers record_ids and parsed dates across batches)."""

    kind: SourceKind
    _seen_ids: pl.Series = field(default_factory=lambda: pl.Series("record_id", [], dtype=pl.String))
    _dates: dict[str, str | None] = field(default_factory=dict)
    date_stats: dict[str, DateStats] = field(default_factory=dict)

    def _iso(self, values: pl.Series) -> pl.Series:
        for v in values.unique().to_list():
            if v and v not in self._dates:
                try:
                    self._dates[v] = parse_partial_date(v).iso() or None
                except DateParseError:
                    self._dates[v] = None
        keys = list(self._dates)
        return values.replace_strict(
            keys, [self._dates[k] for k in keys], default=None, return_dtype=pl.String
        )

    def check(self, frame: pl.DataFrame) -> Checked:
        """Normalise values and split the batch into accepted and quarantined rows."""
        kind = self.kind
        reasons: list[pl.Expr] = [pl.col(REASON)]
        rid = pl.col("record_id")
        reasons.append(pl.when(rid == "").then(pl.lit("record_id is blank")))
        repeated = (rid != "") & (~rid.is_first_distinct() | rid.is_in(self._seen_ids.implode()))
        reasons.append(
            pl.when(repeated).then(
                pl.lit("record_id repeats an earlier row's (record_id must be unique in a file)")
            )
        )
        updates: dict[str, pl.Series | pl.Expr] = {}
        for c in kind.columns_with_role("date"):
            values = frame[c]
            iso = self._iso(values)
            bad = (values != "") & iso.is_null()
            stats = self.date_stats.setdefault(c, DateStats())
            stats.nonblank += int((values != "").sum())
            n_bad = int(bad.sum())
            if n_bad and stats.first_bad_row is None:
                stats.first_bad_row = int(frame["_row"].filter(bad)[0])
            stats.unreadable += n_bad
            updates[c] = iso.fill_null("")
            frame = frame.with_columns(pl.Series(f"__bad_{c}", bad))
            reasons.append(pl.when(pl.col(f"__bad_{c}")).then(pl.lit(f"{c} is not a date ({DATE_FORMS})")))
        for c in kind.columns_with_role("a_number"):
            updates[c] = normalize_a_numbers(frame[c])
        for f in kind.fields:
            if f.enum:
                value = frame[f.name].str.strip_chars().str.to_uppercase()
                updates[f.name] = value
                frame = frame.with_columns(
                    pl.Series(f"__bad_{f.name}", (value != "") & ~value.is_in(list(f.enum)))
                )
                reasons.append(
                    pl.when(pl.col(f"__bad_{f.name}")).then(
                        pl.lit(f"{f.name} must be one of {', '.join(f.enum)} or blank")
                    )
                )
        frame = frame.with_columns(pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias(REASON))
        frame = frame.with_columns(
            pl.when(pl.col(REASON) == "").then(None).otherwise(pl.col(REASON)).alias(REASON)
        )
        frame = frame.with_columns(**updates).drop([c for c in frame.columns if c.startswith("__bad_")])
        ids = frame["record_id"].filter(frame["record_id"] != "")
        self._seen_ids = pl.concat([self._seen_ids, ids.unique()])
        bad_rows = pl.col(REASON).is_not_null()
        return Checked(accepted=frame.filter(~bad_rows), quarantined=frame.filter(bad_rows))
