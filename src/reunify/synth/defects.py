"""Turn a clean frame into the rows an officer's system would have exported (defects.yaml).

Vectorised with polars expressions over per-row uniforms drawn from the generator, so a million
rows take about a second. Every output value is readable text: defects change what a value says,
never the file's encoding or shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from reunify.domain.ports import southwest_border_ports
from reunify.synth.people import name_book
from reunify.synth.plan import load_defects
from reunify.synth.schema import COLUMNS, DATE_COLUMNS

_ACCENTED = ["Á", "É", "Í", "Ó", "Ú", "Ü", "Ñ", "á", "é", "í", "ó", "ú", "ü", "ñ"]
_PLAIN = ["A", "E", "I", "O", "U", "U", "N", "a", "e", "i", "o", "u", "u", "n"]
_KEY_DATES = {"encounter_date", "referral_date", "book_in_date", "date_prepared"}
_FLAGS = ("asylum_claim", "prosecution_referral", "criminal_history")


class Defects:
    """Defect rates at one noise level; ``render`` applies them to a clean frame."""

    def __init__(self, noise_multiplier: float) -> None:
        self.cfg: dict[str, Any] = load_defects()
        self.mult = noise_multiplier
        self.cap = float(self.cfg["cap"])
        book = name_book()
        self.country_names = dict(book.country_names)
        ports = southwest_border_ports()
        self.port_name = {p.code: p.name for p in ports}
        self.port_office = {p.code: p.field_office for p in ports}

    def rate(self, base: float) -> float:
        """A defect rate scaled by the noise level (capped)."""
        return min(self.cap, float(base) * self.mult)

    def render(self, kind: str, df: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
        """The written columns of extract ``kind`` (record_id must already be set)."""
        n = df.height
        cfg = self.cfg
        u: dict[str, np.ndarray] = {}

        def draw(name: str) -> pl.Series:
            u[name] = rng.random(n)
            return pl.Series(name, u[name])

        frame = df.with_columns(
            draw("_u_acc"),
            draw("_u_sur"),
            draw("_u_giv"),
            draw("_u_swap"),
            draw("_u_typo"),
            draw("_u_typopos"),
            draw("_u_a1"),
            draw("_u_a2"),
            draw("_u_a3"),
            draw("_u_cit"),
            draw("_u_sex"),
            draw("_u_ev"),
        )
        exprs: list[pl.Expr] = []
        # --- names ---
        fam = pl.col("family_name")
        giv = pl.col("given_name")
        keep_acc = pl.col("_u_acc") < float(cfg["names"]["accents_kept"][kind])
        fam = pl.when(keep_acc).then(fam).otherwise(fam.str.replace_many(_ACCENTED, _PLAIN))
        giv = pl.when(keep_acc).then(giv).otherwise(giv.str.replace_many(_ACCENTED, _PLAIN))
        fam = (
            pl.when(pl.col("_u_sur") < self.rate(cfg["names"]["second_surname_dropped"]))
            .then(fam.str.extract(r"^(\S+)", 1))
            .otherwise(fam)
        )
        giv = (
            pl.when(pl.col("_u_giv") < self.rate(cfg["names"]["second_given_dropped"]))
            .then(giv.str.extract(r"^(\S+)", 1))
            .otherwise(giv)
        )
        typo = self.rate(cfg["names"]["typo"])
        fam = self._typo(fam, pl.col("_u_typo") < typo / 2, pl.col("_u_typopos"))
        giv = self._typo(
            giv, (pl.col("_u_typo") >= typo / 2) & (pl.col("_u_typo") < typo), pl.col("_u_typopos")
        )
        swap = pl.col("_u_swap") < self.rate(cfg["names"]["swapped"])
        fam_out = pl.when(swap).then(giv).otherwise(fam)
        giv_out = pl.when(swap).then(fam).otherwise(giv)
        if kind == "orr_referrals":
            fam_out, giv_out = fam_out.str.to_titlecase(), giv_out.str.to_titlecase()
        exprs += [fam_out.alias("family_name"), giv_out.alias("given_name")]
        # --- alien numbers ---
        exprs.append(self._a_number(kind, pl.col("a_number")).alias("a_number"))
        if kind == "orr_referrals":
            exprs.append(
                self._a_number("ice_custody", pl.col("parent_a_number"), shared=False).alias(
                    "parent_a_number"
                )
            )
        # --- dates ---
        for col in DATE_COLUMNS[kind]:
            exprs.append(self._date(col, frame.height, rng).alias(col))
        # --- citizenship, sex, flags ---
        if "citizenship" in df.columns:
            as_name = pl.col("_u_cit") < float(cfg["citizenship_as_name"][kind])
            name = pl.col("citizenship").replace_strict(self.country_names, default=pl.col("citizenship"))
            if kind == "orr_referrals":
                name = name.str.to_titlecase()
            exprs.append(pl.when(as_name).then(name).otherwise(pl.col("citizenship")).alias("citizenship"))
        if "sex" in df.columns:
            exprs.append(
                pl.when(pl.col("_u_sex") < self.rate(cfg["sex_unknown"]))
                .then(pl.lit("U"))
                .otherwise(pl.col("sex"))
                .alias("sex")
            )
        for col in [c for c in _FLAGS if c in df.columns]:  # fixed order: draws must not follow set order
            blank = pl.Series(rng.random(n) < self.rate(cfg["flag_blank"]))
            exprs.append(pl.when(pl.lit(blank)).then(pl.lit("")).otherwise(pl.col(col)).alias(col))
        if kind == "encounters":
            exprs += [
                pl.col("port_code").replace_strict(self.port_name, default="").alias("port_name"),
                pl.col("port_code").replace_strict(self.port_office, default="").alias("field_office"),
            ]
        if kind == "i213":
            ev = pl.col("event_id")
            blank = pl.col("_u_ev") < self.rate(cfg["i213_event_id"]["blank"])
            wrong = (pl.col("_u_ev") >= 0.5) & (
                pl.col("_u_ev") < 0.5 + self.rate(cfg["i213_event_id"]["wrong"])
            )
            exprs.append(
                pl.when(blank)
                .then(pl.lit(""))
                .when(wrong)
                .then(ev.shift(1, fill_value=ev.first()))
                .otherwise(ev)
                .alias("event_id")
            )
        out = frame.with_columns(exprs)
        return out.select(COLUMNS[kind])

    @staticmethod
    def _typo(s: pl.Expr, mask: pl.Expr, pos: pl.Expr) -> pl.Expr:
        """Two adjacent letters transposed at a random inner position (names of 4+ letters)."""
        length = s.str.len_chars()
        k = (pos * (length - 3).clip(lower_bound=1)).floor().cast(pl.Int64) + 1
        swapped = pl.concat_str(
            [s.str.slice(0, k), s.str.slice(k + 1, 1), s.str.slice(k, 1), s.str.slice(k + 2)]
        )
        return pl.when(mask & (length >= 4)).then(swapped).otherwise(s)

    def _a_number(self, kind: str, col: pl.Expr, *, shared: bool = True) -> pl.Expr:
        cfg = self.cfg["a_number"]
        d = col
        if shared:
            neighbour = col.shift(1, fill_value="")
            d = (
                pl.when((pl.col("_u_a3") < self.rate(cfg["shared"])) & (neighbour != ""))
                .then(neighbour)
                .otherwise(d)
            )
        u1, u2 = pl.col("_u_a1"), pl.col("_u_a2")
        eight = d.str.starts_with("0") & (u2 < float(cfg["eight_digits"]))
        d8 = pl.when(eight).then(d.str.slice(1)).otherwise(d)
        dashed = pl.concat_str(
            [pl.lit("A-"), d.str.slice(0, 3), pl.lit("-"), d.str.slice(3, 3), pl.lit("-"), d.str.slice(6, 3)]
        )
        spaced = pl.concat_str(
            [pl.lit("A "), d.str.slice(0, 3), pl.lit(" "), d.str.slice(3, 3), pl.lit(" "), d.str.slice(6, 3)]
        )
        c_dash = float(cfg["dashed"])
        c_space = c_dash + float(cfg["spaced"])
        c_bare = c_space + float(cfg["bare"])
        styled = (
            pl.when(u1 < c_dash)
            .then(dashed)
            .when(u1 < c_space)
            .then(spaced)
            .when(u1 < c_bare)
            .then(d8)
            .otherwise(pl.concat_str([pl.lit("A"), d8]))
        )
        blank_rate = (
            float(cfg["blank"].get(kind, 0.05)) if isinstance(cfg["blank"], dict) else float(cfg["blank"])
        )
        mal = self.rate(cfg["malformed"])
        # malformed: cut to 7 digits, or a letter O typed for the fourth digit (neither normalises)
        malformed = (
            pl.when(u2 < 0.5)
            .then(d.str.slice(0, 7))
            .otherwise(pl.concat_str([pl.lit("A"), d.str.slice(0, 3), pl.lit("O"), d.str.slice(4)]))
        )
        # u3 is split: [0, shared) used above; [0.5, 0.5+blank) blank; [0.9-mal, 0.9) malformed
        u3 = pl.col("_u_a3")
        return (
            pl.when(d == "")
            .then(pl.lit(""))
            .when((u3 >= 0.5) & (u3 < 0.5 + self.rate(blank_rate)))
            .then(pl.lit(""))
            .when((u3 >= 0.9 - mal) & (u3 < 0.9))
            .then(malformed)
            .otherwise(styled)
        )

    def _date(self, col: str, n: int, rng: np.random.Generator) -> pl.Expr:
        cfg = self.cfg["dates"]
        u = rng.random(n)
        c = pl.col(col)
        iso = c.dt.strftime("%Y-%m-%d")
        us = c.dt.strftime("%m/%d/%Y")
        year = c.dt.year().cast(pl.Utf8)
        p_us = self.rate(cfg["us_format"])
        p_blank = 0.0 if col in _KEY_DATES else self.rate(cfg["blank"])
        p_year = self.rate(cfg["dob_year_only"]) if col == "dob" else 0.0
        s = pl.lit(pl.Series(u))
        return (
            pl.when(c.is_null())
            .then(pl.lit(""))
            .when(s < p_blank)
            .then(pl.lit(""))
            .when(s < p_blank + p_year)
            .then(year)
            .when(s < p_blank + p_year + p_us)
            .then(us)
            .otherwise(iso)
        )
