"""Stage 7, review: an auditor's accept/reject of a finding or candidate, kept in the store.

Decisions are keyed by the audit's stable ids, so they survive re-runs: a rejected finding is
reported among the candidates with its note; an accepted candidate is reported as a finding.
Ids: ``F...`` is a finding's family_id, ``C...`` the candidate_id of the same family.
The latest decision on a target is the one in force; earlier ones stay as history.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, select

from reunify import auditlog
from reunify.auditlog import AuditEvent
from reunify.errors import UserError
from reunify.store.types import utcnow


@dataclass(frozen=True, slots=True)
class Decision:
    """A review decision as the audit uses it."""

    target_kind: str
    target_id: str
    family_id: str
    decision: str
    note: str
    decided_by: str
    decided_at: datetime


def family_id_of(target_id: str) -> str:
    """The family a finding (``F...``) or candidate (``C...``) id refers to. UserError otherwise."""
    tid = target_id.strip()
    if len(tid) < 2 or tid[0] not in "FC" or not all(ch in "0123456789abcdef" for ch in tid[1:]):
        raise UserError("give a finding id (F...) or a candidate id (C...) from the deliverable")
    return "F" + tid[1:]


#: The deliverable files whose rows carry the ids a decision may name (each has ``family_id``).
ID_FILES = ("separated_families.csv", "candidates.csv")


def deliverable_family_ids(deliverable: Path) -> set[str]:
    """The family ids of every finding and candidate in an audit's deliverable directory.

    A finding ``F...`` and its candidate ``C...`` name the same family, so both are checked by
    family. UserError when ``deliverable`` holds no audit deliverable.
    """
    if not deliverable.is_dir() or not (deliverable / ID_FILES[0]).is_file():
        raise UserError(
            f"{deliverable} is not an audit deliverable (no {ID_FILES[0]}): pass the --out DIR of an audit"
        )
    ids: set[str] = set()
    for name in ID_FILES:
        path = deliverable / name
        if path.is_file():
            with path.open(newline="", encoding="utf-8") as fh:
                ids.update(row.get("family_id") or "" for row in csv.DictReader(fh))
    ids.discard("")
    return ids


def check_target(target_id: str, database_url: str, deliverable: Path | None) -> None:
    """Commit that ``target_id`` names a finding or candidate an audit produced, else UserError.

    Checked against ``deliverable`` (the audit's --out directory) when given; without one, an id
    already decided on in the store is known (it came from an earlier deliverable), any other is
    refused with a message that says to pass the deliverable.
    """
    family_id = family_id_of(target_id)
    tid = target_id.strip()
    if deliverable is not None:
        if family_id not in deliverable_family_ids(deliverable):
            raise UserError(
                f"no finding or candidate {tid} in {deliverable}: ids come from that audit's "
                "separated_families.csv and candidates.csv"
            )
        return
    if family_id in decisions_by_target(database_url):
        return
    raise UserError(
        f"no finding or candidate {tid} known to the store: ids come from an audit's "
        "separated_families.csv and candidates.csv; pass --deliverable DIR (the audit's --out, "
        "or set REUNIFY_AUDIT_DIR) to check it"
    )


def _engine(database_url: str, *, migrate_first: bool) -> Engine:
    from reunify.store.engine import make_engine, migrate

    if migrate_first:
        migrate(database_url)
    return make_engine(database_url)


def record_decision(
    database_url: str, target_id: str, decision: str, *, note: str = "", decided_by: str = "auditor"
) -> Decision:
    """Store one decision (``accept``/``reject``) on ``target_id`` and commit it; return it."""
    from sqlalchemy.orm import Session

    from reunify.store.schema.review import ReviewDecision

    if decision not in ("accept", "reject"):
        raise UserError("a decision is accept or reject")
    family_id = family_id_of(target_id)
    kind = "candidate" if target_id.strip().startswith("C") else "finding"
    engine = _engine(database_url, migrate_first=True)
    now = utcnow()
    with Session(engine) as session, session.begin():
        row = ReviewDecision(
            target_kind=kind,
            target_id=target_id.strip(),
            decision=decision,
            note=note or None,
            decided_by=decided_by,
            decided_at=now,
        )
        session.add(row)
        session.flush()
        # the decision goes to the audit log in the same transaction; its note (free text, which
        # may name people) stays in the review table only
        auditlog.append(
            session,
            event=AuditEvent.REVIEW_DECIDE_CLI,
            actor="cli",
            target_kind=kind,
            target_id=target_id.strip(),
            data={"decision": decision, "review_decision_id": row.id},
        )
    engine.dispose()
    return Decision(kind, target_id.strip(), family_id, decision, note, decided_by, now)


def list_decisions(database_url: str) -> list[Decision]:
    """Every decision, oldest first ([] when no review table exists yet)."""
    from sqlalchemy.orm import Session

    from reunify.store.schema.review import ReviewDecision

    engine = _engine(database_url, migrate_first=False)
    try:
        if not inspect(engine).has_table("review_decisions"):
            return []
        with Session(engine) as session:
            got = session.scalars(
                select(ReviewDecision).order_by(ReviewDecision.decided_at, ReviewDecision.id)
            ).all()
            return [
                Decision(
                    d.target_kind,
                    d.target_id,
                    family_id_of(d.target_id),
                    d.decision,
                    d.note or "",
                    d.decided_by,
                    d.decided_at,
                )
                for d in got
            ]
    finally:
        engine.dispose()


def decisions_by_target(database_url: str) -> dict[str, Decision]:
    """The decision in force (the latest) per family_id."""
    out: dict[str, Decision] = {}
    for d in list_decisions(database_url):
        out[d.family_id] = d
    return out
