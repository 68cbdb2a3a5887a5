"""The canonical record model as tables (migration ``0001_canonical``).

Mirrors :mod:`reunify.domain.model`. Every row carries provenance (:class:`Provenance`). Rules the
store can check are constraints here, so no code path can break them:

- a relationship is one row per unordered pair: ``person_a_id < person_b_id``, unique per kind;
- vocabularies (reason codes, agencies, statuses, roles, verdicts...) are CHECKed;
- custody ends on or after it starts, and one person's custody episodes never overlap
  (half-open ``[start, end)``; PostgreSQL: an exclusion constraint (btree_gist), SQLite: triggers);
- a reunification or a contact is on or after its separation: a composite foreign key
  ``(separation_id, separation_date) -> separations(id, separation_date)`` (ON UPDATE CASCADE) plus
  a CHECK, so moving a separation's date later than its reunification is refused too;
- separations carry ``version_id`` for optimistic locking (a stale update raises StaleDataError).

Sensitive columns (names, alien numbers, dates of birth, narratives) are :class:`EncryptedText`;
``people.a_number_index`` is the blind index used to look a number up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from reunify.domain.dates import Precision
from reunify.domain.model import (
    Agency,
    ContactKind,
    CustodyEndReason,
    PartyRole,
    RelationshipKind,
    SeparationStatus,
    Verdict,
    VerificationMethod,
)
from reunify.domain.reasons import ReasonCode
from reunify.store.base import Base
from reunify.store.crypto import EncryptedText
from reunify.store.types import UTCDateTime, utcnow

__all__ = [
    "APP_SOURCE_SYSTEM",
    "Contact",
    "CustodyEpisode",
    "DataKeyCheck",
    "Encounter",
    "EncounterMember",
    "FamilyRelationship",
    "LoadBatch",
    "Person",
    "PersonName",
    "Provenance",
    "Reunification",
    "Separation",
    "SeparationParty",
    "SeparationReason",
    "SeparationVerdict",
    "custody_overlap_sqlite_ddl",
]

APP_SOURCE_SYSTEM = "reunify"
"""``source_system`` of rows entered through reunify itself (the web app, the audit)."""


def _in(column: str, values: Iterable[str], name: str, *, nullable: bool = False) -> CheckConstraint:
    """CHECK that ``column`` holds one of ``values`` (NULL allowed when ``nullable``)."""
    listed = ", ".join(f"'{v}'" for v in values)
    text = f"{column} IN ({listed})"
    if nullable:
        text = f"{column} IS NULL OR {text}"
    return CheckConstraint(text, name=name)


def _values(enum: type[StrEnum]) -> list[str]:
    return [m.value for m in enum]


class Provenance:
    """Mixin: where a row came from. ``load_batch_id`` is None for rows entered in the app."""

    source_system: Mapped[str] = mapped_column(String(64))
    source_record_id: Mapped[str | None] = mapped_column(String(128))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    @classmethod
    def load_batch_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("load_batches.id", ondelete="RESTRICT"), index=True)


class LoadBatch(Base):
    """One file loaded by ``reunify ingest``: what it was, when, and how many rows it gave."""

    __tablename__ = "load_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_system: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(512))
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("rows_accepted + rows_quarantined <= rows_read", name="rows_add_up"),)


class DataKeyCheck(Base):
    """The fingerprint of the data key this database was encrypted with (written by ``reunify init``).

    A different key in force is refused with a clear message instead of failing on the first decrypt.
    """

    __tablename__ = "data_key_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_value: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Person(Provenance, Base):
    """A resolved person. ``a_number``: the normalised 9 digits, encrypted; find it by ``a_number_index``."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_number: Mapped[str | None] = mapped_column(EncryptedText())
    a_number_index: Mapped[str | None] = mapped_column(String(64), index=True)
    dob: Mapped[str | None] = mapped_column(EncryptedText())
    dob_precision: Mapped[str] = mapped_column(String(8), default=Precision.UNKNOWN.value)
    sex: Mapped[str | None] = mapped_column(String(1))
    citizenship: Mapped[str | None] = mapped_column(String(64))

    names: Mapped[list[PersonName]] = relationship(back_populates="person", cascade="all, delete-orphan")

    __table_args__ = (
        _in("dob_precision", _values(Precision), "dob_precision"),
        CheckConstraint("(dob IS NULL) = (dob_precision = 'unknown')", name="dob_matches_precision"),
        _in("sex", ["M", "F", "U"], "sex", nullable=True),
        CheckConstraint("(a_number IS NULL) = (a_number_index IS NULL)", name="a_number_indexed"),
    )


class PersonName(Provenance, Base):
    """A name as typed by a source, with its folded forms (all encrypted) and a blind index of the fold."""

    __tablename__ = "person_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    family_name: Mapped[str | None] = mapped_column(EncryptedText())
    given_name: Mapped[str | None] = mapped_column(EncryptedText())
    family_name_folded: Mapped[str | None] = mapped_column(EncryptedText())
    given_name_folded: Mapped[str | None] = mapped_column(EncryptedText())
    name_index: Mapped[str | None] = mapped_column(String(64), index=True)

    person: Mapped[Person] = relationship(back_populates="names")


