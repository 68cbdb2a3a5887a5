"""Encounters, people, relationships, separations and their follow-up, as the web app records them.

Every function takes a :class:`Ctx` (session, actor, audit switch), checks the actor's scope, changes
or reads the canonical tables, and writes the audit-log entry in the same transaction. The caller
commits. Names and alien numbers never reach the log: entries carry ids and codes only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Row, Select, Table, bindparam, func, insert, null, select, union_all
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from reunify.auditlog import AuditEvent
from reunify.domain.dates import Precision
from reunify.domain.identifiers import normalize_a_number
from reunify.domain.model import PartyRole, RelationshipKind, SeparationStatus, inverse_kind
from reunify.domain.names import fold_name
from reunify.domain.ports import lookup_port
from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy.ruleset import RuleSet
from reunify.store.crypto import a_number_index
from reunify.store.schema.canonical import (
    APP_SOURCE_SYSTEM,
    Contact,
    CustodyEpisode,
    Encounter,
    EncounterMember,
    FamilyRelationship,
    Person,
    PersonName,
    Reunification,
    Separation,
    SeparationParty,
    SeparationReason,
    SeparationVerdict,
)
from reunify.store.schema.web import Notification, SeparationNote, User
from reunify.web import schemas as s
from reunify.web.deps import ForbiddenError
from reunify.web.permissions import READ_ONLY, Role
from reunify.web.services.context import Ctx
from reunify.web.services.policy import FLAGGED, judge

SRC = {"source_system": APP_SOURCE_SYSTEM}
OPEN_STATUSES = (SeparationStatus.PENDING_APPROVAL, SeparationStatus.APPROVED, SeparationStatus.PROPOSED)


class NotFoundError(Exception):
    """No such record (or none the actor may know of)."""


class ConflictError(Exception):
    """Someone else changed the record first. ``current`` is the record now, ``yours`` what was submitted."""

    def __init__(self, message: str, *, current: dict[str, Any], yours: dict[str, Any]) -> None:
        super().__init__(message)
        self.current = current
        self.yours = yours


def _now() -> datetime:
    return datetime.now(UTC)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _writer(ctx: Ctx) -> None:
    if ctx.actor.role in READ_ONLY:
        raise ForbiddenError("your role is read-only")


# ---------------------------------------------------------------- people and encounters


def _person_out(session: Session, person: Person, *, show: bool, role: str | None = None) -> s.PersonOut:
    name = person.names[0] if person.names else None
    return s.PersonOut(
        id=person.id,
        given_name=(name.given_name if name else None) if show else None,
        family_name=(name.family_name if name else None) if show else None,
        a_number=person.a_number if show else None,
        dob=person.dob if show else None,
        sex=person.sex,
        role=role,
        identity_hidden=not show,
    )


def create_encounter(ctx: Ctx, data: s.EncounterIn) -> s.EncounterOut:
    """Record a presentation at a port and its people (new person records, names encrypted)."""
    _writer(ctx)
    port = lookup_port(data.port_code)
    if port is None:
        raise UserError(f"unknown port code {data.port_code}: pick a Southwest Border port")
    ctx.check_port(port.code)
    session = ctx.session
    encounter = Encounter(
        port_code=port.code,
        port_name=port.name,
        field_office=port.field_office,
        encounter_date=data.encounter_date,
        **SRC,
    )
    session.add(encounter)
    session.flush()
    heads = [i for i, p in enumerate(data.people) if p.role == "PARENT"]
    for i, p in enumerate(data.people):
        a_number = None
        if p.a_number:
            a_number = normalize_a_number(p.a_number)
            if a_number is None:
                raise UserError(
                    f"person {i + 1}: an alien number has 8 or 9 digits (with or without A, dashes, spaces)"
                )
        if p.dob is not None and p.dob > data.encounter_date:
            raise UserError(f"person {i + 1}: date of birth is after the encounter")
        person = Person(
            a_number=a_number,
            a_number_index=a_number_index(a_number),
            sex=p.sex,
            dob=p.dob.isoformat() if p.dob else None,
            dob_precision=Precision.DAY.value if p.dob else Precision.UNKNOWN.value,
            **SRC,
        )
        person.names.append(
            PersonName(
                given_name=p.given_name,
                family_name=p.family_name,
                given_name_folded=fold_name(p.given_name),
                family_name_folded=fold_name(p.family_name),
                **SRC,
            )
        )
        session.add(person)
        session.flush()
        rel = {"PARENT": None, "CHILD": RelationshipKind.CHILD.value, "OTHER": None}[p.role]
        session.add(
            EncounterMember(
                encounter_id=encounter.id,
                person_id=person.id,
                relationship_to_head=rel,
                is_head=bool(heads) and i == heads[0],
                asylum_claim=data.asylum_claim,
                **SRC,
            )
        )
    session.flush()
    out = _encounter_out(ctx, encounter)
    ctx.log(
        AuditEvent.ENCOUNTER_CREATE,
        target_kind="encounter",
        target_id=encounter.id,
        data={"port_code": port.code, "people": len(data.people)},
    )
    return out


def _load_encounter(ctx: Ctx, encounter_id: int) -> Encounter:
    encounter = ctx.session.get(Encounter, encounter_id)
    if encounter is None:
        raise NotFoundError(f"no encounter #{encounter_id}")
    ctx.check_port(encounter.port_code)
    return encounter


_ENC = cast(Table, Encounter.__table__)
_MEM = cast(Table, EncounterMember.__table__)
_PEO = cast(Table, Person.__table__)
_NAM = cast(Table, PersonName.__table__)
_REL = cast(Table, FamilyRelationship.__table__)
_SEP = cast(Table, Separation.__table__)
_CUS = cast(Table, CustodyEpisode.__table__)
_INSERT_SEPARATION = insert(_SEP).returning(_SEP.c.id)
# The rows below the separation: no RETURNING of their new ids (``inline``), nothing reads them.
_INSERT_REASON = insert(cast(Table, SeparationReason.__table__)).inline()
_INSERT_PARTY = insert(cast(Table, SeparationParty.__table__)).inline()
_INSERT_VERDICT = insert(cast(Table, SeparationVerdict.__table__)).inline()
_INSERT_NOTE = insert(cast(Table, SeparationNote.__table__)).inline()
_INSERT_NOTIFICATION = insert(cast(Table, Notification.__table__)).inline()


def _member_ids(session: Session, encounter_id: int) -> set[int]:
    return set(session.connection().scalars(_MEMBERS, {"encounter_id": encounter_id}))


def _role_of(relationship_to_head: str | None, is_head: bool | None) -> str:
    if relationship_to_head == RelationshipKind.CHILD.value:
        return "CHILD"
    return "PARENT" if is_head else "OTHER"


def _encounter_people_stmt(*, show: bool) -> Select[Any]:
    """Encounter, members and people in one query (with each person's names when ``show``)."""
    people = _ENC.outerjoin(_MEM, _MEM.c.encounter_id == _ENC.c.id).outerjoin(
        _PEO, _PEO.c.id == _MEM.c.person_id
    )
    identity = [_PEO.c.a_number, _PEO.c.dob, _NAM.c.given_name, _NAM.c.family_name] if show else []
    return (
        select(
            _ENC.c.port_code,
            _ENC.c.port_name,
            _ENC.c.field_office,
            _ENC.c.encounter_date,
            _MEM.c.relationship_to_head,
            _MEM.c.is_head,
            _PEO.c.id.label("person_id"),
            _PEO.c.sex,
            *identity,
        )
        .select_from(people.outerjoin(_NAM, _NAM.c.person_id == _PEO.c.id) if show else people)
        .where(_ENC.c.id == bindparam("encounter_id"))
        .order_by(_MEM.c.id, *([_NAM.c.id] if show else []))
    )


# Built once: the read path runs them on every look-up (no statement building, cache key memoised).
_PEOPLE_SHOWN = _encounter_people_stmt(show=True)
_PEOPLE_HIDDEN = _encounter_people_stmt(show=False)  # hidden identities are not even decrypted
_MEMBERS = select(_MEM.c.person_id).where(_MEM.c.encounter_id == bindparam("encounter_id"))
# The relationships among the encounter's people and the ids of its separations, in one round trip:
# a separation's row has its id as person_a_id and nulls for the rest (person_b_id is never null for a
# relationship).
_ENCOUNTER_RELATIONSHIPS_AND_SEPARATIONS = union_all(
    select(
        _REL.c.person_a_id, _REL.c.person_b_id, _REL.c.kind, _REL.c.inverse_kind, _REL.c.verification_method
    ).where(
        _REL.c.person_a_id.in_(_MEMBERS.scalar_subquery()),
        _REL.c.person_b_id.in_(_MEMBERS.scalar_subquery()),
    ),
    select(_SEP.c.id, null(), null(), null(), null()).where(_SEP.c.encounter_id == bindparam("encounter_id")),
)


def _encounter_view(ctx: Ctx, encounter_id: int) -> s.EncounterOut:
    """The encounter with its people (first name of each), relationships and separations: two Core
    queries on the session's connection, no ORM objects (the read path of the busiest page).
    NotFoundError, ForbiddenError."""
    conn = ctx.session.connection()
    show = ctx.actor.sees_identities
    params = {"encounter_id": encounter_id}
    rows = conn.execute(_PEOPLE_SHOWN if show else _PEOPLE_HIDDEN, params).all()
    if not rows:
        raise NotFoundError(f"no encounter #{encounter_id}")
    head = rows[0]
    ctx.check_port(head.port_code)
    people: list[s.PersonOut] = []
    seen: set[int] = set()
    for r in rows:
        if r.person_id is None or r.person_id in seen:
            continue  # no members; or a person's further names (the first is shown)
        seen.add(r.person_id)
        people.append(
            _person_row_out(r, r.person_id, show=show, role=_role_of(r.relationship_to_head, r.is_head))
        )
    rels: list[Row[Any]] = []
    sep_ids: list[int] = []
    for r in conn.execute(_ENCOUNTER_RELATIONSHIPS_AND_SEPARATIONS, params):
        if r.person_b_id is None:
            sep_ids.append(r.person_a_id)
        else:
            rels.append(r)
    return s.EncounterOut(
        id=encounter_id,
        port_code=head.port_code,
        port_name=head.port_name,
        field_office=head.field_office,
        encounter_date=head.encounter_date,
        people=people,
        relationships=[_relationship_out(r) for r in rels],
        separation_ids=sorted(sep_ids),
    )


def _encounter_out(ctx: Ctx, encounter: Encounter) -> s.EncounterOut:
    return _encounter_view(ctx, encounter.id)


class _RelationshipFields(Protocol):
    person_a_id: int
    person_b_id: int
    kind: str
    inverse_kind: str
    verification_method: str | None


def _relationship_out(r: _RelationshipFields) -> s.RelationshipOut:
    """The pair as adult -> child: the adult is the side whose kind is parental (A when neither is)."""
    if not RelationshipKind(r.kind).is_parental and RelationshipKind(r.inverse_kind).is_parental:
        adult, child, kind = r.person_b_id, r.person_a_id, r.inverse_kind
    else:
        adult, child, kind = r.person_a_id, r.person_b_id, r.kind
    return s.RelationshipOut(
        adult_id=adult,
        child_id=child,
        kind=kind,
        verification_method=r.verification_method,
        verified=r.verification_method is not None,
    )


def list_encounters(ctx: Ctx, *, limit: int = 100) -> list[s.EncounterSummary]:
    """The latest encounters in the actor's scope (no identities: a list, not a person's record)."""
    n_people = (
        select(EncounterMember.encounter_id, func.count().label("n"))
        .group_by(EncounterMember.encounter_id)
        .subquery()
    )
    stmt = (
        select(Encounter, func.coalesce(n_people.c.n, 0))
        .outerjoin(n_people, n_people.c.encounter_id == Encounter.id)
        .where(Encounter.source_system == APP_SOURCE_SYSTEM)
        .order_by(Encounter.id.desc())
        .limit(limit)
    )
    if ctx.actor.role in (Role.OFFICER, Role.SUPERVISOR):
        stmt = stmt.where(Encounter.port_code.in_(sorted(ctx.actor.ports)))
    return [
        s.EncounterSummary(
            id=e.id,
            port_code=e.port_code,
            port_name=e.port_name,
            encounter_date=e.encounter_date,
            n_people=int(n),
        )
        for e, n in ctx.session.execute(stmt).all()
    ]


def get_encounter(ctx: Ctx, encounter_id: int) -> s.EncounterOut:
    """An encounter with its people; a view of their records, so it is logged."""
    out = _encounter_view(ctx, encounter_id)
    ctx.log(
        AuditEvent.ENCOUNTER_VIEW,
        target_kind="encounter",
        target_id=encounter_id,
        data={"person_ids": [p.id for p in out.people], "identities_shown": ctx.actor.sees_identities},
    )
    return out


def _person_port(session: Session, person_id: int) -> list[str]:
    return list(
        session.scalars(
            select(Encounter.port_code)
            .join(EncounterMember, EncounterMember.encounter_id == Encounter.id)
            .where(EncounterMember.person_id == person_id)
        ).all()
    )


def get_person(ctx: Ctx, person_id: int) -> s.PersonOut:
    """One person's record, as the actor may see it; every view is logged."""
    person = ctx.session.get(Person, person_id, options=[selectinload(Person.names)])
    if person is None:
        raise NotFoundError(f"no person #{person_id}")
    if ctx.actor.role in (Role.OFFICER, Role.SUPERVISOR):
        ports = _person_port(ctx.session, person_id)
        if not any(p in ctx.actor.ports for p in ports):
            raise ForbiddenError("this person was not encountered at a port in your scope")
    ctx.log(
        AuditEvent.PERSON_VIEW,
        target_kind="person",
        target_id=person.id,
        data={"identities_shown": ctx.actor.sees_identities},
    )
    return _person_out(ctx.session, person, show=ctx.actor.sees_identities)


def record_relationship(ctx: Ctx, data: s.RelationshipIn) -> s.RelationshipOut:
    """Record that the adult is ``kind`` to the child (as claimed), and how it was verified, if it was."""
    _writer(ctx)
    encounter = _load_encounter(ctx, data.encounter_id)
    member_ids = _member_ids(ctx.session, encounter.id)
    if data.adult_id not in member_ids or data.child_id not in member_ids:
        raise UserError("both people must belong to this encounter")
    if data.adult_id == data.child_id:
        raise UserError("a relationship joins two different people")
    kind = RelationshipKind(data.kind)
    verified = data.verification_method is not None
    fields: dict[str, Any] = {
        "claimed_by": ctx.actor.log_id,
        "verified_by": ctx.actor.log_id if verified else None,
        "verification_method": data.verification_method.value if data.verification_method else None,
        "verified_at": _now() if verified else None,
    }
    back = inverse_kind(kind)
    if data.adult_id < data.child_id:
        a, b, k, ik = data.adult_id, data.child_id, kind, back
    else:
        a, b, k, ik = data.child_id, data.adult_id, back, kind
    existing = ctx.session.scalar(
        select(FamilyRelationship).where(
            FamilyRelationship.person_a_id == a,
            FamilyRelationship.person_b_id == b,
            FamilyRelationship.kind == k.value,
        )
    )
    if existing is None:
        existing = FamilyRelationship(
            person_a_id=a, person_b_id=b, kind=k.value, inverse_kind=ik.value, **fields, **SRC
        )
        ctx.session.add(existing)
    else:
        for key, value in fields.items():
            if key != "claimed_by":
                setattr(existing, key, value)
    ctx.session.flush()
    ctx.log(
        AuditEvent.RELATIONSHIP_RECORD,
        target_kind="relationship",
        target_id=existing.id,
        data={
            "adult_id": data.adult_id,
            "child_id": data.child_id,
            "kind": kind.value,
            "verification_method": fields["verification_method"],
        },
    )
    return s.RelationshipOut(
        adult_id=data.adult_id,
        child_id=data.child_id,
        kind=kind.value,
        verification_method=fields["verification_method"],
        verified=verified,
    )


# ---------------------------------------------------------------- separations


def propose_separation(ctx: Ctx, data: s.SeparationIn, ruleset: RuleSet) -> s.SeparationOut:
    """Propose a separation; it waits for a supervisor (PENDING_APPROVAL).

    Reasons any framework in force finds inconsistent or undetermined need a written justification
    (UserError without one) and notify headquarters. The verdicts are stored with the rule set's hash.
    Written with Core inserts on the session's connection (no ORM objects: the busiest write).
    """
    _writer(ctx)
    conn = ctx.session.connection()
    show = ctx.actor.sees_identities
    # The encounter, its members and their people as the response shows them, in one query.
    rows = conn.execute(_PEOPLE_SHOWN if show else _PEOPLE_HIDDEN, {"encounter_id": data.encounter_id}).all()
    if not rows:
        raise NotFoundError(f"no encounter #{data.encounter_id}")
    encounter = rows[0]
    ctx.check_port(encounter.port_code)
    members: dict[int, s.PersonOut] = {}
    for r in rows:
        if r.person_id is not None and r.person_id not in members:  # the first name of each is shown
            members[r.person_id] = _person_row_out(r, r.person_id, show=show)
    parents, children = list(dict.fromkeys(data.parent_ids)), list(dict.fromkeys(data.child_ids))
    if set(parents) & set(children):
        raise UserError("a person cannot be both a parent and a child in one separation")
    if not set(parents) | set(children) <= members.keys():
        raise UserError("every parent and child must belong to this encounter")
    if data.separation_date < encounter.encounter_date:
        raise UserError("a separation cannot precede the family's encounter")
    judgement = judge(data.reasons, data.separation_date, ruleset)
    justification = data.justification.strip()
    if judgement.needs_approval and not justification:
        flagged = (
            ", ".join(f"{v.framework_id}: {v.verdict}" for v in judgement.flagged) or "no framework in force"
        )
        raise UserError(
            f"these reasons are not consistent with every framework in force ({flagged}): "
            "write a justification; a supervisor must approve it"
        )
    head = _NewSeparation(
        id=0,
        encounter_id=data.encounter_id,
        port_code=encounter.port_code,
        separation_date=data.separation_date,
        status=SeparationStatus.PENDING_APPROVAL.value,
        narrative=data.narrative,
        justification=justification or None,
        officer=ctx.actor.log_id,
    )
    head.id = conn.execute(
        _INSERT_SEPARATION,
        {
            "encounter_id": head.encounter_id,
            "port_code": head.port_code,
            "separation_date": head.separation_date,
            "officer": head.officer,
            "status": head.status,
            "narrative": head.narrative,
            "justification": head.justification,
            "version_id": head.version_id,
            **SRC,
        },
    ).scalar_one()
    reasons = list(dict.fromkeys(data.reasons))
    parties = [(pid, PartyRole.PARENT.value) for pid in parents] + [
        (pid, PartyRole.CHILD.value) for pid in children
    ]
    conn.execute(_INSERT_REASON, [{"separation_id": head.id, "code": r.value, **SRC} for r in reasons])
    conn.execute(
        _INSERT_PARTY,
        [{"separation_id": head.id, "person_id": pid, "role": role, **SRC} for pid, role in parties],
    )
    if judgement.verdicts:
        judged_at = datetime.now(UTC)
        conn.execute(
            _INSERT_VERDICT,
            [
                {
                    "separation_id": head.id,
                    "framework_id": v.framework_id,
                    "verdict": v.verdict,
                    "rule_id": v.rule_id,
                    "explanation": v.explanation,
                    "ruleset_hash": judgement.ruleset_hash,
                    "judged_at": judged_at,
                    **SRC,
                }
                for v in judgement.verdicts
            ],
        )
    evidence = data.evidence.strip()
    if evidence:
        conn.execute(
            _INSERT_NOTE,
            {
                "separation_id": head.id,
                "kind": "evidence",
                "body": evidence,
                "author": ctx.actor.log_id,
                "created_at": _now(),
            },
        )
    if judgement.needs_approval:
        frameworks = (
            ", ".join(f"{v.framework_id} ({v.verdict})" for v in judgement.flagged) or "no framework in force"
        )
        conn.execute(
            _INSERT_NOTIFICATION,
            {
                "created_at": _now(),
                "audience": Role.HEADQUARTERS.value,
                "kind": "separation_flagged",
                "target_kind": "separation",
                "target_id": str(head.id),
                "message": (
                    f"Separation #{head.id} at port {head.port_code} on {head.separation_date.isoformat()} "
                    f"for {', '.join(r.value for r in judgement.reasons)}: {frameworks}. "
                    "Justified; awaiting a supervisor."
                ),
            },
        )
    out = _separation_view(  # a new separation: nothing but what was just written
        ctx,
        head,
        people={pid: members[pid] for pid, _ in parties},
        parties=parties,
        reasons=reasons,
        verdicts=judgement.verdicts,
        reunified=[],
        contacts=[],
        evidence=evidence or None,
        decision_note=None,
    )
    ctx.log(
        AuditEvent.SEPARATION_PROPOSE,
        target_kind="separation",
        target_id=head.id,
        data={
            "encounter_id": data.encounter_id,
            "port_code": head.port_code,
            "separation_date": head.separation_date.isoformat(),
            "reasons": [r.value for r in judgement.reasons],
            "parent_ids": parents,
            "child_ids": children,
            "verdicts": {v.framework_id: v.verdict for v in judgement.verdicts},
            "ruleset_hash": judgement.ruleset_hash,
            "needs_approval": judgement.needs_approval,
            "justification_sha256": _sha256(justification) if justification else None,
            "narrative_sha256": _sha256(data.narrative),
        },
    )
    return out


def _load_separation(ctx: Ctx, separation_id: int, *, for_update: bool = False) -> Separation:
    sep = ctx.session.get(
        Separation,
        separation_id,
        options=[
            selectinload(Separation.parties),
            selectinload(Separation.reasons),
            selectinload(Separation.verdicts),
            selectinload(Separation.reunifications),
            selectinload(Separation.contacts),
        ],
    )
    if sep is None:
        raise NotFoundError(f"no separation #{separation_id}")
    if ctx.actor.role == Role.COUNSEL and str(separation_id) not in ctx.actor.families:
        raise ForbiddenError("you have not been granted this family")
    ctx.check_port(sep.port_code)
    return sep


def _notes(session: Session, separation_id: int, kind: str) -> list[SeparationNote]:
    return list(
        session.scalars(
            select(SeparationNote)
            .where(SeparationNote.separation_id == separation_id, SeparationNote.kind == kind)
            .order_by(SeparationNote.id)
        )
    )


def _latest_verdicts(sep: Separation) -> list[SeparationVerdict]:
    if not sep.verdicts:
        return []
    latest = max(sep.verdicts, key=lambda v: (v.judged_at, v.id)).ruleset_hash
    return [v for v in sorted(sep.verdicts, key=lambda v: v.id) if v.ruleset_hash == latest]


def _separation_out(ctx: Ctx, sep: Separation) -> s.SeparationOut:
    """The separation as ``ctx.actor`` may see it (its notes are read)."""
    evidence, decisions = _notes(ctx.session, sep.id, "evidence"), _notes(ctx.session, sep.id, "decision")
    return _separation_view(
        ctx,
        sep,
        parties=[(pt.person_id, pt.role) for pt in sep.parties],
        reasons=[ReasonCode(r.code) for r in sep.reasons],
        verdicts=_latest_verdicts(sep),
        reunified=[r.reunification_date for r in sep.reunifications],
        contacts=sorted(((c.contact_date, c.kind) for c in sep.contacts), key=lambda c: c[0]),
        evidence="\n\n".join(n.body for n in evidence) or None,
        decision_note=decisions[-1].body if decisions else None,
    )


@dataclass
class _NewSeparation:
    """A separation just proposed (written with Core inserts): the fields of a :class:`Separation`
    its response needs."""

    id: int
    encounter_id: int | None
    port_code: str
    separation_date: date
    status: str
    narrative: str | None
    justification: str | None
    officer: str | None
    approved_by: str | None = None
    approved_at: datetime | None = None
    version_id: int = 1  # the first version, as the ORM's version counter starts it


class _VerdictFields(Protocol):
    @property
    def framework_id(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def rule_id(self) -> str | None: ...
    @property
    def explanation(self) -> str: ...


_CUSTODY_SINCE = (
    select(_CUS.c.person_id, _CUS.c.agency, _CUS.c.facility, _CUS.c.start_date, _CUS.c.end_date)
    .where(_CUS.c.person_id.in_(bindparam("ids", expanding=True)), _CUS.c.start_date >= bindparam("since"))
    .order_by(_CUS.c.start_date, _CUS.c.id)
)


def _separation_view(
    ctx: Ctx,
    sep: Separation | _NewSeparation,
    *,
    people: dict[int, s.PersonOut] | None = None,
    parties: Sequence[tuple[int, str]],
    reasons: Sequence[ReasonCode],
    verdicts: Sequence[_VerdictFields],
    reunified: Sequence[date],
    contacts: Sequence[tuple[date, str]],
    evidence: str | None,
    decision_note: str | None,
) -> s.SeparationOut:
    """The response for a separation as ``ctx.actor`` may see it, from its fields: ``parties`` as
    (person id, role) in stored order, ``verdicts`` under the latest rule set, ``contacts`` by date;
    ``people``: the parties as the actor may see them, when the caller has them already."""
    session = ctx.session
    if people is None:
        people = _people(session, [pid for pid, _ in parties], show=ctx.actor.sees_identities)
    parents = [people[pid].model_copy(update={"role": "PARENT"}) for pid, role in parties if role == "PARENT"]
    children = [people[pid].model_copy(update={"role": "CHILD"}) for pid, role in parties if role == "CHILD"]
    if people:
        session.flush()  # custody written earlier in this transaction counts (as an ORM query autoflushes)
        custody = session.connection().execute(
            _CUSTODY_SINCE, {"ids": list(people), "since": sep.separation_date}
        )
    else:
        custody = None
    from reunify.web.services.policy import ruleset_for  # cached

    quotes = _quotes(ruleset_for(None), verdicts)
    return s.SeparationOut(
        id=sep.id,
        encounter_id=sep.encounter_id,
        port_code=sep.port_code,
        separation_date=sep.separation_date,
        status=SeparationStatus(sep.status),
        reasons=list(reasons),
        verdicts=[
            s.VerdictOut(
                framework_id=v.framework_id,
                verdict=v.verdict,
                rule_id=v.rule_id,
                explanation=v.explanation,
                citation=quotes.get(v.framework_id, ("", ""))[1],
                quote=quotes.get(v.framework_id, ("", ""))[0],
            )
            for v in verdicts
            if v.verdict != "not_in_force"
        ],
        needs_justification=any(v.verdict in FLAGGED for v in verdicts),
        narrative=sep.narrative,
        evidence=evidence,
        justification=sep.justification,
        proposed_by=_staff_name(ctx, sep.officer),
        approved_by=_staff_name(ctx, sep.approved_by),
        approved_at=sep.approved_at,
        decision_note=decision_note,
        reunification_date=max(reunified) if reunified else None,
        version=sep.version_id,
        parents=parents,
        children=children,
        custody=[
            s.CustodyOut(
                person_id=c.person_id,
                agency=c.agency,
                facility=c.facility,
                start_date=c.start_date,
                end_date=c.end_date,
            )
            for c in custody or ()
        ],
        contacts=[s.ContactOut(contact_date=day, kind=kind) for day, kind in contacts],
    )


_PEOPLE_BY_ID = (
    select(_PEO.c.id, _PEO.c.sex, _PEO.c.a_number, _PEO.c.dob, _NAM.c.given_name, _NAM.c.family_name)
    .select_from(_PEO.outerjoin(_NAM, _NAM.c.person_id == _PEO.c.id))
    .where(_PEO.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_PEO.c.id, _NAM.c.id)
)
_PEOPLE_BY_ID_HIDDEN = select(_PEO.c.id, _PEO.c.sex).where(_PEO.c.id.in_(bindparam("ids", expanding=True)))


def _people(session: Session, ids: list[int], *, show: bool) -> dict[int, s.PersonOut]:
    """People by id as the viewer may see them (first name of each), in one Core query; identities
    hidden are not read at all."""
    if not ids:
        return {}
    out: dict[int, s.PersonOut] = {}
    for r in session.connection().execute(_PEOPLE_BY_ID if show else _PEOPLE_BY_ID_HIDDEN, {"ids": ids}):
        if r.id in out:
            continue  # a further name: the first is shown
        out[r.id] = _person_row_out(r, r.id, show=show)
    return out


def _person_row_out(r: Row[Any], person_id: int, *, show: bool, role: str | None = None) -> s.PersonOut:
    """A person from a Core row (``sex``; with ``show``, also the identity columns)."""
    return s.PersonOut(
        id=person_id,
        given_name=r.given_name if show else None,
        family_name=r.family_name if show else None,
        a_number=r.a_number if show else None,
        dob=r.dob if show else None,
        sex=r.sex,
        role=role,
        identity_hidden=not show,
    )


def _staff_name(ctx: Ctx, ref: str | None) -> str | None:
    """``user:<id>`` as the account's username, for display (the record keeps the pseudonymous id)."""
    if ref is None or not ref.startswith("user:") or not ref[5:].isdigit():
        return ref
    if ref == ctx.actor.log_id:
        return ctx.actor.username
    user = ctx.session.get(User, int(ref[5:]))
    return user.username if user is not None else ref


def _quotes(ruleset: RuleSet, verdicts: Sequence[_VerdictFields]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    known = {f.id: f for f in ruleset.frameworks}
    for v in verdicts:
        framework = known.get(v.framework_id)
        if framework is None:  # a framework since removed from the rules: no quote to show
            continue
        rule = next((r for r in framework.rules if r.id == v.rule_id), None)
        out[v.framework_id] = (
            framework.quote_of(rule) if rule else framework.quote,
            rule.citation if rule else framework.citation,
        )
    return out


def get_separation(ctx: Ctx, separation_id: int) -> s.SeparationOut:
    """A separation with its people, verdicts and follow-up; a view of people's records, so logged."""
    sep = _load_separation(ctx, separation_id)
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.SEPARATION_VIEW,
        target_kind="separation",
        target_id=sep.id,
        data={
            "person_ids": [p.id for p in out.parents + out.children],
            "identities_shown": ctx.actor.sees_identities,
        },
    )
    return out


def list_separations(
    ctx: Ctx, *, status: SeparationStatus | None = None, limit: int = 200
) -> list[s.SeparationSummary]:
    """Separations in the actor's scope, newest first (no identities)."""
    stmt = (
        select(Separation)
        .options(
            selectinload(Separation.reasons),
            selectinload(Separation.parties),
            selectinload(Separation.verdicts),
        )
        .order_by(Separation.id.desc())
        .limit(limit)
    )
    if status is not None:
        stmt = stmt.where(Separation.status == status.value)
    if ctx.actor.role in (Role.OFFICER, Role.SUPERVISOR):
        stmt = stmt.where(Separation.port_code.in_(sorted(ctx.actor.ports)))
    if ctx.actor.role == Role.COUNSEL:
        stmt = stmt.where(Separation.id.in_([int(f) for f in ctx.actor.families if f.isdigit()]))
    return [
        s.SeparationSummary(
            id=sep.id,
            port_code=sep.port_code,
            separation_date=sep.separation_date,
            status=SeparationStatus(sep.status),
            reasons=[ReasonCode(r.code) for r in sep.reasons],
            flagged=any(v.verdict in FLAGGED for v in _latest_verdicts(sep)),
            n_children=sum(1 for p in sep.parties if p.role == "CHILD"),
            version=sep.version_id,
        )
        for sep in ctx.session.scalars(stmt)
    ]


def _check_version(ctx: Ctx, sep: Separation, version: int, yours: dict[str, Any]) -> None:
    if sep.version_id != version:
        raise ConflictError(
            f"separation #{sep.id} was changed by someone else (you edited version {version}, it is now "
            f"version {sep.version_id}): nothing was saved; your changes are returned "
            "so you can apply them again",
            current=_separation_out(ctx, sep).model_dump(mode="json"),
            yours=yours,
        )


def _flush_versioned(ctx: Ctx, sep: Separation, version: int, yours: dict[str, Any]) -> None:
    """Flush; a concurrent writer that got there first between our read and write is a ConflictError too."""
    try:
        ctx.session.flush()
    except StaleDataError:
        ctx.session.rollback()
        fresh = ctx.session.get(Separation, sep.id, populate_existing=True)
        raise ConflictError(
            f"separation #{sep.id} was changed by someone else at the same moment: nothing was saved",
            current=_separation_out(ctx, fresh).model_dump(mode="json") if fresh else {},
            yours=yours,
        ) from None


def update_separation(ctx: Ctx, separation_id: int, data: s.SeparationUpdate) -> s.SeparationOut:
    """Amend narrative, evidence or justification of an undecided separation, guarded by its version."""
    _writer(ctx)
    sep = _load_separation(ctx, separation_id)
    yours = data.model_dump(mode="json", exclude_none=True)
    _check_version(ctx, sep, data.version, yours)
    if sep.status not in (SeparationStatus.PENDING_APPROVAL.value, SeparationStatus.PROPOSED.value):
        raise UserError(f"separation #{sep.id} is {sep.status}: only an undecided separation can be amended")
    changed: list[str] = []
    if data.narrative is not None:
        sep.narrative = data.narrative
        changed.append("narrative")
    if data.justification is not None:
        if not data.justification.strip() and any(v.verdict in FLAGGED for v in _latest_verdicts(sep)):
            raise UserError("this separation's reasons need a justification: it cannot be removed")
        sep.justification = data.justification.strip() or None
        changed.append("justification")
    if data.evidence:
        ctx.session.add(
            SeparationNote(
                separation_id=sep.id,
                kind="evidence",
                body=data.evidence,
                author=ctx.actor.log_id,
                created_at=_now(),
            )
        )
        changed.append("evidence")
    sep.updated_at = _now()
    _flush_versioned(ctx, sep, data.version, yours)
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.SEPARATION_UPDATE,
        target_kind="separation",
        target_id=sep.id,
        data={"fields": changed, "version": sep.version_id},
    )
    return out


def decide_separation(ctx: Ctx, separation_id: int, data: s.DecisionIn, *, approve: bool) -> s.SeparationOut:
    """A supervisor approves or rejects a pending separation, with a note (version-guarded)."""
    if ctx.actor.role != Role.SUPERVISOR:
        raise ForbiddenError("only a supervisor decides on separations")
    sep = _load_separation(ctx, separation_id)
    yours = data.model_dump(mode="json") | {"decision": "approve" if approve else "reject"}
    _check_version(ctx, sep, data.version, yours)
    if sep.status != SeparationStatus.PENDING_APPROVAL.value:
        raise UserError(f"separation #{sep.id} is {sep.status}, not awaiting approval")
    if sep.officer == ctx.actor.log_id:
        raise ForbiddenError("you cannot decide on a separation you proposed")
    sep.status = (SeparationStatus.APPROVED if approve else SeparationStatus.REJECTED).value
    if approve:
        sep.approved_by = ctx.actor.log_id
        sep.approved_at = _now()
    sep.updated_at = _now()
    ctx.session.add(
        SeparationNote(
            separation_id=sep.id, kind="decision", body=data.note, author=ctx.actor.log_id, created_at=_now()
        )
    )
    _flush_versioned(ctx, sep, data.version, yours)
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.SEPARATION_APPROVE if approve else AuditEvent.SEPARATION_REJECT,
        target_kind="separation",
        target_id=sep.id,
        data={"version": sep.version_id, "note_sha256": _sha256(data.note)},
    )
    return out


