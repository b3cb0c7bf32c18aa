"""Seats' tables: the offboarding checklist of a departed person's accounts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.models.base import Base, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class OffboardingItem(Base):
    """A departed person's account and what was done with it."""

    __tablename__ = "offboarding_item"
    __table_args__ = (
        CheckConstraint(check_in("outcome", vocab.OffboardingOutcome), name="outcome"),
        CheckConstraint("outcome != 'kept' OR reason IS NOT NULL", name="kept_has_reason"),
        UniqueConstraint("person_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    tool_name: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(16))
    transferred_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
