"""The record model: people, encounters, relationships, separations, custody, reunification, contact.

Pure types (Pydantic, frozen) with the checks that need no I/O: alien numbers normalised, dates of
birth with their precision, custody that ends on or after it starts, a reunification on or after
its separation, a relationship between two different people. The store mirrors these rules as
constraints (reunify.store.schema.canonical); the enums here are the vocabularies both use.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from reunify.domain.dates import PartialDate, Precision
from reunify.domain.identifiers import normalize_a_number
from reunify.domain.names import fold_name
from reunify.domain.reasons import ReasonCode

__all__ = [
    "Agency",
    "Contact",
    "ContactKind",
    "CustodyEndReason",
    "CustodyEpisode",
    "DateOfBirth",
    "Encounter",
    "EncounterMember",
    "FamilyRelationship",
    "Identity",
    "PartyRole",
    "Person",
    "PersonName",
    "Provenance",
    "RelationshipKind",
    "Reunification",
    "Separation",
    "SeparationParty",
    "SeparationReason",
    "SeparationStatus",
    "Verdict",
    "VerificationMethod",
    "inverse_kind",
]


# ---------------------------------------------------------------- vocabularies


class RelationshipKind(StrEnum):
    """What one person is to another. The first seven are the extracts' relationship values."""

    MOTHER = "MOTHER"
    FATHER = "FATHER"
    SON = "SON"
    DAUGHTER = "DAUGHTER"
    LEGAL_GUARDIAN = "LEGAL_GUARDIAN"
    OTHER_RELATIVE = "OTHER_RELATIVE"
    UNRELATED = "UNRELATED"
    PARENT = "PARENT"  # a parent whose sex is not recorded
    CHILD = "CHILD"  # a child whose sex is not recorded
    WARD = "WARD"  # the child of a legal guardian
    SIBLING = "SIBLING"

    @property
    def is_parental(self) -> bool:
        """True for the kinds that make someone a parent or guardian of the other."""
        return self in _PARENTAL


_PARENTAL = frozenset(
    {
        RelationshipKind.MOTHER,
        RelationshipKind.FATHER,
        RelationshipKind.PARENT,
        RelationshipKind.LEGAL_GUARDIAN,
    }
)

_INVERSE: dict[RelationshipKind, RelationshipKind] = {
    RelationshipKind.MOTHER: RelationshipKind.CHILD,
    RelationshipKind.FATHER: RelationshipKind.CHILD,
    RelationshipKind.PARENT: RelationshipKind.CHILD,
    RelationshipKind.SON: RelationshipKind.PARENT,
    RelationshipKind.DAUGHTER: RelationshipKind.PARENT,
    RelationshipKind.CHILD: RelationshipKind.PARENT,
    RelationshipKind.LEGAL_GUARDIAN: RelationshipKind.WARD,
    RelationshipKind.WARD: RelationshipKind.LEGAL_GUARDIAN,
    RelationshipKind.SIBLING: RelationshipKind.SIBLING,
    RelationshipKind.OTHER_RELATIVE: RelationshipKind.OTHER_RELATIVE,
    RelationshipKind.UNRELATED: RelationshipKind.UNRELATED,
}


def inverse_kind(kind: RelationshipKind) -> RelationshipKind:
    """What the other person is, when one is ``kind`` to them (MOTHER -> CHILD: sex unknown here)."""
    return _INVERSE[kind]


class Agency(StrEnum):
    CBP = "CBP"
    ICE = "ICE"
    ORR = "ORR"
    USMS = "USMS"


class CustodyEndReason(StrEnum):
    TRANSFERRED = "TRANSFERRED"
    RELEASED = "RELEASED"
    REMOVED = "REMOVED"
    REUNIFIED = "REUNIFIED"
    RELEASED_TO_SPONSOR = "RELEASED_TO_SPONSOR"
    AGED_OUT = "AGED_OUT"
    OTHER = "OTHER"


class SeparationStatus(StrEnum):
    """Where a separation stands. The web app moves PROPOSED -> PENDING_APPROVAL -> APPROVED/REJECTED;
    RECORDED is a separation carried over from a source system's record; FOUND_IN_AUDIT one the
    legacy-records audit identified; REUNIFIED once every child is back with the parent."""

    PROPOSED = "PROPOSED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECORDED = "RECORDED"
    FOUND_IN_AUDIT = "FOUND_IN_AUDIT"
    REUNIFIED = "REUNIFIED"


class PartyRole(StrEnum):
    PARENT = "PARENT"
    CHILD = "CHILD"


class VerificationMethod(StrEnum):
    """How a relationship or a reunification was verified."""

    BIRTH_CERTIFICATE = "BIRTH_CERTIFICATE"
    IDENTITY_DOCUMENT = "IDENTITY_DOCUMENT"
    INTERVIEW = "INTERVIEW"
    DNA_TEST = "DNA_TEST"
    CONSULAR_CONFIRMATION = "CONSULAR_CONFIRMATION"
    RECORDS_MATCH = "RECORDS_MATCH"
    ORR_VETTING = "ORR_VETTING"
    COURT_RECORD = "COURT_RECORD"
    SELF_DECLARED = "SELF_DECLARED"
    OTHER = "OTHER"


