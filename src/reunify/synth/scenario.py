"""Orchestration: write a scenario's four extracts and its truth/, month by month.

``generate`` is the one entry point. It draws every random number from generators spawned from
the seed (one per part, so the scripted separations do not move when the volume changes), walks
the months of the period in order, and streams the rows to the files whenever ``FLUSH_ROWS`` are
buffered: memory holds one buffer and one month. Same seed, scale and noise => the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from reunify.errors import UserError
from reunify.synth.background import KIND_NAMES, LC, SA, TD, TR, TRET, USBP, MonthCounts, generate_month
from reunify.synth.defects import Defects
from reunify.synth.ids import Ids
from reunify.synth.model import SeparatedFamily
from reunify.synth.plan import NOISE_LEVELS, Plan, load_plan, load_signals, noise_multiplier
from reunify.synth.records import build_scripted_rows
from reunify.synth.schema import COLUMNS, EXTRACTS, TRUTH_COLUMNS, clean_schema
from reunify.synth.separations import build_separations
from reunify.synth.signals import assign_recording
from reunify.synth.truth import separated_families_frame, separated_members_frame, summary
from reunify.synth.writers import Sinks, write_frame, write_json

RECORD_PREFIX = {"encounters": "ENC", "i213": "I213-", "ice_custody": "EARM", "orr_referrals": "UAC"}
_KIND_CODE = {
    "SINGLE_ADULT": SA,
    "LONE_CHILD": LC,
    "TOGETHER_DETAINED": TD,
    "TOGETHER_RELEASED": TR,
    "TOGETHER_RETURNED": TRET,
    "USBP_REFERRAL": USBP,
}
_FAMILY_KINDS = ("SEPARATED", "TOGETHER_DETAINED", "TOGETHER_RELEASED", "TOGETHER_RETURNED")

_STREAMED_TRUTH = ("people", "families", "relationships", "record_map")
FLUSH_ROWS = 300_000  # rows buffered (all files) before sorting and writing: bounds memory

Progress = Callable[[int, int, str], None]


def scripted_frames(rows: dict[str, list[dict[str, Any]]]) -> dict[str, pl.DataFrame]:
    """The scripted families' rows of one month as frames (clean frames and ``t_*`` truth frames)."""
    out: dict[str, pl.DataFrame] = {}
    for name, rs in rows.items():
        if not rs:
            continue
        schema = clean_schema(name) if name in EXTRACTS else dict.fromkeys(TRUTH_COLUMNS[name[2:]], pl.Utf8)
        out[name] = pl.DataFrame(rs, schema=schema)
    return out


class _Stream:
    """Buffers months of frames, then sorts, numbers, defects and writes them in one go.

    Months arrive in order, so sorting each flushed buffer by date keeps every file in date order.
    Record ids are numbered across flushes (``ENC000000001`` ...).
    """

    def __init__(self, sinks: Sinks, defects: Defects, rng: np.random.Generator, plan: Plan) -> None:
        self.sinks = sinks
        self.defects = defects
        self.rng = rng
        self.plan = plan
        self.parts: dict[str, list[pl.DataFrame]] = {}
        self.buffered = 0
        self.counters = dict.fromkeys(EXTRACTS, 0)
        self.asylum_may_june = 0

    def add(self, frames: dict[str, pl.DataFrame]) -> None:
        for name, df in frames.items():
            if df.height:
                self.parts.setdefault(name, []).append(df)
                self.buffered += df.height

    def flush(self) -> None:
        parts, self.parts, self.buffered = self.parts, {}, 0
        for kind in EXTRACTS:
            if kind in parts:
                self._write_extract(kind, pl.concat(parts[kind], how="vertical"))
        for name in ("people", "families", "relationships"):
            if f"t_{name}" in parts:
                self._write_truth(
                    name, pl.concat(parts[f"t_{name}"], how="vertical").select(TRUTH_COLUMNS[name])
                )

    def _write_extract(self, kind: str, clean: pl.DataFrame) -> None:
        clean = clean.sort(["_day", "_grp", "_mem"], maintain_order=True)
        start = self.counters[kind]
        self.counters[kind] += clean.height
        numbers = pl.int_range(start + 1, start + 1 + clean.height, eager=True).cast(pl.Utf8).str.zfill(9)
        clean = clean.with_columns((RECORD_PREFIX[kind] + numbers).alias("record_id"))
        self.sinks[kind].write(self.defects.render(kind, clean, self.rng))
        self.sinks["record_map"].write(
            clean.select(
                pl.lit(f"{kind}.csv").alias("file"), "record_id", pl.col("_person").alias("person_id")
            )
        )

    def _write_truth(self, name: str, df: pl.DataFrame) -> None:
        if name == "families":
            df = df.sort(["encounter_date", "family_id"], maintain_order=True)
            mj = self.plan.may_june
            self.asylum_may_june += df.filter(
                pl.col("kind").is_in(_FAMILY_KINDS)
                & (pl.col("asylum_claim") == "Y")
                & (pl.col("encounter_date") >= mj.start.isoformat())
                & (pl.col("encounter_date") <= mj.end.isoformat())
            ).height
        elif name == "people":
            df = df.sort("person_id", maintain_order=True)
        self.sinks[name].write(df)


