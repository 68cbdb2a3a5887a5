"""Server-rendered pages for officers and supervisors: encounters, people, separations and their follow-up."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from reunify.domain.model import Agency, ContactKind, SeparationStatus, VerificationMethod
from reunify.domain.ports import lookup_port, southwest_border_ports
from reunify.errors import UserError
from reunify.web import schemas as s
from reunify.web.deps import Actor, ForbiddenError, SessionDep, SettingsDep, require
from reunify.web.permissions import Permission
from reunify.web.rendering import Templates
from reunify.web.routers._forms import form_dict, form_list, in_thread, parse
from reunify.web.services import records
from reunify.web.services.context import Ctx
from reunify.web.services.policy import ruleset_for
from reunify.web.settings import WebSettings

router = APIRouter(include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
ROWS = 6


def _t(request: Request) -> Templates:
    templates: Templates = request.app.state.templates
    return templates


def _ctx(db: Session, user: Actor, settings: WebSettings) -> Ctx:
    return Ctx(db, user, settings.audit_log_enabled)


def _reason_meanings() -> dict[str, str]:
    return {str(v.code): v.meaning for v in ruleset_for(None).vocabulary}


# ---------------------------------------------------------------- officer


@router.get("/officer", response_class=HTMLResponse)
def officer_home(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))],
) -> Response:
    ctx = _ctx(db, user, settings)
    return _t(request).page(
        request,
        "officer_home.html",
        user=user,
        encounters=records.list_encounters(ctx),
        separations=records.list_separations(ctx, limit=50),
    )


@router.get("/officer/encounters/new", response_class=HTMLResponse)
def encounter_new(
    request: Request, user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))]
) -> Response:
    ports = [p for p in southwest_border_ports() if p.code in user.ports]
    return _t(request).page(request, "encounter_new.html", user=user, ports=ports, rows=ROWS)


def _encounter_from_form(form: dict[str, str]) -> s.EncounterIn:
    people: list[dict[str, Any]] = []
    for i in range(ROWS):
        given, family = form.get(f"given_name_{i}", "").strip(), form.get(f"family_name_{i}", "").strip()
        if not given and not family:
            continue
        people.append(
            {
                "given_name": given,
                "family_name": family,
                "dob": form.get(f"dob_{i}") or None,
                "sex": form.get(f"sex_{i}", "U"),
                "a_number": form.get(f"a_number_{i}") or None,
                "role": form.get(f"role_{i}", "OTHER"),
            }
        )
    claim = {"yes": True, "no": False}.get(form.get("asylum_claim", ""))
    return parse(
        s.EncounterIn,
        {
            "port_code": form.get("port_code", ""),
            "encounter_date": form.get("encounter_date", ""),
            "asylum_claim": claim,
            "people": people,
        },
    )


@router.post("/officer/encounters/new")
async def encounter_create(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))],
) -> Response:
    form = await form_dict(request)
    try:
        data = _encounter_from_form(form)
        out = await in_thread(_commit, db, records.create_encounter, _ctx(db, user, settings), data)
    except UserError as exc:
        ports = [p for p in southwest_border_ports() if p.code in user.ports]
        return _t(request).page(
            request,
            "encounter_new.html",
            user=user,
            ports=ports,
            rows=ROWS,
            flash=str(exc),
            flash_kind="error",
            status=422,
        )
    return RedirectResponse(f"/officer/encounters/{out.id}", status_code=303)


def _commit(db: Session, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        out = fn(*args, **kwargs)
    except Exception:
        db.rollback()
        raise
    db.commit()
    return out


def _encounter_page(
    request: Request,
    db: Session,
    user: Actor,
    settings: WebSettings,
    encounter_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    encounter = _commit(db, records.get_encounter, _ctx(db, user, settings), encounter_id)
    port = lookup_port(encounter.port_code)
    return _t(request).page(
        request,
        "encounter.html",
        user=user,
        e=encounter,
        port=port,
        status=status,
        reasons=_reason_meanings(),
        kinds=s.PARENT_KINDS,
        methods=list(VerificationMethod),
        proposal=extra.pop("proposal", {}),
        **extra,
    )


@router.get("/officer/encounters/{encounter_id}", response_class=HTMLResponse)
def encounter_page(
    request: Request,
    encounter_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
) -> Response:
    return _encounter_page(request, db, user, settings, encounter_id)


@router.post("/officer/encounters/{encounter_id}/relationships")
async def relationship_create(
    request: Request,
    encounter_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.ENCOUNTER_RECORD))],
) -> Response:
    form = await form_dict(request)
    try:
        data = parse(
            s.RelationshipIn,
            {
                "encounter_id": encounter_id,
                "adult_id": form.get("adult_id", ""),
                "child_id": form.get("child_id", ""),
                "kind": form.get("kind", ""),
                "verification_method": form.get("verification_method") or None,
            },
        )
        await in_thread(_commit, db, records.record_relationship, _ctx(db, user, settings), data)
    except UserError as exc:
        return await in_thread(
            _encounter_page,
            request,
            db,
            user,
            settings,
            encounter_id,
            status=422,
            flash=str(exc),
            flash_kind="error",
        )
    return RedirectResponse(f"/officer/encounters/{encounter_id}#relationships", status_code=303)


@router.post("/officer/encounters/{encounter_id}/separations")
async def separation_create(
    request: Request,
    encounter_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_PROPOSE))],
) -> Response:
    form = await form_dict(request)
    proposal: dict[str, Any] = {
        "reasons": form_list(form, "reasons"),
        "parent_ids": form_list(form, "parent_ids"),
        "child_ids": form_list(form, "child_ids"),
        "separation_date": form.get("separation_date", ""),
        "narrative": form.get("narrative", ""),
        "evidence": form.get("evidence", ""),
        "justification": form.get("justification", ""),
    }
    try:
        data = parse(s.SeparationIn, {"encounter_id": encounter_id, **proposal})
        out = await in_thread(
            _commit,
            db,
            records.propose_separation,
            _ctx(db, user, settings),
            data,
            ruleset_for(settings.ruleset_path),
        )
    except UserError as exc:
        # Nothing the officer typed is lost: the form comes back filled in, with what to fix.
        return await in_thread(
            _encounter_page,
            request,
            db,
            user,
            settings,
            encounter_id,
            status=422,
            flash=str(exc),
            flash_kind="error",
            proposal=proposal,
        )
    return RedirectResponse(f"/separations/{out.id}", status_code=303)


# ---------------------------------------------------------------- separations (every role that reads records)


def _separation_page(
    request: Request,
    db: Session,
    user: Actor,
    settings: WebSettings,
    separation_id: int,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    sep = _commit(db, records.get_separation, _ctx(db, user, settings), separation_id)
    return _t(request).page(
        request,
        "separation.html",
        user=user,
        sep=sep,
        status=status,
        agencies=list(Agency),
        contact_kinds=list(ContactKind),
        methods=list(VerificationMethod),
        can_follow_up=user.may(Permission.FOLLOW_UP_RECORD),
        can_decide=user.may(Permission.SEPARATION_DECIDE) and sep.status == SeparationStatus.PENDING_APPROVAL,
        can_amend=user.may(Permission.SEPARATION_UPDATE) and sep.status == SeparationStatus.PENDING_APPROVAL,
        **extra,
    )


@router.get("/separations/{separation_id}", response_class=HTMLResponse)
def separation_page(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
) -> Response:
    return _separation_page(request, db, user, settings, separation_id)


async def _follow_up(  # noqa: PLR0917 (the request context, then what to parse and do)
    request: Request,
    db: Session,
    user: Actor,
    settings: WebSettings,
    separation_id: int,
    build: Any,
    action: Any,
) -> Response:
    form = await form_dict(request)
    try:
        data = build(form)
        await in_thread(_commit, db, action, _ctx(db, user, settings), separation_id, data)
    except records.ConflictError as exc:
        return await in_thread(
            _separation_page,
            request,
            db,
            user,
            settings,
            separation_id,
            status=409,
            flash=str(exc),
            flash_kind="error",
            yours=form,
        )
    except (UserError, ForbiddenError) as exc:
        if isinstance(exc, ForbiddenError):
            raise
        return await in_thread(
            _separation_page,
            request,
            db,
            user,
            settings,
            separation_id,
            status=422,
            flash=str(exc),
            flash_kind="error",
            yours=form,
        )
    return RedirectResponse(f"/separations/{separation_id}", status_code=303)


@router.post("/separations/{separation_id}/custody")
async def custody_create(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> Response:
    return await _follow_up(
        request,
        db,
        user,
        settings,
        separation_id,
        lambda f: parse(
            s.CustodyIn,
            {
                "person_id": f.get("person_id", ""),
                "agency": f.get("agency", ""),
                "facility": f.get("facility") or None,
                "start_date": f.get("start_date", ""),
            },
        ),
        records.record_custody,
    )


@router.post("/separations/{separation_id}/contacts")
async def contact_create(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> Response:
    return await _follow_up(
        request,
        db,
        user,
        settings,
        separation_id,
        lambda f: parse(s.ContactIn, {"contact_date": f.get("contact_date", ""), "kind": f.get("kind", "")}),
        records.record_contact,
    )


@router.post("/separations/{separation_id}/reunification")
async def reunification_create(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.FOLLOW_UP_RECORD))],
) -> Response:
    return await _follow_up(
        request,
        db,
        user,
        settings,
        separation_id,
        lambda f: parse(
            s.ReunificationIn,
            {
                "version": f.get("version", ""),
                "reunification_date": f.get("reunification_date", ""),
                "verification_method": f.get("verification_method") or None,
            },
        ),
        records.record_reunification,
    )


@router.post("/separations/{separation_id}/amend")
async def separation_amend(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_UPDATE))],
) -> Response:
    return await _follow_up(
        request,
        db,
        user,
        settings,
        separation_id,
        lambda f: parse(
            s.SeparationUpdate,
            {
                "version": f.get("version", ""),
                "narrative": f.get("narrative") or None,
                "evidence": f.get("evidence") or None,
                "justification": f.get("justification") or None,
            },
        ),
        records.update_separation,
    )


@router.post("/separations/{separation_id}/decide")
async def separation_decide(
    request: Request,
    separation_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_DECIDE))],
) -> Response:
    def build(f: dict[str, str]) -> tuple[s.DecisionIn, bool]:
        if f.get("decision") not in ("approve", "reject"):
            raise UserError("choose approve or reject")
        return parse(s.DecisionIn, {"version": f.get("version", ""), "note": f.get("note", "")}), f[
            "decision"
        ] == "approve"

    def action(ctx: Ctx, sid: int, data: tuple[s.DecisionIn, bool]) -> s.SeparationOut:
        return records.decide_separation(ctx, sid, data[0], approve=data[1])

    return await _follow_up(request, db, user, settings, separation_id, build, action)


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request,
    person_id: Id,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.RECORDS_READ))],
) -> Response:
    person = _commit(db, records.get_person, _ctx(db, user, settings), person_id)
    return _t(request).page(request, "person.html", user=user, p=person)


# ---------------------------------------------------------------- supervisor


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_queue(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: Annotated[Actor, Depends(require(Permission.SEPARATION_DECIDE))],
) -> Response:
    ctx = _ctx(db, user, settings)
    return _t(request).page(
        request,
        "supervisor.html",
        user=user,
        queue=records.list_separations(ctx, status=SeparationStatus.PENDING_APPROVAL),
        separations=records.list_separations(ctx, limit=50),
    )
