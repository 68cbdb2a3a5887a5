"""The two busiest routes take shortcuts (issue 7): ``async`` routes with one dependency, Core queries,
Core inserts, per-statement commits for the family look-up. What they answer and record must be what
the general code paths answer and record, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from reunify.store.schema.canonical import (
    APP_SOURCE_SYSTEM,
    Separation,
    SeparationParty,
    SeparationReason,
    SeparationVerdict,
)
from reunify.store.schema.web import AuditLogQueue, Notification, SeparationNote

from .conftest import FAMILY, PORT, Web


def _encounter(web: Web) -> dict[str, Any]:
    r = web.client("officer").post(
        "/api/encounters", json={"port_code": PORT, "encounter_date": "2018-05-21", "people": FAMILY}
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _proposal(enc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    mother, *children = [p["id"] for p in enc["people"]]
    return {
        "encounter_id": enc["id"],
        "separation_date": "2018-05-22",
        "parent_ids": [mother],
        "child_ids": children,
        "reasons": ["PROSECUTION"],
        "narrative": "Accepted for prosecution.",
        **extra,
    }


def test_a_proposed_separation_answers_as_it_reads_back(web: Web) -> None:
    """The response built from what was just inserted equals the stored separation read back through
    the ORM (GET), for a flagged proposal with evidence and for a plain one; custody recorded before
    the separation date is left out, on or after it is shown."""
    officer = web.client("officer")
    enc = _encounter(web)
    mother, child, _ = [p["id"] for p in enc["people"]]
    earlier = officer.post("/api/separations", json=_proposal(enc, separation_date="2018-05-21")).json()
    for day, agency in (("2018-05-21", "CBP"), ("2018-05-23", "ORR")):
        r = officer.post(
            f"/api/separations/{earlier['id']}/custody",
            json={"person_id": child, "agency": agency, "start_date": day},
        )
        assert r.status_code == 201, r.text

    for proposal in (
        _proposal(
            enc,
            reasons=["IMMIGRATION_HISTORY", "PROSECUTION", "IMMIGRATION_HISTORY"],
            evidence="  I-213  ",
            justification=" Directed by the port director. ",
        ),
        _proposal(enc),
    ):
        created = officer.post("/api/separations", json=proposal)
        assert created.status_code == 201, created.text
        read_back = officer.get(f"/api/separations/{created.json()['id']}")
        assert created.json() == read_back.json()
    new = created.json()
    assert new["version"] == 1
    assert new["proposed_by"] == "officer"
    assert [c["agency"] for c in new["custody"]] == ["ORR"]
    assert [p["id"] for p in new["parents"]] == [mother]


def test_a_proposed_separation_stores_what_the_orm_stored(web: Web) -> None:
    enc = _encounter(web)
    proposal = _proposal(enc, reasons=["IMMIGRATION_HISTORY"], evidence="I-213", justification="Directed.")
    plain = web.client("officer").post("/api/separations", json=_proposal(enc)).json()
    assert not plain["needs_justification"]
    created = web.client("officer").post("/api/separations", json=proposal).json()
    assert created["needs_justification"]  # IMMIGRATION_HISTORY is flagged: headquarters is told
    sep_id = created["id"]
    with web.app.state.session_factory() as session:
        sep = session.get(Separation, sep_id)
        assert sep is not None
        assert (sep.version_id, sep.status, sep.source_system) == (1, "PENDING_APPROVAL", APP_SOURCE_SYSTEM)
        assert sep.updated_at is not None
        assert sep.recorded_at is not None
        assert (sep.narrative, sep.justification) == ("Accepted for prosecution.", "Directed.")
        assert session.scalars(
            select(SeparationReason.code).where(SeparationReason.separation_id == sep_id)
        ).all() == ["IMMIGRATION_HISTORY"]
        parties = session.execute(
            select(SeparationParty.person_id, SeparationParty.role)
            .where(SeparationParty.separation_id == sep_id)
            .order_by(SeparationParty.id)
        ).all()
        assert [tuple(p) for p in parties] == [
            (proposal["parent_ids"][0], "PARENT"),
            *((c, "CHILD") for c in proposal["child_ids"]),
        ]
        verdicts = session.scalars(
            select(SeparationVerdict).where(SeparationVerdict.separation_id == sep_id)
        ).all()
        assert len(verdicts) >= 1
        assert len({(v.ruleset_hash, v.judged_at) for v in verdicts}) == 1
        assert all(v.source_system == APP_SOURCE_SYSTEM for v in verdicts)
        assert all(v.recorded_at is not None for v in verdicts)
        note = session.scalars(select(SeparationNote).where(SeparationNote.separation_id == sep_id)).one()
        assert (note.kind, note.body, note.author) == ("evidence", "I-213", sep.officer)
        told = session.scalars(
            select(Notification.target_id).where(Notification.kind == "separation_flagged")
        )
        assert told.all() == [str(sep_id)]
        flagged = session.scalars(select(Notification).where(Notification.target_id == str(sep_id))).one()
        assert flagged.message.startswith(f"Separation #{sep_id} at port {PORT} on 2018-05-22 for ")


def test_the_family_look_up_lists_separations_in_order_and_logs_the_view(web: Web) -> None:
    officer = web.client("officer")
    enc = _encounter(web)
    mother, *children = [p["id"] for p in enc["people"]]
    for child in children:
        r = officer.post(
            "/api/relationships",
            json={"encounter_id": enc["id"], "adult_id": mother, "child_id": child, "kind": "MOTHER"},
        )
        assert r.status_code == 201, r.text
    ids = [officer.post("/api/separations", json=_proposal(enc)).json()["id"] for _ in range(3)]
    with web.app.state.session_factory() as session:
        queued = session.scalar(select(AuditLogQueue.id).order_by(AuditLogQueue.id.desc()).limit(1)) or 0
    got = officer.get(f"/api/encounters/{enc['id']}")
    assert got.status_code == 200
    body = got.json()
    assert body["separation_ids"] == ids
    assert {(r["adult_id"], r["child_id"], r["kind"]) for r in body["relationships"]} == {
        (mother, c, "MOTHER") for c in children
    }
    assert [p["given_name"] for p in body["people"]] == [p["given_name"] for p in FAMILY]
    with web.app.state.session_factory() as session:  # committed with the response
        entries = session.execute(
            select(AuditLogQueue.event, AuditLogQueue.target_id).where(AuditLogQueue.id > queued)
        ).all()
    assert [tuple(e) for e in entries] == [("web:encounter:view", str(enc["id"]))]


def test_the_checks_come_first_in_the_same_order(web: Web) -> None:
    """Signed in (401) before the CSRF token and the role (403) before the input (422) and the record
    (404); a disabled account is refused at once."""
    anonymous = web.client()
    assert anonymous.get("/api/encounters/0").status_code == 401
    assert anonymous.post("/api/separations", json={}).status_code == 401
    auditor = web.client("auditor")
    assert auditor.post("/api/separations", json={}).status_code == 403
    officer = web.client("officer")
    assert officer.get("/api/encounters/0").status_code == 422
    assert officer.get("/api/encounters/99999").status_code == 404
    assert officer.post("/api/separations", json={}).status_code == 422
    token = officer.headers.pop("X-CSRF-Token")
    r = officer.post("/api/separations", json={})
    assert r.status_code == 403
    assert "CSRF" in r.json()["detail"]
    assert officer.get("/api/encounters/99999").status_code == 404  # a safe method needs no token
    officer.headers["X-CSRF-Token"] = token
    elsewhere = web.client("officer-nogales")
    enc = _encounter(web)
    r = elsewhere.get(f"/api/encounters/{enc['id']}")
    assert r.status_code == 403
    r = elsewhere.post("/api/separations", json=_proposal(enc))
    assert r.status_code == 403
    assert web.client("admin").post("/api/users/spare/disable").status_code == 200
    assert web.client("admin").post("/api/users/officer/disable").status_code == 200
    assert officer.get(f"/api/encounters/{enc['id']}").status_code == 401
    assert officer.post("/api/separations", json=_proposal(enc)).status_code == 401


def test_many_failed_requests_leave_no_connection_behind(web: Web) -> None:
    officer = web.client("officer")
    for _ in range(40):  # more than the pool holds (10 + 10 overflow)
        assert officer.get("/api/encounters/99999").status_code == 404
        assert (
            officer.post(
                "/api/separations", json=_proposal({"id": 99999, "people": [{"id": 1}] * 3})
            ).status_code
            == 404
        )
    assert officer.get("/api/encounters/99999").status_code == 404
    pool = web.app.state.engine.pool
    assert pool.checkedout() == 0
