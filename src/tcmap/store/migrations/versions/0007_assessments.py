"""capacity assessments: instruments' assessments, rounds, ratings, responses

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The tables of one assessment's parts, each keyed by an id and the assessment's id.
_PARTS = ("assessment_cells", "assessment_ratings", "assessment_desired_levels",
          "assessment_actions", "assessment_events")


def _part(name, *columns, unique=None):
    args = [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("assessment_id", sa.Integer(), nullable=False), *columns,
            sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                    name=op.f(f"fk_{name}_assessment_id_assessments"),
                                    ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}"))]
    if unique:
        args.append(sa.UniqueConstraint(*unique, name=op.f(f"uq_{name}_{'_'.join(unique)}")))
    op.create_table(name, *args)
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_assessment_id"), ["assessment_id"],
                              unique=False)


def _who_when():
    return [sa.Column("by", sa.String(length=100), nullable=False),
            sa.Column("at", sa.DateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "assessment_instruments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_instruments")),
        sa.UniqueConstraint("code", "version",
                            name=op.f("uq_assessment_instruments_code_version")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("constituent", sa.Text(), nullable=False),
        sa.Column("constituent_type", sa.String(length=60), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("purpose_why", sa.Text(), nullable=False),
        sa.Column("for_whom", sa.Text(), nullable=False),
        sa.Column("for_what", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=True),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instrument_id"], ["assessment_instruments.id"],
                                name=op.f("fk_assessments_instrument_id_assessment_instruments")),
        sa.ForeignKeyConstraint(["baseline_id"], ["assessments.id"],
                                name=op.f("fk_assessments_baseline_id_assessments")),
        sa.ForeignKeyConstraint(["series_id"], ["assessments.id"],
                                name=op.f("fk_assessments_series_id_assessments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        for col in ("instrument_id", "baseline_id", "series_id"):
            batch_op.create_index(batch_op.f(f"ix_assessments_{col}"), [col], unique=False)

    _part("assessment_cells", sa.Column("cell", sa.String(length=200), nullable=False),
          unique=("assessment_id", "cell"))
    _part("assessment_ratings",
          sa.Column("question", sa.String(length=100), nullable=False),
          sa.Column("source", sa.String(length=40), nullable=False),
          sa.Column("by", sa.String(length=100), nullable=False),
          sa.Column("score", sa.Integer(), nullable=True),
          sa.Column("evidence", sa.Text(), nullable=False),
          sa.Column("at", sa.DateTime(), nullable=False),
          sa.Column("version", sa.Integer(), nullable=False),
          sa.Column("verified_score", sa.Integer(), nullable=True),
          sa.Column("verified_by", sa.String(length=100), nullable=True),
          sa.Column("verified_at", sa.DateTime(), nullable=True),
          sa.Column("verification_note", sa.Text(), nullable=True),
          unique=("assessment_id", "question", "source", "by"))
    _part("assessment_desired_levels",
          sa.Column("cell", sa.String(length=200), nullable=False),
          sa.Column("score", sa.Integer(), nullable=False),
          sa.Column("set_by", sa.String(length=40), nullable=False),
          *_who_when(),
          sa.Column("version", sa.Integer(), nullable=False),
          unique=("assessment_id", "cell"))
    _part("assessment_actions",
          sa.Column("cell", sa.String(length=200), nullable=False),
          sa.Column("horizon", sa.String(length=20), nullable=False),
          sa.Column("lever", sa.String(length=60), nullable=False),
          sa.Column("description", sa.Text(), nullable=False),
          sa.Column("responsible", sa.Text(), nullable=False),
          sa.Column("cost", sa.Numeric(precision=22, scale=4, asdecimal=False), nullable=True),
          sa.Column("currency", sa.String(length=3), nullable=True),
          sa.Column("linked_output", sa.Text(), nullable=True),
          sa.Column("linked_activity", sa.Text(), nullable=True),
          *_who_when(),
          sa.Column("version", sa.Integer(), nullable=False))
    _part("assessment_events",
          sa.Column("kind", sa.String(length=30), nullable=False),
          sa.Column("subject", sa.String(length=200), nullable=False),
          *_who_when(),
          sa.Column("before", sa.JSON(), nullable=True),
          sa.Column("after", sa.JSON(), nullable=True))


def downgrade() -> None:
    for name in reversed(_PARTS):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{name}_assessment_id"))
        op.drop_table(name)
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        for col in ("series_id", "baseline_id", "instrument_id"):
            batch_op.drop_index(batch_op.f(f"ix_assessments_{col}"))
    op.drop_table("assessments")
    op.drop_table("assessment_instruments")
