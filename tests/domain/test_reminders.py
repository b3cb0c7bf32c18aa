"""The reminder state machine: leads, snooze, acknowledge, decisions, missed, catch-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stackadmin.domain import reminders as r
from stackadmin.domain.reminders import Mark, ReminderKey, Schedule
from stackadmin.domain.vocab import ReminderKind, ReminderState
from stackadmin.errors import ValidationError

CANCEL_BY = date(2027, 3, 1)
LEADS = (90, 60, 30, 7)


def _schedule(term_id: int = 1, cancel_by: date = CANCEL_BY, leads: tuple[int, ...] = LEADS,
              decided: bool = False) -> Schedule:
    return Schedule(term_id, cancel_by + timedelta(days=30), cancel_by, leads, decided)


def _lead_key(lead: int, term_id: int = 1, cancel_by: date = CANCEL_BY) -> ReminderKey:
    return ReminderKey(term_id, cancel_by + timedelta(days=30), ReminderKind.LEAD, lead)


@pytest.mark.parametrize("lead", LEADS)
def test_each_lead_falls_due_on_its_day_not_the_day_before(lead: int) -> None:
    due_day = CANCEL_BY - timedelta(days=lead)
    due = r.reminder_for(_schedule(), {}, due_day)
    assert due is not None and due.key == _lead_key(lead) and due.is_new
    assert due.days_left == lead and due.due_since == due_day
    before = r.reminder_for(_schedule(), {}, due_day - timedelta(days=1))
    larger = [x for x in LEADS if x > lead]
    if larger:
        assert before is not None and before.key.lead_days == min(larger)
    else:
        assert before is None


def test_a_tools_own_leads_replace_the_defaults() -> None:
    schedule = _schedule(leads=(14,))
    assert r.reminder_for(schedule, {}, CANCEL_BY - timedelta(days=30)) is None
    due = r.reminder_for(schedule, {}, CANCEL_BY - timedelta(days=14))
    assert due is not None and due.key.lead_days == 14


def test_the_cancel_by_day_itself_is_still_a_lead_not_missed() -> None:
    due = r.reminder_for(_schedule(), {}, CANCEL_BY)
    assert due is not None and due.key.kind is ReminderKind.LEAD and due.days_left == 0


def test_snooze_hides_the_reminder_until_the_date_then_it_is_news_again() -> None:
    today = CANCEL_BY - timedelta(days=25)  # the 30-day lead is due
    key = _lead_key(30)
    mark = r.snoozed(r.shown(r.PENDING), today + timedelta(days=3), today)
    marks = {key: mark}
    assert r.reminder_for(_schedule(), marks, today) is None
    assert r.reminder_for(_schedule(), marks, today + timedelta(days=2)) is None
    back = r.reminder_for(_schedule(), marks, today + timedelta(days=3))
    assert back is not None and back.key == key and back.is_new


def test_snooze_must_end_after_today() -> None:
    today = date(2027, 1, 1)
    with pytest.raises(ValidationError, match="after today"):
        r.snoozed(r.PENDING, today, today)
    assert r.snooze_until(today, days=7) == date(2027, 1, 8)
    assert r.snooze_until(today, until=date(2027, 2, 1)) == date(2027, 2, 1)
    with pytest.raises(ValidationError):
        r.snooze_until(today, days=1, until=date(2027, 2, 1))
    with pytest.raises(ValidationError):
        r.snooze_until(today, days=0)


def test_acknowledge_hides_that_lead_and_the_next_lead_still_comes() -> None:
    marks = {_lead_key(30): r.acknowledged(r.PENDING)}
    for offset in range(30, 7, -1):
        assert r.reminder_for(_schedule(), marks, CANCEL_BY - timedelta(days=offset)) is None
    nxt = r.reminder_for(_schedule(), marks, CANCEL_BY - timedelta(days=7))
    assert nxt is not None and nxt.key.lead_days == 7


def test_a_shown_reminder_stays_listed_but_is_no_longer_news() -> None:
    today = CANCEL_BY - timedelta(days=40)
    marks = {_lead_key(60): r.shown(r.PENDING)}
    due = r.reminder_for(_schedule(), marks, today)
    assert due is not None and due.state is ReminderState.SHOWN and not due.is_new
    # Showing an acknowledged reminder again does not bring it back.
    assert r.shown(Mark(ReminderState.ACKNOWLEDGED)).state is ReminderState.ACKNOWLEDGED


def test_a_decision_ends_every_reminder_of_that_renewal() -> None:
    decided = _schedule(decided=True)
    for offset in range(-120, 200):
        assert r.reminder_for(decided, {}, CANCEL_BY + timedelta(days=offset)) is None


def _simulate(schedules: list[Schedule], days: list[date]) -> list[ReminderKey]:
    """The app opens on each of these days and shows what is new; returns each notification."""
    marks: dict[ReminderKey, Mark] = {}
    notified = []
    for day in days:
        for due in r.due_reminders(schedules, marks, day):
            if due.is_new:
                notified.append(due.key)
                marks[due.key] = r.shown(marks.get(due.key, r.PENDING))
    return notified


def test_a_missed_deadline_is_notified_once_never_daily() -> None:
    after = [CANCEL_BY + timedelta(days=d) for d in range(1, 120)]
    notified = _simulate([_schedule()], after)
    assert notified == [ReminderKey(1, CANCEL_BY + timedelta(days=30), ReminderKind.MISSED, 0)]


def test_catch_up_after_40_closed_days_shows_one_entry_per_term_most_urgent_first() -> None:
    schedules = [
        _schedule(1, date(2027, 3, 10)),
        _schedule(2, date(2027, 2, 5)),  # passes its cancel-by while the app is closed
        _schedule(3, date(2027, 2, 14)),
        _schedule(4, date(2027, 12, 1)),  # nothing due yet
    ]
    closed_on = date(2027, 1, 1)
    first = r.due_reminders(schedules, {}, closed_on)
    marks = {d.key: r.shown(r.PENDING) for d in first}
    assert len(first) == 3
    reopened = closed_on + timedelta(days=40)  # Feb 10
    due = r.due_reminders(schedules, marks, reopened)
    assert [d.key.term_id for d in due] == [2, 3, 1]
    assert [d.key.kind for d in due] == [ReminderKind.MISSED, ReminderKind.LEAD,
                                         ReminderKind.LEAD]
    # Only the most relevant lead per term: 4 days left for term 3, 28 for term 1.
    assert [d.key.lead_days for d in due] == [0, 7, 30]
    assert all(d.is_new for d in due)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
                          st.sets(st.integers(0, 120), min_size=1, max_size=5)),
                min_size=1, max_size=5),
       st.lists(st.integers(1, 45), min_size=1, max_size=40))
def test_whatever_days_the_app_opens_each_reminder_is_notified_at_most_once(
        terms: list[tuple[date, set[int]]], gaps: list[int]) -> None:
    schedules = [_schedule(i, cancel_by, tuple(sorted(leads, reverse=True)))
                 for i, (cancel_by, leads) in enumerate(terms, start=1)]
    day = date(2025, 10, 1)
    days = []
    for gap in gaps:
        day += timedelta(days=gap)
        days.append(day)
    notified = _simulate(schedules, days)
    assert len(notified) == len(set(notified))
    for s in schedules:
        mine = [k for k in notified if k.term_id == s.term_id]
        assert len(mine) <= len(s.leads) + 1
        assert sum(k.kind is ReminderKind.MISSED for k in mine) <= 1
        # Leads are notified from the earliest to the most urgent, never backwards.
        leads = [k.lead_days for k in mine if k.kind is ReminderKind.LEAD]
        assert leads == sorted(leads, reverse=True)
        # The missed notice comes when (and only when) the app opened after the cancel-by day.
        assert any(k.kind is ReminderKind.MISSED for k in mine) == any(
            d > s.cancel_by for d in days)
