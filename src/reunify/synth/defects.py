"""Turn a clean frame into the rows an officer's system would have exported (defects.yaml).

Vectorised: per-row uniforms come from the generator in a fixed order; each defect touches only
the rows it hits (polars gather/scatter), so a million rows take a few CPU seconds. Every output
value is readable text: defects change what a value says, never the file's encoding or shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from reunify.domain.ports import southwest_border_ports
from reunify.synth.people import name_book
from reunify.synth.plan import load_defects
from reunify.synth.schema import COLUMNS, DATE_COLUMNS

_ACCENTED = ["Á", "É", "Í", "Ó", "Ú", "Ü", "Ñ", "á", "é", "í", "ó", "ú", "ü", "ñ"]
_PLAIN = ["A", "E", "I", "O", "U", "U", "N", "a", "e", "i", "o", "u", "u", "n"]
_KEY_DATES = ("encounter_date", "referral_date", "book_in_date", "date_prepared")
_FLAGS = ("asylum_claim", "prosecution_referral", "criminal_history")  # a tuple: draws follow this order


def _where(s: pl.Series, mask: np.ndarray, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``s`` with the rows under ``mask`` replaced by ``fn`` of those rows."""
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return s
    return s.clone().scatter(idx, fn(s.gather(idx)))


def _set(s: pl.Series, mask: np.ndarray, value: str) -> pl.Series:
    return _where(s, mask, lambda part: pl.Series([value] * part.len(), dtype=pl.Utf8))


def _grouped(digits: pl.Series, sep: str) -> pl.Series:
    """``A-012-345-678`` (sep ``-``) or ``A 012 345 678`` (sep `` ``) from 9 digits."""
    return "A" + sep + digits.str.slice(0, 3) + sep + digits.str.slice(3, 3) + sep + digits.str.slice(6, 3)


def _first_token(s: pl.Series) -> pl.Series:
    return s.str.split(" ").list.first()


def _typo(names: pl.Series, positions: np.ndarray) -> pl.Series:
    """Two adjacent letters transposed at a random inner position (names of 4+ letters)."""
    out = []
    for v, u in zip(names.to_list(), positions.tolist(), strict=True):
        k = 1 + int(u * (len(v) - 3))
        out.append(v if len(v) < 4 else v[:k] + v[k + 1] + v[k] + v[k + 2 :])
    return pl.Series(out, dtype=pl.Utf8)


