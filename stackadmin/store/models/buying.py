"""Buying's tables: tools' capability tags, tool requests, evaluations (criteria, candidates
with their quotes, scores, the decision) and feedback rounds with their responses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stackadmin.domain import vocab
from stackadmin.domain.requests import RequestStatus, Urgency
from stackadmin.store.models.base import Base, Timestamped, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class ToolTag(Base):
    """A capability a tool offers besides its category ("whiteboard", "video calls")."""

    __tablename__ = "tool_tag"
    __table_args__ = (
        CheckConstraint("tag = lower(tag) AND length(tag) > 0", name="tag_lower"),
        UniqueConstraint("tool_id", "tag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)


class ToolRequest(Timestamped, Base):
    """A need or a named tool someone asked for, and where it stands."""

    __tablename__ = "tool_request"
    __table_args__ = (
        CheckConstraint(check_in("status", RequestStatus), name="status"),
        CheckConstraint(check_in("urgency", Urgency), name="urgency"),
        CheckConstraint("status != 'rejected' OR status_reason IS NOT NULL",
                        name="rejected_has_reason"),
        CheckConstraint("duplicate_of_id IS NULL OR duplicate_of_id != id", name="not_itself"),
        CheckConstraint("requested_by_email = lower(requested_by_email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True)
    # Kept as written, so the request still says who asked once the person is deleted.
    requested_by_email: Mapped[str] = mapped_column(String(320))
    team: Mapped[str | None] = mapped_column(String(120))
    category: Mapped[str | None] = mapped_column(String(120))
    tool_name: Mapped[str | None] = mapped_column(String(200))  # a named tool, as asked
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id", ondelete="SET NULL"))
    problem: Mapped[str | None] = mapped_column(Text)
    considered: Mapped[str | None] = mapped_column(Text)  # tools already looked at
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.NORMAL.value)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.NEW.value,
                                        index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("tool_request.id", ondelete="SET NULL"))
    purchased_tool_id: Mapped[int | None] = mapped_column(
        ForeignKey("tool.id", ondelete="SET NULL"))
    purchased_term_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_term.id", ondelete="SET NULL"))


class Evaluation(Timestamped, Base):
    """The comparison of candidates for one request."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("tool_request.id", ondelete="CASCADE"), unique=True)

    criteria: Mapped[list[EvaluationCriterion]] = relationship(
        order_by="EvaluationCriterion.position", cascade="all, delete-orphan",
        passive_deletes=True)
    candidates: Mapped[list[EvaluationCandidate]] = relationship(
        order_by="EvaluationCandidate.id", cascade="all, delete-orphan", passive_deletes=True)


class EvaluationCriterion(Base):
    __tablename__ = "evaluation_criterion"
    __table_args__ = (
        CheckConstraint("weight >= 0 AND weight <= 100", name="weight"),
        UniqueConstraint("evaluation_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    weight: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class EvaluationCandidate(Base):
    """An existing tool or a new name, with the vendor's quote when there is one (money as
    terms keep it: integer minor units and a currency)."""

    __tablename__ = "evaluation_candidate"
    __table_args__ = (
        CheckConstraint(
            "(quote_unit_price_minor IS NULL AND quote_currency IS NULL) OR "
            "(quote_unit_price_minor IS NOT NULL AND quote_currency IS NOT NULL AND "
            "quote_pricing IS NOT NULL AND quote_billing_months IS NOT NULL)",
            name="quote_complete"),
        CheckConstraint("quote_unit_price_minor IS NULL OR quote_unit_price_minor >= 0",
                        name="quote_price_nonneg"),
        CheckConstraint("quote_seats IS NULL OR quote_seats >= 0", name="quote_seats_nonneg"),
        CheckConstraint("quote_billing_months IS NULL OR quote_billing_months > 0",
                        name="quote_billing_pos"),
        CheckConstraint("quote_currency IS NULL OR (length(quote_currency) = 3 AND "
                        "quote_currency = upper(quote_currency))", name="quote_currency"),
        CheckConstraint("quote_pricing IS NULL OR " + check_in("quote_pricing",
                                                               vocab.PricingModel),
                        name="quote_pricing"),
        UniqueConstraint("evaluation_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id", ondelete="SET NULL"))
    vendor: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    quote_plan: Mapped[str | None] = mapped_column(String(200))
    quote_pricing: Mapped[str | None] = mapped_column(String(16))
    quote_unit_price_minor: Mapped[int | None] = mapped_column(BigInteger)
    quote_currency: Mapped[str | None] = mapped_column(String(3))
    quote_seats: Mapped[int | None] = mapped_column(Integer)
    quote_billing_months: Mapped[int | None] = mapped_column(Integer)


class EvaluationScore(Base):
    """One evaluator's score of one candidate on one criterion (1–5), with a note."""

    __tablename__ = "evaluation_score"
    __table_args__ = (
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
        CheckConstraint("evaluator_email = lower(evaluator_email)", name="email_lower"),
        UniqueConstraint("candidate_id", "criterion_id", "evaluator_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_candidate.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_criterion.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"))
    evaluator_email: Mapped[str] = mapped_column(String(320))
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class EvaluationDecision(Base):
    """The candidate chosen, why, and the tool and term it became."""

    __tablename__ = "evaluation_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), unique=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_candidate.id", ondelete="CASCADE"))
    rationale: Mapped[str] = mapped_column(Text)
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id", ondelete="SET NULL"))
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_term.id", ondelete="SET NULL"))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackRound(Base):
    """A survey round ("2027 H1 tool survey"); rounds are ordered by `held_on`."""

    __tablename__ = "feedback_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    held_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackResponse(Timestamped, Base):
    """One person's score (1–5) and comment on one tool in one round."""

    __tablename__ = "feedback_response"
    __table_args__ = (
        CheckConstraint("score >= 1 AND score <= 5", name="score_range"),
        CheckConstraint("respondent_email = lower(respondent_email)", name="email_lower"),
        UniqueConstraint("round_id", "tool_id", "respondent_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_round.id", ondelete="CASCADE"), index=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    respondent_email: Mapped[str] = mapped_column(String(320))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="manual")
