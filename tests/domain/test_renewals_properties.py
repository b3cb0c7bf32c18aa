"""Date arithmetic of renewals, as properties: cancel-by, term length, roll-forward."""

from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.renewals import (
    add_months,
    cancel_by,
    current_cycle,
    roll_forward,
    term_length_months,
)

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
# Month ends and leap days are where month arithmetic goes wrong: draw them often.
MONTH_ENDS = st.builds(
    lambda y, m: date(y, m, 1) + relativedelta(months=1, days=-1),
    st.integers(1990, 2060), st.integers(1, 12))
LEAP_DAYS = st.sampled_from([date(y, 2, 29) for y in range(1992, 2060, 4)])
STARTS = st.one_of(DATES, MONTH_ENDS, LEAP_DAYS)
MONTHS = st.one_of(st.sampled_from([1, 3, 6, 12, 24, 36]), st.integers(1, 60))


@given(DATES, st.integers(0, 400), st.integers(0, 120))
def test_cancel_by_is_never_after_the_renewal(renewal: date, notice: int, lead: int) -> None:
    deadline = cancel_by(renewal, notice, lead)
    assert deadline <= renewal
    assert (renewal - deadline).days == notice + lead


@given(STARTS, MONTHS)
def test_the_term_length_is_the_months_between_start_and_renewal(start: date,
                                                                 months: int) -> None:
    assert term_length_months(start, start + relativedelta(months=months)) == months


@given(STARTS, MONTHS, DATES)
def test_roll_forward_lands_on_or_after_today_on_an_anniversary_of_the_term(
        start: date, months: int, today: date) -> None:
    renewal = start + relativedelta(months=months)
    cycle = current_cycle(term_start=start, renewal_date=renewal, auto_renew=True,
                          notice_days=0, internal_lead_days=0, today=today)
    assert cycle.renewal_date >= renewal
    if renewal < today:
        assert cycle.rolled and cycle.renewal_date >= today
    else:
        assert not cycle.rolled and cycle.renewal_date == renewal
    # An anniversary of the start, counted in whole terms from the start (no month-end drift)
    steps = next(k for k in range(1, 2000)
                 if start + relativedelta(months=k * months) >= cycle.renewal_date)
    assert start + relativedelta(months=steps * months) == cycle.renewal_date
    # ...and the first one on or after today: the one before it is before today (or is the
    # contract's own renewal date, which is never rolled back).
    before = start + relativedelta(months=(steps - 1) * months)
    assert before < today or steps == 1


@given(DATES, MONTHS, DATES)
def test_without_a_known_start_the_renewal_date_is_the_anchor(renewal: date, months: int,
                                                              today: date) -> None:
    rolled = roll_forward(renewal, months, today)
    if renewal >= today:
        assert rolled == renewal
    else:
        assert rolled >= today
        steps = next(k for k in range(1, 2000)
                     if renewal + relativedelta(months=k * months) == rolled)
        assert renewal + relativedelta(months=(steps - 1) * months) < today


@given(DATES, st.integers(0, 200), st.integers(0, 60), DATES)
def test_a_term_that_does_not_auto_renew_never_moves(renewal: date, notice: int, lead: int,
                                                    today: date) -> None:
    cycle = current_cycle(term_start=None, renewal_date=renewal, auto_renew=False,
                          notice_days=notice, internal_lead_days=lead, today=today)
    assert cycle.renewal_date == renewal and not cycle.rolled
    assert cycle.days_left(today) == (cycle.cancel_by - today).days


@pytest.mark.parametrize(("start", "renewal", "today", "expected"), [
    # Monthly from Jan 31: Feb 28, then back to the 31st, not stuck on the 28th.
    (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 31)),
    (date(2026, 1, 31), date(2026, 2, 28), date(2026, 4, 15), date(2026, 4, 30)),
    # A leap-year start: Feb 28 in common years, Feb 29 again in the next leap year.
    (date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2026, 2, 28)),
    (date(2024, 2, 29), date(2025, 2, 28), date(2027, 6, 1), date(2028, 2, 29)),
    # A 3-year term rolls by three years, whatever the billing period.
    (date(2020, 5, 15), date(2023, 5, 15), date(2024, 1, 1), date(2026, 5, 15)),
    # Unknown start: 12 months.
    (None, date(2025, 8, 31), date(2026, 1, 1), date(2026, 8, 31)),
    # Renewal today is still this renewal.
    (date(2025, 6, 1), date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 1)),
])
def test_roll_forward_examples(start: date | None, renewal: date, today: date,
                               expected: date) -> None:
    cycle = current_cycle(term_start=start, renewal_date=renewal, auto_renew=True,
                          notice_days=30, internal_lead_days=5, today=today)
    assert cycle.renewal_date == expected
    assert cycle.cancel_by == expected - relativedelta(days=35)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31)),
       st.integers(min_value=-1200, max_value=1200))
def test_add_months_moves_a_date_as_relativedelta_does(day: date, months: int) -> None:
    assert add_months(day, months) == day + relativedelta(months=months)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: the month's last day
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2100, 1, 31), 1, date(2100, 2, 28)),  # not a leap year (century)
    (date(2000, 1, 31), 1, date(2000, 2, 29)),  # a leap year (400)
    (date(2024, 3, 31), -1, date(2024, 2, 29)),
    (date(2024, 12, 15), 1, date(2025, 1, 15)),
    (date(2024, 1, 15), -13, date(2022, 12, 15)),
])
def test_add_months_at_month_ends_and_year_turns(day: date, months: int,
                                                  expected: date) -> None:
    assert add_months(day, months) == expected
