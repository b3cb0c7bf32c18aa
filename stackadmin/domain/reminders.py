"""Reminder rules for cancel-by deadlines: which reminder is due on a date, and its states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from stackadmin.domain.limits import MAX_SNOOZE_DAYS, check_date, check_days
from stackadmin.domain.vocab import ReminderKind, ReminderState
from stackadmin.errors import ValidationError

DEFAULT_LEADS = (90, 60, 30, 7)


@dataclass(frozen=True, slots=True, order=True)
class ReminderKey:
    """One reminder: a term's renewal and a lead (lead_days 0 for the missed-deadline notice)."""

    term_id: int
    renewal_date: date
    kind: ReminderKind
    lead_days: int


@dataclass(frozen=True, slots=True)
class Mark:
    """What the user did with a reminder; no mark at all means pending."""

    state: ReminderState = ReminderState.PENDING
    snoozed_until: date | None = None


PENDING = Mark()


@dataclass(frozen=True, slots=True)
class Schedule:
    """A term's current renewal as the reminder rules need it."""

    term_id: int
    renewal_date: date
    cancel_by: date
    leads: tuple[int, ...]
    decided: bool = False


class ReminderFacts:
    """What is asked of any reminder, answered from its key and state (a mixin for the
    reminder dataclasses here and in the services)."""

    __slots__ = ()
    key: ReminderKey
    state: ReminderState

    @property
    def is_new(self) -> bool:
        """Not yet notified: the panel pops up (and the tray tells) only for these."""
        return self.state is ReminderState.PENDING

    @property
    def missed(self) -> bool:
        return self.key.kind is ReminderKind.MISSED


@dataclass(frozen=True, slots=True)
class Due(ReminderFacts):
    """A reminder to show on a date: at most one per term, the most relevant."""

    key: ReminderKey
    cancel_by: date
    due_since: date
    days_left: int  # until the cancel-by date; negative once missed
    state: ReminderState  # PENDING also when a snooze has run out
    snoozed_until: date | None = None


def due_on(cancel_by: date, lead_days: int) -> date:
    """The day a reminder `lead_days` before the cancel-by date falls due."""
    return cancel_by - timedelta(days=lead_days)


def current_key(schedule: Schedule, today: date) -> tuple[ReminderKey, date] | None:
    """The reminder that matters for a term on `today`, and the day it fell due.

    Only the most urgent lead that has come due counts (90 and 60 are stale once 30 is due):
    an app closed for weeks catches up with one reminder per term, not one per missed lead.
    After the cancel-by date the leads give way to the single missed-deadline notice.
    """
    if schedule.decided:
        return None
    if today > schedule.cancel_by:
        key = ReminderKey(schedule.term_id, schedule.renewal_date, ReminderKind.MISSED, 0)
        return key, schedule.cancel_by + timedelta(days=1)
    days_left = (schedule.cancel_by - today).days
    reached = [lead for lead in schedule.leads if lead >= days_left]
    if not reached:
        return None
    lead = min(reached)
    key = ReminderKey(schedule.term_id, schedule.renewal_date, ReminderKind.LEAD, lead)
    return key, due_on(schedule.cancel_by, lead)


def effective_state(mark: Mark, today: date) -> ReminderState | None:
    """The state a mark has on `today`; None when it hides the reminder."""
    if mark.state is ReminderState.ACKNOWLEDGED:
        return None
    if mark.state is ReminderState.SNOOZED:
        if mark.snoozed_until is not None and today < mark.snoozed_until:
            return None
        return ReminderState.PENDING  # the snooze ran out: it is news again
    return mark.state


def reminder_for(schedule: Schedule, marks: Mapping[ReminderKey, Mark],
                 today: date) -> Due | None:
    found = current_key(schedule, today)
    if found is None:
        return None
    key, since = found
    mark = marks.get(key, PENDING)
    state = effective_state(mark, today)
    if state is None:
        return None
    return Due(key, schedule.cancel_by, since, (schedule.cancel_by - today).days, state,
               mark.snoozed_until)


def due_reminders(schedules: Iterable[Schedule], marks: Mapping[ReminderKey, Mark],
                  today: date) -> list[Due]:
    """Every reminder to show on `today`, the most urgent (earliest cancel-by) first."""
    found = [d for s in schedules if (d := reminder_for(s, marks, today)) is not None]
    return sorted(found, key=lambda d: (d.cancel_by, d.key.term_id))


# Transitions: each returns the new mark, or explains why the action makes no sense.


def shown(mark: Mark) -> Mark:
    """Notified once; an acknowledged reminder stays acknowledged."""
    if mark.state is ReminderState.ACKNOWLEDGED:
        return mark
    return Mark(ReminderState.SHOWN)


def snoozed(mark: Mark, until: date, today: date) -> Mark:
    if until <= today:
        raise ValidationError(
            f"snooze until {until.isoformat()}: pick a day after today ({today.isoformat()})")
    return replace(mark, state=ReminderState.SNOOZED, snoozed_until=until)


def acknowledged(mark: Mark) -> Mark:
    return Mark(ReminderState.ACKNOWLEDGED)


def snooze_until(today: date, *, days: int | None = None, until: date | None = None) -> date:
    """The snooze end from either a number of days (1 = a day, 7 = a week) or a date."""
    if (days is None) == (until is None):
        raise ValidationError("snooze takes either a number of days or a date, not both")
    if days is not None:
        if days < 1:
            raise ValidationError(f"snooze for at least 1 day, got {days}")
        check_days(days, "snooze", MAX_SNOOZE_DAYS, low=1)
        return check_date(today + timedelta(days=days), "the snooze end")
    assert until is not None
    return check_date(until, "the snooze end")
