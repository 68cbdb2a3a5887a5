"""The canonical record model: people, encounters, relationships, separations, custody, reunification.

Revision ID: 0001_canonical
Revises:
Create Date: 2026-11-25

Frozen: a later change to the model is a new revision, never an edit here. Constraints the ORM
cannot express portably are created below per dialect: on PostgreSQL an exclusion constraint
(btree_gist) refusing overlapping custody episodes of one person, on SQLite two triggers doing the same.
"""

# ruff: noqa: E501, PLR0915  (generated DDL, frozen: one statement per object, each CHECK on one line)

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_canonical"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OVERLAP = (
    "SELECT 1 FROM custody_episodes o WHERE o.person_id = NEW.person_id {self_check}"
    " AND (NEW.end_date IS NULL OR NEW.end_date > NEW.start_date)"
    " AND (o.end_date IS NULL OR o.end_date > o.start_date)"
    " AND NEW.start_date < COALESCE(o.end_date, '9999-12-31')"
    " AND o.start_date < COALESCE(NEW.end_date, '9999-12-31')"
)
_RAISE = "BEGIN SELECT RAISE(ABORT, 'custody episodes of one person overlap'); END"
SQLITE_TRIGGERS = (
    "CREATE TRIGGER custody_episodes_no_overlap_insert BEFORE INSERT ON custody_episodes "
    f"WHEN EXISTS ({_OVERLAP.format(self_check='')}) {_RAISE}",
    "CREATE TRIGGER custody_episodes_no_overlap_update BEFORE UPDATE ON custody_episodes "
    f"WHEN EXISTS ({_OVERLAP.format(self_check='AND o.id <> NEW.id')}) {_RAISE}",
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "data_key_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_value", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_key_checks")),
        sa.UniqueConstraint("check_value", name=op.f("uq_data_key_checks_check_value")),
    )
    op.create_table(
        "load_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=512), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_quarantined", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "rows_accepted + rows_quarantined <= rows_read", name=op.f("ck_load_batches_rows_add_up")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_load_batches")),
        sa.UniqueConstraint("content_sha256", name=op.f("uq_load_batches_content_sha256")),
    )
    op.create_table(
        "encounters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=True),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.Column("port_code", sa.String(length=8), nullable=False),
        sa.Column("port_name", sa.String(length=128), nullable=True),
        sa.Column("field_office", sa.String(length=64), nullable=True),
        sa.Column("encounter_date", sa.Date(), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_encounters_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounters")),
    )
    op.create_index(op.f("ix_encounters_encounter_date"), "encounters", ["encounter_date"], unique=False)
    op.create_index(op.f("ix_encounters_group_id"), "encounters", ["group_id"], unique=False)
    op.create_index(op.f("ix_encounters_load_batch_id"), "encounters", ["load_batch_id"], unique=False)
    op.create_index(op.f("ix_encounters_port_code"), "encounters", ["port_code"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_number", sa.LargeBinary(), nullable=True),
        sa.Column("a_number_index", sa.String(length=64), nullable=True),
        sa.Column("dob", sa.LargeBinary(), nullable=True),
        sa.Column("dob_precision", sa.String(length=8), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("citizenship", sa.String(length=64), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(dob IS NULL) = (dob_precision = 'unknown')", name=op.f("ck_people_dob_matches_precision")
        ),
        sa.CheckConstraint(
            "dob_precision IN ('day', 'month', 'year', 'unknown')", name=op.f("ck_people_dob_precision")
        ),
        sa.CheckConstraint("sex IS NULL OR sex IN ('M', 'F', 'U')", name=op.f("ck_people_sex")),
        sa.CheckConstraint(
            "(a_number IS NULL) = (a_number_index IS NULL)", name=op.f("ck_people_a_number_indexed")
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_people_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_a_number_index"), "people", ["a_number_index"], unique=False)
    op.create_index(op.f("ix_people_load_batch_id"), "people", ["load_batch_id"], unique=False)
    op.create_table(
        "custody_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=8), nullable=False),
        sa.Column("facility", sa.String(length=256), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.Column("next_custodian", sa.String(length=8), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "agency IN ('CBP', 'ICE', 'ORR', 'USMS')", name=op.f("ck_custody_episodes_agency")
        ),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('TRANSFERRED', 'RELEASED', 'REMOVED', 'REUNIFIED', 'RELEASED_TO_SPONSOR', 'AGED_OUT', 'OTHER')",
            name=op.f("ck_custody_episodes_end_reason"),
        ),
        sa.CheckConstraint(
            "next_custodian IS NULL OR next_custodian IN ('CBP', 'ICE', 'ORR', 'USMS')",
            name=op.f("ck_custody_episodes_next_custodian"),
        ),
        sa.CheckConstraint(
            "end_date IS NOT NULL OR (end_reason IS NULL AND next_custodian IS NULL)",
            name=op.f("ck_custody_episodes_open_has_no_end"),
        ),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_custody_episodes_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_custody_episodes_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_custody_episodes_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_episodes")),
    )
    op.create_index(
        op.f("ix_custody_episodes_load_batch_id"), "custody_episodes", ["load_batch_id"], unique=False
    )
    op.create_index(op.f("ix_custody_episodes_person_id"), "custody_episodes", ["person_id"], unique=False)
    op.create_table(
        "encounter_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("relationship_to_head", sa.String(length=32), nullable=True),
        sa.Column("is_head", sa.Boolean(), nullable=False),
        sa.Column("asylum_claim", sa.Boolean(), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "relationship_to_head IS NULL OR relationship_to_head IN ('MOTHER', 'FATHER', 'SON', 'DAUGHTER', 'LEGAL_GUARDIAN', 'OTHER_RELATIVE', 'UNRELATED', 'PARENT', 'CHILD', 'WARD', 'SIBLING')",
            name=op.f("ck_encounter_members_relationship_to_head"),
        ),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounters.id"],
            name=op.f("fk_encounter_members_encounter_id_encounters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_encounter_members_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_encounter_members_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encounter_members")),
        sa.UniqueConstraint(
            "encounter_id", "person_id", name=op.f("uq_encounter_members_encounter_id_person_id")
        ),
    )
    op.create_index(
        op.f("ix_encounter_members_load_batch_id"), "encounter_members", ["load_batch_id"], unique=False
    )
    op.create_index(op.f("ix_encounter_members_person_id"), "encounter_members", ["person_id"], unique=False)
    op.create_table(
        "family_relationships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("inverse_kind", sa.String(length=32), nullable=False),
        sa.Column("claimed_by", sa.String(length=128), nullable=True),
        sa.Column("verified_by", sa.String(length=128), nullable=True),
        sa.Column("verification_method", sa.String(length=32), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "inverse_kind IN ('MOTHER', 'FATHER', 'SON', 'DAUGHTER', 'LEGAL_GUARDIAN', 'OTHER_RELATIVE', 'UNRELATED', 'PARENT', 'CHILD', 'WARD', 'SIBLING')",
            name=op.f("ck_family_relationships_inverse_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('MOTHER', 'FATHER', 'SON', 'DAUGHTER', 'LEGAL_GUARDIAN', 'OTHER_RELATIVE', 'UNRELATED', 'PARENT', 'CHILD', 'WARD', 'SIBLING')",
            name=op.f("ck_family_relationships_kind"),
        ),
        sa.CheckConstraint(
            "verification_method IS NULL OR verification_method IN ('BIRTH_CERTIFICATE', 'IDENTITY_DOCUMENT', 'INTERVIEW', 'DNA_TEST', 'CONSULAR_CONFIRMATION', 'RECORDS_MATCH', 'ORR_VETTING', 'COURT_RECORD', 'SELF_DECLARED', 'OTHER')",
            name=op.f("ck_family_relationships_verification_method"),
        ),
        sa.CheckConstraint(
            "(verified_by IS NULL) = (verification_method IS NULL)",
            name=op.f("ck_family_relationships_verified_how"),
        ),
        sa.CheckConstraint("person_a_id < person_b_id", name=op.f("ck_family_relationships_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_family_relationships_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_a_id"],
            ["people.id"],
            name=op.f("fk_family_relationships_person_a_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"],
            ["people.id"],
            name=op.f("fk_family_relationships_person_b_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_relationships")),
        sa.UniqueConstraint(
            "person_a_id",
            "person_b_id",
            "kind",
            name=op.f("uq_family_relationships_person_a_id_person_b_id_kind"),
        ),
    )
    op.create_index(
        op.f("ix_family_relationships_load_batch_id"), "family_relationships", ["load_batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_family_relationships_person_b_id"), "family_relationships", ["person_b_id"], unique=False
    )
    op.create_table(
        "person_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.LargeBinary(), nullable=True),
        sa.Column("given_name", sa.LargeBinary(), nullable=True),
        sa.Column("family_name_folded", sa.LargeBinary(), nullable=True),
        sa.Column("given_name_folded", sa.LargeBinary(), nullable=True),
        sa.Column("name_index", sa.String(length=64), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_person_names_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_names_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_names")),
    )
    op.create_index(op.f("ix_person_names_load_batch_id"), "person_names", ["load_batch_id"], unique=False)
    op.create_index(op.f("ix_person_names_name_index"), "person_names", ["name_index"], unique=False)
    op.create_index(op.f("ix_person_names_person_id"), "person_names", ["person_id"], unique=False)
    op.create_table(
        "separations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("encounter_id", sa.Integer(), nullable=True),
        sa.Column("port_code", sa.String(length=8), nullable=False),
        sa.Column("separation_date", sa.Date(), nullable=False),
        sa.Column("officer", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("narrative", sa.LargeBinary(), nullable=True),
        sa.Column("justification", sa.LargeBinary(), nullable=True),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status <> 'APPROVED' OR (approved_by IS NOT NULL AND approved_at IS NOT NULL)",
            name=op.f("ck_separations_approved_by_whom"),
        ),
        sa.CheckConstraint(
            "status IN ('PROPOSED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED', 'RECORDED', 'FOUND_IN_AUDIT', 'REUNIFIED')",
            name=op.f("ck_separations_status"),
        ),
        sa.ForeignKeyConstraint(
            ["encounter_id"],
            ["encounters.id"],
            name=op.f("fk_separations_encounter_id_encounters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_separations_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separations")),
        sa.UniqueConstraint("id", "separation_date", name=op.f("uq_separations_id_separation_date")),
    )
    op.create_index(op.f("ix_separations_encounter_id"), "separations", ["encounter_id"], unique=False)
    op.create_index(op.f("ix_separations_load_batch_id"), "separations", ["load_batch_id"], unique=False)
    op.create_index(op.f("ix_separations_port_code"), "separations", ["port_code"], unique=False)
    op.create_index(op.f("ix_separations_separation_date"), "separations", ["separation_date"], unique=False)
    op.create_index(op.f("ix_separations_status"), "separations", ["status"], unique=False)
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("separation_date", sa.Date(), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('PHONE', 'VIDEO', 'IN_PERSON', 'LETTER', 'OTHER')", name=op.f("ck_contacts_kind")
        ),
        sa.CheckConstraint("contact_date >= separation_date", name=op.f("ck_contacts_after_separation")),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_contacts_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["separation_id", "separation_date"],
            ["separations.id", "separations.separation_date"],
            name=op.f("fk_contacts_separation_id_separation_date_separations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_load_batch_id"), "contacts", ["load_batch_id"], unique=False)
    op.create_index(op.f("ix_contacts_separation_id"), "contacts", ["separation_id"], unique=False)
    op.create_table(
        "reunifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("separation_date", sa.Date(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("reunification_date", sa.Date(), nullable=False),
        sa.Column("verified_by", sa.String(length=128), nullable=True),
        sa.Column("verification_method", sa.String(length=32), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "verification_method IS NULL OR verification_method IN ('BIRTH_CERTIFICATE', 'IDENTITY_DOCUMENT', 'INTERVIEW', 'DNA_TEST', 'CONSULAR_CONFIRMATION', 'RECORDS_MATCH', 'ORR_VETTING', 'COURT_RECORD', 'SELF_DECLARED', 'OTHER')",
            name=op.f("ck_reunifications_verification_method"),
        ),
        sa.CheckConstraint(
            "reunification_date >= separation_date", name=op.f("ck_reunifications_after_separation")
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_reunifications_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reunifications_person_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["separation_id", "separation_date"],
            ["separations.id", "separations.separation_date"],
            name=op.f("fk_reunifications_separation_id_separation_date_separations"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reunifications")),
        sa.UniqueConstraint(
            "separation_id", "person_id", name=op.f("uq_reunifications_separation_id_person_id")
        ),
    )
    op.create_index(
        op.f("ix_reunifications_load_batch_id"), "reunifications", ["load_batch_id"], unique=False
    )
    op.create_index(op.f("ix_reunifications_person_id"), "reunifications", ["person_id"], unique=False)
    op.create_table(
        "separation_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("role IN ('PARENT', 'CHILD')", name=op.f("ck_separation_parties_role")),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_separation_parties_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_separation_parties_person_id_people"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["separation_id"],
            ["separations.id"],
            name=op.f("fk_separation_parties_separation_id_separations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separation_parties")),
        sa.UniqueConstraint(
            "separation_id", "person_id", name=op.f("uq_separation_parties_separation_id_person_id")
        ),
    )
    op.create_index(
        op.f("ix_separation_parties_load_batch_id"), "separation_parties", ["load_batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_separation_parties_person_id"), "separation_parties", ["person_id"], unique=False
    )
    op.create_table(
        "separation_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=True),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "code IN ('PROSECUTION', 'WARRANT', 'CRIMINAL_HISTORY_SERIOUS', 'CRIMINAL_HISTORY_OTHER', 'CRIMINAL_HISTORY', 'CARTEL_GANG', 'IMMIGRATION_HISTORY', 'RELATIONSHIP_NOT_ESTABLISHED', 'COMMUNICABLE_DISEASE', 'CHILD_SAFETY', 'PARENT_MEDICAL', 'PARENT_DECLINED', 'OTHER', 'UNKNOWN')",
            name=op.f("ck_separation_reasons_code"),
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_separation_reasons_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["separation_id"],
            ["separations.id"],
            name=op.f("fk_separation_reasons_separation_id_separations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separation_reasons")),
        sa.UniqueConstraint("separation_id", "code", name=op.f("uq_separation_reasons_separation_id_code")),
    )
    op.create_index(op.f("ix_separation_reasons_code"), "separation_reasons", ["code"], unique=False)
    op.create_index(
        op.f("ix_separation_reasons_load_batch_id"), "separation_reasons", ["load_batch_id"], unique=False
    )
    op.create_table(
        "separation_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("separation_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=128), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("ruleset_hash", sa.String(length=128), nullable=False),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_system", sa.String(length=64), nullable=False),
        sa.Column("source_record_id", sa.String(length=128), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_batch_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "verdict IN ('consistent', 'inconsistent', 'undetermined', 'not_in_force')",
            name=op.f("ck_separation_verdicts_verdict"),
        ),
        sa.ForeignKeyConstraint(
            ["load_batch_id"],
            ["load_batches.id"],
            name=op.f("fk_separation_verdicts_load_batch_id_load_batches"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["separation_id"],
            ["separations.id"],
            name=op.f("fk_separation_verdicts_separation_id_separations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_separation_verdicts")),
        sa.UniqueConstraint(
            "separation_id", "framework_id", "ruleset_hash", name="uq_separation_verdicts_judgement"
        ),
    )
    op.create_index(
        op.f("ix_separation_verdicts_load_batch_id"), "separation_verdicts", ["load_batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_separation_verdicts_ruleset_hash"), "separation_verdicts", ["ruleset_hash"], unique=False
    )

    if dialect == "postgresql":
        op.create_exclude_constraint(
            "ex_custody_episodes_no_overlap",
            "custody_episodes",
            (sa.column("person_id"), "="),
            (sa.literal_column("daterange(start_date, end_date, '[)')"), "&&"),
            using="gist",
        )
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS custody_episodes_no_overlap_update")
        op.execute("DROP TRIGGER IF EXISTS custody_episodes_no_overlap_insert")
    op.drop_index(op.f("ix_separation_verdicts_ruleset_hash"), table_name="separation_verdicts")
    op.drop_index(op.f("ix_separation_verdicts_load_batch_id"), table_name="separation_verdicts")
    op.drop_table("separation_verdicts")
    op.drop_index(op.f("ix_separation_reasons_load_batch_id"), table_name="separation_reasons")
    op.drop_index(op.f("ix_separation_reasons_code"), table_name="separation_reasons")
    op.drop_table("separation_reasons")
    op.drop_index(op.f("ix_separation_parties_person_id"), table_name="separation_parties")
    op.drop_index(op.f("ix_separation_parties_load_batch_id"), table_name="separation_parties")
    op.drop_table("separation_parties")
    op.drop_index(op.f("ix_reunifications_person_id"), table_name="reunifications")
    op.drop_index(op.f("ix_reunifications_load_batch_id"), table_name="reunifications")
    op.drop_table("reunifications")
    op.drop_index(op.f("ix_contacts_separation_id"), table_name="contacts")
    op.drop_index(op.f("ix_contacts_load_batch_id"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_separations_status"), table_name="separations")
    op.drop_index(op.f("ix_separations_separation_date"), table_name="separations")
    op.drop_index(op.f("ix_separations_port_code"), table_name="separations")
    op.drop_index(op.f("ix_separations_load_batch_id"), table_name="separations")
    op.drop_index(op.f("ix_separations_encounter_id"), table_name="separations")
    op.drop_table("separations")
    op.drop_index(op.f("ix_person_names_person_id"), table_name="person_names")
    op.drop_index(op.f("ix_person_names_name_index"), table_name="person_names")
    op.drop_index(op.f("ix_person_names_load_batch_id"), table_name="person_names")
    op.drop_table("person_names")
    op.drop_index(op.f("ix_family_relationships_person_b_id"), table_name="family_relationships")
    op.drop_index(op.f("ix_family_relationships_load_batch_id"), table_name="family_relationships")
    op.drop_table("family_relationships")
    op.drop_index(op.f("ix_encounter_members_person_id"), table_name="encounter_members")
    op.drop_index(op.f("ix_encounter_members_load_batch_id"), table_name="encounter_members")
    op.drop_table("encounter_members")
    op.drop_index(op.f("ix_custody_episodes_person_id"), table_name="custody_episodes")
    op.drop_index(op.f("ix_custody_episodes_load_batch_id"), table_name="custody_episodes")
    op.drop_table("custody_episodes")
    op.drop_index(op.f("ix_people_load_batch_id"), table_name="people")
    op.drop_index(op.f("ix_people_a_number_index"), table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("ix_encounters_port_code"), table_name="encounters")
    op.drop_index(op.f("ix_encounters_load_batch_id"), table_name="encounters")
    op.drop_index(op.f("ix_encounters_group_id"), table_name="encounters")
    op.drop_index(op.f("ix_encounters_encounter_date"), table_name="encounters")
    op.drop_table("encounters")
    op.drop_table("load_batches")
    op.drop_table("data_key_checks")
