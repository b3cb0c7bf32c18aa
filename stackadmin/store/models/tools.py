"""A tool's own records beyond terms and seats: its documents (files kept in the data folder)
and the vendor's contacts for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from stackadmin.domain import vocab
from stackadmin.store.models.base import Base, Timestamped, check_in, utcnow
from stackadmin.store.types import UTCDateTime


class ToolDocument(Base):
    """A file about a tool (contract, order form, security review...). The file itself is a
    copy kept under the data folder's documents folder, at `stored_path` (relative to it);
    its size and SHA-256 say whether the copy found there is the one that was added."""

    __tablename__ = "tool_document"
    __table_args__ = (
        CheckConstraint(check_in("kind", vocab.DocumentKind), name="kind"),
        CheckConstraint("size_bytes >= 0", name="size_nonneg"),
        CheckConstraint("length(sha256) = 64", name="sha256_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))  # as the user's file was named
    stored_path: Mapped[str] = mapped_column(String(500), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ToolContact(Timestamped, Base):
    """Someone at the vendor to talk to about a tool: account manager, support, billing..."""

    __tablename__ = "tool_contact"
    __table_args__ = (
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tool.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
