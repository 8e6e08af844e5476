"""training events, participants and follow-up surveys

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _tracked() -> list:
    """The columns every imported row has: its hash, source, last import, version, time."""
    return [
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "training_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("n_problems", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_imports")),
    )
    op.create_table(
        "training_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["training_imports.id"],
                                name=op.f("fk_training_changes_import_id_training_imports"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_changes")),
    )
    op.create_index(op.f("ix_training_changes_import_id"), "training_changes", ["import_id"],
                    unique=False)
    op.create_table(
        "training_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("framework", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("modality", sa.String(length=40), nullable=True),
        sa.Column("organizer", sa.String(length=200), nullable=True),
        sa.Column("venue_country", sa.String(length=2), nullable=True),
        sa.Column("activity", sa.String(length=200), nullable=True),
        sa.Column("surveys", sa.JSON(), nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(["import_id"], ["training_imports.id"],
                                name=op.f("fk_training_events_import_id_training_imports"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_events")),
        sa.UniqueConstraint("code", name=op.f("uq_training_events_code")),
    )
    op.create_index(op.f("ix_training_events_outcome"), "training_events", ["outcome"],
                    unique=False)
    op.create_table(
        "training_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=False),
        sa.Column("constituent_type", sa.String(length=60), nullable=False),
        sa.Column("organization", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("not_reached", sa.JSON(), nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(["event_id"], ["training_events.id"],
                                name=op.f("fk_training_participants_event_id_training_events"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["import_id"], ["training_imports.id"],
                                name=op.f("fk_training_participants_import_id_training_imports"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_participants")),
        sa.UniqueConstraint("event_id", "code",
                            name=op.f("uq_training_participants_event_id_code")),
    )
    op.create_table(
        "training_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("timing", sa.String(length=20), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("instrument", sa.String(length=100), nullable=False),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["participant_id"], ["training_participants.id"],
            name=op.f("fk_training_responses_participant_id_training_participants"),
            ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["import_id"], ["training_imports.id"],
                                name=op.f("fk_training_responses_import_id_training_imports"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_responses")),
        sa.UniqueConstraint("participant_id", "timing",
                            name=op.f("uq_training_responses_participant_id_timing")),
    )
    op.create_table(
        "training_answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["training_responses.id"],
                                name=op.f("fk_training_answers_response_id_training_responses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("response_id", "item", name=op.f("pk_training_answers")),
    )


def downgrade() -> None:
    op.drop_table("training_answers")
    op.drop_table("training_responses")
    op.drop_table("training_participants")
    op.drop_index(op.f("ix_training_events_outcome"), table_name="training_events")
    op.drop_table("training_events")
    op.drop_index(op.f("ix_training_changes_import_id"), table_name="training_changes")
    op.drop_table("training_changes")
    op.drop_table("training_imports")
