"""The auditor's review queue: the audit deliverable's findings and candidates, their evidence and
source rows, and accept/reject decisions written to ``review_decisions`` (shared with ``reunify review``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from reunify.auditlog import AuditEvent
from reunify.errors import UserError
from reunify.sources.kinds import get_kind
from reunify.sources.staging import staged_rows
from reunify.store.schema.review import ReviewDecision
from reunify.web import schemas as s
from reunify.web.services.context import Ctx

FINDINGS_FILE = "separated_families.csv"
CANDIDATES_FILE = "candidates.csv"
MEMBERS_FILE = "separated_members.csv"
IDENTITY_COLUMNS = ("a_number", "family_name", "given_name", "dob")
MAX_SOURCE_ROWS = 50


@dataclass
class SourceRow:
    """One staged legacy row behind a finding; sensitive values only for auditors granted identities."""

    reference: str
    kind: str | None
    values: dict[str, str] = field(default_factory=dict)
    found: bool = False


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def audit_dir_or_none(audit_dir: Path | None) -> Path | None:
    """The deliverable directory if configured and present."""
    if audit_dir is None or not audit_dir.is_dir():
        return None
    return audit_dir


def _latest_decisions(ctx: Ctx) -> dict[str, ReviewDecision]:
    out: dict[str, ReviewDecision] = {}
    for d in ctx.session.scalars(
        select(ReviewDecision).order_by(ReviewDecision.decided_at, ReviewDecision.id)
    ):
        out[d.target_id] = d
    return out


def items(ctx: Ctx, audit_dir: Path | None) -> list[s.ReviewItem]:
    """Every finding and candidate in the deliverable, with the decision in force on each."""
    folder = audit_dir_or_none(audit_dir)
    if folder is None:
        return []
    decisions = _latest_decisions(ctx)
    out: list[s.ReviewItem] = []
    sources: tuple[tuple[Literal["finding", "candidate"], str, str], ...] = (
        ("finding", FINDINGS_FILE, "family_id"),
        ("candidate", CANDIDATES_FILE, "candidate_id"),
    )
    for kind, file, id_col in sources:
        for row in _read(folder / file):
            tid = row.get(id_col, "")
            d = decisions.get(tid)
            out.append(
                s.ReviewItem(
                    target_kind=kind,
                    target_id=tid,
                    port_code=row.get("port_code"),
                    separation_date=row.get("separation_date"),
                    reasons=row.get("reasons"),
                    confidence=row.get("confidence"),
                    evidence=row.get("evidence"),
                    source_records=[r for r in (row.get("source_records") or "").split(";") if r],
                    decision=d.decision if d else None,
                    note=(d.note if d else None)
                    if ctx.actor.sees_identities
                    else ("(note hidden)" if d and d.note else None),
                )
            )
    return out


def item(
    ctx: Ctx, audit_dir: Path | None, target_id: str
) -> tuple[s.ReviewItem, list[dict[str, str]], list[SourceRow]]:
    """One item, its members (identities masked unless granted) and its source rows; the view is logged."""
    found = next((i for i in items(ctx, audit_dir) if i.target_id == target_id), None)
    if found is None:
        from reunify.web.services.records import NotFoundError

        raise NotFoundError(f"no finding or candidate {target_id!r} in the audit deliverable")
    folder = audit_dir_or_none(audit_dir)
    family_id = "F" + target_id[1:]
    members = [m for m in _read(folder / MEMBERS_FILE) if m.get("family_id") == family_id] if folder else []
    if not ctx.actor.sees_identities:
        members = [
            {k: ("hidden" if k in IDENTITY_COLUMNS and v else v) for k, v in m.items()} for m in members
        ]
    rows = source_rows(ctx, found.source_records[:MAX_SOURCE_ROWS])
    ctx.log(
        AuditEvent.REVIEW_VIEW,
        target_kind=found.target_kind,
        target_id=target_id,
        data={"source_rows": len(rows), "identities_shown": ctx.actor.sees_identities},
    )
    return found, members, rows


def source_rows(ctx: Ctx, references: list[str]) -> list[SourceRow]:
    """The staged rows named ``file:record_id``, from whichever kind's staged rows hold them."""
    found = staged_rows(ctx.session, references)
    out: list[SourceRow] = []
    for ref in references:
        got = found.get(ref)
        if got is None:
            out.append(SourceRow(reference=ref, kind=None))
            continue
        sensitive = set(get_kind(got.kind).sensitive_columns) | {"raw", "extra"}
        fields = [f.name for f in get_kind(got.kind).fields]
        out.append(
            SourceRow(
                reference=ref,
                kind=got.kind,
                found=True,
                values={
                    name: (
                        "hidden"
                        if name in sensitive and got.values[name] and not ctx.actor.sees_identities
                        else str(got.values[name] or "")
                    )
                    for name in fields
                },
            )
        )
    return out


def decide(ctx: Ctx, audit_dir: Path | None, data: s.ReviewDecisionIn) -> ReviewDecision:
    """Record an accept/reject with a note on a finding or candidate (shared with ``reunify review``)."""
    if ctx.actor.role.value != "auditor":
        raise UserError("only an auditor decides on audit findings")
    known = {i.target_id: i.target_kind for i in items(ctx, audit_dir)}
    if data.target_id not in known:
        raise UserError(f"no finding or candidate {data.target_id!r} in the audit deliverable")
    decision = ReviewDecision(
        target_kind=known[data.target_id],
        target_id=data.target_id,
        decision=data.decision,
        note=data.note,
        decided_by=ctx.actor.username,
        decided_at=datetime.now(UTC),
    )
    ctx.session.add(decision)
    ctx.session.flush()
    ctx.log(
        AuditEvent.REVIEW_DECIDE,
        target_kind=known[data.target_id],
        target_id=data.target_id,
        data={"decision": data.decision, "review_decision_id": decision.id},
    )
    return decision
