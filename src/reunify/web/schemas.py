"""The API's request and response bodies, one model per direction (create, update, public)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reunify.domain.model import Agency, ContactKind, RelationshipKind, SeparationStatus, VerificationMethod
from reunify.domain.reasons import ReasonCode

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PortCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{4}$")]
Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2100, 12, 31))]

PARENT_KINDS = (
    RelationshipKind.MOTHER,
    RelationshipKind.FATHER,
    RelationshipKind.LEGAL_GUARDIAN,
    RelationshipKind.OTHER_RELATIVE,
)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- sign-in


class LoginIn(_In):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class SessionOut(BaseModel):
    user_id: int
    username: str
    role: str
    csrf_token: str
    ports: list[str]


# ---------------------------------------------------------------- people and encounters


class PersonIn(_In):
    given_name: Name
    family_name: Name
    dob: Day | None = None
    sex: Literal["M", "F", "U"] = "U"
    a_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    role: Literal["PARENT", "CHILD", "OTHER"] = "OTHER"


class EncounterIn(_In):
    port_code: PortCode
    encounter_date: Day
    asylum_claim: bool | None = None
    people: list[PersonIn] = Field(min_length=1, max_length=20)


class PersonOut(BaseModel):
    """A person as the viewer may see them: names, alien number and birth date are None when hidden."""

    id: int
    given_name: str | None
    family_name: str | None
    a_number: str | None
    dob: str | None
    sex: str | None
    role: str | None = None
    identity_hidden: bool


class RelationshipIn(_In):
    encounter_id: int = Field(ge=1, le=2**31 - 1)
    adult_id: int = Field(ge=1, le=2**31 - 1)
    child_id: int = Field(ge=1, le=2**31 - 1)
    kind: Literal["MOTHER", "FATHER", "LEGAL_GUARDIAN", "OTHER_RELATIVE"]
    verification_method: VerificationMethod | None = None


class RelationshipOut(BaseModel):
    adult_id: int
    child_id: int
    kind: str
    verification_method: str | None
    verified: bool


class EncounterOut(BaseModel):
    id: int
    port_code: str
    port_name: str | None
    field_office: str | None
    encounter_date: date
    people: list[PersonOut]
    relationships: list[RelationshipOut]
    separation_ids: list[int]


class EncounterSummary(BaseModel):
    id: int
    port_code: str
    port_name: str | None
    encounter_date: date
    n_people: int


# ---------------------------------------------------------------- policy


class VerdictOut(BaseModel):
    framework_id: str
    verdict: str
    rule_id: str | None
    explanation: str
    citation: str
    quote: str


class PolicyCheckOut(BaseModel):
    date: date
    reasons: list[ReasonCode]
    verdicts: list[VerdictOut]
    needs_justification: bool
    message: str
    ruleset_hash: str


# ---------------------------------------------------------------- separations


class SeparationIn(_In):
    encounter_id: int = Field(ge=1, le=2**31 - 1)
    separation_date: Day
    parent_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=10)
    child_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=20)
    reasons: list[ReasonCode] = Field(min_length=1, max_length=len(ReasonCode))
    narrative: Note
    evidence: ShortText = ""
    justification: ShortText = ""


class SeparationUpdate(_In):
    version: int = Field(ge=1, le=2**31 - 1)
    narrative: Note | None = None
    evidence: ShortText | None = None
    justification: ShortText | None = None


class DecisionIn(_In):
    version: int = Field(ge=1, le=2**31 - 1)
    note: Note


class CustodyIn(_In):
    person_id: int = Field(ge=1, le=2**31 - 1)
    agency: Agency
    facility: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    start_date: Day


class ContactIn(_In):
    contact_date: Day
    kind: ContactKind


class ReunificationIn(_In):
    version: int = Field(ge=1, le=2**31 - 1)
    reunification_date: Day
    verification_method: VerificationMethod | None = None


class CustodyOut(BaseModel):
    person_id: int
    agency: str
    facility: str | None
    start_date: date
    end_date: date | None


class ContactOut(BaseModel):
    contact_date: date
    kind: str


class SeparationOut(BaseModel):
    id: int
    encounter_id: int | None
    port_code: str
    separation_date: date
    status: SeparationStatus
    reasons: list[ReasonCode]
    verdicts: list[VerdictOut]
    needs_justification: bool
    narrative: str | None
    evidence: str | None
    justification: str | None
    proposed_by: str | None
    approved_by: str | None
    approved_at: datetime | None
    decision_note: str | None
    reunification_date: date | None
    version: int
    parents: list[PersonOut]
    children: list[PersonOut]
    custody: list[CustodyOut]
    contacts: list[ContactOut]


class SeparationSummary(BaseModel):
    id: int
    port_code: str
    separation_date: date
    status: SeparationStatus
    reasons: list[ReasonCode]
    flagged: bool
    n_children: int
    version: int


class FamilyStatusOut(BaseModel):
    """What counsel may see: where the family stands, no narrative, no other family."""

    separation_id: int
    status: SeparationStatus
    separation_date: date
    port_code: str
    n_children: int
    reunification_date: date | None
    last_contact_date: date | None
    days_separated: int
    overdue: bool


class NotificationOut(BaseModel):
    id: int
    created_at: datetime
    kind: str
    target_kind: str
    target_id: str
    message: str


# ---------------------------------------------------------------- review (auditor)


class ReviewItem(BaseModel):
    target_kind: Literal["finding", "candidate"]
    target_id: str
    port_code: str | None
    separation_date: str | None
    reasons: str | None
    confidence: str | None
    evidence: str | None
    source_records: list[str]
    decision: str | None
    note: str | None


class ReviewDecisionOut(BaseModel):
    id: int
    target_kind: str
    target_id: str
    decision: str
    decided_by: str
    decided_at: datetime


class ReviewDecisionIn(_In):
    target_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    decision: Literal["accept", "reject"]
    note: Note


# ---------------------------------------------------------------- users (admin)


class UserIn(_In):
    username: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    role: Literal["officer", "supervisor", "headquarters", "auditor", "counsel", "admin"]
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)]


class GrantIn(_In):
    kind: Literal["port", "identities", "family"]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] = "*"


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    active: bool
    grants: list[str]


class LogVerifyOut(BaseModel):
    ok: bool
    entries: int
    first_bad_seq: int | None
    reason: str
    head_seq: int
    head_hash: str


class DashboardOut(BaseModel):
    separations_by_month: dict[str, int]
    separations_by_port: dict[str, int]
    separations_by_reason: dict[str, int]
    separations_by_verdict: dict[str, int]
    still_separated: list[dict[str, int | str | bool]]
    overdue: int
    recorded_without_approval: int
    pending_approval: int