class ContactKind(StrEnum):
    PHONE = "PHONE"
    VIDEO = "VIDEO"
    IN_PERSON = "IN_PERSON"
    LETTER = "LETTER"
    OTHER = "OTHER"


class Verdict(StrEnum):
    """A framework's judgement of a separation (spec/policy.md)."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    UNDETERMINED = "undetermined"
    NOT_IN_FORCE = "not_in_force"


# ---------------------------------------------------------------- shared pieces

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _strip_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


OptionalText = Annotated[str | None, AfterValidator(_strip_or_none)]


class Provenance(BaseModel):
    """Where a fact came from: source system, row id, load batch (None for rows entered in the app)."""

    model_config = _FROZEN

    source_system: str = Field(min_length=1)
    source_record_id: str | None = None
    load_batch_id: int | None = None


class DateOfBirth(BaseModel):
    """A date of birth known to some precision: a bare year is not January 1st."""

    model_config = _FROZEN

    value: date | None = None
    precision: Precision = Precision.UNKNOWN

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.value is None) != (self.precision is Precision.UNKNOWN):
            raise ValueError("a date of birth has a value exactly when its precision is known")
        if self.value is not None:
            if self.precision in (Precision.MONTH, Precision.YEAR) and self.value.day != 1:
                raise ValueError("a month- or year-precision date holds the first day of its period")
            if self.precision is Precision.YEAR and self.value.month != 1:
                raise ValueError("a year-precision date holds January 1st of its year")
        return self

    @classmethod
    def from_partial(cls, partial: PartialDate) -> DateOfBirth:
        return cls(value=partial.value, precision=partial.precision)

    def as_partial(self) -> PartialDate:
        return PartialDate(self.value, self.precision)

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or blank, by precision."""
        return self.as_partial().iso()


# ---------------------------------------------------------------- people


class PersonName(BaseModel):
    """A name as an officer typed it; the folded forms are derived, never typed."""

    model_config = _FROZEN

    family_name: OptionalText = None
    given_name: OptionalText = None

    @property
    def family_name_folded(self) -> str:
        return fold_name(self.family_name)

    @property
    def given_name_folded(self) -> str:
        return fold_name(self.given_name)


class Identity(BaseModel):
    """What one source says about who a person is. ``a_number`` is the normalised 9 digits or None.

    ``a_number_as_typed`` keeps the original text; a malformed number normalises to None but is kept there.
    """

    model_config = _FROZEN

    a_number_as_typed: OptionalText = None
    name: PersonName = PersonName()
    dob: DateOfBirth = DateOfBirth()
    sex: str | None = Field(default=None, pattern="^[MFU]$")
    citizenship: OptionalText = None

    @property
    def a_number(self) -> str | None:
        return normalize_a_number(self.a_number_as_typed)


class Person(BaseModel):
    """A resolved person: the best-supported identity plus every name seen for them."""

    model_config = _FROZEN

    id: int | None = None
    a_number: str | None = None
    dob: DateOfBirth = DateOfBirth()
    sex: str | None = Field(default=None, pattern="^[MFU]$")
    citizenship: OptionalText = None
    names: tuple[PersonName, ...] = ()
    provenance: Provenance

    @field_validator("a_number", mode="before")
    @classmethod
    def _normalise_a_number(cls, value: object) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        normalised = normalize_a_number(str(value))
        if normalised is None:
            raise ValueError(
                "alien number must be 8 or 9 digits, optionally with a leading A, dashes or spaces"
            )
        return normalised


# ---------------------------------------------------------------- encounters and relationships


class Encounter(BaseModel):
    """A presentation at a port of entry."""

    model_config = _FROZEN

    id: int | None = None
    event_id: OptionalText = None
    group_id: OptionalText = None
    port_code: str = Field(min_length=1, max_length=8)
    port_name: OptionalText = None
    field_office: OptionalText = None
    encounter_date: date
    provenance: Provenance


class EncounterMember(BaseModel):
    """A person in an encounter. ``asylum_claim`` None means not recorded (not "no")."""

    model_config = _FROZEN

    encounter_id: int
    person_id: int
    relationship_to_head: RelationshipKind | None = None
    is_head: bool = False
    asylum_claim: bool | None = None
    provenance: Provenance