class Defects:
    """Defect rates at one noise level; ``render`` applies them to a clean frame."""

    def __init__(self, noise_multiplier: float) -> None:
        self.cfg: dict[str, Any] = load_defects()
        self.mult = noise_multiplier
        self.cap = float(self.cfg["cap"])
        self.country_names = dict(name_book().country_names)
        ports = southwest_border_ports()
        self.port_name = {p.code: p.name for p in ports}
        self.port_office = {p.code: p.field_office for p in ports}

    def rate(self, base: float) -> float:
        """A defect rate scaled by the noise level (capped)."""
        return min(self.cap, float(base) * self.mult)

    def render(self, kind: str, df: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
        """The written columns of extract ``kind`` (record_id must already be set)."""
        n = df.height
        cols: dict[str, pl.Series] = {c: df[c] for c in COLUMNS[kind] if c in df.columns}
        fam, giv = self._names(kind, cols["family_name"], cols["given_name"], rng.random((6, n)))
        if kind == "orr_referrals":
            fam, giv = fam.str.to_titlecase(), giv.str.to_titlecase()
        cols["family_name"], cols["given_name"] = fam, giv
        cols["a_number"] = self._a_number(kind, cols["a_number"], rng.random((3, n)), shared=True)
        if kind == "orr_referrals":
            cols["parent_a_number"] = self._a_number(
                "ice_custody", cols["parent_a_number"], rng.random((3, n))
            )
        for col in DATE_COLUMNS[kind]:
            cols[col] = self._date(col, cols[col], rng.random(n))
        self._categorical(kind, cols, rng)
        if kind == "encounters":
            cols["port_name"] = cols["port_code"].replace_strict(self.port_name, default="")
            cols["field_office"] = cols["port_code"].replace_strict(self.port_office, default="")
        return pl.DataFrame([cols[c].alias(c) for c in COLUMNS[kind]])

    def _names(self, kind: str, fam: pl.Series, giv: pl.Series, u: np.ndarray) -> tuple[pl.Series, pl.Series]:
        cfg = self.cfg["names"]
        strip = u[0] >= float(cfg["accents_kept"][kind])
        fam = _where(fam, strip, lambda s: s.str.replace_many(_ACCENTED, _PLAIN))
        giv = _where(giv, strip, lambda s: s.str.replace_many(_ACCENTED, _PLAIN))
        fam = _where(fam, u[1] < self.rate(cfg["second_surname_dropped"]), _first_token)
        giv = _where(giv, u[2] < self.rate(cfg["second_given_dropped"]), _first_token)
        typo = self.rate(cfg["typo"])
        fam = _where(fam, u[3] < typo / 2, lambda part: _typo(part, u[4][u[3] < typo / 2]))
        giv_typo = (u[3] >= typo / 2) & (u[3] < typo)
        giv = _where(giv, giv_typo, lambda part: _typo(part, u[4][giv_typo]))
        swap = np.flatnonzero(u[5] < self.rate(cfg["swapped"]))
        if len(swap):
            f_part, g_part = fam.gather(swap), giv.gather(swap)
            fam, giv = fam.clone().scatter(swap, g_part), giv.clone().scatter(swap, f_part)
        return fam, giv

    def _a_number(self, kind: str, s: pl.Series, u: np.ndarray, *, shared: bool = False) -> pl.Series:
        """Written forms of clean 9-digit numbers: A-prefixed, bare, dashed, spaced, 8 digits, blank ..."""
        cfg = self.cfg["a_number"]
        present = (s != "").to_numpy()
        if shared:  # the number of the row before (usually a family member) typed instead
            prev = s.shift(1, fill_value="")
            hit = present & (u[2] < self.rate(cfg["shared"])) & (prev != "").to_numpy()
            s = s.clone().scatter(np.flatnonzero(hit), prev.filter(pl.Series(hit)))
        c_dash = float(cfg["dashed"])
        c_space = c_dash + float(cfg["spaced"])
        c_bare = c_space + float(cfg["bare"])
        dashed = present & (u[0] < c_dash)
        spaced = present & (u[0] >= c_dash) & (u[0] < c_space)
        prefixed = present & (u[0] >= c_bare)
        eight = (
            present
            & ~dashed
            & ~spaced
            & (u[1] < float(cfg["eight_digits"]))
            & s.str.starts_with("0").to_numpy()
        )
        blank = present & (u[2] >= 0.5) & (u[2] < 0.5 + self.rate(float(cfg["blank"].get(kind, 0.05))))
        mal = self.rate(cfg["malformed"])
        bad = present & (u[2] >= 0.9 - mal) & (u[2] < 0.9)

        out = _where(s, eight, lambda part: part.str.slice(1))
        out = _where(out, prefixed, lambda part: "A" + part)
        out = _where(out, dashed, lambda part: _grouped(part, "-"))
        out = _where(out, spaced, lambda part: _grouped(part, " "))
        out = _set(out, blank, "")
        # malformed: cut to 7 digits, or a letter O typed for the fourth digit (neither normalises)
        return _where(out, bad, lambda _part: pl.Series(
            [v[:7] if x < 0.5 else "A" + v[:3] + "O" + v[4:]
             for v, x in zip(s.filter(pl.Series(bad)).to_list(), u[1][bad].tolist(), strict=True)],
            dtype=pl.Utf8,
        ))  # fmt: skip

    def _date(self, col: str, s: pl.Series, u: np.ndarray) -> pl.Series:
        cfg = self.cfg["dates"]
        iso = s.cast(pl.Utf8).fill_null("")
        present = (iso != "").to_numpy()
        p_blank = 0.0 if col in _KEY_DATES else self.rate(cfg["blank"])
        p_year = self.rate(cfg["dob_year_only"]) if col == "dob" else 0.0
        p_us = self.rate(cfg["us_format"])
        out = _set(iso, present & (u < p_blank), "")
        out = _where(
            out, present & (u >= p_blank) & (u < p_blank + p_year), lambda part: part.str.slice(0, 4)
        )
        us = present & (u >= p_blank + p_year) & (u < p_blank + p_year + p_us)
        return _where(
            out,
            us,
            lambda part: part.str.slice(5, 2) + "/" + part.str.slice(8, 2) + "/" + part.str.slice(0, 4),
        )

    def _categorical(self, kind: str, cols: dict[str, pl.Series], rng: np.random.Generator) -> None:
        """Citizenship as a name or a code, sex U, blank Y/N flags, a wrong or blank I-213 event id."""
        cfg = self.cfg
        n = len(cols["record_id"])
        if "citizenship" in cols:
            as_name = rng.random(n) < float(cfg["citizenship_as_name"][kind])
            title = kind == "orr_referrals"
            names = {k: (v.title() if title else v) for k, v in self.country_names.items()}
            cols["citizenship"] = _where(
                cols["citizenship"], as_name, lambda part: part.replace_strict(names, default=part)
            )
        if "sex" in cols:
            cols["sex"] = _set(cols["sex"], rng.random(n) < self.rate(cfg["sex_unknown"]), "U")
        for col in _FLAGS:
            if col in cols:
                cols[col] = _set(cols[col], rng.random(n) < self.rate(cfg["flag_blank"]), "")
        if kind == "i213":
            u = rng.random(n)
            ev = cols["event_id"]
            wrong = (u >= 0.5) & (u < 0.5 + self.rate(cfg["i213_event_id"]["wrong"]))
            prev = ev.shift(1, fill_value=ev[0] if n else "")
            ev = _where(ev, wrong, lambda _p: prev.gather(np.flatnonzero(wrong)))
            cols["event_id"] = _set(ev, u < self.rate(cfg["i213_event_id"]["blank"]), "")
