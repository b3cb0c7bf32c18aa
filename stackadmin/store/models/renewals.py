"""Renewals' tables: the decision taken for each renewal, and each reminder's state."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.models.base import Base, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class TermDecision(Base):
    """What was decided for one renewal of a term (one row per term and renewal date)."""

    __tablename__ = "term_decision"
    __table_args__ = (
        CheckConstraint(check_in("decision", vocab.Decision), name="decision"),
        UniqueConstraint("term_id", "renewal_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(
        ForeignKey("subscription_term.id", ondelete="CASCADE"), index=True
    )
    renewal_date: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReminderStateRow(Base):
    """The state of one reminder: a term's renewal, a lead (or the missed-deadline notice)."""

    __tablename__ = "reminder_state"
    __table_args__ = (
        CheckConstraint(check_in("kind", vocab.ReminderKind), name="kind"),
        CheckConstraint(check_in("state", vocab.ReminderState), name="state"),
        CheckConstraint("state != 'snoozed' OR snoozed_until IS NOT NULL", name="snooze_date"),
        UniqueConstraint("term_id", "renewal_date", "kind", "lead_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(
        ForeignKey("subscription_term.id", ondelete="CASCADE"), index=True
    )
    renewal_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    lead_days: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default=vocab.ReminderState.PENDING.value)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
