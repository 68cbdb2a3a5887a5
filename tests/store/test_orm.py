"""The ORM classes persist a whole separation, with times kept in UTC, on both backends."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError

from reunify.store import crypto
from reunify.store.engine import session_factory
from reunify.store.schema import canonical as c


def test_a_separation_with_its_family_reasons_and_reunification_round_trips(store_engine: Engine) -> None:
    sessions = session_factory(store_engine)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # relationship configuration warnings would surface here
        with sessions.begin() as s:
            batch = c.LoadBatch(
                source_system="SIGMA", file_name="encounters.csv", content_sha256="a" * 64, kind="encounters"
            )
            mother = c.Person(
                source_system="SIGMA", a_number="012345678", a_number_index=crypto.a_number_index("012345678")
            )
            child = c.Person(source_system="SIGMA", dob="2017-12", dob_precision="month")
            s.add_all([batch, mother, child])
            s.flush()
            src = {"source_system": "SIGMA", "load_batch_id": batch.id}
            low, high = sorted((mother.id, child.id))
            s.add(
                c.FamilyRelationship(
                    **src, person_a_id=low, person_b_id=high, kind="MOTHER", inverse_kind="CHILD"
                )
            )
            sep = c.Separation(
                **src,
                source_record_id="E-1",
                port_code="2304",
                separation_date=date(2018, 5, 21),
                status="FOUND_IN_AUDIT",
            )
            sep.parties = [
                c.SeparationParty(**src, person_id=mother.id, role="PARENT"),
                c.SeparationParty(**src, person_id=child.id, role="CHILD"),
            ]
            sep.reasons = [
                c.SeparationReason(**src, code="IMMIGRATION_HISTORY", original_text="two previous removals")
            ]
            sep.reunifications = [
                c.Reunification(
                    **src,
                    person_id=child.id,
                    reunification_date=date(2018, 7, 10),
                    verification_method="DNA_TEST",
                    verified_by="ORR",
                )
            ]
            sep.contacts = [c.Contact(**src, contact_date=date(2018, 6, 1), kind="PHONE")]
            s.add(sep)
            s.flush()
            sep_id = sep.id

    with sessions() as s:
        stored = s.get(c.Separation, sep_id)
        assert stored is not None
        assert sorted(p.role for p in stored.parties) == ["CHILD", "PARENT"]
        assert [(r.code, r.original_text) for r in stored.reasons] == [
            ("IMMIGRATION_HISTORY", "two previous removals")
        ]
        (reunion,) = stored.reunifications
        assert (reunion.separation_date, reunion.reunification_date) == (date(2018, 5, 21), date(2018, 7, 10))
        assert stored.contacts[0].separation_date == date(2018, 5, 21)  # filled from the relationship
        assert stored.load_batch_id is not None
        assert stored.recorded_at.tzinfo is UTC


def test_timestamps_are_stored_in_utc_and_naive_ones_are_refused(store_engine: Engine) -> None:
    sessions = session_factory(store_engine)
    eastern = timezone(timedelta(hours=-5))
    with sessions.begin() as s:
        sep = c.Separation(
            source_system="app",
            port_code="2304",
            separation_date=date(2018, 6, 1),
            status="APPROVED",
            approved_by="supervisor 3",
            approved_at=datetime(2018, 6, 1, 9, 30, tzinfo=eastern),
        )
        s.add(sep)
    with sessions() as s:
        approved_at = s.scalar(select(c.Separation.approved_at).where(c.Separation.id == sep.id))
    assert approved_at == datetime(2018, 6, 1, 14, 30, tzinfo=UTC)
    assert approved_at is not None
    assert approved_at.tzinfo is UTC

    with pytest.raises(StatementError, match="timezone-aware"), sessions.begin() as s:
        s.add(
            c.Separation(
                source_system="app",
                port_code="2304",
                separation_date=date(2018, 6, 1),
                status="PROPOSED",
                updated_at=datetime(2018, 6, 1, 9, 30),
            )
        )
