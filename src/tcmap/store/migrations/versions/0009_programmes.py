"""country programmes, the results chain and capacity indicators

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('country', sa.String(length=10), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('priorities', sa.JSON(), nullable=False),
    sa.Column('constituents', sa.JSON(), nullable=False),
    sa.Column('framework', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes')),
    sa.UniqueConstraint('code', name=op.f('uq_programmes_code'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_country'), ['country'], unique=False)

    op.create_table('chain_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('capacity_level', sa.String(length=40), nullable=True),
    sa.Column('learning_outcome', sa.String(length=40), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('derived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_chain_nodes_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_nodes')),
    sa.UniqueConstraint('programme_id', 'type', 'key', name=op.f('uq_chain_nodes_programme_id_type_key'))
    )
    with op.batch_alter_table('chain_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_nodes_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('framework_outcome', sa.String(length=40), nullable=True),
    sa.Column('priority', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_outcomes_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_outcomes')),
    sa.UniqueConstraint('code', name=op.f('uq_programme_outcomes_code'))
    )
    with op.batch_alter_table('programme_outcomes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_outcomes_programme_id'), ['programme_id'], unique=False)

    op.create_table('results_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('by', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_results_events_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results_events'))
    )
    with op.batch_alter_table('results_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_events_programme_id'), ['programme_id'], unique=False)

    op.create_table('capacity_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('library_code', sa.String(length=60), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('capacity_level', sa.String(length=40), nullable=True),
    sa.Column('result_level', sa.String(length=30), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('across_periods', sa.String(length=10), nullable=False),
    sa.Column('across_activities', sa.String(length=10), nullable=False),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('baseline_numerator', sa.Float(), nullable=True),
    sa.Column('baseline_denominator', sa.Float(), nullable=True),
    sa.Column('baseline_date', sa.Date(), nullable=True),
    sa.Column('disaggregations', sa.JSON(), nullable=False),
    sa.Column('means_of_verification', sa.Text(), nullable=True),
    sa.Column('learning_outcome', sa.String(length=40), nullable=True),
    sa.Column('kirkpatrick_level', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['chain_nodes.id'], name=op.f('fk_capacity_indicators_node_id_chain_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_capacity_indicators_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capacity_indicators')),
    sa.UniqueConstraint('code', name=op.f('uq_capacity_indicators_code'))
    )
    with op.batch_alter_table('capacity_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capacity_indicators_library_code'), ['library_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacity_indicators_node_id'), ['node_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacity_indicators_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capacity_indicators_source'), ['source'], unique=False)

    op.create_table('chain_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('from_id', sa.Integer(), nullable=False),
    sa.Column('to_id', sa.Integer(), nullable=False),
    sa.Column('assumption', sa.Text(), nullable=True),
    sa.Column('risk', sa.Text(), nullable=True),
    sa.Column('risk_rating', sa.String(length=10), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('derived', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['from_id'], ['chain_nodes.id'], name=op.f('fk_chain_links_from_id_chain_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_chain_links_programme_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_id'], ['chain_nodes.id'], name=op.f('fk_chain_links_to_id_chain_nodes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chain_links')),
    sa.UniqueConstraint('from_id', 'to_id', name=op.f('uq_chain_links_from_id_to_id'))
    )
    with op.batch_alter_table('chain_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chain_links_from_id'), ['from_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chain_links_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chain_links_to_id'), ['to_id'], unique=False)

    op.create_table('programme_outputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('capacity_level', sa.String(length=40), nullable=False),
    sa.Column('constituent', sa.String(length=40), nullable=True),
    sa.Column('learning_outcome', sa.String(length=40), nullable=True),
    sa.Column('institutional_change', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outcome_id'], ['programme_outcomes.id'], name=op.f('fk_programme_outputs_outcome_id_programme_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_programme_outputs_programme_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_outputs')),
    sa.UniqueConstraint('programme_id', 'code', name=op.f('uq_programme_outputs_programme_id_code'))
    )
    with op.batch_alter_table('programme_outputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_outputs_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programme_outputs_programme_id'), ['programme_id'], unique=False)

    op.create_table('activity_outcome_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outcome_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('output_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_outcome_links_activity_id_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outcome_id'], ['programme_outcomes.id'], name=op.f('fk_activity_outcome_links_outcome_id_programme_outcomes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['output_id'], ['programme_outputs.id'], name=op.f('fk_activity_outcome_links_output_id_programme_outputs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_outcome_links')),
    sa.UniqueConstraint('outcome_id', 'activity_id', name=op.f('uq_activity_outcome_links_outcome_id_activity_id'))
    )
    with op.batch_alter_table('activity_outcome_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_outcome_links_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_outcome_links_outcome_id'), ['outcome_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_outcome_links_output_id'), ['output_id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('disaggregation', sa.JSON(), nullable=False),
    sa.Column('cell', sa.String(length=400), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('actual', sa.Float(), nullable=True),
    sa.Column('numerator', sa.Float(), nullable=True),
    sa.Column('denominator', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('approval', sa.String(length=12), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['capacity_indicators.id'], name=op.f('fk_indicator_values_indicator_id_capacity_indicators'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('indicator_id', 'period_start', 'period_end', 'cell', name=op.f('uq_indicator_values_indicator_id_period_start_period_end_cell'))
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_indicator_id'), ['indicator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_indicator_id'))

    op.drop_table('indicator_values')
    with op.batch_alter_table('activity_outcome_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_outcome_links_output_id'))
        batch_op.drop_index(batch_op.f('ix_activity_outcome_links_outcome_id'))
        batch_op.drop_index(batch_op.f('ix_activity_outcome_links_activity_id'))

    op.drop_table('activity_outcome_links')
    with op.batch_alter_table('programme_outputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_outputs_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programme_outputs_outcome_id'))

    op.drop_table('programme_outputs')
    with op.batch_alter_table('chain_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_links_to_id'))
        batch_op.drop_index(batch_op.f('ix_chain_links_programme_id'))
        batch_op.drop_index(batch_op.f('ix_chain_links_from_id'))

    op.drop_table('chain_links')
    with op.batch_alter_table('capacity_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capacity_indicators_source'))
        batch_op.drop_index(batch_op.f('ix_capacity_indicators_programme_id'))
        batch_op.drop_index(batch_op.f('ix_capacity_indicators_node_id'))
        batch_op.drop_index(batch_op.f('ix_capacity_indicators_library_code'))

    op.drop_table('capacity_indicators')
    with op.batch_alter_table('results_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_events_programme_id'))

    op.drop_table('results_events')
    with op.batch_alter_table('programme_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_outcomes_programme_id'))

    op.drop_table('programme_outcomes')
    with op.batch_alter_table('chain_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_nodes_programme_id'))

    op.drop_table('chain_nodes')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_country'))

    op.drop_table('programmes')
