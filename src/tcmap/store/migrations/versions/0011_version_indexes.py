"""indexes on updated_at of activities and tags

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27

The web app asks "has the mapping changed?" on every page it keeps in memory (the matrix, the
portfolio); max(updated_at) over 77,000 tags was a full scan (15 ms), with an index it is a
lookup.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_activities_updated_at"), "activities", ["updated_at"])
    op.create_index(op.f("ix_tags_updated_at"), "tags", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_tags_updated_at"), table_name="tags")
    op.drop_index(op.f("ix_activities_updated_at"), table_name="activities")
