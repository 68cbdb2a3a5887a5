"""The audit log's queue: entries are written without a lock and sequenced into the chain in batches.

Revision ID: 0006_audit_queue
Revises: 0005_staging_blocks
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reunify.store.schema.web import drop_queue_ddl, queue_ddl

revision = "0006_audit_queue"
down_revision = "0005_staging_blocks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_queue")),
    )
    for statement in queue_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    from reunify.auditlog.log import sequence_connection

    # Entries still queued join the chain first (in this migration's transaction): none is lost.
    while sequence_connection(op.get_bind()):
        pass
    for statement in drop_queue_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("audit_log_queue")
