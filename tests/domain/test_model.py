"""The record model's own rules, checked without any database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from reunify.domain.dates import Precision, parse_partial_date
from reunify.domain.model import (
    Agency,
    CustodyEpisode,
    DateOfBirth,
    FamilyRelationship,
    Identity,
    PartyRole,
    Person,
    PersonName,
    Provenance,
    RelationshipKind,
    Reunification,
    Separation,
    SeparationParty,
    SeparationReason,
    SeparationStatus,
    inverse_kind,
)
from reunify.domain.reasons import ReasonCode

SRC = Provenance(source_system="SIGMA", source_record_id="E-1", load_batch_id=1)


def test_a_person_keeps_the_normalised_alien_number() -> None:
    assert Person(a_number="A-12-345-678", provenance=SRC).a_number == "012345678"
    assert Person(a_number="  ", provenance=SRC).a_number is None
    with pytest.raises(ValidationError, match="8 or 9 digits"):
        Person(a_number="A-123", provenance=SRC)


def test_an_identity_keeps_what_was_typed_and_normalises_beside_it() -> None:
    identity = Identity(a_number_as_typed="A 012 345 678", name=PersonName(family_name=" García López "))
    assert identity.a_number == "012345678"
    assert identity.name.family_name == "García López"
    assert identity.name.family_name_folded == "GARCIA LOPEZ"
    assert Identity(a_number_as_typed="12-34").a_number is None


def test_a_date_of_birth_keeps_its_precision() -> None:
    year_only = DateOfBirth.from_partial(parse_partial_date("2012"))
    assert (year_only.precision, year_only.iso()) == (Precision.YEAR, "2012")
    assert DateOfBirth().iso() == ""
    with pytest.raises(ValidationError):
        DateOfBirth(value=date(2012, 1, 1))  # a value without a precision
    with pytest.raises(ValidationError):
        DateOfBirth(value=date(2012, 3, 5), precision=Precision.YEAR)  # a year is not March 5th


def test_custody_ends_on_or_after_it_starts() -> None:
    CustodyEpisode(
        person_id=1, agency=Agency.ICE, start_date=date(2018, 5, 1), end_date=date(2018, 5, 1), provenance=SRC
    )
    with pytest.raises(ValidationError, match="end before it starts"):
        CustodyEpisode(
            person_id=1,
            agency=Agency.ICE,
            start_date=date(2018, 5, 2),
            end_date=date(2018, 5, 1),
            provenance=SRC,
        )


def test_custody_overlap_is_half_open() -> None:
    def stay(start: date, end: date | None, person: int = 1) -> CustodyEpisode:
        return CustodyEpisode(
            person_id=person, agency=Agency.CBP, start_date=start, end_date=end, provenance=SRC
        )

    may = stay(date(2018, 5, 1), date(2018, 5, 10))
    assert not may.overlaps(stay(date(2018, 5, 10), None))  # handed over that day
    assert may.overlaps(stay(date(2018, 5, 9), None))
    assert not may.overlaps(stay(date(2018, 5, 9), None, person=2))


def test_a_relationship_is_ordered_and_inverted_when_built_backwards() -> None:
    rel = FamilyRelationship.between(7, 3, kind=RelationshipKind.MOTHER, provenance=SRC)
    assert (rel.person_a_id, rel.person_b_id) == (3, 7)
    assert (rel.kind, rel.inverse_kind) == (RelationshipKind.CHILD, RelationshipKind.MOTHER)
    with pytest.raises(ValidationError):
        FamilyRelationship.between(3, 3, kind=RelationshipKind.FATHER, provenance=SRC)
    assert inverse_kind(RelationshipKind.LEGAL_GUARDIAN) is RelationshipKind.WARD


def test_a_reunification_cannot_precede_its_separation() -> None:
    with pytest.raises(ValidationError, match="precede"):
        Reunification(
            separation_id=1,
            separation_date=date(2018, 5, 21),
            reunification_date=date(2018, 5, 20),
            provenance=SRC,
        )


def test_a_separation_keeps_reason_codes_with_their_text() -> None:
    sep = Separation(
        port_code="2304",
        separation_date=date(2018, 5, 21),
        status=SeparationStatus.FOUND_IN_AUDIT,
        reasons=(
            SeparationReason(code=ReasonCode.IMMIGRATION_HISTORY, original_text="two previous removals"),
        ),
        parties=(
            SeparationParty(person_id=1, role=PartyRole.PARENT),
            SeparationParty(person_id=2, role=PartyRole.CHILD),
        ),
        provenance=SRC,
    )
    assert sep.reason_codes == (ReasonCode.IMMIGRATION_HISTORY,)
    with pytest.raises(ValidationError):
        SeparationReason(code="ILLEGAL_ENTRY")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="approved"):
        Separation(
            port_code="2304",
            separation_date=date(2018, 5, 21),
            status=SeparationStatus.APPROVED,
            provenance=SRC,
        )
    Separation(
        port_code="2304",
        separation_date=date(2018, 5, 21),
        status=SeparationStatus.APPROVED,
        approved_by="supervisor",
        approved_at=datetime(2018, 5, 21, tzinfo=UTC),
        provenance=SRC,
    )
