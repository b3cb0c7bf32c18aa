"""Which seats are unused, and why: the rules applied to one account as of a date, and the
rules that turn a tool's counted seats into its figures (utilization, recommendation)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
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
    # The vendor cancels the seat on this day (Copilot): not a saving to chase.
    pending_cancellation: date | None = None
    billable: bool | None = None  # False: the vendor does not bill it (no paid seat)


def days_inactive(last_activity: datetime | None, today: date) -> int | None:
    """Calendar days from the UTC date of the last activity to `today`; None when never.
    0 for activity on `today` or after it (a report as of a past day, on later data)."""
    if last_activity is None:
        return None
    return max((today - last_activity.date()).days, 0)


def holds_seat(status: AccountStatus | str, billable: bool | None = None) -> bool:
    """Active, invited and suspended accounts occupy a paid seat; deprovisioned ones do not,
    nor do accounts the vendor says it does not bill (a Slack guest Slack does not bill)."""
    return status in SEAT_HOLDING and billable is not False


def person_departed(status_departed: bool, end_date: date | None, today: date) -> bool:
    """Departed as of `today`: the end date decides when there is one (a leaver whose last day
    is still ahead has not left yet); without one, the departed status does."""
    if end_date is not None:
        return end_date <= today
    return status_departed


def is_departed(seat: SeatFacts, today: date) -> bool:
    return person_departed(seat.person_departed, seat.person_end_date, today)


def may_be_unused(holds: bool, exempt: bool, is_bot: bool, cancelling: bool = False) -> bool:
    """Whether the unused rules look at a seat at all: it holds a seat, is not kept on
    purpose (exempt), is not a bot's and is not being cancelled by the vendor (a seat that
    goes anyway is no saving to chase). The one gate before the reasons; the SQL mirror
    (store/seat_rules.py) states it once too, so a new exclusion is one condition in each."""
    return holds and not exempt and not is_bot and not cancelling


def idle_before(today: date, threshold_days: int) -> date:
    """The first UTC day that still counts as recent: a seat last used (or invited, or first
    seen) on an earlier day is more than T days idle as of `today`. `(today - d).days > T` is
    `d < idle_before(today, T)`: the form the SQL compares timestamps with."""
    return today - timedelta(days=threshold_days)


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
    does not count (not holding a seat, exempt, a bot, being cancelled by the vendor)."""
    if not may_be_unused(holds_seat(seat.status, seat.billable), seat.exempt, seat.is_bot,
                         seat.pending_cancellation is not None):
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
    if not holds_seat(seat.status, seat.billable) or seat.status == AccountStatus.SUSPENDED:
        return False
    if is_departed(seat, today):
        return False
    return active_on(seat.activity_known,
                     None if seat.last_activity is None else seat.last_activity.date(),
                     threshold_days, today)


def activity_unknown(holds: bool, is_bot: bool, exempt: bool, activity_known: bool,
                     reason: UnusedReason | None, cancelling: bool = False) -> bool:
    """A seat neither active nor unused because its source reports no activity: it holds a
    seat, is a person's (not a bot's), is not kept on purpose (exempt) nor being cancelled,
    and no rule that needs no activity (departed, suspended, pending invitation) applies."""
    return (holds and not is_bot and not exempt and not cancelling and not activity_known
            and reason is None)


def active_after_leaving(end_date: date | None, last_activity: datetime | None) -> bool:
    """Used after the person's last day: activity recorded on a later (UTC) date than the
    end date. The last day itself is still theirs."""
    if end_date is None or last_activity is None:
        return False
    return last_activity.date() > end_date


# -- a tool's figures from its counted seats -------------------------------------------------
# Each rule below reads only counts (one GROUP BY over the classified seats gives them), so a
# SQL version of the figures can state them the same way.

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SeatCounts:
    """One tool's accounts as the seat rules count them."""

    accounts: int = 0  # every account recorded for the tool, whatever its status
    held: int = 0  # accounts holding a seat (active, invited, suspended)
    active: int = 0  # is_active
    unused: int = 0  # unused_reason is not None
    activity_known: int = 0  # held seats of people (not bots) whose source reports activity
    activity_unknown: int = 0  # held seats that are `activity_unknown`
    exempt: int = 0  # held by exempt accounts
    # Held seats kept out of the unused rules (exempt, bots', being cancelled) whose source
    # reports no activity either: not judged, and their use is not known.
    kept_unknown: int = 0


def has_seat_data(counts: SeatCounts) -> bool:
    """False when no account of the tool is recorded at all: its seats are not known, so
    none is unassigned and none is a saving ("no seat data")."""
    return counts.accounts > 0


def activity_judged(counts: SeatCounts) -> bool:
    """False when not one of the tool's seats reports activity while some held seat's use is
    unknown ("activity unknown"), whether it waits to be judged or is kept out of the rules
    (an exempt seat of a source without activity is not a seat seen unused): then no
    utilization and no recommendation is made."""
    return not ((counts.activity_unknown or counts.kept_unknown)
                and not counts.activity_known)


def seats_unassigned(purchased: int, counts: SeatCounts) -> int | None:
    """Purchased seats held by nobody (idle capacity paid for); None without seat data."""
    if not has_seat_data(counts):
        return None
    return max(purchased - counts.held, 0)


def judged_capacity(purchased: int, counts: SeatCounts) -> int | None:
    """The purchased seats whose use can be judged: all of them but those held by seats of
    unknown activity. None when there is nothing to judge (no seat data, activity unknown,
    no seat count)."""
    if not has_seat_data(counts) or not activity_judged(counts):
        return None
    capacity = purchased - counts.activity_unknown
    return capacity if capacity > 0 else None


def utilization_pct(purchased: int, counts: SeatCounts) -> Decimal | None:
    """Active seats over the judged capacity, in percent, not capped (more seats held than
    purchased can pass 100). With no seat of unknown activity that is active / purchased."""
    capacity = judged_capacity(purchased, counts)
    return None if capacity is None else Decimal(counts.active) * _HUNDRED / capacity


def recommended_seats(counts: SeatCounts, headroom_pct: int) -> int | None:
    """The seats to buy at renewal: active seats plus the headroom, rounded up, plus the seats
    of unknown activity (kept: what cannot be judged is not cut), never below the seats
    exempt accounts hold. None without seat data or when activity is unknown."""
    if not has_seat_data(counts) or not activity_judged(counts):
        return None
    wanted = math.ceil(Decimal(counts.active) * (_HUNDRED + headroom_pct) / _HUNDRED)
    return max(wanted + counts.activity_unknown, counts.exempt)


def savings_seats(purchased: int, counts: SeatCounts) -> int | None:
    """The seats potential savings count: unused plus unassigned; None without seat data."""
    unassigned = seats_unassigned(purchased, counts)
    return None if unassigned is None else counts.unused + unassigned


def over_allocated(purchased: int, seats_stated: bool, counts: SeatCounts) -> bool:
    """More seats held than the terms in force purchase (a true-up may be billed). Only when
    a term states a seat count: a flat fee without one has nothing to exceed."""
    return seats_stated and counts.held > purchased
