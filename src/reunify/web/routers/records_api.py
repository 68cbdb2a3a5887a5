"""The REST API for records: encounters, people, relationships, separations and their follow-up.

The two busiest routes, a family's look-up and a proposed separation, are ``async`` routes on
:func:`~reunify.web.deps.authorize` (one dependency, two worker-thread hops: see there); the others
are sync routes on :func:`~reunify.web.deps.require`. Both give the same answers to the same requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from reunify.domain.model import SeparationStatus
from reunify.web import schemas as s
from reunify.web.deps import Actor, Authorized, SessionDep, SettingsDep, authorize, require
from reunify.web.permissions import Permission
from reunify.web.services import records
from reunify.web.services.context import Ctx
from reunify.web.services.policy import ruleset_for

router = APIRouter(prefix="/api", tags=["records"])

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "role or scope does not allow it"},
    404: {"description": "no such record"},
    422: {"description": "invalid input, with what to fix"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "changed by someone else: nothing saved; current record and your changes returned"}
}
T = TypeVar("T")


async def _committed(auth: Authorized, work: Callable[[Ctx], T]) -> T:
    """``work`` in the request's session as the signed-in actor, then commit: one worker-thread hop."""

    def run(session: Session) -> T:
        out = work(Ctx(session, auth.actor, auth.settings.audit_log_enabled))
        session.commit()
        return out

    return await auth.run(run)


@router.post("/encounters", response_model=s.EncounterOut, status_code=201, responses=ERRORS)
def create_encounter(
    body: s.EncounterIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))],
) -> s.EncounterOut:
    """Record a family's presentation at a port and its people."""
    out = records.create_encounter(Ctx(db, user, settings.audit_log_enabled), body)
    db.commit()
    return out


@router.get("/encounters", response_model=list[s.EncounterSummary], responses=ERRORS)
def list_encounters(
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[s.EncounterSummary]:
    """Encounters in your scope, newest first."""
    return records.list_encounters(Ctx(db, user, settings.audit_log_enabled), limit=limit)


@router.get("/encounters/{encounter_id}", response_model=s.EncounterOut, responses=ERRORS)
async def get_encounter(
    encounter_id: Id,
    auth: Annotated[Authorized, Depends(authorize(Permission.RECORDS_READ, autocommit=True))],
) -> s.EncounterOut:
    """An encounter (a family as it presented) with its people and relationships; the view is logged."""
    return await _committed(auth, lambda ctx: records.get_encounter(ctx, encounter_id))


@router.get("/people/{person_id}", response_model=s.PersonOut, responses=ERRORS)
def get_person(
    person_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
) -> s.PersonOut:
    """One person's record; identities hidden unless your role or a grant shows them; the view is logged."""
    out = records.get_person(Ctx(db, user, settings.audit_log_enabled), person_id)
    db.commit()
    return out


@router.post("/relationships", response_model=s.RelationshipOut, status_code=201, responses=ERRORS)
def record_relationship(
    body: s.RelationshipIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))],
) -> s.RelationshipOut:
    """Record a family relationship as claimed, and how it was verified (if it was)."""
    out = records.record_relationship(Ctx(db, user, settings.audit_log_enabled), body)
    db.commit()
    return out


@router.post("/separations", response_model=s.SeparationOut, status_code=201, responses=ERRORS)
async def propose_separation(
    body: s.SeparationIn, auth: Annotated[Authorized, Depends(authorize(Permission.SEPARATION_PROPOSE))]
) -> s.SeparationOut:
    """Propose a separation. Reasons any framework in force finds inconsistent or undetermined are refused
    (422) without a justification; every separation waits for a supervisor's approval."""
    path = auth.settings.ruleset_path  # the rule set is read once per process (in the worker thread)
    return await _committed(auth, lambda ctx: records.propose_separation(ctx, body, ruleset_for(path)))


