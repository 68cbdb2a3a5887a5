"""The web application: accounts, grants, sign-in attempts, notifications, and the append-only audit log.

Revision ID: 0003_web
Revises: 0002_staging
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from reunify.store.crypto import EncryptedText
from reunify.store.schema.web import append_only_ddl, drop_append_only_ddl
from reunify.store.types import UTCDateTime

revision = "0003_web"
down_revision = "0002_staging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("username", name=op.f("uq_web_users_username")),
    )
    op.create_table(
        "web_user_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_web_user_grants_user_id_web_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user_grants")),
        sa.UniqueConstraint("user_id", "kind", "value", name=op.f("uq_web_user_grants_user_id_kind_value")),
    )
    op.create_index(op.f("ix_web_user_grants_user_id"), "web_user_grants", ["user_id"])
    op.create_table(
        "web_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_login_attempts")),
    )
    op.create_index(op.f("ix_web_login_attempts_username"), "web_login_attempts", ["username"])
    op.create_table(
        "web_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_notifications")),
    )
    op.create_index(op.f("ix_web_notifications_audience"), "web_notifications", ["audience"])
    op.create_table(
        "web_separation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", EncryptedText(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('evidence', 'decision')", name=op.f("ck_web_separation_notes_kind")),
        sa.ForeignKeyConstraint(
            ["separation_id"],
            ["separations.id"],
            name=op.f("fk_web_separation_notes_separation_id_separations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_separation_notes")),
    )
    op.create_index(op.f("ix_web_separation_notes_separation_id"), "web_separation_notes", ["separation_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(32), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_audit_log_entry_hash")),
    )
    op.create_index(op.f("ix_audit_log_event"), "audit_log", ["event"])
    op.create_index(op.f("ix_audit_log_target_id"), "audit_log", ["target_id"])
    op.create_table(
        "audit_log_lock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("appends", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_lock")),
    )
    op.execute("INSERT INTO audit_log_lock (id, appends) VALUES (1, 0)")
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table("audit_log_lock")
    op.drop_index(op.f("ix_audit_log_target_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_event"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_web_separation_notes_separation_id"), table_name="web_separation_notes")
    op.drop_table("web_separation_notes")
    op.drop_index(op.f("ix_web_notifications_audience"), table_name="web_notifications")
    op.drop_table("web_notifications")
    op.drop_index(op.f("ix_web_login_attempts_username"), table_name="web_login_attempts")
    op.drop_table("web_login_attempts")
    op.drop_index(op.f("ix_web_user_grants_user_id"), table_name="web_user_grants")
    op.drop_table("web_user_grants")
    op.drop_table("web_users")
