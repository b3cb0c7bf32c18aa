"""Buying: tools' capability tags, tool requests, evaluations with weighted scorecards, feedback
rounds. New tables only: every saved row of the previous revision is kept as it is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 19:54:58.195777
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_round')),
    sa.UniqueConstraint('name', name=op.f('uq_feedback_round_name'))
    )
    op.create_table('feedback_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('respondent_email', sa.String(length=320), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('respondent_email = lower(respondent_email)', name=op.f('ck_feedback_response_email_lower')),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_feedback_response_score_range')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_feedback_response_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['feedback_round.id'], name=op.f('fk_feedback_response_round_id_feedback_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_feedback_response_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_response')),
    sa.UniqueConstraint('round_id', 'tool_id', 'respondent_email', name=op.f('uq_feedback_response_round_id_tool_id_respondent_email'))
    )
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_response_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_response_tool_id'), ['tool_id'], unique=False)

    op.create_table('tool_tag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.CheckConstraint('tag = lower(tag) AND length(tag) > 0', name=op.f('ck_tool_tag_tag_lower')),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_tool_tag_tool_id_tool'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_tag')),
    sa.UniqueConstraint('tool_id', 'tag', name=op.f('uq_tool_tag_tool_id_tag'))
    )
    with op.batch_alter_table('tool_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_tag_tag'), ['tag'], unique=False)
        batch_op.create_index(batch_op.f('ix_tool_tag_tool_id'), ['tool_id'], unique=False)

    op.create_table('tool_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_email', sa.String(length=320), nullable=False),
    sa.Column('team', sa.String(length=120), nullable=True),
    sa.Column('category', sa.String(length=120), nullable=True),
    sa.Column('tool_name', sa.String(length=200), nullable=True),
    sa.Column('tool_id', sa.Integer(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('considered', sa.Text(), nullable=True),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('purchased_tool_id', sa.Integer(), nullable=True),
    sa.Column('purchased_term_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status != 'rejected' OR status_reason IS NOT NULL", name=op.f('ck_tool_request_rejected_has_reason')),
    sa.CheckConstraint("status IN ('new', 'triaged', 'evaluating', 'approved', 'rejected', 'duplicate', 'purchased')", name=op.f('ck_tool_request_status')),
    sa.CheckConstraint("urgency IN ('low', 'normal', 'high')", name=op.f('ck_tool_request_urgency')),
    sa.CheckConstraint('duplicate_of_id IS NULL OR duplicate_of_id != id', name=op.f('ck_tool_request_not_itself')),
    sa.CheckConstraint('requested_by_email = lower(requested_by_email)', name=op.f('ck_tool_request_email_lower')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['tool_request.id'], name=op.f('fk_tool_request_duplicate_of_id_tool_request'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['purchased_term_id'], ['subscription_term.id'], name=op.f('fk_tool_request_purchased_term_id_subscription_term'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['purchased_tool_id'], ['tool.id'], name=op.f('fk_tool_request_purchased_tool_id_tool'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_tool_request_requested_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_tool_request_tool_id_tool'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_request'))
    )
    with op.batch_alter_table('tool_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_request_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tool_request_status'), ['status'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['tool_request.id'], name=op.f('fk_evaluation_request_id_tool_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('request_id', name=op.f('uq_evaluation_request_id'))
    )
    op.create_table('evaluation_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=True),
    sa.Column('vendor', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('quote_plan', sa.String(length=200), nullable=True),
    sa.Column('quote_pricing', sa.String(length=16), nullable=True),
    sa.Column('quote_unit_price_minor', sa.BigInteger(), nullable=True),
    sa.Column('quote_currency', sa.String(length=3), nullable=True),
    sa.Column('quote_seats', sa.Integer(), nullable=True),
    sa.Column('quote_billing_months', sa.Integer(), nullable=True),
    sa.CheckConstraint("quote_pricing IS NULL OR quote_pricing IN ('per_seat', 'flat')", name=op.f('ck_evaluation_candidate_quote_pricing')),
    sa.CheckConstraint('(quote_unit_price_minor IS NULL AND quote_currency IS NULL) OR (quote_unit_price_minor IS NOT NULL AND quote_currency IS NOT NULL AND quote_pricing IS NOT NULL AND quote_billing_months IS NOT NULL)', name=op.f('ck_evaluation_candidate_quote_complete')),
    sa.CheckConstraint('quote_billing_months IS NULL OR quote_billing_months > 0', name=op.f('ck_evaluation_candidate_quote_billing_pos')),
    sa.CheckConstraint('quote_currency IS NULL OR (length(quote_currency) = 3 AND quote_currency = upper(quote_currency))', name=op.f('ck_evaluation_candidate_quote_currency')),
    sa.CheckConstraint('quote_seats IS NULL OR quote_seats >= 0', name=op.f('ck_evaluation_candidate_quote_seats_nonneg')),
    sa.CheckConstraint('quote_unit_price_minor IS NULL OR quote_unit_price_minor >= 0', name=op.f('ck_evaluation_candidate_quote_price_nonneg')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_candidate_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_evaluation_candidate_tool_id_tool'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_candidate')),
    sa.UniqueConstraint('evaluation_id', 'name', name=op.f('uq_evaluation_candidate_evaluation_id_name'))
    )
    with op.batch_alter_table('evaluation_candidate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_candidate_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight >= 0 AND weight <= 100', name=op.f('ck_evaluation_criterion_weight')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_criterion_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_criterion')),
    sa.UniqueConstraint('evaluation_id', 'key', name=op.f('uq_evaluation_criterion_evaluation_id_key'))
    )
    with op.batch_alter_table('evaluation_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_criterion_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('tool_id', sa.Integer(), nullable=True),
    sa.Column('term_id', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['evaluation_candidate.id'], name=op.f('fk_evaluation_decision_candidate_id_evaluation_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_decision_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['subscription_term.id'], name=op.f('fk_evaluation_decision_term_id_subscription_term'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tool_id'], ['tool.id'], name=op.f('fk_evaluation_decision_tool_id_tool'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_decision')),
    sa.UniqueConstraint('evaluation_id', name=op.f('uq_evaluation_decision_evaluation_id'))
    )
    op.create_table('evaluation_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('evaluator_email', sa.String(length=320), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('evaluator_email = lower(evaluator_email)', name=op.f('ck_evaluation_score_email_lower')),
    sa.CheckConstraint('score >= 1 AND score <= 5', name=op.f('ck_evaluation_score_score_range')),
    sa.ForeignKeyConstraint(['candidate_id'], ['evaluation_candidate.id'], name=op.f('fk_evaluation_score_candidate_id_evaluation_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['criterion_id'], ['evaluation_criterion.id'], name=op.f('fk_evaluation_score_criterion_id_evaluation_criterion'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evaluator_id'], ['person.id'], name=op.f('fk_evaluation_score_evaluator_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_score')),
    sa.UniqueConstraint('candidate_id', 'criterion_id', 'evaluator_email', name=op.f('uq_evaluation_score_candidate_id_criterion_id_evaluator_email'))
    )
    with op.batch_alter_table('evaluation_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_score_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_score_criterion_id'), ['criterion_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evaluation_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_score_criterion_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_score_candidate_id'))

    op.drop_table('evaluation_score')
    op.drop_table('evaluation_decision')
    with op.batch_alter_table('evaluation_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_criterion_evaluation_id'))

    op.drop_table('evaluation_criterion')
    with op.batch_alter_table('evaluation_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_candidate_evaluation_id'))

    op.drop_table('evaluation_candidate')
    op.drop_table('evaluation')
    with op.batch_alter_table('tool_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_request_status'))
        batch_op.drop_index(batch_op.f('ix_tool_request_requested_by_id'))

    op.drop_table('tool_request')
    with op.batch_alter_table('tool_tag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_tag_tool_id'))
        batch_op.drop_index(batch_op.f('ix_tool_tag_tag'))

    op.drop_table('tool_tag')
    with op.batch_alter_table('feedback_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_response_tool_id'))
        batch_op.drop_index(batch_op.f('ix_feedback_response_round_id'))

    op.drop_table('feedback_response')
    op.drop_table('feedback_round')