@router.get("/separations", response_model=list[s.SeparationSummary], responses=ERRORS)
def list_separations(
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
    status: SeparationStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[s.SeparationSummary]:
    """Separations in your scope, newest first, optionally by status."""
    return records.list_separations(Ctx(db, user, settings.audit_log_enabled), status=status, limit=limit)


@router.get("/separations/{separation_id}", response_model=s.SeparationOut, responses=ERRORS)
def get_separation(
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
) -> s.SeparationOut:
    """A separation with its verdicts, people, custody, contacts; the view is logged."""
    out = records.get_separation(Ctx(db, user, settings.audit_log_enabled), separation_id)
    db.commit()
    return out


@router.patch("/separations/{separation_id}", response_model=s.SeparationOut, responses=ERRORS | CONFLICT)
def update_separation(
    separation_id: Id,
    body: s.SeparationUpdate,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_UPDATE))],
) -> s.SeparationOut:
    """Amend an undecided separation; ``version`` must be the one you read (else 409)."""
    out = records.update_separation(Ctx(db, user, settings.audit_log_enabled), separation_id, body)
    db.commit()
    return out


@router.post(
    "/separations/{separation_id}/approve", response_model=s.SeparationOut, responses=ERRORS | CONFLICT
)
def approve(
    separation_id: Id,
    body: s.DecisionIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_DECIDE))],
) -> s.SeparationOut:
    """Approve a pending separation with a note."""
    out = records.decide_separation(
        Ctx(db, user, settings.audit_log_enabled), separation_id, body, approve=True
    )
    db.commit()
    return out


@router.post(
    "/separations/{separation_id}/reject", response_model=s.SeparationOut, responses=ERRORS | CONFLICT
)
def reject(
    separation_id: Id,
    body: s.DecisionIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_DECIDE))],
) -> s.SeparationOut:
    """Reject a pending separation with a note."""
    out = records.decide_separation(
        Ctx(db, user, settings.audit_log_enabled), separation_id, body, approve=False
    )
    db.commit()
    return out


@router.post(
    "/separations/{separation_id}/custody", response_model=s.SeparationOut, status_code=201, responses=ERRORS
)
def record_custody(
    separation_id: Id,
    body: s.CustodyIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> s.SeparationOut:
    """Record a custody transfer of a parent or child."""
    out = records.record_custody(Ctx(db, user, settings.audit_log_enabled), separation_id, body)
    db.commit()
    return out


@router.post(
    "/separations/{separation_id}/contacts", response_model=s.SeparationOut, status_code=201, responses=ERRORS
)
def record_contact(
    separation_id: Id,
    body: s.ContactIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> s.SeparationOut:
    """Record contact between the separated parent and child."""
    out = records.record_contact(Ctx(db, user, settings.audit_log_enabled), separation_id, body)
    db.commit()
    return out


@router.post(
    "/separations/{separation_id}/reunification",
    response_model=s.SeparationOut,
    status_code=201,
    responses=ERRORS | CONFLICT,
)
def record_reunification(
    separation_id: Id,
    body: s.ReunificationIn,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> s.SeparationOut:
    """Record that the family is together again."""
    out = records.record_reunification(Ctx(db, user, settings.audit_log_enabled), separation_id, body)
    db.commit()
    return out


@router.get("/families/{separation_id}/status", response_model=s.FamilyStatusOut, responses=ERRORS)
def family_status(
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FAMILY_STATUS))],
) -> s.FamilyStatusOut:
    """A separated family's status (counsel: only families granted to you)."""
    out = records.family_status(Ctx(db, user, settings.audit_log_enabled), separation_id)
    db.commit()
    return out


@router.get("/notifications", response_model=list[s.NotificationOut], responses=ERRORS)
def list_notifications(
    db: SessionDep, settings: SettingsDep, user: Annotated[Actor, Depends(require(Permission.NOTIFICATIONS))]
) -> list[s.NotificationOut]:
    """Notifications for your role (headquarters: separations flagged by the policy check)."""
    return records.notifications(Ctx(db, user, settings.audit_log_enabled))
