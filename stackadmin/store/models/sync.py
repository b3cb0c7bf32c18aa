"""Vendor sync's tables: the configured integrations and their runs."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.models.base import Base, Timestamped, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class Integration(Timestamped, Base):
    """A configured vendor plugin; the secret lives in the OS keyring under `secret_ref`."""

    __tablename__ = "integration"

    id: Mapped[int] = mapped_column(primary_key=True)
    plugin_id: Mapped[str] = mapped_column(String(64))
    tool_id: Mapped[int | None] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_directory_source: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncRun(Base):
    __tablename__ = "sync_run"
    __table_args__ = (
        CheckConstraint(check_in("status", vocab.SyncStatus), name="status"),
        CheckConstraint("added >= 0 AND changed >= 0 AND removed >= 0", name="counts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(
        ForeignKey("integration.id", ondelete="CASCADE"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=vocab.SyncStatus.RUNNING.value)
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

