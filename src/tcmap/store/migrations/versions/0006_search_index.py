"""search index: full-text search over every narrative of an activity

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

SQLite: an FTS5 table with one row per activity (all its narratives, accents folded), kept
up to date from `search_queue`, which imports fill (cheaply) and searches drain.
PostgreSQL: a GIN index on the narratives' text as a tsvector, kept by the server itself.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_search_queue")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(text, "
                   "tokenize='unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO search_queue (activity_id) SELECT id FROM activities")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_narratives_text_fts ON narratives "
                   "USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_narratives_text_fts")
    op.drop_table("search_queue")
