"""tag history: tags get a version (optimistic locking) and a note; tag_events records changes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 21:01:30.296941
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tag_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=True),
    sa.Column('dimension', sa.String(length=40), nullable=True),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_tag_events_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_tag_events_tag_id_tags'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_events'))
    )
    with op.batch_alter_table('tag_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_events_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tag_events_tag_id'), ['tag_id'], unique=False)

    # Existing tags start at version 1; the server default fills them in.
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('note')

    with op.batch_alter_table('tag_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_events_tag_id'))
        batch_op.drop_index(batch_op.f('ix_tag_events_activity_id'))

    op.drop_table('tag_events')