def _party_ids(sep: Separation, role: str | None = None) -> list[int]:
    return [p.person_id for p in sep.parties if role is None or p.role == role]


def record_custody(ctx: Ctx, separation_id: int, data: s.CustodyIn) -> s.SeparationOut:
    """A custody transfer of a parent or child: their open episode ends where the new one starts."""
    _writer(ctx)
    sep = _load_separation(ctx, separation_id)
    if data.person_id not in _party_ids(sep):
        raise UserError("that person is not a party to this separation")
    if data.start_date < sep.separation_date:
        raise UserError("a custody transfer after a separation cannot precede it")
    session = ctx.session
    current = session.scalar(
        select(CustodyEpisode).where(
            CustodyEpisode.person_id == data.person_id, CustodyEpisode.end_date.is_(None)
        )
    )
    if current is not None:
        if data.start_date < current.start_date:
            raise UserError("the transfer precedes the person's current custody: record transfers in order")
        current.end_date = data.start_date
        current.end_reason = "TRANSFERRED"
        current.next_custodian = data.agency.value
    later = session.scalar(
        select(func.count())
        .select_from(CustodyEpisode)
        .where(CustodyEpisode.person_id == data.person_id, CustodyEpisode.end_date > data.start_date)
    )
    if later:
        raise UserError("this person already has custody recorded after that date")
    episode = CustodyEpisode(
        person_id=data.person_id,
        agency=data.agency.value,
        facility=data.facility,
        start_date=data.start_date,
        **SRC,
    )
    session.add(episode)
    session.flush()
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.CUSTODY_RECORD,
        target_kind="separation",
        target_id=sep.id,
        data={
            "person_id": data.person_id,
            "agency": data.agency.value,
            "start_date": data.start_date.isoformat(),
            "custody_episode_id": episode.id,
        },
    )
    return out


