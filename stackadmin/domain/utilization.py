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


def holds_seat(status: AccountStatus | str) -> bool:
    """Active, invited and suspended accounts occupy a paid seat; deprovisioned ones do not."""
    return status in SEAT_HOLDING


def person_departed(status_departed: bool, end_date: date | None, today: date) -> bool:
    """Departed as of `today`: the end date decides when there is one (a leaver whose last day
    is still ahead has not left yet); without one, the departed status does."""
    if end_date is not None:
        return end_date <= today
    return status_departed


def is_departed(seat: SeatFacts, today: date) -> bool:
    return person_departed(seat.person_departed, seat.person_end_date, today)


def reason_on(
    status: str,
    *,
    departed: bool,
    activity_known: bool,
    last_active_on: date | None,
    first_seen_on: date,
    invited_on: date | None,
    threshold_days: int,
    today: date,
) -> UnusedReason | None:
    """The rules on plain values (UTC dates), for callers classifying many seats at once.

    The caller has already left out seats that hold no seat, exempt seats and bots.
    Each rule is checked on its own, in order: a recent invitation does not hide a
    seat that was first seen long ago and never used: departed, suspended, pending
    invitation, never active, inactive, in that order.
    """
    if departed:
        return UnusedReason.DEPARTED
    if status == AccountStatus.SUSPENDED:
        return UnusedReason.SUSPENDED
    if status == AccountStatus.INVITED and last_active_on is None:
        # "Never accepted": an invitation with recorded activity has been taken up.
        invited = invited_on or first_seen_on
        if (today - invited).days > threshold_days:
            return UnusedReason.PENDING_INVITE
    if not activity_known:
        return None  # the source says nothing about use: unknown, never flagged
    if last_active_on is None:
        if (today - first_seen_on).days > threshold_days:
            return UnusedReason.NEVER_ACTIVE
        return None
    if (today - last_active_on).days > threshold_days:  # exactly T days is not yet inactive
        return UnusedReason.INACTIVE
    return None


def unused_reason(seat: SeatFacts, threshold_days: int, today: date) -> UnusedReason | None:
    """The reason this seat counts as unused as of `today`, or None when it is in use or
    does not count (not holding a seat, exempt, a bot)."""
    if not holds_seat(seat.status) or seat.exempt or seat.is_bot:
        return None
    return reason_on(
        seat.status,
        departed=is_departed(seat, today),
        activity_known=seat.activity_known,
        last_active_on=None if seat.last_activity is None else seat.last_activity.date(),
        first_seen_on=seat.first_seen.date(),
        invited_on=None if seat.invited_at is None else seat.invited_at.date(),
        threshold_days=threshold_days,
        today=today,
    )


def active_on(activity_known: bool, last_active_on: date | None, threshold_days: int,
              today: date) -> bool:
    """Seen within the threshold (exactly T days still counts). Activity recorded after
    `today` (a report for an earlier date) counts as in use."""
    if not activity_known or last_active_on is None:
        return False
    return (today - last_active_on).days <= threshold_days


def is_active(seat: SeatFacts, threshold_days: int, today: date) -> bool:
    """Active = holds a seat it can use (not suspended, its person has not left) and was
    seen within the threshold. Active and unused are disjoint: a departed person's seat used
    last week is unused (departed), not active, so the two never add up past the seats held."""
    if not holds_seat(seat.status) or seat.status == AccountStatus.SUSPENDED:
        return False
    if is_departed(seat, today):
        return False
    return active_on(seat.activity_known,
                     None if seat.last_activity is None else seat.last_activity.date(),
                     threshold_days, today)
