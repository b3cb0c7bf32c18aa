"""Tool documents (files kept in the data folder) and vendor contacts: two new tables, no
existing row touched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:01:14.811167
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tool_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('email IS NULL OR email = lower(email)', name=op.f('ck_tool_contact_email_lower')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_tool_contact_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_contact'))
    )
    with op.batch_alter_table('tool_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_contact_tool_id'), ['tool_id'], unique=False)

    op.create_table('tool_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_path', sa.String(length=500), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('contract', 'order_form', 'security_review', 'invoice', 'other')", name=op.f('ck_tool_document_kind')),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_tool_document_sha256_hex')),
    sa.CheckConstraint('size_bytes >= 0', name=op.f('ck_tool_document_size_nonneg')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_tool_document_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_document')),
    sa.UniqueConstraint('stored_path', name=op.f('uq_tool_document_stored_path'))
    )
    with op.batch_alter_table('tool_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_document_tool_id'), ['tool_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tool_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_document_tool_id'))

    op.drop_table('tool_document')
    with op.batch_alter_table('tool_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_contact_tool_id'))

    op.drop_table('tool_contact')
