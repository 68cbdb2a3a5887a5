"""Score an audit deliverable against a synthetic scenario's truth (``reunify evaluate``).

Predicted members are mapped to true persons through their ``source_records`` and
truth/record_map.csv (majority vote over the rows a member rests on); predicted families are
matched one-to-one to true separated families by member overlap (largest overlap first).
Measures: family recall and precision, member recall and precision, reasons exact (same set of
codes), separation and reunification dates within 2 days, the still-separated reason, and the
OIG-20-35 figures (Figure 1, the ports count, Table 1) computed the same way from both sides.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from reunify.errors import UserError

MAY_JUNE = (date(2018, 5, 1), date(2018, 6, 30))
TABLE1_BANDS = (("5 months - 5 years", 0, 71), ("6 - 12 years", 72, 155), ("13 - 17 years", 156, 215))


def _read(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise UserError(f"{path} is missing; expected a scenario truth or an audit deliverable there")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _file_key(name: str) -> str:
    base = name.strip().rsplit("/", 1)[-1]
    return base[:-4] if base.endswith(".csv") else base


def _d(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _within(a: date | None, b: date | None, days: int = 2) -> bool:
    if a is None and b is None:
        return True
    if a is None or b is None:
        return False
    return abs((a - b).days) <= days


@dataclass(slots=True)
class Evaluation:
    """Scores (0-1) and the counts behind them; ``figures`` compares OIG-20-35 figures."""

    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"metrics": self.metrics, "counts": self.counts, "figures": self.figures}


def _ratio(n: int, d: int) -> float:
    return round(n / d, 4) if d else 1.0


def figures(families: Iterable[dict[str, str]], members: Iterable[dict[str, str]]) -> dict[str, Any]:
    """Figure 1 (May-June 2018 reasons), families and ports then, Table 1 bands (immigration history)."""
    fams = [f for f in families if (d := _d(f.get("separation_date"))) and MAY_JUNE[0] <= d <= MAY_JUNE[1]]
    fig1 = Counter(c for f in fams for c in (f.get("reasons") or "").split(";") if c)
    ih_fams = {f["family_id"] for f in fams if "IMMIGRATION_HISTORY" in (f.get("reasons") or "").split(";")}
    table1: dict[str, dict[str, int]] = {}
    for band, lo, hi in TABLE1_BANDS:
        kids = []
        for m in members:
            if m.get("family_id") not in ih_fams or m.get("role") != "CHILD":
                continue
            dob, sep = _d(m.get("dob")), _d(m.get("separation_date"))
            if not dob or not sep:
                continue
            months = (sep.year - dob.year) * 12 + sep.month - dob.month - (1 if sep.day < dob.day else 0)
            if lo <= months <= hi:
                kids.append(int(m.get("days_separated") or 0))
        table1[band] = {
            "children": len(kids),
            "days_min": min(kids, default=0),
            "days_max": max(kids, default=0),
        }
    return {
        "may_june_families": len(fams),
        "may_june_ports": len({f.get("port_code") for f in fams}),
        "figure1": dict(sorted(fig1.items())),
        "table1": table1,
    }


def evaluate_deliverable(truth_dir: Path, pred_dir: Path) -> Evaluation:  # noqa: PLR0912, PLR0915
    """Score ``pred_dir`` (an audit deliverable) against ``truth_dir`` (a scenario's truth/)."""
    t_fams = _read(truth_dir / "separated_families.csv")
    t_mems = _read(truth_dir / "separated_members.csv")
    rmap: dict[tuple[str, str], str] = {}
    for r in _read(truth_dir / "record_map.csv"):
        rmap[(_file_key(r["file"]), r["record_id"])] = r["person_id"]
    p_fams = _read(pred_dir / "separated_families.csv")
    p_mems = _read(pred_dir / "separated_members.csv")

    true_fam_of: dict[str, str] = {m["person_id"]: m["family_id"] for m in t_mems}
    t_fam_members: dict[str, set[str]] = defaultdict(set)
    for m in t_mems:
        t_fam_members[m["family_id"]].add(m["person_id"])

    def true_person(source_records: str) -> str | None:
        votes: Counter[str] = Counter()
        for ref in source_records.split(";"):
            if ":" not in ref:
                continue
            f, rid = ref.rsplit(":", 1)
            pid = rmap.get((_file_key(f), rid))
            if pid:
                votes[pid] += 2 if _file_key(f) == "encounters" else 1
        return votes.most_common(1)[0][0] if votes else None

    p_fam_members: dict[str, set[str]] = defaultdict(set)
    member_hits = 0
    for m in p_mems:
        pid = true_person(m.get("source_records", ""))
        if pid is not None:
            p_fam_members[m["family_id"]].add(pid)
            if pid in true_fam_of:
                member_hits += 1
    found_true_members = {pid for ps in p_fam_members.values() for pid in ps if pid in true_fam_of}

    pairs: list[tuple[int, str, str]] = []
    for pf, ps in p_fam_members.items():
        overlap: Counter[str] = Counter(true_fam_of[p] for p in ps if p in true_fam_of)
        for tf, n in overlap.items():
            pairs.append((n, pf, tf))
    pairs.sort(key=lambda x: (-x[0], x[1], x[2]))
    matched: dict[str, str] = {}
    used_t: set[str] = set()
    for _n, pf, tf in pairs:
        if pf in matched or tf in used_t:
            continue
        matched[pf] = tf
        used_t.add(tf)

    t_by_id = {f["family_id"]: f for f in t_fams}
    p_by_id = {f["family_id"]: f for f in p_fams}
    reasons_ok = sep_ok = reun_ok = still_ok = 0
    for pf, tf in matched.items():
        p, t = p_by_id.get(pf, {}), t_by_id[tf]
        if set((p.get("reasons") or "").split(";")) == set((t.get("reasons") or "").split(";")):
            reasons_ok += 1
        if _within(_d(p.get("separation_date")), _d(t.get("separation_date"))):
            sep_ok += 1
        if _within(_d(p.get("reunification_date")), _d(t.get("reunification_date"))):
            reun_ok += 1
        if (p.get("still_separated_reason") or "") == (t.get("still_separated_reason") or ""):
            still_ok += 1
    n_match = len(matched)
    ev = Evaluation()
    ev.metrics = {
        "family_recall": _ratio(len(used_t), len(t_fams)),
        "family_precision": _ratio(n_match, len(p_fams)),
        "member_recall": _ratio(len(found_true_members), len(t_mems)),
        "member_precision": _ratio(member_hits, len(p_mems)),
        "reasons_exact": _ratio(reasons_ok, n_match),
        "separation_date_within_2d": _ratio(sep_ok, n_match),
        "reunification_date_within_2d": _ratio(reun_ok, n_match),
        "still_separated_reason_exact": _ratio(still_ok, n_match),
    }
    ev.counts = {
        "true_families": len(t_fams),
        "pred_families": len(p_fams),
        "matched_families": n_match,
        "true_members": len(t_mems),
        "pred_members": len(p_mems),
    }
    ev.figures = {"truth": figures(t_fams, t_mems), "audit": figures(p_fams, p_mems)}
    return ev
