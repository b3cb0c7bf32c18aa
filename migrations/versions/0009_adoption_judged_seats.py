"""Adoption snapshots keep the seats whose use can be judged (the utilization report's
capacity: purchased, less those of unknown activity; NULL for a tool without seat data or
whose activity is unknown), so the active share over time is figured as the report figures
it.

Every saved row is kept. Rows written before hold what this revision can tell from their
own figures: the capacity when seats are held and not all of them are of unknown activity.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('adoption_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_judged', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE adoption_snapshot SET seats_judged = seats_purchased - seats_activity_unknown "
        "WHERE seats_held > 0 AND seats_activity_unknown < seats_held "
        "AND seats_purchased > seats_activity_unknown")


def downgrade() -> None:
    with op.batch_alter_table('adoption_snapshot', schema=None) as batch_op:
        batch_op.drop_column('seats_judged')
