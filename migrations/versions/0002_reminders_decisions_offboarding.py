"""Renewal decisions, reminder states and offboarding checklists.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 18:44:29.871444
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offboarding_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('tool_name', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('transferred_to_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome != 'kept' OR reason IS NOT NULL", name=op.f('ck_offboarding_item_kept_has_reason')),
    sa.CheckConstraint("outcome IN ('reclaimed', 'transferred', 'kept')", name=op.f('ck_offboarding_item_outcome')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_offboarding_item_account_id_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_offboarding_item_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['transferred_to_id'], ['person.id'], name=op.f('fk_offboarding_item_transferred_to_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offboarding_item')),
    sa.UniqueConstraint('person_id', 'account_id', name=op.f('uq_offboarding_item_person_id_account_id'))
    )
    with op.batch_alter_table('offboarding_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offboarding_item_person_id'), ['person_id'], unique=False)

    op.create_table('reminder_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('snoozed_until', sa.Date(), nullable=True),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('lead', 'missed')", name=op.f('ck_reminder_state_kind')),
    sa.CheckConstraint("state != 'snoozed' OR snoozed_until IS NOT NULL", name=op.f('ck_reminder_state_snooze_date')),
    sa.CheckConstraint("state IN ('pending', 'shown', 'snoozed', 'acknowledged')", name=op.f('ck_reminder_state_state')),
    sa.ForeignKeyConstraint(['term_id'], ['subscription_term.id'], name=op.f('fk_reminder_state_term_id_subscription_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_state')),
    sa.UniqueConstraint('term_id', 'renewal_date', 'kind', 'lead_days', name=op.f('uq_reminder_state_term_id_renewal_date_kind_lead_days'))
    )
    with op.batch_alter_table('reminder_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_state_term_id'), ['term_id'], unique=False)

    op.create_table('term_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('renewal_date', sa.Date(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('undecided', 'renew', 'renegotiate', 'cancel')", name=op.f('ck_term_decision_decision')),
    sa.ForeignKeyConstraint(['term_id'], ['subscription_term.id'], name=op.f('fk_term_decision_term_id_subscription_term'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_decision')),
    sa.UniqueConstraint('term_id', 'renewal_date', name=op.f('uq_term_decision_term_id_renewal_date'))
    )
    with op.batch_alter_table('term_decision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_decision_term_id'), ['term_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('term_decision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_decision_term_id'))

    op.drop_table('term_decision')
    with op.batch_alter_table('reminder_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_state_term_id'))

    op.drop_table('reminder_state')
    with op.batch_alter_table('offboarding_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offboarding_item_person_id'))

    op.drop_table('offboarding_item')
