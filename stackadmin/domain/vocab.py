"""The closed vocabularies of the inventory, one StrEnum each; stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class PersonStatus(StrEnum):
    ACTIVE = "active"
    DEPARTED = "departed"


class PricingModel(StrEnum):
    PER_SEAT = "per_seat"
    FLAT = "flat"


class TermStatus(StrEnum):
    ACTIVE = "active"
    RENEWED = "renewed"
    CANCELLED = "cancelled"
    ENDED = "ended"


class Decision(StrEnum):
    UNDECIDED = "undecided"
    RENEW = "renew"
    RENEGOTIATE = "renegotiate"
    CANCEL = "cancel"


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    GUEST = "guest"
    BILLING = "billing"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"
    SUSPENDED = "suspended"
    DEPROVISIONED = "deprovisioned"


class AuditSource(StrEnum):
    UI = "ui"
    CLI = "cli"
    IMPORT = "import"
    SYNC = "sync"
    SYSTEM = "system"


class SyncStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ReminderKind(StrEnum):
    LEAD = "lead"  # n days before the cancel-by date
    MISSED = "missed"  # the cancel-by date passed with no decision


class ReminderState(StrEnum):
    PENDING = "pending"
    SHOWN = "shown"
    SNOOZED = "snoozed"
    ACKNOWLEDGED = "acknowledged"


class OffboardingOutcome(StrEnum):
    RECLAIMED = "reclaimed"
    TRANSFERRED = "transferred"
    KEPT = "kept"


class DocumentKind(StrEnum):
    CONTRACT = "contract"
    ORDER_FORM = "order_form"
    SECURITY_REVIEW = "security_review"
    INVOICE = "invoice"
    OTHER = "other"


# Statuses in which an account occupies a paid seat.
SEAT_HOLDING = frozenset({AccountStatus.ACTIVE, AccountStatus.INVITED, AccountStatus.SUSPENDED})


def values(enum: type[StrEnum]) -> list[str]:
    return [m.value for m in enum]
