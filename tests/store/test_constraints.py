"""The store itself refuses rows that break the model's rules, on SQLite and on PostgreSQL alike.

Each test shows the rule accepting a good row and rejecting the bad one, so it fails if the
constraint is missing as surely as if it were too strict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import IntegrityError

from reunify.domain.model import Agency, CustodyEpisode, Provenance
from reunify.store.schema import canonical as c

from .rows import SRC, add_custody, add_person, add_separation

D = date
_P = Provenance(source_system="test")


def rejects(conn: Connection, action: Callable[[], object]) -> None:
    """Assert the database refuses ``action`` (inside a savepoint, so the test can go on)."""
    with pytest.raises(IntegrityError), conn.begin_nested():
        action()


def accepts(conn: Connection, action: Callable[[], object]) -> None:
    with conn.begin_nested():
        action()


# ---------------------------------------------------------------- custody


def test_overlapping_custody_of_one_person_is_refused(conn: Connection) -> None:
    person = add_person(conn)
    add_custody(conn, person, D(2018, 5, 1), D(2018, 5, 10), agency="CBP")
    rejects(conn, lambda: add_custody(conn, person, D(2018, 5, 5), D(2018, 5, 20)))
    rejects(conn, lambda: add_custody(conn, person, D(2018, 4, 1), None))  # an open stay swallowing it
    accepts(conn, lambda: add_custody(conn, person, D(2018, 5, 10), D(2018, 6, 1)))  # handed over on the 10th


def test_an_open_custody_episode_blocks_any_later_one(conn: Connection) -> None:
    person = add_person(conn)
    add_custody(conn, person, D(2018, 6, 1), None, agency="ORR")
    rejects(conn, lambda: add_custody(conn, person, D(2019, 1, 1), D(2019, 2, 1)))
    accepts(conn, lambda: add_custody(conn, person, D(2018, 5, 1), D(2018, 6, 1), agency="CBP"))


def test_custody_of_different_people_may_overlap(conn: Connection) -> None:
    parent, child = add_person(conn), add_person(conn)
    add_custody(conn, parent, D(2018, 5, 1), D(2018, 7, 1))
    accepts(conn, lambda: add_custody(conn, child, D(2018, 5, 1), D(2018, 7, 1), agency="ORR"))


def test_moving_a_custody_episode_into_another_is_refused(conn: Connection) -> None:
    person = add_person(conn)
    add_custody(conn, person, D(2018, 5, 1), D(2018, 5, 10), agency="CBP")
    add_custody(conn, person, D(2018, 6, 1), D(2018, 7, 1))
    episode = c.CustodyEpisode
    move = update(episode).where(episode.person_id == person, episode.start_date == D(2018, 6, 1))
    rejects(conn, lambda: conn.execute(move.values(start_date=D(2018, 5, 9))))
    accepts(conn, lambda: conn.execute(move.values(start_date=D(2018, 5, 20))))


def test_custody_cannot_end_before_it_starts(conn: Connection) -> None:
    person = add_person(conn)
    rejects(conn, lambda: add_custody(conn, person, D(2018, 5, 10), D(2018, 5, 9)))
    accepts(conn, lambda: add_custody(conn, person, D(2018, 5, 10), D(2018, 5, 10)))


def test_custody_agency_must_be_in_the_vocabulary(conn: Connection) -> None:
    person = add_person(conn)
    rejects(conn, lambda: add_custody(conn, person, D(2018, 5, 1), D(2018, 5, 2), agency="FBI"))
    accepts(conn, lambda: add_custody(conn, person, D(2018, 5, 1), D(2018, 5, 2), agency="USMS"))


# ---------------------------------------------------------------- reunification and contact


def _reunify(conn: Connection, separation_id: int, separation_date: date, on: date) -> None:
    conn.execute(
        insert(c.Reunification).values(
            **SRC, separation_id=separation_id, separation_date=separation_date, reunification_date=on
        )
    )


def test_a_reunification_cannot_precede_its_separation(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))
    rejects(conn, lambda: _reunify(conn, sep, D(2018, 5, 21), D(2018, 5, 20)))
    accepts(conn, lambda: _reunify(conn, sep, D(2018, 5, 21), D(2018, 7, 10)))


def test_a_reunification_must_carry_its_separations_real_date(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))
    rejects(conn, lambda: _reunify(conn, sep, D(2018, 1, 1), D(2018, 2, 1)))  # a made-up earlier date


def test_moving_a_separation_after_its_reunification_is_refused(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))
    _reunify(conn, sep, D(2018, 5, 21), D(2018, 7, 10))
    moved = update(c.Separation).where(c.Separation.id == sep)
    rejects(
        conn,
        lambda: conn.execute(moved.values(separation_date=D(2018, 8, 1))),
    )
    accepts(
        conn,
        lambda: conn.execute(moved.values(separation_date=D(2018, 6, 1))),
    )


def test_contact_cannot_precede_the_separation(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))

    def contact(on: date) -> None:
        conn.execute(
            insert(c.Contact).values(
                **SRC, separation_id=sep, separation_date=D(2018, 5, 21), contact_date=on, kind="PHONE"
            )
        )

    rejects(conn, lambda: contact(D(2018, 5, 1)))
    accepts(conn, lambda: contact(D(2018, 5, 28)))


# ---------------------------------------------------------------- relationships


def _relate(conn: Connection, a: int, b: int, kind: str = "MOTHER", inverse: str = "CHILD") -> None:
    conn.execute(
        insert(c.FamilyRelationship).values(
            **SRC, person_a_id=a, person_b_id=b, kind=kind, inverse_kind=inverse
        )
    )


def test_a_relationship_is_stored_once_per_unordered_pair(conn: Connection) -> None:
    low, high = sorted((add_person(conn), add_person(conn)))
    rejects(conn, lambda: _relate(conn, high, low))  # the pair must be ordered
    rejects(conn, lambda: _relate(conn, low, low))  # and be two people
    _relate(conn, low, high)
    rejects(conn, lambda: _relate(conn, low, high))  # once per kind
    accepts(
        conn, lambda: _relate(conn, low, high, kind="LEGAL_GUARDIAN", inverse="WARD")
    )  # a competing claim


def test_a_relationship_kind_must_be_in_the_vocabulary(conn: Connection) -> None:
    low, high = sorted((add_person(conn), add_person(conn)))
    rejects(conn, lambda: _relate(conn, low, high, kind="COUSIN"))


def test_a_verified_relationship_says_who_verified_it_and_how(conn: Connection) -> None:
    low, high = sorted((add_person(conn), add_person(conn)))

    def relate(**verification: str) -> None:
        conn.execute(
            insert(c.FamilyRelationship).values(
                **SRC, person_a_id=low, person_b_id=high, kind="FATHER", inverse_kind="CHILD", **verification
            )
        )

    rejects(conn, lambda: relate(verified_by="officer 12"))
    accepts(conn, lambda: relate(verified_by="officer 12", verification_method="BIRTH_CERTIFICATE"))


# ---------------------------------------------------------------- separations


def test_a_reason_code_must_be_in_the_policy_vocabulary(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))

    def reason(code: str) -> None:
        conn.execute(
            insert(c.SeparationReason).values(
                **SRC, separation_id=sep, code=code, original_text="two previous removals"
            )
        )

    rejects(conn, lambda: reason("ILLEGAL_ENTRY"))
    accepts(conn, lambda: reason("IMMIGRATION_HISTORY"))
    rejects(conn, lambda: reason("IMMIGRATION_HISTORY"))  # once per separation


def test_a_separation_status_must_be_known_and_an_approval_signed(conn: Connection) -> None:
    rejects(conn, lambda: add_separation(conn, D(2018, 5, 21), status="MAYBE"))
    rejects(conn, lambda: add_separation(conn, D(2018, 5, 21), status="APPROVED"))  # by nobody
    accepts(conn, lambda: add_separation(conn, D(2018, 5, 21), status="PROPOSED"))


def test_a_party_is_a_parent_or_a_child_of_a_real_person(conn: Connection) -> None:
    sep, person = add_separation(conn, D(2018, 5, 21)), add_person(conn)

    def party(person_id: int, role: str) -> None:
        conn.execute(
            insert(c.SeparationParty).values(**SRC, separation_id=sep, person_id=person_id, role=role)
        )

    rejects(conn, lambda: party(person, "UNCLE"))
    rejects(conn, lambda: party(person + 10_000, "PARENT"))  # foreign keys are enforced (SQLite too)
    accepts(conn, lambda: party(person, "PARENT"))


def test_a_verdict_must_be_in_the_verdict_vocabulary(conn: Connection) -> None:
    sep = add_separation(conn, D(2018, 5, 21))

    def verdict(value: str) -> None:
        conn.execute(
            insert(c.SeparationVerdict).values(
                **SRC,
                separation_id=sep,
                framework_id="teds-2015",
                verdict=value,
                explanation="x",
                ruleset_hash="h",
            )
        )

    rejects(conn, lambda: verdict("fine"))
    accepts(conn, lambda: verdict("inconsistent"))


def test_a_date_of_birth_comes_with_its_precision(conn: Connection) -> None:
    def person(**dob: str | None) -> None:
        conn.execute(insert(c.Person).values(**SRC, **dob))

    rejects(conn, lambda: person(dob="2012", dob_precision="unknown"))
    rejects(conn, lambda: person(dob=None, dob_precision="year"))
    rejects(conn, lambda: person(dob="2012", dob_precision="decade"))
    accepts(conn, lambda: person(dob="2012", dob_precision="year"))


def test_every_row_names_its_source_system(conn: Connection) -> None:
    rejects(conn, lambda: conn.execute(insert(c.Person).values(source_system=None)))


def test_a_refused_row_does_not_echo_its_values(conn: Connection) -> None:
    """Errors (and SQL logs) never carry bound values: a name in a rejected row stays out of the message."""
    with pytest.raises(IntegrityError) as caught, conn.begin_nested():
        conn.execute(insert(c.Person).values(source_system="test", source_record_id="GARCIA LOPEZ", sex="X"))
    assert "GARCIA" not in str(caught.value)


_DAY = st.integers(min_value=0, max_value=12)


@settings(max_examples=40, deadline=None)
@given(first=st.tuples(_DAY, st.none() | _DAY), second=st.tuples(_DAY, st.none() | _DAY))
def test_the_store_and_the_domain_agree_on_what_overlaps(
    store_engine: Engine, first: tuple[int, int | None], second: tuple[int, int | None]
) -> None:
    """For any two stays of one person, the store refuses the second exactly when the domain sees overlap."""
    base = D(2018, 5, 1)

    def stay(offsets: tuple[int, int | None]) -> CustodyEpisode:
        start, length = offsets
        end = None if length is None else base + timedelta(days=offsets[0] + length)
        return CustodyEpisode(
            person_id=1,
            agency=Agency.ICE,
            start_date=base + timedelta(days=start),
            end_date=end,
            provenance=_P,
        )

    a, b = stay(first), stay(second)
    with store_engine.connect() as connection, connection.begin():
        person = add_person(connection)
        add_custody(connection, person, a.start_date, a.end_date)
        try:
            with connection.begin_nested():
                add_custody(connection, person, b.start_date, b.end_date)
            refused = False
        except IntegrityError:
            refused = True
        connection.rollback()
    assert refused == a.overlaps(b)