class Encounter(Provenance, Base):
    """A presentation at a port of entry."""

    __tablename__ = "encounters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str | None] = mapped_column(String(64))
    group_id: Mapped[str | None] = mapped_column(String(64), index=True)
    port_code: Mapped[str] = mapped_column(String(8), index=True)
    port_name: Mapped[str | None] = mapped_column(String(128))
    field_office: Mapped[str | None] = mapped_column(String(64))
    encounter_date: Mapped[date] = mapped_column(Date, index=True)

    members: Mapped[list[EncounterMember]] = relationship(
        back_populates="encounter", cascade="all, delete-orphan"
    )


class EncounterMember(Provenance, Base):
    """A person in an encounter. ``asylum_claim`` NULL means not recorded (which is not "no")."""

    __tablename__ = "encounter_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int] = mapped_column(ForeignKey("encounters.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    relationship_to_head: Mapped[str | None] = mapped_column(String(32))
    is_head: Mapped[bool] = mapped_column(default=False)
    asylum_claim: Mapped[bool | None] = mapped_column()

    encounter: Mapped[Encounter] = relationship(back_populates="members")

    __table_args__ = (
        UniqueConstraint("encounter_id", "person_id"),
        _in("relationship_to_head", _values(RelationshipKind), "relationship_to_head", nullable=True),
    )


class FamilyRelationship(Provenance, Base):
    """One row per unordered pair of people: ``kind`` is what A is to B, ``inverse_kind`` what B is to A."""

    __tablename__ = "family_relationships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    person_b_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    inverse_kind: Mapped[str] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    verified_by: Mapped[str | None] = mapped_column(String(128))
    verification_method: Mapped[str | None] = mapped_column(String(32))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    evidence: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("person_a_id < person_b_id", name="ordered_pair"),
        UniqueConstraint("person_a_id", "person_b_id", "kind"),
        _in("kind", _values(RelationshipKind), "kind"),
        _in("inverse_kind", _values(RelationshipKind), "inverse_kind"),
        _in("verification_method", _values(VerificationMethod), "verification_method", nullable=True),
        CheckConstraint("(verified_by IS NULL) = (verification_method IS NULL)", name="verified_how"),
    )


class Separation(Provenance, Base):
    """A separation event. ``version_id`` guards concurrent edits (optimistic locking)."""

    __tablename__ = "separations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[int | None] = mapped_column(
        ForeignKey("encounters.id", ondelete="SET NULL"), index=True
    )
    port_code: Mapped[str] = mapped_column(String(8), index=True)
    separation_date: Mapped[date] = mapped_column(Date, index=True)
    officer: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32), index=True)
    narrative: Mapped[str | None] = mapped_column(EncryptedText())
    justification: Mapped[str | None] = mapped_column(EncryptedText())
    approved_by: Mapped[str | None] = mapped_column(String(128))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))

    parties: Mapped[list[SeparationParty]] = relationship(
        back_populates="separation", cascade="all, delete-orphan"
    )
    reasons: Mapped[list[SeparationReason]] = relationship(
        back_populates="separation", cascade="all, delete-orphan"
    )
    verdicts: Mapped[list[SeparationVerdict]] = relationship(
        back_populates="separation", cascade="all, delete-orphan"
    )
    reunifications: Mapped[list[Reunification]] = relationship(
        back_populates="separation", cascade="all, delete-orphan", passive_updates=True
    )
    contacts: Mapped[list[Contact]] = relationship(back_populates="separation", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012

    __table_args__ = (
        UniqueConstraint("id", "separation_date"),
        _in("status", _values(SeparationStatus), "status"),
        CheckConstraint(
            "status <> 'APPROVED' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)",
            name="approved_by_whom",
        ),
    )


class SeparationParty(Provenance, Base):
    """A parent or child in a separation."""

    __tablename__ = "separation_parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(ForeignKey("separations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    role: Mapped[str] = mapped_column(String(8))

    separation: Mapped[Separation] = relationship(back_populates="parties")

    __table_args__ = (
        UniqueConstraint("separation_id", "person_id"),
        _in("role", _values(PartyRole), "role"),
    )


class SeparationReason(Provenance, Base):
    """A reason code (policy.md vocabulary) with the text it was read from."""

    __tablename__ = "separation_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(ForeignKey("separations.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32), index=True)
    original_text: Mapped[str | None] = mapped_column(Text)

    separation: Mapped[Separation] = relationship(back_populates="reasons")

    __table_args__ = (
        UniqueConstraint("separation_id", "code"),
        _in("code", _values(ReasonCode), "code"),
    )