def months_of(plan: Plan) -> list[tuple[int, int]]:
    """Every (year, month) of the scenario period, in order."""
    out = []
    y, m = plan.period.start.year, plan.period.start.month
    while (y, m) <= (plan.period.end.year, plan.period.end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_counts(plan: Plan, scale: int, rng: np.random.Generator) -> list[MonthCounts]:
    """Background groups per month: per-scale totals spread over the months (growing trend)."""
    months = months_of(plan)
    w = np.linspace(1.0, 2.2, len(months))
    counts = [MonthCounts(year=y, month=m, groups={}, coincidences=0) for y, m in months]
    for kind, per in plan.background_per_scale.items():
        total = per * scale
        ww = w.copy()
        if kind == "USBP_REFERRAL":  # zero tolerance between ports: mid-2017 to June 2018
            ww = np.array([1.0 if (2017, 7) <= ym <= (2018, 6) else 0.0 for ym in months])
        split = rng.multinomial(total, ww / ww.sum())
        for mc, n in zip(counts, split.tolist(), strict=True):
            if kind == "COINCIDENCE":
                mc.coincidences = int(n)
            else:
                mc.groups[_KIND_CODE[kind]] = int(n)
    # the fixed asylum-seeking families of May-June 2018 kept together
    mj = plan.may_june
    n_sep = sum(sum(p.values()) for p in plan.may_june_separated.values())
    together = plan.asylum_families - n_sep
    may_days = (date(2018, 5, 31) - mj.start).days + 1
    may = int(rng.binomial(together, may_days / mj.days))
    for mc in counts:
        if (mc.year, mc.month) in ((2018, 5), (2018, 6)):
            n = may if mc.month == 5 else together - may
            det = int(rng.binomial(n, plan.may_june_detained_share))
            mc.fixed_detained, mc.fixed_released = det, n - det
    return counts


@dataclass(frozen=True)
class _Generators:
    """One generator per part, spawned from the seed in a fixed order (changing it changes every byte)."""

    ids: np.random.Generator
    separations: np.random.Generator
    signals: np.random.Generator
    rows: np.random.Generator
    counts: np.random.Generator
    background: np.random.Generator
    defects: np.random.Generator


def _generators(seed: int) -> _Generators:
    return _Generators(*(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)))


def _separations(gens: _Generators, scale: int, noise: str) -> tuple[list[SeparatedFamily], Ids]:
    ids = Ids(offset=int(gens.ids.integers(0, 10**8)))
    fams = build_separations(gens.separations, ids, load_plan(), scale)
    assign_recording(fams, gens.signals, load_signals(), noise_multiplier(noise))
    return fams, ids


def true_separations(*, seed: int, scale: int = 1, noise: str = "default") -> list[SeparatedFamily]:
    """The separated families (with ``recorded_by``) that ``generate`` would write, without writing.

    Exactly the families of truth/separated_families.csv for the same options, in a fraction of
    the time: for studies that need many seeds (e.g. the report's estimator coverage).
    """
    validate_options(Path("."), scale, noise)
    return _separations(_generators(seed), scale, noise)[0]


def validate_options(out: Path, scale: int, noise: str) -> None:
    """Raise UserError, before any work, when the options cannot produce a scenario."""
    if scale < 1:
        raise UserError("--scale must be a whole number of at least 1")
    if noise not in NOISE_LEVELS:
        raise UserError(f"--noise must be one of {', '.join(NOISE_LEVELS)}")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a directory (it will be created if missing)")


def generate(
    *, seed: int, out: Path, scale: int = 1, noise: str = "default", progress: Progress | None = None
) -> dict[str, Any]:
    """Write the scenario under ``out`` (four extracts + truth/) and return summary.json's content."""
    validate_options(out, scale, noise)
    try:
        (out / "truth").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create --out directory {out}: {exc.strerror}") from None
    plan = load_plan()
    sig = load_signals()
    mult = noise_multiplier(noise)
    gens = _generators(seed)
    fams, ids = _separations(gens, scale, noise)
    scripted = build_scripted_rows(fams, gens.rows, ids, sig)
    counts = month_counts(plan, scale, gens.counts)
    with Sinks() as sinks:
        for kind in EXTRACTS:
            sinks.open(kind, out / f"{kind}.csv", COLUMNS[kind])
        for name in _STREAMED_TRUTH:
            sinks.open(name, out / "truth" / f"{name}.csv", TRUTH_COLUMNS[name])
        stream = _Stream(sinks, Defects(mult), gens.defects, plan)
        for i, mc in enumerate(counts):
            if progress:
                progress(i, len(counts), f"{mc.year}-{mc.month:02d}")
            stream.add(generate_month(mc, gens.background, ids, plan, sig))
            stream.add(scripted_frames(scripted.take((mc.year, mc.month))))
            if stream.buffered >= FLUSH_ROWS:
                stream.flush()
        stream.flush()
        rows = {f"{k}.csv": sinks[k].rows for k in EXTRACTS}
        rows.update({f"truth/{k}.csv": sinks[k].rows for k in _STREAMED_TRUTH})
    write_frame(out / "truth" / "separated_families.csv", separated_families_frame(fams))
    write_frame(out / "truth" / "separated_members.csv", separated_members_frame(fams, plan.as_of))
    result = summary(
        fams,
        plan,
        seed=seed,
        scale=scale,
        noise=noise,
        asylum_families_may_june=stream.asylum_may_june,
        rows=rows,
    )
    write_json(out / "truth" / "summary.json", result)
    if progress:
        progress(len(counts), len(counts), "done")
    return result


__all__ = ["KIND_NAMES", "generate", "month_counts", "months_of", "true_separations", "validate_options"]
