"""The reason vocabulary of spec/policy.md: canonical codes for why a family was separated."""

from __future__ import annotations

from enum import StrEnum


class ReasonCode(StrEnum):
    PROSECUTION = "PROSECUTION"
    WARRANT = "WARRANT"
    CRIMINAL_HISTORY_SERIOUS = "CRIMINAL_HISTORY_SERIOUS"
    CRIMINAL_HISTORY_OTHER = "CRIMINAL_HISTORY_OTHER"
    CRIMINAL_HISTORY = "CRIMINAL_HISTORY"
    CARTEL_GANG = "CARTEL_GANG"
    IMMIGRATION_HISTORY = "IMMIGRATION_HISTORY"
    RELATIONSHIP_NOT_ESTABLISHED = "RELATIONSHIP_NOT_ESTABLISHED"
    COMMUNICABLE_DISEASE = "COMMUNICABLE_DISEASE"
    CHILD_SAFETY = "CHILD_SAFETY"
    PARENT_MEDICAL = "PARENT_MEDICAL"
    PARENT_DECLINED = "PARENT_DECLINED"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class StillSeparatedReason(StrEnum):
    """Recommendation H: why a separated family is not (yet) together again."""

    PARENT_REMOVED = "PARENT_REMOVED"
    CHILD_AGED_OUT = "CHILD_AGED_OUT"
    RELEASED_TO_SPONSOR = "RELEASED_TO_SPONSOR"
    IN_CARE = "IN_CARE"
    UNKNOWN = "UNKNOWN"
