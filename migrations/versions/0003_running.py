"""Running the stack: connections and incidents, adoption snapshots and targets, training
resources, onboarding bundles, digest sends. New tables only: every saved row is kept.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:52:21.402011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_send',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('reported', sa.Boolean(), nullable=False),
    sa.CheckConstraint("outcome IN ('sent', 'failed')", name=op.f('ck_digest_send_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_send'))
    )
    with op.batch_alter_table('digest_send', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_send_at'), ['at'], unique=False)

    op.create_table('adoption_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('seats_purchased', sa.Integer(), nullable=False),
    sa.Column('seats_held', sa.Integer(), nullable=False),
    sa.Column('seats_active', sa.Integer(), nullable=False),
    sa.Column('seats_unused', sa.Integer(), nullable=False),
    sa.Column('seats_activity_unknown', sa.Integer(), nullable=False),
    sa.Column('annual_cost_minor', sa.BigInteger(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(currency) = 3 AND currency = upper(currency)', name=op.f('ck_adoption_snapshot_currency')),
    sa.CheckConstraint('seats_purchased >= 0 AND seats_held >= 0 AND seats_active >= 0 AND seats_unused >= 0 AND seats_activity_unknown >= 0', name=op.f('ck_adoption_snapshot_counts')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_adoption_snapshot_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_snapshot')),
    sa.UniqueConstraint('tool_id', 'day', name=op.f('uq_adoption_snapshot_tool_id_day'))
    )
    with op.batch_alter_table('adoption_snapshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_snapshot_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_snapshot_tool_id'), ['tool_id'], unique=False)

    op.create_table('adoption_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=120), nullable=True),
    sa.Column('target_pct', sa.Integer(), nullable=False),
    sa.CheckConstraint('target_pct > 0 AND target_pct <= 100', name=op.f('ck_adoption_target_pct')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_adoption_target_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_target')),
    sa.UniqueConstraint('tool_id', name=op.f('uq_adoption_target_tool_id'))
    )
    op.create_table('bundle_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'admin', 'member', 'guest', 'billing')", name=op.f('ck_bundle_item_role')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_bundle_item_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bundle_item')),
    sa.UniqueConstraint('department', 'title', 'tool_id', name=op.f('uq_bundle_item_department_title_tool_id'))
    )
    with op.batch_alter_table('bundle_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_item_tool_id'), ['tool_id'], unique=False)

    op.create_table('connection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_tool_id', sa.Integer(), nullable=False),
    sa.Column('to_tool_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_verified', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("method IN ('native', 'automation', 'webhook', 'script', 'provisioning')", name=op.f('ck_connection_method')),
    sa.CheckConstraint("status IN ('working', 'degraded', 'broken', 'planned', 'retired')", name=op.f('ck_connection_status')),
    sa.CheckConstraint('from_tool_id != to_tool_id', name=op.f('ck_connection_two_tools')),
    sa.ForeignKeyConstraint(['from_tool_id'], ['tool.id'], name=op.f('fk_connection_from_tool_id_tool'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_connection_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_tool_id'], ['tool.id'], name=op.f('fk_connection_to_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection'))
    )
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_from_tool_id'), ['from_tool_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_connection_to_tool_id'), ['to_tool_id'], unique=False)

    op.create_table('training_resource',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('champion_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind != 'champion' OR champion_id IS NOT NULL", name=op.f('ck_training_resource_champion')),
    sa.CheckConstraint("kind = 'champion' OR url IS NOT NULL", name=op.f('ck_training_resource_url')),
    sa.CheckConstraint("kind IN ('link', 'guide', 'champion')", name=op.f('ck_training_resource_kind')),
    sa.ForeignKeyConstraint(['champion_id'], ['person.id'], name=op.f('fk_training_resource_champion_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_training_resource_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_resource'))
    )
    with op.batch_alter_table('training_resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_resource_tool_id'), ['tool_id'], unique=False)

    op.create_table('connection_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('symptom', sa.Text(), nullable=False),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.Column('fix', sa.Text(), nullable=True),
    sa.Column('handled_by', sa.String(length=200), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('resolved_at IS NULL OR resolved_at >= started_at', name=op.f('ck_connection_incident_resolved_after_start')),
    sa.ForeignKeyConstraint(['connection_id'], ['connection.id'], name=op.f('fk_connection_incident_connection_id_connection'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_connection_incident'))
    )
    with op.batch_alter_table('connection_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_connection_incident_connection_id'), ['connection_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('connection_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_incident_connection_id'))

    op.drop_table('connection_incident')
    with op.batch_alter_table('training_resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_resource_tool_id'))

    op.drop_table('training_resource')
    with op.batch_alter_table('connection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_connection_to_tool_id'))
        batch_op.drop_index(batch_op.f('ix_connection_from_tool_id'))

    op.drop_table('connection')
    with op.batch_alter_table('bundle_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_item_tool_id'))

    op.drop_table('bundle_item')
    op.drop_table('adoption_target')
    with op.batch_alter_table('adoption_snapshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_snapshot_tool_id'))
        batch_op.drop_index(batch_op.f('ix_adoption_snapshot_day'))

    op.drop_table('adoption_snapshot')
    with op.batch_alter_table('digest_send', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_send_at'))

    op.drop_table('digest_send')