class SeparationVerdict(Provenance, Base):
    """A framework's verdict on a separation under one ruleset (re-judging adds rows for a new hash)."""

    __tablename__ = "separation_verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(ForeignKey("separations.id", ondelete="CASCADE"))
    framework_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    rule_id: Mapped[str | None] = mapped_column(String(128))
    explanation: Mapped[str] = mapped_column(Text)
    ruleset_hash: Mapped[str] = mapped_column(String(128), index=True)
    judged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    separation: Mapped[Separation] = relationship(back_populates="verdicts")

    __table_args__ = (
        UniqueConstraint(
            "separation_id", "framework_id", "ruleset_hash", name="uq_separation_verdicts_judgement"
        ),
        _in("verdict", _values(Verdict), "verdict"),
    )


class CustodyEpisode(Provenance, Base):
    """A stay in one agency's custody over ``[start_date, end_date)``; ``end_date`` NULL while ongoing."""

    __tablename__ = "custody_episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    agency: Mapped[str] = mapped_column(String(8))
    facility: Mapped[str | None] = mapped_column(String(256))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    next_custodian: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        _in("agency", _values(Agency), "agency"),
        _in("next_custodian", _values(Agency), "next_custodian", nullable=True),
        _in("end_reason", _values(CustodyEndReason), "end_reason", nullable=True),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint(
            "end_date IS NOT NULL OR (end_reason IS NULL AND next_custodian IS NULL)", name="open_has_no_end"
        ),
        ExcludeConstraint(
            ("person_id", "="),
            (literal_column("daterange(start_date, end_date, '[)')"), "&&"),
            name="ex_custody_episodes_no_overlap",
            using="gist",
        ).ddl_if(dialect="postgresql"),
    )


class Reunification(Provenance, Base):
    """A separated child (``person_id``; NULL = the whole family) back with the parent.

    ``separation_date`` repeats the separation's date so the store can check the order; set it from
    the separation (:meth:`for_separation`).
    """

    __tablename__ = "reunifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(Integer)
    separation_date: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="RESTRICT"), index=True)
    reunification_date: Mapped[date] = mapped_column(Date)
    verified_by: Mapped[str | None] = mapped_column(String(128))
    verification_method: Mapped[str | None] = mapped_column(String(32))

    separation: Mapped[Separation] = relationship(back_populates="reunifications")

    __table_args__ = (
        ForeignKeyConstraint(
            ["separation_id", "separation_date"],
            ["separations.id", "separations.separation_date"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        UniqueConstraint("separation_id", "person_id"),
        CheckConstraint("reunification_date >= separation_date", name="after_separation"),
        _in("verification_method", _values(VerificationMethod), "verification_method", nullable=True),
    )

    @classmethod
    def for_separation(cls, separation: Separation, **fields: object) -> Reunification:
        """A reunification of ``separation`` with its id and date filled in."""
        return cls(separation_id=separation.id, separation_date=separation.separation_date, **fields)


class Contact(Provenance, Base):
    """Contact between a separated parent and child, on or after the separation."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    separation_id: Mapped[int] = mapped_column(Integer)
    separation_date: Mapped[date] = mapped_column(Date)
    contact_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))

    separation: Mapped[Separation] = relationship(back_populates="contacts")

    __table_args__ = (
        ForeignKeyConstraint(
            ["separation_id", "separation_date"],
            ["separations.id", "separations.separation_date"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        Index(None, "separation_id"),
        CheckConstraint("contact_date >= separation_date", name="after_separation"),
        _in("kind", _values(ContactKind), "kind"),
    )

    @classmethod
    def for_separation(cls, separation: Separation, **fields: object) -> Contact:
        """A contact for ``separation`` with its id and date filled in."""
        return cls(separation_id=separation.id, separation_date=separation.separation_date, **fields)


def custody_overlap_sqlite_ddl() -> list[str]:
    """SQLite triggers refusing overlapping custody episodes of one person (PostgreSQL: exclusion constraint).

    Same semantics as ``daterange(start, end, '[)') && ...``: an empty episode (start = end) overlaps nothing.
    """
    clash = (
        "SELECT 1 FROM custody_episodes o WHERE o.person_id = NEW.person_id {self_check}"
        " AND (NEW.end_date IS NULL OR NEW.end_date > NEW.start_date)"
        " AND (o.end_date IS NULL OR o.end_date > o.start_date)"
        " AND NEW.start_date < COALESCE(o.end_date, '9999-12-31')"
        " AND o.start_date < COALESCE(NEW.end_date, '9999-12-31')"
    )
    body = "BEGIN SELECT RAISE(ABORT, 'custody episodes of one person overlap'); END"
    return [
        "CREATE TRIGGER custody_episodes_no_overlap_insert BEFORE INSERT ON custody_episodes "
        f"WHEN EXISTS ({clash.format(self_check='')}) {body}",
        "CREATE TRIGGER custody_episodes_no_overlap_update BEFORE UPDATE ON custody_episodes "
        f"WHEN EXISTS ({clash.format(self_check='AND o.id <> NEW.id')}) {body}",
    ]


for _statement in custody_overlap_sqlite_ddl():
    event.listen(CustodyEpisode.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[no-untyped-call]
event.listen(
    CustodyEpisode.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),  # type: ignore[no-untyped-call]
)
