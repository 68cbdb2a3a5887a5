"""Headquarters' and court monitors' view: separations by month, port, reason and verdict; children still
separated and for how long; Ms. L deadlines overdue; separations recorded without approval (want none)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from reunify.domain.model import SeparationStatus
from reunify.store.schema.canonical import APP_SOURCE_SYSTEM, Person, Separation
from reunify.web.services.context import Ctx
from reunify.web.services.records import _latest_verdicts, ms_l_deadline

MS_L_ORDER = date(2018, 6, 26)
CONTACT_DAYS = 10


@dataclass
class Dashboard:
    by_month: Counter[str] = field(default_factory=Counter)
    by_port: Counter[str] = field(default_factory=Counter)
    by_reason: Counter[str] = field(default_factory=Counter)
    by_verdict: Counter[tuple[str, str]] = field(default_factory=Counter)
    still_separated: list[dict[str, int | str | bool]] = field(default_factory=list)
    overdue: int = 0
    overdue_contact: int = 0
    recorded_without_approval: int = 0
    pending_approval: int = 0
    total: int = 0


def build(ctx: Ctx, *, today: date | None = None) -> Dashboard:  # noqa: PLR0912 (one pass, one branch per measure)
    """Aggregate every separation the actor may see (supervisors: their ports). No identities."""
    today = today or date.today()
    stmt = select(Separation).options(
        selectinload(Separation.reasons),
        selectinload(Separation.parties),
        selectinload(Separation.verdicts),
        selectinload(Separation.reunifications),
        selectinload(Separation.contacts),
    )
    if ctx.actor.ports and ctx.actor.role.value == "supervisor":
        stmt = stmt.where(Separation.port_code.in_(sorted(ctx.actor.ports)))
    seps = ctx.session.scalars(stmt).all()
    child_ids = {p.person_id for sep in seps for p in sep.parties if p.role == "CHILD"}
    dobs: dict[int, date | None] = {}
    if child_ids:
        for pid, dob, precision in ctx.session.execute(
            select(Person.id, Person.dob, Person.dob_precision).where(Person.id.in_(child_ids))
        ):
            dobs[pid] = date.fromisoformat(dob) if dob and precision == "day" else None
    d = Dashboard(total=len(seps))
    for sep in seps:
        if sep.status == SeparationStatus.REJECTED.value:
            continue
        d.by_month[sep.separation_date.strftime("%Y-%m")] += 1
        d.by_port[sep.port_code] += 1
        for r in sep.reasons:
            d.by_reason[r.code] += 1
        for v in _latest_verdicts(sep):
            if v.verdict != "not_in_force":
                d.by_verdict[(v.framework_id, v.verdict)] += 1
        if sep.status == SeparationStatus.PENDING_APPROVAL.value:
            d.pending_approval += 1
        if (
            sep.source_system == APP_SOURCE_SYSTEM
            and sep.approved_by is None
            and sep.status in (SeparationStatus.APPROVED.value, SeparationStatus.REUNIFIED.value)
        ):
            d.recorded_without_approval += 1
        reunified = {r.person_id for r in sep.reunifications}
        whole_family = None in reunified
        children = [p.person_id for p in sep.parties if p.role == "CHILD"]
        deadline = ms_l_deadline(sep.separation_date, [dobs.get(c) for c in children])
        open_children = [] if whole_family else [c for c in children if c not in reunified]
        if open_children and deadline is not None and today > deadline:
            d.overdue += 1
        if (
            sep.separation_date < MS_L_ORDER
            and open_children
            and not any(c.contact_date <= date(2018, 7, 6) for c in sep.contacts)
            and today > date(2018, 7, 6)
        ):
            d.overdue_contact += 1
        for child in open_children:
            d.still_separated.append(
                {
                    "separation_id": sep.id,
                    "child_id": child,
                    "port_code": sep.port_code,
                    "days": (today - sep.separation_date).days,
                    "overdue": deadline is not None and today > deadline,
                }
            )
    d.still_separated.sort(key=lambda row: -int(row["days"]))
    return d
