"""Turning a frame of source rows into v1 columns, vectorised with Polars.

:class:`Transformer` applies a :class:`~reunify.sources.mapping.Mapping` (or, for a file already
in v1, just picks the columns). Its output frame has the kind's v1 columns as text (blank = ""),
``_row`` (the spreadsheet row), ``_raw`` (the source row: a struct of its columns as read;
:func:`raw_as_json` turns it into JSON text for the quarantine), ``_extra`` (extra columns as
JSON, or null), ``_qid`` (the quarantine id a re-ingested row fixes, or null) and ``_reason``
(why the mapping could not accept the row, or null).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import polars as pl

from reunify.sources.kinds import SourceKind
from reunify.sources.mapping import ColumnSpec, Mapping, fold_value
from reunify.sources.reader import ROW_COLUMN

# Columns a quarantine export adds; a re-ingested file may carry them back.
QUARANTINE_ID = "quarantine_id"
QUARANTINE_REASON = "quarantine_reason"
QUARANTINE_ROW = "quarantine_row"
RESERVED_COLUMNS = (QUARANTINE_ID, QUARANTINE_REASON, QUARANTINE_ROW)

RAW, EXTRA, QID, REASON = "_raw", "_extra", "_qid", "_reason"


def raw_as_json(frame: pl.DataFrame) -> pl.Expr:
    """``_raw`` as JSON text (an object of the source columns): it is a struct until quarantined."""
    return pl.col(RAW).struct.json_encode() if frame.schema[RAW] != pl.String else pl.col(RAW)


def _fold(expr: pl.Expr) -> pl.Expr:
    """Polars twin of :func:`reunify.sources.mapping.fold_value`."""
    return expr.str.strip_chars().str.replace_all(r"\s+", " ").str.to_lowercase()


def precision_of_format(fmt: str) -> str:
    """day, month or year: what a strptime format pins down."""
    if "%d" in fmt or "%j" in fmt or "%-d" in fmt:
        return "day"
    if any(d in fmt for d in ("%m", "%b", "%B", "%-m")):
        return "month"
    return "year"


def parse_with_formats(text: str, formats: Sequence[str]) -> tuple[date, str] | None:
    """The date in ``text`` under the first format that reads it, with that format's precision."""
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date(), precision_of_format(fmt)
        except ValueError:
            continue
    return None


def iso_of(value: date, precision: str) -> str:
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@dataclass
class _FormatCache:
    """Each distinct text parsed once: text -> ISO text of its precision, or None when unreadable."""

    formats: tuple[str, ...]
    known: dict[str, str | None] = field(default_factory=dict)

    def iso(self, values: pl.Series) -> pl.Series:
        todo = [v for v in values.unique().to_list() if v and v not in self.known]
        for v in todo:
            parsed = parse_with_formats(v, self.formats)
            self.known[v] = None if parsed is None else iso_of(*parsed)
        keys = list(self.known)
        return values.replace_strict(
            keys, [self.known[k] for k in keys], default=None, return_dtype=pl.String
        )


@dataclass
class DateColumnStats:
    """How many non-blank values a mapped date column held, and how many no format could read."""

    nonblank: int = 0
    unreadable: int = 0


