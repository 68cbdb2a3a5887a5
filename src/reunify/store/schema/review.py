"""Auditors' decisions on the audit's findings and candidates (``reunify review``).

Append-only in practice: every decision is a new row; the latest per target is the one in force,
so the history of who decided what, and why, is kept. Targets are the audit's stable ids
(``family_id`` of a finding, or of a candidate), which survive re-runs of the audit.
The note may name people, so it is stored encrypted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reunify.store.base import Base
from reunify.store.crypto import EncryptedText
from reunify.store.types import UTCDateTime

TARGET_KINDS = ("finding", "candidate")
DECISIONS = ("accept", "reject")


class ReviewDecision(Base):
    """One auditor's decision on one finding or candidate."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint("target_kind IN ('finding', 'candidate')", name="target_kind"),
        CheckConstraint("decision IN ('accept', 'reject')", name="decision"),
        Index("ix_review_decisions_target_id", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
