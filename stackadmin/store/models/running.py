"""Running the stack's tables: connections between the company's tools and their incidents,
daily adoption snapshots and targets, training resources, onboarding bundles, digest sends."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from stackadmin.store.models.base import CURRENCY_OK, Base, Timestamped, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class Connection(Timestamped, Base):
    """A link between two of the company's tools: what flows, how, who owns it, its state."""

    __tablename__ = "connection"
    __table_args__ = (
        CheckConstraint(check_in("method", vocab.ConnectionMethod), name="method"),
        CheckConstraint(check_in("status", vocab.ConnectionStatus), name="status"),
        CheckConstraint("from_tool_id != to_tool_id", name="two_tools"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    from_tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"),
                                              index=True)
    to_tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"),
                                            index=True)
    what: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=vocab.ConnectionStatus.WORKING.value)
    last_verified: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class ConnectionIncident(Base):
    """One time a connection broke or misbehaved: what was seen, why, the fix, by whom."""

    __tablename__ = "connection_incident"
    __table_args__ = (
        CheckConstraint("resolved_at IS NULL OR resolved_at >= started_at",
                        name="resolved_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connection.id", ondelete="CASCADE"),
                                               index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    symptom: Mapped[str] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AdoptionSnapshot(Base):
    """One tool's seat figures on one day. Written at most once a day per tool (the day's
    row may be refreshed that same day, after a sync); never changed after its day."""

    __tablename__ = "adoption_snapshot"
    __table_args__ = (
        UniqueConstraint("tool_id", "day"),
        CheckConstraint("seats_purchased >= 0 AND seats_held >= 0 AND seats_active >= 0 "
                        "AND seats_unused >= 0 AND seats_activity_unknown >= 0",
                        name="counts"),
        CheckConstraint(CURRENCY_OK, name="currency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    seats_purchased: Mapped[int] = mapped_column(Integer)
    seats_held: Mapped[int] = mapped_column(Integer)
    seats_active: Mapped[int] = mapped_column(Integer)
    seats_unused: Mapped[int] = mapped_column(Integer)
    seats_activity_unknown: Mapped[int] = mapped_column(Integer)
    # The seats whose use can be judged (purchased less those of unknown activity); None
    # for a tool without seat data or whose activity is unknown (no utilization).
    seats_judged: Mapped[int | None] = mapped_column(Integer)
    # In the base currency of the day (`currency`); None when a rate was missing.
    annual_cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AdoptionTarget(Base):
    """'80 % of Engineering active in Jira': one target per tool (department None: everyone)."""

    __tablename__ = "adoption_target"
    __table_args__ = (
        CheckConstraint("target_pct > 0 AND target_pct <= 100", name="pct"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), unique=True)
    department: Mapped[str | None] = mapped_column(String(120))
    target_pct: Mapped[int] = mapped_column(Integer)


class TrainingResource(Base):
    """A link, an internal guide or a champion that helps people learn a tool."""

    __tablename__ = "training_resource"
    __table_args__ = (
        CheckConstraint(check_in("kind", vocab.TrainingKind), name="kind"),
        CheckConstraint("kind != 'champion' OR champion_id IS NOT NULL", name="champion"),
        CheckConstraint("kind = 'champion' OR url IS NOT NULL", name="url"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    champion_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))


class BundleItem(Base):
    """A standard tool a new hire of a department (and, optionally, a title) gets."""

    __tablename__ = "bundle_item"
    __table_args__ = (
        CheckConstraint(check_in("role", vocab.Role), name="role"),
        UniqueConstraint("department", "title", "tool_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(120))
    # "" for every title of the department (NULLs would not be unique).
    title: Mapped[str] = mapped_column(String(200), default="")
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=vocab.Role.MEMBER.value)


class DigestSend(Base):
    """Each attempt to send the digest: when, for which day, to whom, and the outcome."""

    __tablename__ = "digest_send"
    __table_args__ = (
        CheckConstraint(check_in("outcome", vocab.DigestOutcome), name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    as_of: Mapped[date] = mapped_column(Date)
    recipients: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    # A failure is told to the user once (the app's banner); the next run retries.
    reported: Mapped[bool] = mapped_column(Boolean, default=False)