class Transformer:
    """Source rows -> v1 rows for one file (keeps caches across the file's batches)."""

    def __init__(self, kind: SourceKind, header: Sequence[str], mapping: Mapping | None) -> None:
        self.kind = kind
        self.mapping = mapping
        self.header = tuple(header)
        self.source_columns = tuple(h for h in self.header if h not in RESERVED_COLUMNS)
        self._caches: dict[str, _FormatCache] = {}
        self.date_stats: dict[str, DateColumnStats] = {}
        if mapping is None:
            self.extra_columns = tuple(h for h in self.source_columns if h not in kind.columns)
            self.absent_columns = tuple(c for c in kind.columns if c not in self.header)
        else:
            self.extra_columns = tuple(mapping.extra)
            self.absent_columns = tuple(c for c in kind.columns if c not in mapping.columns)

    def _cache(self, key: str, formats: Sequence[str]) -> _FormatCache:
        if key not in self._caches:
            self._caches[key] = _FormatCache(tuple(formats))
        return self._caches[key]

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The v1 frame for one batch of source rows (see the module doc for its columns)."""
        reasons: list[pl.Expr] = []
        raw = pl.struct([pl.col(c) for c in self.source_columns]).alias(RAW)
        qid = (
            pl.col(QUARANTINE_ID).str.strip_chars().cast(pl.Int64, strict=False)
            if QUARANTINE_ID in frame.columns
            else pl.lit(None, dtype=pl.Int64)
        ).alias(QID)
        row_for_ids = (
            pl.coalesce(
                pl.col(QUARANTINE_ROW).str.strip_chars().cast(pl.Int64, strict=False), pl.col(ROW_COLUMN)
            )
            if QUARANTINE_ROW in frame.columns
            else pl.col(ROW_COLUMN)
        )
        out: list[pl.Expr] = [pl.col(ROW_COLUMN), raw, qid]
        if self.mapping is None:
            for c in self.kind.columns:
                out.append((pl.col(c).str.strip_chars() if c in self.header else pl.lit("")).alias(c))
            extra = (
                pl.struct([pl.col(c) for c in self.extra_columns]).struct.json_encode()
                if self.extra_columns
                else pl.lit(None, dtype=pl.String)
            )
            out.append(extra.alias(EXTRA))
            return frame.select(*out, pl.lit(None, dtype=pl.String).alias(REASON))

        pre: dict[str, pl.Series] = {}
        for name, spec in self.mapping.columns.items():
            expr, reason = self._column(name, spec, frame, row_for_ids, pre)
            out.append(expr.alias(name))
            if reason is not None:
                reasons.append(reason)
        for c in self.absent_columns:
            out.append(pl.lit("").alias(c))
        extra = (
            pl.struct(
                [pl.col(src).str.strip_chars().alias(k) for k, src in self.mapping.extra.items()]
            ).struct.json_encode()
            if self.mapping.extra
            else pl.lit(None, dtype=pl.String)
        )
        out.append(extra.alias(EXTRA))
        reason = (
            pl.concat_str(reasons, separator="; ", ignore_nulls=True)
            if reasons
            else pl.lit(None, dtype=pl.String)
        )
        # A row a rule quarantines is quarantined for that reason alone (its other oddities are noise).
        for rule in reversed(self.mapping.quarantine_rows):
            cond = pl.all_horizontal([_fold(pl.col(c)) == fold_value(v) for c, v in rule.when.items()])
            reason = pl.when(cond).then(pl.lit(rule.reason)).otherwise(reason)
        if pre:
            frame = frame.with_columns(**pre)
        result = frame.select(*out, reason.alias(REASON))
        return result.with_columns(
            pl.when(pl.col(REASON) == "").then(None).otherwise(pl.col(REASON)).alias(REASON)
        )

    def _dates(
        self, key: str, source: str, formats: Sequence[str], frame: pl.DataFrame, pre: dict[str, pl.Series]
    ) -> str:
        """Parse ``source`` with ``formats`` into a helper column (ISO text or null); its name."""
        helper = f"__iso_{key}"
        values = frame[source].str.strip_chars()
        iso = self._cache(source + "\x00" + "\x00".join(formats), formats).iso(values)
        stats = self.date_stats.setdefault(key, DateColumnStats())
        nonblank = values != ""
        stats.nonblank += int(nonblank.sum())
        stats.unreadable += int((nonblank & iso.is_null()).sum())
        pre[helper] = iso
        return helper

    def _column(
        self,
        name: str,
        spec: ColumnSpec,
        frame: pl.DataFrame,
        row_for_ids: pl.Expr,
        pre: dict[str, pl.Series],
    ) -> tuple[pl.Expr, pl.Expr | None]:
        where = f"columns.{name}"
        if spec.constant is not None:
            return pl.lit(spec.constant), None
        if spec.derive == "row_number":
            return pl.lit(spec.prefix) + row_for_ids.cast(pl.String), None
        if spec.derive == "dob_from_age":
            assert spec.age is not None
            assert spec.as_of is not None
            formats = spec.date_format or ["%Y-%m-%d", "%m/%d/%Y"]
            helper = self._dates(name, spec.as_of, formats, frame, pre)
            age_text = pl.col(spec.age).str.strip_chars()
            age = age_text.cast(pl.Int64, strict=False)
            as_of = pl.col(helper).str.to_date("%Y-%m-%d", strict=False)
            year = as_of.dt.year().cast(pl.Int64) - age - (as_of.dt.ordinal_day() < 183).cast(pl.Int64)
            dob = (
                pl.when(age.is_not_null() & as_of.is_not_null() & (age >= 0) & (age <= 130))
                .then(year.cast(pl.String).str.zfill(4))
                .otherwise(pl.lit(""))
            )
            bad_age = (age_text != "") & (age.is_null() | (age < 0) | (age > 130))
            bad_date = (pl.col(spec.as_of).str.strip_chars() != "") & pl.col(helper).is_null()
            why = pl.concat_str(
                [
                    pl.when(bad_age).then(pl.lit(f"{spec.age} is not an age in whole years ({where})")),
                    pl.when(bad_date).then(
                        pl.lit(f"{spec.as_of} is not a date in {' or '.join(formats)} ({where})")
                    ),
                ],
                separator="; ",
                ignore_nulls=True,
            )
            return dob, pl.when(why != "").then(why)
        assert spec.from_ is not None
        source = pl.col(spec.from_).str.strip_chars()
        reason: pl.Expr | None = None
        if spec.values is not None:
            folded = spec.folded_values
            mapped = _fold(pl.col(spec.from_)).replace_strict(
                list(folded), list(folded.values()), default=None, return_dtype=pl.String
            )
            if spec.unmapped == "keep":
                value = pl.coalesce(mapped, source)
            elif spec.unmapped == "blank":
                value = pl.coalesce(mapped, pl.lit(""))
            else:
                value = pl.coalesce(mapped, pl.lit(""))
                reason = pl.when(mapped.is_null() & (source != "")).then(
                    pl.lit(f"{spec.from_} value is not one the mapping knows ({where}.values)")
                )
            source = value
        if spec.date_format:
            helper = self._dates(name, spec.from_, spec.date_format, frame, pre)
            bad = (source != "") & pl.col(helper).is_null()
            date_reason = pl.when(bad).then(
                pl.lit(
                    f"{name} ({spec.from_}) is not a date in {' or '.join(spec.date_format)} "
                    f"({where}.date_format)"
                )
            )
            reason = (
                date_reason
                if reason is None
                else pl.concat_str([reason, date_reason], separator="; ", ignore_nulls=True)
            )
            source = pl.coalesce(pl.col(helper), pl.lit(""))
        return source, reason