class FamilyRelationship(BaseModel):
    """One row per unordered pair: ``person_a_id < person_b_id``; ``kind`` is what A is to B.

    Build with :meth:`between`, which orders the pair and inverts the kinds when it swaps.
    """

    model_config = _FROZEN

    person_a_id: int
    person_b_id: int
    kind: RelationshipKind
    inverse_kind: RelationshipKind
    claimed_by: OptionalText = None
    verified_by: OptionalText = None
    verification_method: VerificationMethod | None = None
    verified_at: datetime | None = None
    evidence: OptionalText = None
    provenance: Provenance

    @model_validator(mode="after")
    def _ordered_pair(self) -> Self:
        if self.person_a_id >= self.person_b_id:
            raise ValueError(
                "a relationship joins two different people, stored with person_a_id < person_b_id"
            )
        if (self.verified_by is None) != (self.verification_method is None):
            raise ValueError("a verified relationship names both who verified it and how")
        return self

    @classmethod
    def between(
        cls,
        person_id: int,
        relative_id: int,
        *,
        kind: RelationshipKind,
        relative_kind: RelationshipKind | None = None,
        provenance: Provenance,
        **fields: object,
    ) -> FamilyRelationship:
        """``person_id`` is ``kind`` to ``relative_id`` (and the relative is ``relative_kind`` to them)."""
        back = relative_kind or inverse_kind(kind)
        if person_id < relative_id:
            pair = {"person_a_id": person_id, "person_b_id": relative_id, "kind": kind, "inverse_kind": back}
        else:
            pair = {"person_a_id": relative_id, "person_b_id": person_id, "kind": back, "inverse_kind": kind}
        return cls.model_validate({**fields, **pair, "provenance": provenance})


# ---------------------------------------------------------------- separations


class SeparationReason(BaseModel):
    """One reason code (policy.md vocabulary) with the text it was read from, kept as written."""

    model_config = _FROZEN

    code: ReasonCode
    original_text: str | None = None


class SeparationParty(BaseModel):
    model_config = _FROZEN

    person_id: int
    role: PartyRole


class Separation(BaseModel):
    """A separation event: who, when, where, by whom, why (codes + original text), and its status."""

    model_config = _FROZEN

    id: int | None = None
    encounter_id: int | None = None
    port_code: str = Field(min_length=1, max_length=8)
    separation_date: date
    officer: OptionalText = None
    status: SeparationStatus
    reasons: tuple[SeparationReason, ...] = ()
    parties: tuple[SeparationParty, ...] = ()
    narrative: OptionalText = None
    justification: OptionalText = None
    approved_by: OptionalText = None
    approved_at: datetime | None = None
    provenance: Provenance

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        codes = [r.code for r in self.reasons]
        if len(codes) != len(set(codes)):
            raise ValueError("each reason code appears once per separation")
        people = [p.person_id for p in self.parties]
        if len(people) != len(set(people)):
            raise ValueError("a person is party to a separation once")
        if self.status is SeparationStatus.APPROVED and (
            self.approved_by is None or self.approved_at is None
        ):
            raise ValueError("an approved separation names who approved it and when")
        return self

    @property
    def reason_codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.reasons)


class CustodyEpisode(BaseModel):
    """A stay in one agency's custody over ``[start_date, end_date)``; ``end_date`` None while ongoing.

    Half-open: custody that passes on day D ends one episode and starts the next on D.
    """

    model_config = _FROZEN

    person_id: int
    agency: Agency
    facility: OptionalText = None
    start_date: date
    end_date: date | None = None
    end_reason: CustodyEndReason | None = None
    next_custodian: Agency | None = None
    provenance: Provenance

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("custody cannot end before it starts")
        if self.end_date is None and (self.end_reason is not None or self.next_custodian is not None):
            raise ValueError("an ongoing custody episode has no end reason or next custodian")
        return self

    def overlaps(self, other: CustodyEpisode) -> bool:
        """True when both are the same person's and their half-open periods share a day."""
        if self.person_id != other.person_id:
            return False
        if self.end_date == self.start_date or other.end_date == other.start_date:
            return False
        self_end = self.end_date or date.max
        other_end = other.end_date or date.max
        return self.start_date < other_end and other.start_date < self_end


class Reunification(BaseModel):
    """A separated child back with the parent (``person_id`` the child; None = the whole family)."""

    model_config = _FROZEN

    separation_id: int
    separation_date: date
    person_id: int | None = None
    reunification_date: date
    verified_by: OptionalText = None
    verification_method: VerificationMethod | None = None
    provenance: Provenance

    @model_validator(mode="after")
    def _after_separation(self) -> Self:
        if self.reunification_date < self.separation_date:
            raise ValueError("a reunification cannot precede its separation")
        return self


class Contact(BaseModel):
    """Contact between a separated parent and child (Ms. L: phone contact within 10 days)."""

    model_config = _FROZEN

    separation_id: int
    separation_date: date
    contact_date: date
    kind: ContactKind
    provenance: Provenance

    @model_validator(mode="after")
    def _after_separation(self) -> Self:
        if self.contact_date < self.separation_date:
            raise ValueError("contact after a separation cannot precede it")
        return self