def record_contact(ctx: Ctx, separation_id: int, data: s.ContactIn) -> s.SeparationOut:
    """Contact between the separated parent(s) and child(ren)."""
    _writer(ctx)
    sep = _load_separation(ctx, separation_id)
    if data.contact_date < sep.separation_date:
        raise UserError("contact after a separation cannot precede it")
    contact = Contact.for_separation(sep, contact_date=data.contact_date, kind=data.kind.value, **SRC)
    ctx.session.add(contact)
    ctx.session.flush()
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.CONTACT_RECORD,
        target_kind="separation",
        target_id=sep.id,
        data={
            "contact_id": contact.id,
            "contact_date": data.contact_date.isoformat(),
            "kind": data.kind.value,
        },
    )
    return out


def record_reunification(ctx: Ctx, separation_id: int, data: s.ReunificationIn) -> s.SeparationOut:
    """Every child back with the parent on the date: one reunification row per child; status REUNIFIED."""
    _writer(ctx)
    sep = _load_separation(ctx, separation_id)
    yours = data.model_dump(mode="json")
    _check_version(ctx, sep, data.version, yours)
    if sep.status == SeparationStatus.REUNIFIED.value:
        raise UserError(f"separation #{sep.id} is already reunified")
    if data.reunification_date < sep.separation_date:
        raise UserError("a reunification cannot precede its separation")
    for child in _party_ids(sep, "CHILD"):
        sep.reunifications.append(
            Reunification.for_separation(
                sep,
                person_id=child,
                reunification_date=data.reunification_date,
                verified_by=ctx.actor.log_id if data.verification_method else None,
                verification_method=data.verification_method.value if data.verification_method else None,
                **SRC,
            )
        )
    was = sep.status
    sep.status = SeparationStatus.REUNIFIED.value
    sep.updated_at = _now()
    _flush_versioned(ctx, sep, data.version, yours)
    out = _separation_out(ctx, sep)
    ctx.log(
        AuditEvent.REUNIFICATION_RECORD,
        target_kind="separation",
        target_id=sep.id,
        data={
            "reunification_date": data.reunification_date.isoformat(),
            "previous_status": was,
            "child_ids": _party_ids(sep, "CHILD"),
            "version": sep.version_id,
        },
    )
    return out


