"""Sync runs record the process running them (host name, pid, start time), so that a run
whose process was killed is recognised as interrupted at once.

Every saved row is kept: runs recorded before have no owner (NULL), and the heartbeat alone
says when such a run stopped.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 02:11:40.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_run', schema=None) as batch_op:
        batch_op.drop_column('owner')
