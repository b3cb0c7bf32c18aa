"""Which seats are unused, and why: the rules applied to one account as of a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from stackadmin.domain.vocab import SEAT_HOLDING, AccountStatus

DEFAULT_INACTIVITY_DAYS = 60


class UnusedReason(StrEnum):
    """In order of precedence: the first that applies is the reason given."""

    DEPARTED = "departed"
    SUSPENDED = "suspended"
    PENDING_INVITE = "pending_invite"
    NEVER_ACTIVE = "never_active"
    INACTIVE = "inactive"


@dataclass(frozen=True, slots=True)
class SeatFacts:
    """What the rules need to know about one account."""

    status: AccountStatus
    last_activity: datetime | None  # aware UTC; None = never (when activity_known)
    activity_known: bool  # False when the source reports no activity at all
    first_seen: datetime  # aware UTC
    invited_at: datetime | None = None
    exempt: bool = False
    is_bot: bool = False
    person_departed: bool = False
    person_end_date: date | None = None


def days_inactive(last_activity: datetime | None, today: date) -> int | None:
    """Calendar days from the UTC date of the last activity to `today`; None when never."""
    if last_activity is None:
        return None
    return (today - last_activity.date()).days


def holds_seat(status: AccountStatus) -> bool:
    return status in SEAT_HOLDING


def is_departed(seat: SeatFacts, today: date) -> bool:
    if seat.person_end_date is not None:
        return seat.person_end_date <= today
    return seat.person_departed


def unused_reason(seat: SeatFacts, threshold_days: int, today: date) -> UnusedReason | None:
    """The reason this seat counts as unused as of `today`, or None when it is in use or
    does not count (not holding a seat, exempt, a bot)."""
    if not holds_seat(seat.status) or seat.exempt or seat.is_bot:
        return None
    if is_departed(seat, today):
        return UnusedReason.DEPARTED
    if seat.status is AccountStatus.SUSPENDED:
        return UnusedReason.SUSPENDED
    if seat.status is AccountStatus.INVITED:
        invited = (seat.invited_at or seat.first_seen).date()
        if (today - invited).days > threshold_days:
            return UnusedReason.PENDING_INVITE
        return None
    if not seat.activity_known:
        return None
    if seat.last_activity is None:
        if (today - seat.first_seen.date()).days > threshold_days:
            return UnusedReason.NEVER_ACTIVE
        return None
    idle = days_inactive(seat.last_activity, today)
    if idle is not None and idle > threshold_days:
        return UnusedReason.INACTIVE
    return None


def is_active(seat: SeatFacts, threshold_days: int, today: date) -> bool:
    """Active = holds a seat and was seen within the threshold (exactly T days still counts)."""
    if not holds_seat(seat.status) or seat.last_activity is None:
        return False
    idle = days_inactive(seat.last_activity, today)
    return idle is not None and 0 <= idle <= threshold_days
