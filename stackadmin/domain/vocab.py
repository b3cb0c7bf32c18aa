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


class AccountKind(StrEnum):
    """Who or what holds an account: bots and services are not people and stay out of the
    seat-waste figures."""

    USER = "user"  # a person of the company
    GUEST = "guest"  # a person from outside (Slack guests, Graph `userType: Guest`)
    BOT = "bot"  # a bot or app user (GitHub `type: Bot`, Slack `is_bot`, Slackbot)
    SERVICE = "service"  # a service or integration account


NOT_PEOPLE = frozenset({AccountKind.BOT, AccountKind.SERVICE})


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


class ConnectionMethod(StrEnum):
    """How work flows from one of the company's tools to another."""

    NATIVE = "native"  # the vendors' own app or integration
    AUTOMATION = "automation"  # an automation service (Zapier, Make, n8n...)
    WEBHOOK = "webhook"
    SCRIPT = "script"  # a custom script or job
    PROVISIONING = "provisioning"  # SSO / SCIM user provisioning


class ConnectionStatus(StrEnum):
    WORKING = "working"
    DEGRADED = "degraded"
    BROKEN = "broken"
    PLANNED = "planned"
    RETIRED = "retired"


# Connections that carry work today: cancelling a tool breaks these, and they get verified.
CONNECTION_LIVE = frozenset({ConnectionStatus.WORKING, ConnectionStatus.DEGRADED,
                             ConnectionStatus.BROKEN})


class TrainingKind(StrEnum):
    LINK = "link"  # a vendor's course, video or help page
    GUIDE = "guide"  # the company's own guide
    CHAMPION = "champion"  # a person who helps others with the tool


class DigestFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS (port 587)
    TLS = "tls"  # implicit TLS from the first byte (port 465)


class DigestOutcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"


# Statuses in which an account occupies a paid seat.
SEAT_HOLDING = frozenset({AccountStatus.ACTIVE, AccountStatus.INVITED, AccountStatus.SUSPENDED})


def values(enum: type[StrEnum]) -> list[str]:
    return [m.value for m in enum]
