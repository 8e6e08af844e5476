"""quality appraisals of country programmes and project documents

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appraisals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("document_name", sa.String(length=300), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("prescreen", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisals")),
    )
    with op.batch_alter_table("appraisals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraisals_status"), ["status"], unique=False)
    op.create_table(
        "appraisal_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(length=100), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("required_action", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rated_by", sa.String(length=100), nullable=False),
        sa.Column("rated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["appraisal_id"], ["appraisals.id"],
                                name=op.f("fk_appraisal_ratings_appraisal_id_appraisals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_ratings")),
        sa.UniqueConstraint("appraisal_id", "criterion",
                            name=op.f("uq_appraisal_ratings_appraisal_id_criterion")),
    )
    op.create_table(
        "appraisal_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appraisal_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("criterion", sa.String(length=100), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["appraisal_id"], ["appraisals.id"],
                                name=op.f("fk_appraisal_events_appraisal_id_appraisals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appraisal_events")),
    )
    with op.batch_alter_table("appraisal_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appraisal_events_appraisal_id"), ["appraisal_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("appraisal_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisal_events_appraisal_id"))
    op.drop_table("appraisal_events")
    op.drop_table("appraisal_ratings")
    with op.batch_alter_table("appraisals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appraisals_status"))
    op.drop_table("appraisals")
