"""Staging tables for ingested legacy extracts (one per v1 kind) and the quarantine.

Revision ID: 0002_staging
Revises: 0001_canonical
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reunify.store.crypto import EncryptedText

revision = "0002_staging"
down_revision = "0001_canonical"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "src_encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=True),
        sa.Column("group_id", sa.Text(), nullable=True),
        sa.Column("a_number", EncryptedText(), nullable=True),
        sa.Column("family_name", EncryptedText(), nullable=True),
        sa.Column("given_name", EncryptedText(), nullable=True),
        sa.Column("dob", EncryptedText(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("citizenship", sa.Text(), nullable=True),
        sa.Column("port_code", sa.Text(), nullable=True),
        sa.Column("port_name", sa.Text(), nullable=True),
        sa.Column("field_office", sa.Text(), nullable=True),
        sa.Column("encounter_date", sa.Text(), nullable=True),
        sa.Column("asylum_claim", sa.Text(), nullable=True),
        sa.Column("relationship", sa.Text(), nullable=True),
        sa.Column("juvenile_held_separately", sa.Text(), nullable=True),
        sa.Column("separation_reason", sa.Text(), nullable=True),
        sa.Column("prosecution_referral", sa.Text(), nullable=True),
        sa.Column("criminal_history", sa.Text(), nullable=True),
        sa.Column("disposition", sa.Text(), nullable=True),
        sa.Column("transferred_to", sa.Text(), nullable=True),
        sa.Column("transfer_date", sa.Text(), nullable=True),
        sa.Column("raw", EncryptedText(), nullable=False),
        sa.Column("extra", EncryptedText(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_src_encounters_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_src_encounters")),
        sa.UniqueConstraint("batch_id", "row_number", name=op.f("uq_src_encounters_batch_id_row_number")),
    )
    op.create_table(
        "src_i213",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=True),
        sa.Column("a_number", EncryptedText(), nullable=True),
        sa.Column("family_name", EncryptedText(), nullable=True),
        sa.Column("given_name", EncryptedText(), nullable=True),
        sa.Column("dob", EncryptedText(), nullable=True),
        sa.Column("date_prepared", sa.Text(), nullable=True),
        sa.Column("port_code", sa.Text(), nullable=True),
        sa.Column("narrative", EncryptedText(), nullable=True),
        sa.Column("raw", EncryptedText(), nullable=False),
        sa.Column("extra", EncryptedText(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_src_i213_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_src_i213")),
        sa.UniqueConstraint("batch_id", "row_number", name=op.f("uq_src_i213_batch_id_row_number")),
    )
    op.create_table(
        "src_ice_custody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("a_number", EncryptedText(), nullable=True),
        sa.Column("family_name", EncryptedText(), nullable=True),
        sa.Column("given_name", EncryptedText(), nullable=True),
        sa.Column("dob", EncryptedText(), nullable=True),
        sa.Column("citizenship", sa.Text(), nullable=True),
        sa.Column("book_in_date", sa.Text(), nullable=True),
        sa.Column("book_out_date", sa.Text(), nullable=True),
        sa.Column("book_out_reason", sa.Text(), nullable=True),
        sa.Column("facility", sa.Text(), nullable=True),
        sa.Column("removal_date", sa.Text(), nullable=True),
        sa.Column("raw", EncryptedText(), nullable=False),
        sa.Column("extra", EncryptedText(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_src_ice_custody_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_src_ice_custody")),
        sa.UniqueConstraint("batch_id", "row_number", name=op.f("uq_src_ice_custody_batch_id_row_number")),
    )
    op.create_table(
        "src_orr_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("a_number", EncryptedText(), nullable=True),
        sa.Column("family_name", EncryptedText(), nullable=True),
        sa.Column("given_name", EncryptedText(), nullable=True),
        sa.Column("dob", EncryptedText(), nullable=True),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("citizenship", sa.Text(), nullable=True),
        sa.Column("referral_date", sa.Text(), nullable=True),
        sa.Column("referring_agency", sa.Text(), nullable=True),
        sa.Column("referring_location", sa.Text(), nullable=True),
        sa.Column("separated_from_parent", sa.Text(), nullable=True),
        sa.Column("parent_name", EncryptedText(), nullable=True),
        sa.Column("parent_a_number", EncryptedText(), nullable=True),
        sa.Column("discharge_date", sa.Text(), nullable=True),
        sa.Column("discharge_type", sa.Text(), nullable=True),
        sa.Column("sponsor_relationship", sa.Text(), nullable=True),
        sa.Column("raw", EncryptedText(), nullable=False),
        sa.Column("extra", EncryptedText(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_src_orr_referrals_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_src_orr_referrals")),
        sa.UniqueConstraint("batch_id", "row_number", name=op.f("uq_src_orr_referrals_batch_id_row_number")),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", EncryptedText(), nullable=False),
        sa.Column("status", sa.String(16), server_default="open", nullable=False),
        sa.Column("resolved_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_quarantine_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_quarantine_resolved_batch_id_load_batches"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine")),
        sa.UniqueConstraint("batch_id", "row_number", name=op.f("uq_quarantine_batch_id_row_number")),
    )
    op.create_index(op.f("ix_quarantine_status"), "quarantine", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_quarantine_status"), table_name="quarantine")
    op.drop_table("quarantine")
    op.drop_table("src_orr_referrals")
    op.drop_table("src_ice_custody")
    op.drop_table("src_i213")
    op.drop_table("src_encounters")
