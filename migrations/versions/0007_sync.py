"""Vendor sync: integrations get a schedule, a brake and the time of their last good sync;
runs count what they left unchanged, the pages, requests and retries they took, and say
whether they were dry runs; accounts say which integration wrote them, what kind of
account they are, whether the vendor bills them, their licences and a pending
cancellation; which integrations list each account; the vendors' own seat counts; people
marked departed by a company directory.

Every saved row is kept: accounts flagged as bots become kind 'bot', the runs' `removed`
count is renamed `deprovisioned`, integrations get the default daily schedule and the 20 %
brake (a second integration with the same name as another gets " (2)" after it).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:31:39.042722
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _unique_integration_names() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name FROM integration ORDER BY id")).all()
    taken: set[str] = set()
    for row_id, name in rows:
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{name} ({n})"
        taken.add(candidate.lower())
        if candidate != name:
            conn.execute(sa.text("UPDATE integration SET name = :name WHERE id = :id"),
                         {"name": candidate, "id": row_id})


def upgrade() -> None:
    op.create_table('vendor_seat_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('purchased', sa.Integer(), nullable=True),
    sa.Column('consumed', sa.Integer(), nullable=True),
    sa.Column('pending_cancellation', sa.Integer(), nullable=True),
    sa.Column('pending_invitation', sa.Integer(), nullable=True),
    sa.Column('active', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(purchased IS NULL OR purchased >= 0) AND (consumed IS NULL OR consumed >= 0)', name=op.f('ck_vendor_seat_count_counts')),
    sa.ForeignKeyConstraint(['integration_id'], ['integration.id'], name=op.f('fk_vendor_seat_count_integration_id_integration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vendor_seat_count')),
    sa.UniqueConstraint('integration_id', 'label', name=op.f('uq_vendor_seat_count_integration_id_label'))
    )
    with op.batch_alter_table('vendor_seat_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vendor_seat_count_integration_id'), ['integration_id'], unique=False)

    op.create_table('account_listing',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_account_listing_account_id_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['integration_id'], ['integration.id'], name=op.f('fk_account_listing_integration_id_integration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'integration_id', name=op.f('pk_account_listing'))
    )
    with op.batch_alter_table('account_listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_listing_integration_id'), ['integration_id'], unique=False)

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('integration_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='user'))
        batch_op.add_column(sa.Column('billable', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('username', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('licenses', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('last_activity_via', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('pending_cancellation', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_account_integration_id'), ['integration_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_account_integration_id_integration'), 'integration', ['integration_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint('kind', "kind IN ('user', 'guest', 'bot', 'service')")
    op.execute("UPDATE account SET kind = 'bot' WHERE is_bot")

    _unique_integration_names()
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interval_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('brake_pct', sa.Integer(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failure_reported_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_integration_name'), ['name'])
        batch_op.create_check_constraint('interval', 'interval_minutes IS NULL OR interval_minutes > 0')
        batch_op.create_check_constraint('brake', 'brake_pct >= 0 AND brake_pct <= 100')
        # Deleting a tool keeps the integrations that fed it (their secrets are in the
        # keyring, removed with the integration): they wait for another tool.
        batch_op.drop_constraint(batch_op.f('fk_integration_tool_id_tool'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_integration_tool_id_tool'), 'tool', ['tool_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE integration SET interval_minutes = 1440")
    conn = op.get_bind()
    # The last good sync of each integration, from the runs already recorded.
    conn.execute(sa.text(
        "UPDATE integration SET last_success_at = (SELECT max(coalesce(finished_at, "
        "started_at)) FROM sync_run WHERE sync_run.integration_id = integration.id "
        "AND sync_run.status = 'ok')"))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_via', sa.String(length=16), nullable=True))

    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sync_run_counts'), type_='check')
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.alter_column('removed', new_column_name='deprovisioned',
                              existing_type=sa.Integer(), existing_nullable=False)
        batch_op.add_column(sa.Column('dry_run', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('forced', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('trigger', sa.String(length=16), nullable=False, server_default='manual'))
        batch_op.add_column(sa.Column('actor', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unchanged', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('pages', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('requests', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('retries', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('error_kind', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('notices', sa.JSON(), nullable=True))
        batch_op.create_check_constraint(
            'counts', 'added >= 0 AND changed >= 0 AND deprovisioned >= 0 AND unchanged >= 0 '
            'AND pages >= 0 AND requests >= 0 AND retries >= 0')


def downgrade() -> None:
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_sync_run_counts'), type_='check')
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_column('notices')
        batch_op.drop_column('error_kind')
        batch_op.drop_column('retries')
        batch_op.drop_column('requests')
        batch_op.drop_column('pages')
        batch_op.drop_column('unchanged')
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('actor')
        batch_op.drop_column('trigger')
        batch_op.drop_column('forced')
        batch_op.drop_column('dry_run')
        batch_op.alter_column('deprovisioned', new_column_name='removed',
                              existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_check_constraint('counts', 'added >= 0 AND changed >= 0 AND removed >= 0')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('left_via')

    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_integration_tool_id_tool'), type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_integration_tool_id_tool'), 'tool', ['tool_id'], ['id'], ondelete='CASCADE')
        batch_op.drop_constraint(batch_op.f('ck_integration_brake'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_integration_interval'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_integration_name'), type_='unique')
        batch_op.drop_column('failure_reported_at')
        batch_op.drop_column('last_success_at')
        batch_op.drop_column('brake_pct')
        batch_op.drop_column('interval_minutes')

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_account_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_account_integration_id_integration'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_account_integration_id'))
        batch_op.drop_column('pending_cancellation')
        batch_op.drop_column('last_activity_via')
        batch_op.drop_column('licenses')
        batch_op.drop_column('username')
        batch_op.drop_column('billable')
        batch_op.drop_column('kind')
        batch_op.drop_column('integration_id')

    with op.batch_alter_table('account_listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_listing_integration_id'))

    op.drop_table('account_listing')
    with op.batch_alter_table('vendor_seat_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vendor_seat_count_integration_id'))

    op.drop_table('vendor_seat_count')
