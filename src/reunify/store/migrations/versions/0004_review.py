"""Auditors' review decisions on audit findings and candidates.

Revision ID: 0004_review
Revises: 0003_web
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reunify.store.crypto import EncryptedText
from reunify.store.types import UTCDateTime

revision = "0004_review"
down_revision = "0003_web"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("note", EncryptedText(), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "target_kind IN ('finding', 'candidate')", name=op.f("ck_review_decisions_target_kind")
        ),
        sa.CheckConstraint("decision IN ('accept', 'reject')", name=op.f("ck_review_decisions_decision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
    )
    op.create_index("ix_review_decisions_target_id", "review_decisions", ["target_id"])


def downgrade() -> None:
    op.drop_index("ix_review_decisions_target_id", table_name="review_decisions")
    op.drop_table("review_decisions")
