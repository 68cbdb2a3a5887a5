"""The issue's flow through the API, on SQLite and PostgreSQL; and two users changing one record at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from reunify import auditlog
from reunify.web import schemas as s
from reunify.web.deps import Actor
from reunify.web.permissions import Role
from reunify.web.services import records
from reunify.web.services.context import Ctx

from .conftest import FAMILY, PORT, Web, record_family


def test_the_flow_from_encounter_to_reunification(web: Web) -> None:
    officer, supervisor, hq = web.client("officer"), web.client("supervisor"), web.client("headquarters")
    enc = officer.post(
        "/api/encounters", json={"port_code": PORT, "encounter_date": "2018-05-21", "people": FAMILY}
    ).json()
    mother, *children = [p["id"] for p in enc["people"]]
    proposal = {
        "encounter_id": enc["id"],
        "separation_date": "2018-05-21",
        "parent_ids": [mother],
        "child_ids": children,
        "reasons": ["IMMIGRATION_HISTORY"],
        "narrative": "Two previous removals.",
    }

    # the verdicts the form shows as the officer types, each with its quoted rule
    check = officer.get(
        "/api/policy/check", params={"date": "2018-05-21", "reason": "IMMIGRATION_HISTORY"}
    ).json()
    assert check["needs_justification"] is True
    assert {v["framework_id"] for v in check["verdicts"]} == {"teds-2015", "memo-2016", "dhs-statements-2018"}
    assert all(v["verdict"] == "inconsistent" and v["quote"] and v["citation"] for v in check["verdicts"])

    # refused without a justification, accepted with one; pending a supervisor; headquarters notified
    refused = officer.post("/api/separations", json=proposal)
    assert refused.status_code == 422
    assert "justification" in refused.json()["detail"]
    sep = officer.post(
        "/api/separations", json=proposal | {"justification": "Directed by the port director."}
    ).json()
    assert sep["status"] == "PENDING_APPROVAL"
    assert sep["needs_justification"] is True
    notes = hq.get("/api/notifications").json()
    assert [n["target_id"] for n in notes] == [str(sep["id"])]
    assert "Garcia" not in notes[0]["message"]

    # the supervisor's queue holds it; approval with a note
    queue = supervisor.get("/api/separations", params={"status": "PENDING_APPROVAL"}).json()
    assert [q["id"] for q in queue] == [sep["id"]]
    assert queue[0]["flagged"] is True
    approved = supervisor.post(
        f"/api/separations/{sep['id']}/approve", json={"version": sep["version"], "note": "Approved."}
    )
    assert approved.status_code == 200, approved.text
    sep = approved.json()
    assert sep["status"] == "APPROVED"
    assert sep["approved_by"] == "supervisor"
    assert sep["decision_note"] == "Approved."

    # follow-up: custody, contact, reunification
    for person, agency in ((mother, "ICE"), (children[0], "ORR"), (children[1], "ORR")):
        r = officer.post(
            f"/api/separations/{sep['id']}/custody",
            json={"person_id": person, "agency": agency, "start_date": "2018-05-22"},
        )
        assert r.status_code == 201, r.text
    assert (
        officer.post(
            f"/api/separations/{sep['id']}/contacts", json={"contact_date": "2018-06-01", "kind": "PHONE"}
        ).status_code
        == 201
    )

    dash = hq.get("/api/dashboard").json()
    assert dash["separations_by_month"] == {"2018-05": 1}
    assert dash["separations_by_reason"] == {"IMMIGRATION_HISTORY": 1}
    assert dash["separations_by_verdict"]["teds-2015:inconsistent"] == 1
    assert len(dash["still_separated"]) == 2
    assert dash["overdue"] == 1
    assert dash["recorded_without_approval"] == 0

    sep = officer.get(f"/api/separations/{sep['id']}").json()
    done = officer.post(
        f"/api/separations/{sep['id']}/reunification",
        json={
            "version": sep["version"],
            "reunification_date": "2018-07-10",
            "verification_method": "INTERVIEW",
        },
    )
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "REUNIFIED"
    assert done.json()["reunification_date"] == "2018-07-10"
    dash = hq.get("/api/dashboard").json()
    assert dash["still_separated"] == []
    assert dash["overdue"] == 0
    assert dash["recorded_without_approval"] == 0

    verify = web.client("admin").get("/api/log/verify").json()
    assert verify["ok"] is True
    assert verify["entries"] > 20


def test_a_consistent_reason_still_waits_for_a_supervisor_but_needs_no_justification(web: Web) -> None:
    officer = web.client("officer")
    enc = officer.post(
        "/api/encounters", json={"port_code": PORT, "encounter_date": "2018-07-02", "people": FAMILY}
    ).json()
    mother, *children = [p["id"] for p in enc["people"]]
    r = officer.post(
        "/api/separations",
        json={
            "encounter_id": enc["id"],
            "separation_date": "2018-07-02",
            "parent_ids": [mother],
            "child_ids": children,
            "reasons": ["PROSECUTION"],
            "narrative": "Accepted for felony prosecution.",
        },
    )
    assert r.status_code == 201
    assert r.json()["status"] == "PENDING_APPROVAL"
    assert r.json()["needs_justification"] is False
    assert web.client("headquarters").get("/api/notifications").json() == []


def test_approval_of_a_decided_separation_is_refused(web: Web) -> None:
    sep = record_family(web)["separation"]
    sup = web.client("supervisor")
    assert (
        sup.post(f"/api/separations/{sep['id']}/reject", json={"version": 1, "note": "No."}).status_code
        == 200
    )
    r = sup.post(f"/api/separations/{sep['id']}/approve", json={"version": 2, "note": "Yes after all."})
    assert r.status_code == 422
    assert "REJECTED" in r.json()["detail"]


# ---------------------------------------------------------------- optimistic locking


def test_two_stale_updates_one_wins_the_other_is_told_nothing_lost(sqlite_web: Web) -> None:
    sep = record_family(sqlite_web)["separation"]
    officer, supervisor = sqlite_web.client("officer"), sqlite_web.client("supervisor")
    version = sep["version"]
    first = officer.patch(
        f"/api/separations/{sep['id']}", json={"version": version, "narrative": "Officer's account."}
    )
    assert first.status_code == 200
    assert first.json()["version"] == version + 1
    second = supervisor.patch(
        f"/api/separations/{sep['id']}", json={"version": version, "narrative": "Supervisor's account."}
    )
    assert second.status_code == 409
    body = second.json()
    assert body["current"]["narrative"] == "Officer's account."  # the winner's change is kept
    assert body["yours"]["narrative"] == "Supervisor's account."  # the loser's text comes back to re-apply
    assert officer.get(f"/api/separations/{sep['id']}").json()["narrative"] == "Officer's account."


def _actor(web: Web, username: str, role: Role) -> Actor:
    from sqlalchemy import select

    from reunify.store.schema.web import User

    with web.app.state.session_factory() as session:
        uid = session.scalar(select(User.id).where(User.username == username))
    return Actor(
        user_id=int(uid or 0),
        username=username,
        role=role,
        csrf="",
        ports=frozenset({PORT}),
        sees_identities=True,
    )


def test_a_race_between_two_writers_is_a_conflict_not_a_lost_update(web: Web) -> None:
    """Both read version 1 in their own transaction, both write: the database lets one through."""
    sep_id = record_family(web)["separation"]["id"]
    factory = web.app.state.session_factory
    officer, supervisor = _actor(web, "officer", Role.OFFICER), _actor(web, "supervisor", Role.SUPERVISOR)
    s1, s2 = factory(), factory()
    try:
        c1, c2 = Ctx(s1, officer), Ctx(s2, supervisor)
        records._load_separation(c1, sep_id)
        records._load_separation(c2, sep_id)
        records.update_separation(c1, sep_id, s.SeparationUpdate(version=1, narrative="first"))
        s1.commit()
        with pytest.raises(records.ConflictError) as err:
            records.update_separation(c2, sep_id, s.SeparationUpdate(version=1, narrative="second"))
        assert err.value.yours["narrative"] == "second"
    finally:
        s1.close()
        s2.close()
    with factory() as session:
        assert records.get_separation(Ctx(session, officer), sep_id).narrative == "first"
        assert auditlog.verify(session).ok


def test_concurrent_appends_keep_the_chain_contiguous(web: Web) -> None:
    record_family(web)
    officer = web.client("officer")
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda _: officer.get("/api/people/1").status_code, range(12)))
    assert set(codes) == {200}
    with web.app.state.session_factory() as session:
        assert auditlog.verify(session).ok


def test_ms_l_deadlines() -> None:
    assert records.ms_l_deadline(date(2018, 5, 21), [date(2017, 12, 24)]) == date(2018, 7, 10)
    assert records.ms_l_deadline(date(2018, 5, 21), [date(2010, 6, 1)]) == date(2018, 7, 26)
    assert records.ms_l_deadline(date(2018, 7, 1), [date(2017, 12, 24)]) is None


def test_a_stale_form_shows_the_conflict_and_keeps_what_was_typed(sqlite_web: Web) -> None:
    sep = record_family(sqlite_web)["separation"]
    supervisor = sqlite_web.client("supervisor")
    assert (
        supervisor.post(
            f"/api/separations/{sep['id']}/approve", json={"version": 1, "note": "ok"}
        ).status_code
        == 200
    )
    officer = sqlite_web.client("officer")
    page = officer.post(
        f"/separations/{sep['id']}/reunification",
        data={
            "csrf_token": officer.headers["X-CSRF-Token"],
            "version": "1",
            "reunification_date": "2018-07-09",
        },
    )
    assert page.status_code == 409
    assert "changed by someone else" in page.text
    assert 'value="2018-07-09"' in page.text
    assert officer.get(f"/api/separations/{sep['id']}").json()["status"] == "APPROVED"
