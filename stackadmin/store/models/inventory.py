"""The inventory's tables: people, vendors, tools, subscription terms, accounts (seats),
exchange rates, settings and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stackadmin.domain import vocab
from stackadmin.store.models.base import (
    CURRENCY_OK,
    Base,
    Timestamped,
    Versioned,
    check_in,
    utcnow,
)
from stackadmin.store.types import DecimalText, UTCDateTime


class Person(Versioned, Timestamped, Base):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(check_in("status", vocab.PersonStatus), name="status"),
        CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every engine.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str | None] = mapped_column(String(120))
    cost_center: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=vocab.PersonStatus.ACTIVE.value)
    end_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(64), default="manual")
    # "directory" when a company-directory sync marked the person departed: the directory
    # may then reactivate them when they return (a departure recorded by HR it never undoes).
    left_via: Mapped[str | None] = mapped_column(String(16))

    accounts: Mapped[list[Account]] = relationship(back_populates="person")


class Vendor(Timestamped, Base):
    __tablename__ = "vendor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    website: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)

    tools: Mapped[list[Tool]] = relationship(back_populates="vendor")


class Tool(Versioned, Timestamped, Base):
    __tablename__ = "tool"
    __table_args__ = (
        CheckConstraint("inactivity_days IS NULL OR inactivity_days > 0", name="inactivity_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    vendor_id: Mapped[int | None] = mapped_column(
        ForeignKey("vendor.id", ondelete="SET NULL"), index=True
    )
    category: Mapped[str | None] = mapped_column(String(120))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    website: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    # None: the default from settings (60 days).
    inactivity_days: Mapped[int | None] = mapped_column(Integer)
    # Comma-separated days before the cancel-by date, e.g. "90,30"; None: the settings' leads.
    reminder_leads: Mapped[str | None] = mapped_column(String(100))

    vendor: Mapped[Vendor | None] = relationship(back_populates="tools")
    owner: Mapped[Person | None] = relationship()
    terms: Mapped[list[SubscriptionTerm]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", passive_deletes=True
    )
    accounts: Mapped[list[Account]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", passive_deletes=True
    )


class SubscriptionTerm(Versioned, Timestamped, Base):
    """One contract period of a tool; a renewal makes a new term, so history is the list."""

    __tablename__ = "subscription_term"
    __table_args__ = (
        CheckConstraint(check_in("pricing", vocab.PricingModel), name="pricing"),
        CheckConstraint(check_in("status", vocab.TermStatus), name="status"),
        CheckConstraint("unit_price_minor >= 0", name="unit_price_nonneg"),
        CheckConstraint("seats IS NULL OR seats >= 0", name="seats_nonneg"),
        CheckConstraint("billing_months > 0", name="billing_months_pos"),
        CheckConstraint("notice_days >= 0", name="notice_nonneg"),
        CheckConstraint("internal_lead_days >= 0", name="lead_nonneg"),
        CheckConstraint(CURRENCY_OK, name="currency"),
        CheckConstraint(
            "term_start IS NULL OR renewal_date IS NULL OR renewal_date >= term_start",
            name="renewal_after_start",
        ),
        UniqueConstraint("tool_id", "plan", "term_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    plan: Mapped[str] = mapped_column(String(200), default="")
    pricing: Mapped[str] = mapped_column(String(16), default=vocab.PricingModel.PER_SEAT.value)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    seats: Mapped[int | None] = mapped_column(Integer)
    # 1 monthly, 3 quarterly, 12 annual, N every N months.
    billing_months: Mapped[int] = mapped_column(Integer, default=12)
    term_start: Mapped[date | None] = mapped_column(Date)
    renewal_date: Mapped[date | None] = mapped_column(Date, index=True)
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=True)
    notice_days: Mapped[int] = mapped_column(Integer, default=0)
    internal_lead_days: Mapped[int] = mapped_column(Integer, default=0)
    cost_center: Mapped[str | None] = mapped_column(String(120))
    po_reference: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=vocab.TermStatus.ACTIVE.value)
    previous_term_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_term.id", ondelete="SET NULL")
    )

    tool: Mapped[Tool] = relationship(back_populates="terms")


class Account(Base):
    """A seat: one identity in one tool, matched to a person when we can."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(check_in("role", vocab.Role), name="role"),
        CheckConstraint(check_in("status", vocab.AccountStatus), name="status"),
        CheckConstraint("NOT exempt OR exempt_reason IS NOT NULL", name="exempt_has_reason"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lower"),
        CheckConstraint(check_in("kind", vocab.AccountKind), name="kind"),
        UniqueConstraint("tool_id", "external_id"),
        Index("ix_account_tool_email", "tool_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    # The vendor's immutable id: emails change on rename, this does not.
    external_id: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=vocab.Role.MEMBER.value)
    vendor_role: Mapped[str | None] = mapped_column(String(100))
    license_tier: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=vocab.AccountStatus.ACTIVE.value)
    last_activity: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False when the source reports no activity at all (SCIM, member lists): unknown, not never.
    activity_known: Mapped[bool] = mapped_column(Boolean, default=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a sync last listed it, for an account no integration lists any more (for one that
    # is listed, its integration's last successful sync says when).
    last_seen_sync: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(64), default="manual")
    # The integration whose sync wrote it last (None: typed in, imported, or its integration
    # was removed); `account_listing` holds every integration that lists it.
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integration.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default=vocab.AccountKind.USER.value)
    # Bots and service accounts (kind bot or service): kept out of the seat-waste figures.
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Does the vendor bill this account? False: it holds no paid seat (a Slack guest Slack
    # does not bill); None: the vendor does not say.
    billable: Mapped[bool | None] = mapped_column(Boolean)
    username: Mapped[str | None] = mapped_column(String(200))
    licenses: Mapped[list[str] | None] = mapped_column(JSON)  # SKUs / licence names held
    last_activity_via: Mapped[str | None] = mapped_column(String(200))  # Copilot's editor
    # The day the vendor cancels the seat (Copilot's pending cancellation): not a saving to
    # chase, shown as cancelling on that date.
    pending_cancellation: Mapped[date | None] = mapped_column(Date)
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)
    exempt_reason: Mapped[str | None] = mapped_column(String(500))
    exempt_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tool: Mapped[Tool] = relationship(back_populates="accounts")
    person: Mapped[Person | None] = relationship(back_populates="accounts")


class ExchangeRate(Base):
    """1 `currency` = `rate` units of `base_currency`, as of a date."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        CheckConstraint(CURRENCY_OK, name="currency"),
        CheckConstraint(
            "length(base_currency) = 3 AND base_currency = upper(base_currency)", name="base"
        ),
        UniqueConstraint("currency", "base_currency", "as_of"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    base_currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    as_of: Mapped[date] = mapped_column(Date)


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (CheckConstraint(check_in("source", vocab.AuditSource), name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500), default="")
    # {"field": [before, after], ...}, values as JSON-friendly text or numbers.
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
