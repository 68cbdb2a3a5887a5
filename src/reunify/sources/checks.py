"""Checking v1 rows, vectorised: what makes a row unacceptable, and the values as stored.

A row is quarantined (never dropped) when its record_id is blank or repeats an earlier row's,
when a date cannot be read, or when a coded column (sex, Y/N flags, transferred_to, ...) holds a
value outside its vocabulary. A malformed A-number is *not* a reason: it is stored blank (the
raw row keeps what was typed). Dates are stored as ISO text of their precision (``2018`` for a
bare year, never an invented day) by :func:`reunify.domain.dates.parse_partial_date`, applied
once per distinct value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from reunify.domain.dates import DateParseError, parse_partial_date
from reunify.sources.kinds import SourceKind
from reunify.sources.transform import REASON

DATE_FORMS = "YYYY-MM-DD, MM/DD/YYYY, YYYY-MM, MM/YYYY or YYYY"


def normalize_a_numbers(values: pl.Series) -> pl.Series:
    """Polars twin of :func:`reunify.domain.identifiers.normalize_a_number` ("" when blank or malformed).

    Works on a Series, step by step: as one expression Polars would recompute the shared steps.
    Upper-casing only matters for the leading ``A`` (a digit has no case), so only that is folded.
    """
    if values.str.contains(r"[\s.]").any():
        s = values.str.replace_all(r"[\s\-.]", "")
    else:  # the usual case: only dashes to drop, which a literal replace does fastest
        s = values.str.replace_all("-", "", literal=True)
    s = s.str.replace(r"^[Aa]", "")
    padded = s.str.zfill(9)
    ok = s.str.contains(r"^\d{8,9}$") & (padded != "000000000")
    return pl.select(pl.when(ok).then(padded).otherwise(pl.lit("")).alias(values.name)).to_series()


# The accepted date forms as regexes over ASCII digits (the forms are disjoint), the text to put
# before and after a value so that a day-precision strptime format reads it, that format, and the
# output format (the ISO text of the form's precision).
_FORMS: tuple[tuple[str, str, str, str, str], ...] = (
    (r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$", "", "", "%Y-%m-%d", "%Y-%m-%d"),
    (r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$", "", "", "%m/%d/%Y", "%Y-%m-%d"),
    (r"^[0-9]{4}-[0-9]{1,2}$", "", "-1", "%Y-%m-%d", "%Y-%m"),
    (r"^[0-9]{1,2}/[0-9]{4}$", "1/", "", "%d/%m/%Y", "%Y-%m"),
    (r"^[0-9]{4}$", "", "-1-1", "%Y-%m-%d", "%Y"),
)


def fast_iso(values: pl.Series) -> pl.Series:
    """ISO text of its precision for each value in an accepted date form written in ASCII digits;
    null for the rest (blank, unreadable, or in other digits).

    The same answers as :func:`reunify.domain.dates.parse_partial_date` wherever it is not null
    (the regexes pin the forms: chrono's ``%Y`` alone would take a sign or a fifth digit, and
    year 0, which Python's ``date`` refuses, is refused). Each value is parsed by the one form
    its shape matches, so the column is parsed once, not once per form.
    """
    n = len(values)
    out: pl.Series | None = None
    left = values != ""
    for pattern, before, after, fmt, iso in _FORMS:
        if not left.any():
            break
        hit = left & values.str.contains(pattern)
        if not hit.any():
            continue
        left = left & ~hit
        every = bool(hit.all())
        given = values if every else values.filter(hit)
        day = (before + given + after if before or after else given).str.to_date(fmt, strict=False)
        real = day.dt.year() >= 1
        if fmt == iso and bool((given.str.len_bytes() == len("2018-01-01")).all()):
            text = given.zip_with(
                real.fill_null(False), pl.repeat(None, len(given), dtype=pl.String, eager=True)
            )
        else:
            text = day.dt.strftime(iso).zip_with(
                real.fill_null(False), pl.repeat(None, len(given), dtype=pl.String, eager=True)
            )
        if every:
            return text.alias(values.name)
        if out is None:
            out = pl.repeat(None, n, dtype=pl.String, eager=True).alias(values.name)
        out = out.scatter(hit.arg_true(), text)
    return out if out is not None else pl.repeat(None, n, dtype=pl.String, eager=True).alias(values.name)


def _canonical(values: pl.Series, vocabulary: tuple[str, ...]) -> bool:
    """True when every value is blank or exactly a vocabulary word (so normalising changes nothing)."""
    words = [w for w in vocabulary if w == w.strip().upper()]
    return len(words) == len(vocabulary) and bool(values.is_in(["", *words]).all())


@dataclass
class DateStats:
    nonblank: int = 0
    unreadable: int = 0
    first_bad_row: int | None = None


@dataclass
class Checked:
    """One batch after checking: every row with its checked values, which of them fail, and the
    failing ones with their reasons (``_reason``).

    The accepted rows are :attr:`rows` without :attr:`bad`; :meth:`accepted_lazy` gives them
    without copying the batch, so a caller that writes them out filters them in the same pass.
    """

    rows: pl.DataFrame
    bad: pl.Series | None  # None: every row is accepted
    quarantined: pl.DataFrame

    def accepted_lazy(self) -> pl.LazyFrame:
        return self.rows.lazy() if self.bad is None else self.rows.lazy().filter(~self.bad)

    @property
    def accepted_count(self) -> int:
        return self.rows.height - self.quarantined.height

    @functools.cached_property
    def accepted(self) -> pl.DataFrame:
        return self.rows if self.bad is None else self.rows.filter(~self.bad)


@dataclass
class RowChecker:
    """Checks one file's v1 rows batch by batch (remembers record_ids across batches).

    Everything is column-wise: one Polars pass reads the dates, one computes the reasons and the
    stored values, one splits the rows. Only dates the vectorised reader cannot place (wrong,
    or in unusual digits) go through the Python parser, each distinct text once.
    """

    kind: SourceKind
    _seen_hashes: npt.NDArray[np.uint64] = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    _seen_ids: list[pl.Series] = field(default_factory=list)
    _dates: dict[str, str | None] = field(default_factory=dict)
    date_stats: dict[str, DateStats] = field(default_factory=dict)

    def _slow_iso(self, values: pl.Series) -> pl.Series:
        """Python's reading of texts the vectorised reader left null (each distinct text once)."""
        for v in values.unique().to_list():
            if v and v not in self._dates:
                try:
                    self._dates[v] = parse_partial_date(v).iso() or None
                except DateParseError:
                    self._dates[v] = None
        keys = values.unique().to_list()
        return values.replace_strict(
            keys, [self._dates.get(k) for k in keys], default=None, return_dtype=pl.String
        )

    def _iso_values(self, values: pl.Series) -> pl.Series:
        """The ISO text of each value (null when blank or unreadable), every form tried."""
        iso = fast_iso(values)
        left = (values != "") & iso.is_null()
        if left.any():
            iso = iso.scatter(left.arg_true(), self._slow_iso(values.filter(left)))
        return iso

    def _iso(self, frame: pl.DataFrame, columns: tuple[str, ...]) -> pl.DataFrame:
        """One column ``__iso_<c>`` per date column: its ISO text, null when blank or unreadable.

        A date column repeats its values (a block holds a few thousand distinct dates of birth and
        a few hundred event dates), so each distinct text is parsed once and the answers are
        joined back, unless most values are distinct.
        """
        out: list[pl.Series] = []
        for c in columns:
            values = frame[c]
            distinct = values.unique()
            if 2 * len(distinct) > len(values):
                out.append(self._iso_values(values).alias(f"__iso_{c}"))
                continue
            table = pl.DataFrame({c: distinct, "__iso": self._iso_values(distinct)})
            joined = values.to_frame().join(table, on=c, how="left", maintain_order="left", nulls_equal=True)
            out.append(joined["__iso"].alias(f"__iso_{c}"))
        return pl.DataFrame(out)

    def _repeats(self, ids: pl.Series) -> pl.Series:
        """Which non-blank ids an earlier batch of the file already held.

        Compared by 64-bit hash first, against the earlier batches' hashes kept sorted (a binary
        search per id, however many came before); a hash that matches is confirmed on the text,
        so a hash collision never quarantines a row.
        """
        nonblank = ids != ""
        fresh = ids.filter(nonblank).hash().unique().sort().to_numpy()  # sorted: searched in one sweep
        seen = self._seen_hashes
        maybe = pl.Series([False] * len(ids))
        if len(seen) and len(fresh):
            at = np.searchsorted(seen, fresh)
            known = seen[np.minimum(at, len(seen) - 1)] == fresh
            if known.any():
                maybe = ids.hash().is_in(pl.Series(fresh[known]).implode()) & nonblank
                maybe = maybe & ids.is_in(pl.concat(self._seen_ids).implode())
            fresh, at = fresh[~known], at[~known]
        else:
            at = np.zeros(len(fresh), dtype=np.int64)
        self._seen_ids.append(ids.filter(nonblank).unique())
        self._seen_hashes = np.insert(seen, at, fresh)
        return maybe

    def check(self, frame: pl.DataFrame) -> Checked:
        """Normalise values and split the batch into accepted and quarantined rows."""
        kind = self.kind
        dates = kind.columns_with_role("date")
        iso = self._iso(frame, dates)
        earlier = self._repeats(frame["record_id"])
        a_numbers = [
            normalize_a_numbers(frame[c]).alias(f"__a_{c}") for c in kind.columns_with_role("a_number")
        ]
        frame = frame.hstack([*iso.get_columns(), *a_numbers, earlier.alias("__earlier")])
        self._date_stats(frame, dates)

        rid = pl.col("record_id")
        # Each check is a boolean column first; reason texts are only built for the rows that fail.
        checks: list[tuple[str, pl.Expr]] = [
            ("record_id is blank", rid == ""),
            (
                "record_id repeats an earlier row's (record_id must be unique in a file)",
                (rid != "") & (~rid.is_first_distinct() | pl.col("__earlier")),
            ),
        ]
        updates: dict[str, pl.Expr] = {}
        for c in dates:
            checks.append(
                (f"{c} is not a date ({DATE_FORMS})", (pl.col(c) != "") & pl.col(f"__iso_{c}").is_null())
            )
            updates[c] = pl.col(f"__iso_{c}").fill_null("")
        for c in kind.columns_with_role("a_number"):
            updates[c] = pl.col(f"__a_{c}")
        for f in kind.fields:
            if f.enum:
                if _canonical(frame[f.name], f.enum):
                    continue  # nothing to normalise, nothing to quarantine: skip the column
                value = pl.col(f.name).str.strip_chars().str.to_uppercase()
                updates[f.name] = value
                checks.append(
                    (
                        f"{f.name} must be one of {', '.join(f.enum)} or blank",
                        (value != "") & ~value.is_in(f.enum),
                    )
                )
        flags = {f"__check_{i}": expr for i, (_, expr) in enumerate(checks)}
        out = (
            frame.lazy()
            .with_columns(**flags, **updates)
            .with_columns(pl.any_horizontal(pl.col(REASON).is_not_null(), *flags).alias("__bad"))
            .collect()
        )
        helpers = [c for c in out.columns if c.startswith("__")]
        bad_rows = out["__bad"]
        rows = out.drop(helpers)
        if not bad_rows.any():
            return Checked(rows=rows, bad=None, quarantined=rows.clear())
        texts = [
            pl.when(pl.col(name)).then(pl.lit(text)) for name, (text, _) in zip(flags, checks, strict=True)
        ]
        quarantined = (
            out.filter(bad_rows)
            .with_columns(
                pl.concat_str([pl.col(REASON), *texts], separator="; ", ignore_nulls=True).alias(REASON)
            )
            .drop(helpers)
        )
        return Checked(rows=rows, bad=bad_rows, quarantined=quarantined)

    def _date_stats(self, frame: pl.DataFrame, dates: tuple[str, ...]) -> None:
        """Count each date column's non-blank and unreadable values (for the column-level error)."""
        if not dates:
            return
        counts = frame.select(
            *((pl.col(c) != "").sum().alias(f"n_{c}") for c in dates),
            *(((pl.col(c) != "") & pl.col(f"__iso_{c}").is_null()).sum().alias(f"bad_{c}") for c in dates),
        ).row(0, named=True)
        for c in dates:
            stats = self.date_stats.setdefault(c, DateStats())
            stats.nonblank += int(counts[f"n_{c}"])
            n_bad = int(counts[f"bad_{c}"])
            if n_bad and stats.first_bad_row is None:
                bad = (frame[c] != "") & frame[f"__iso_{c}"].is_null()
                stats.first_bad_row = int(frame["_row"].filter(bad)[0])
            stats.unreadable += n_bad
