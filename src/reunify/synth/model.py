"""The scripted part of the scenario: separated families as plain objects.

Background groups (the millions of rows around them) never become objects; they are numpy
arrays in reunify.synth.background. Separated families are few (hundreds), so they are built
one by one and carry everything the truth files and the extracts need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reunify.domain.ports import Port

SIGNALS = ("legacy_flag", "reason_field", "custody_path", "orr_flag", "narrative")


@dataclass(slots=True)
class Person:
    """A true person: clean identity as the truth files hold it."""

    person_id: str
    family_name: str
    given_name: str
    dob: date
    sex: str
    citizenship: str
    a_number: str


@dataclass(slots=True)
class Member:
    """A person's place in a separated family and what became of them."""

    person: Person
    role: str  # PARENT | CHILD
    relationship: str  # MOTHER FATHER SON DAUGHTER
    reunification_date: date | None = None
    still_separated_reason: str = ""
    # child: ORR discharge; parent: ICE book-out
    discharge_date: date | None = None
    discharge_type: str = ""
    sponsor_relationship: str = ""
    removal_date: date | None = None


@dataclass(slots=True)
class SeparatedFamily:
    """One true separation at a port of entry."""

    family_id: str
    group_no: int
    port: Port
    encounter_date: date
    reasons: list[str]
    members: list[Member]
    tags: list[str] = field(default_factory=list)
    recorded_by: set[str] = field(default_factory=set)
    asylum_claim: str = "Y"
    prior_removal_years: list[int] = field(default_factory=list)
    parent_custody: str = "ICE"  # ICE | USMS

    @property
    def separation_date(self) -> date:
        """The day CBP separated the family: the day it presented (deliverable.md)."""
        return self.encounter_date

    @property
    def parents(self) -> list[Member]:
        return [m for m in self.members if m.role == "PARENT"]

    @property
    def children(self) -> list[Member]:
        return [m for m in self.members if m.role == "CHILD"]

    @property
    def reunified(self) -> bool:
        return all(c.reunification_date is not None for c in self.children)

    @property
    def still_separated_reason(self) -> str:
        """Family level: blank when reunified, else the first member reason (parents first)."""
        for m in self.parents + self.children:
            if m.still_separated_reason:
                return m.still_separated_reason
        return ""
