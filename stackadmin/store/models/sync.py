"""Vendor sync's tables: the configured integrations, their runs, which integrations list
each account, and the seat counts vendors report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.models.base import Base, Timestamped, check_in, utcnow
from stackadmin.store.types import UTCDateTime

DEFAULT_INTERVAL_MINUTES = 24 * 60
DEFAULT_BRAKE_PCT = 20


class Integration(Timestamped, Base):
    """A configured vendor plugin feeding one tool; the secret lives in the OS keyring under
    `secret_ref`, never here. `options` are the plugin's own (non-secret) options as given."""

    __tablename__ = "integration"
    __table_args__ = (
        CheckConstraint("interval_minutes IS NULL OR interval_minutes > 0", name="interval"),
        CheckConstraint("brake_pct >= 0 AND brake_pct <= 100", name="brake"),
        UniqueConstraint("name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_id: Mapped[str] = mapped_column(String(64))
    # None once its tool is deleted: it waits for another (its secret stays in the keyring
    # until the integration itself is removed).
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_directory_source: Mapped[bool] = mapped_column(Boolean, default=False)
    # How often a scheduled sync runs it; None: only when asked. (No column default: a
    # default would also replace an explicit None. New integrations get
    # DEFAULT_INTERVAL_MINUTES from the service that adds them.)
    interval_minutes: Mapped[int | None] = mapped_column(Integer)
    # A run that would deprovision more than this share of the tool's accounts stops.
    brake_pct: Mapped[int] = mapped_column(Integer, default=DEFAULT_BRAKE_PCT)
    # When its last sync that wrote (not a dry run) succeeded: the age of its data.
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the app told the user that its syncs fail (once per failure, until one succeeds).
    failure_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncRun(Base):
    """One sync of one integration (a dry run too): when, how it ended, what it changed."""

    __tablename__ = "sync_run"
    __table_args__ = (
        CheckConstraint(check_in("status", vocab.SyncStatus), name="status"),
        CheckConstraint("added >= 0 AND changed >= 0 AND deprovisioned >= 0 AND "
                        "unchanged >= 0 AND pages >= 0 AND requests >= 0 AND retries >= 0",
                        name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("integration.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While running: the last sign of life of the process running it (a run whose process
    # was killed is recognised as interrupted once this is old).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process running it, "host:pid:start" (services.sync.owner): a run whose process on
    # this host is gone is recognised as interrupted at once. None for runs recorded before.
    owner: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=vocab.SyncStatus.RUNNING.value)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)  # --force: past the brake
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # or "schedule"
    actor: Mapped[str | None] = mapped_column(String(200))
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    deprovisioned: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # What kind of failure: a plugin error's kind (auth, permission, throttled...), "brake",
    # "secret", "interrupted".
    error_kind: Mapped[str | None] = mapped_column(String(32))
    notices: Mapped[list[str] | None] = mapped_column(JSON)  # the plugin's notices, in words


class AccountListing(Base):
    """An integration lists an account (as of its last successful sync). An account no
    integration lists any more was removed upstream: it is deprovisioned."""

    __tablename__ = "account_listing"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"),
                                            primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("integration.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class VendorSeatCount(Base):
    """A vendor's own seat figures for one SKU or plan (`label`; "" for the whole tool), as of
    the integration's last successful sync. Compared with the contract, never written over
    it."""

    __tablename__ = "vendor_seat_count"
    __table_args__ = (
        UniqueConstraint("integration_id", "label"),
        CheckConstraint("(purchased IS NULL OR purchased >= 0) AND "
                        "(consumed IS NULL OR consumed >= 0)", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("integration.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    purchased: Mapped[int | None] = mapped_column(Integer)
    consumed: Mapped[int | None] = mapped_column(Integer)
    pending_cancellation: Mapped[int | None] = mapped_column(Integer)
    pending_invitation: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