# ---------------------------------------------------------------- counsel, notifications


def ms_l_deadline(sep_date: date, child_dobs: Iterable[date | None]) -> date | None:
    """The Ms. L reunification deadline for a family separated before June 26, 2018 (None otherwise):
    July 10, 2018 if any child was under 5 on the order's date, else July 26, 2018."""
    order = date(2018, 6, 26)
    if sep_date >= order:
        return None
    under_five = any(d is not None and _age_on(d, order) < 5 for d in child_dobs)
    return date(2018, 7, 10) if under_five else date(2018, 7, 26)


def _age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def family_status(ctx: Ctx, separation_id: int, *, today: date | None = None) -> s.FamilyStatusOut:
    """Where a separated family stands: status, dates, last contact, overdue or not; no names or narrative."""
    sep = _load_separation(ctx, separation_id)
    today = today or date.today()
    reunified = [r.reunification_date for r in sep.reunifications]
    end = max(reunified) if reunified else today
    children = [ctx.session.get(Person, pid) for pid in _party_ids(sep, "CHILD")]
    dobs = [
        date.fromisoformat(p.dob) if p is not None and p.dob and p.dob_precision == "day" else None
        for p in children
    ]
    deadline = ms_l_deadline(sep.separation_date, dobs)
    ctx.log(AuditEvent.FAMILY_STATUS_VIEW, target_kind="separation", target_id=sep.id)
    return s.FamilyStatusOut(
        separation_id=sep.id,
        status=SeparationStatus(sep.status),
        separation_date=sep.separation_date,
        port_code=sep.port_code,
        n_children=len(children),
        reunification_date=max(reunified) if reunified else None,
        last_contact_date=max((c.contact_date for c in sep.contacts), default=None),
        days_separated=(end - sep.separation_date).days,
        overdue=deadline is not None and not reunified and today > deadline,
    )


def notifications(ctx: Ctx, *, limit: int = 100) -> list[s.NotificationOut]:
    rows = ctx.session.scalars(
        select(Notification)
        .where(Notification.audience == ctx.actor.role.value)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        s.NotificationOut(
            id=n.id,
            created_at=n.created_at,
            kind=n.kind,
            target_kind=n.target_kind,
            target_id=n.target_id,
            message=n.message,
        )
        for n in rows
    ]
