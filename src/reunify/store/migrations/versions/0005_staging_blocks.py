"""Staged rows in sealed blocks: one row per block of accepted rows (Arrow IPC, one AES-GCM message).

Revision ID: 0005_staging_blocks
Revises: 0004_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_staging_blocks"
down_revision = "0004_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staging_blocks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("block_number", sa.Integer(), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["load_batches.id"],
            name=op.f("fk_staging_blocks_batch_id_load_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staging_blocks")),
        sa.UniqueConstraint("batch_id", "block_number", name=op.f("uq_staging_blocks_batch_id_block_number")),
    )
    op.create_index(op.f("ix_staging_blocks_kind"), "staging_blocks", ["kind"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_staging_blocks_kind"), table_name="staging_blocks")
    op.drop_table("staging_blocks")
