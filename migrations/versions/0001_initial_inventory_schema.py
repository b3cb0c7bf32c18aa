"""Initial inventory schema: people, vendors, tools, terms, accounts, rates, audit, integrations.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 18:44:29.871444
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.CheckConstraint("source IN ('ui', 'cli', 'import', 'sync', 'system')", name=op.f('ck_audit_event_source')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('exchange_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('base_currency', sa.String(length=3), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.CheckConstraint('length(base_currency) = 3 AND base_currency = upper(base_currency)', name=op.f('ck_exchange_rate_base')),
    sa.CheckConstraint('length(currency) = 3 AND currency = upper(currency)', name=op.f('ck_exchange_rate_currency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rate')),
    sa.UniqueConstraint('currency', 'base_currency', 'as_of', name=op.f('uq_exchange_rate_currency_base_currency_as_of'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=120), nullable=True),
    sa.Column('cost_center', sa.String(length=120), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name=op.f('ck_person_email_lower')),
    sa.CheckConstraint("status IN ('active', 'departed')", name=op.f('ck_person_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('email', name=op.f('uq_person_email'))
    )
    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('vendor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor')),
    sa.UniqueConstraint('name', name=op.f('uq_vendor_name'))
    )
    op.create_table('tool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('vendor_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=120), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('inactivity_days', sa.Integer(), nullable=True),
    sa.Column('reminder_leads', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('inactivity_days IS NULL OR inactivity_days > 0', name=op.f('ck_tool_inactivity_days')),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_tool_owner_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['vendor_id'], ['vendor.id'], name=op.f('fk_tool_vendor_id_vendor'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool')),
    sa.UniqueConstraint('name', name=op.f('uq_tool_name'))
    )
    with op.batch_alter_table('tool', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tool_vendor_id'), ['vendor_id'], unique=False)

    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('vendor_role', sa.String(length=100), nullable=True),
    sa.Column('license_tier', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_activity', sa.DateTime(timezone=True), nullable=True),
    sa.Column('activity_known', sa.Boolean(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_sync', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('exempt', sa.Boolean(), nullable=False),
    sa.Column('exempt_reason', sa.String(length=500), nullable=True),
    sa.Column('exempt_by', sa.String(length=200), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('owner', 'admin', 'member', 'guest', 'billing')", name=op.f('ck_account_role')),
    sa.CheckConstraint("status IN ('active', 'invited', 'suspended', 'deprovisioned')", name=op.f('ck_account_status')),
    sa.CheckConstraint('NOT exempt OR exempt_reason IS NOT NULL', name=op.f('ck_account_exempt_has_reason')),
    sa.CheckConstraint('email IS NULL OR email = lower(email)', name=op.f('ck_account_email_lower')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_account_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_account_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('tool_id', 'external_id', name=op.f('uq_account_tool_id_external_id'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_account_tool_email', ['tool_id', 'email'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tool_id'), ['tool_id'], unique=False)

    op.create_table('integration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin_id', sa.String(length=64), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('secret_ref', sa.String(length=200), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('is_directory_source', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_integration_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration'))
    )
    op.create_table('subscription_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('plan', sa.String(length=200), nullable=False),
    sa.Column('pricing', sa.String(length=16), nullable=False),
    sa.Column('unit_price_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('billing_months', sa.Integer(), nullable=False),
    sa.Column('term_start', sa.Date(), nullable=True),
    sa.Column('renewal_date', sa.Date(), nullable=True),
    sa.Column('auto_renew', sa.Boolean(), nullable=False),
    sa.Column('notice_days', sa.Integer(), nullable=False),
    sa.Column('internal_lead_days', sa.Integer(), nullable=False),
    sa.Column('cost_center', sa.String(length=120), nullable=True),
    sa.Column('po_reference', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('previous_term_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("pricing IN ('per_seat', 'flat')", name=op.f('ck_subscription_term_pricing')),
    sa.CheckConstraint("status IN ('active', 'renewed', 'cancelled', 'ended')", name=op.f('ck_subscription_term_status')),
    sa.CheckConstraint('billing_months > 0', name=op.f('ck_subscription_term_billing_months_pos')),
    sa.CheckConstraint('internal_lead_days >= 0', name=op.f('ck_subscription_term_lead_nonneg')),
    sa.CheckConstraint('length(currency) = 3 AND currency = upper(currency)', name=op.f('ck_subscription_term_currency')),
    sa.CheckConstraint('notice_days >= 0', name=op.f('ck_subscription_term_notice_nonneg')),
    sa.CheckConstraint('seats IS NULL OR seats >= 0', name=op.f('ck_subscription_term_seats_nonneg')),
    sa.CheckConstraint('term_start IS NULL OR renewal_date IS NULL OR renewal_date >= term_start', name=op.f('ck_subscription_term_renewal_after_start')),
    sa.CheckConstraint('unit_price_minor >= 0', name=op.f('ck_subscription_term_unit_price_nonneg')),
    sa.ForeignKeyConstraint(['previous_term_id'], ['subscription_term.id'], name=op.f('fk_subscription_term_previous_term_id_subscription_term'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_subscription_term_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_term')),
    sa.UniqueConstraint('tool_id', 'plan', 'term_start', name=op.f('uq_subscription_term_tool_id_plan_term_start'))
    )
    with op.batch_alter_table('subscription_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_term_renewal_date'), ['renewal_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_term_tool_id'), ['tool_id'], unique=False)

    op.create_table('sync_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'ok', 'failed', 'cancelled')", name=op.f('ck_sync_run_status')),
    sa.CheckConstraint('added >= 0 AND changed >= 0 AND removed >= 0', name=op.f('ck_sync_run_counts')),
    sa.ForeignKeyConstraint(['integration_id'], ['integration.id'], name=op.f('fk_sync_run_integration_id_integration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_run'))
    )
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_run_integration_id'), ['integration_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sync_run_integration_id'))

    op.drop_table('sync_run')
    with op.batch_alter_table('subscription_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_term_tool_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_term_renewal_date'))

    op.drop_table('subscription_term')
    op.drop_table('integration')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tool_id'))
        batch_op.drop_index('ix_account_tool_email')
        batch_op.drop_index(batch_op.f('ix_account_person_id'))

    op.drop_table('account')
    with op.batch_alter_table('tool', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_vendor_id'))
        batch_op.drop_index(batch_op.f('ix_tool_owner_id'))

    op.drop_table('tool')
    op.drop_table('vendor')
    op.drop_table('setting')
    op.drop_table('person')
    op.drop_table('exchange_rate')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
