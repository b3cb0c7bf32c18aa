from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.renewals import (
    cancel_by,
    current_cycle,
    next_term,
    roll_forward,
    term_length_months,
)
from stackadmin.domain.terms import TermPrice, covers, parse_billing_period
from stackadmin.domain.vocab import PricingModel
from stackadmin.errors import ValidationError


def test_cancel_by_subtracts_notice_and_internal_lead() -> None:
    assert cancel_by(date(2027, 3, 31), 30, 7) == date(2027, 2, 22)
    assert cancel_by(date(2027, 3, 31)) == date(2027, 3, 31)


def test_term_length_is_whole_months_or_twelve_when_unknown() -> None:
    assert term_length_months(date(2026, 1, 1), date(2027, 1, 1)) == 12
    assert term_length_months(date(2026, 1, 1), date(2026, 12, 31)) == 12
    assert term_length_months(None, date(2027, 1, 1)) == 12
    assert term_length_months(date(2026, 1, 31), date(2026, 4, 30)) == 3


def test_roll_forward_keeps_month_ends() -> None:
    assert roll_forward(date(2026, 1, 31), 1, date(2026, 2, 10)) == date(2026, 2, 28)
    assert roll_forward(date(2026, 1, 31), 1, date(2026, 3, 1)) == date(2026, 3, 31)
    assert roll_forward(date(2024, 2, 29), 12, date(2025, 1, 1)) == date(2025, 2, 28)
    assert roll_forward(date(2024, 2, 29), 12, date(2027, 6, 1)) == date(2028, 2, 29)


def test_a_future_renewal_is_not_rolled() -> None:
    cycle = current_cycle(term_start=date(2026, 1, 1), renewal_date=date(2027, 1, 1),
                          auto_renew=True, notice_days=30, internal_lead_days=0,
                          today=date(2026, 6, 1))
    assert not cycle.rolled
    assert cycle.cancel_by == date(2026, 12, 2)


def test_an_ended_term_that_does_not_auto_renew_stays_put() -> None:
    cycle = current_cycle(term_start=None, renewal_date=date(2026, 1, 1), auto_renew=False,
                          notice_days=0, internal_lead_days=0, today=date(2026, 6, 1))
    assert cycle.renewal_date == date(2026, 1, 1)
    assert cycle.days_left(date(2026, 6, 1)) < 0


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
       st.sampled_from([1, 3, 6, 12, 24, 36]),
       st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
def test_roll_forward_lands_on_the_first_anniversary_on_or_after_today(
        renewal: date, months: int, today: date) -> None:
    from dateutil.relativedelta import relativedelta

    rolled = roll_forward(renewal, months, today)
    assert rolled >= today
    if rolled != renewal:
        # It is an anniversary, and the one before it was still in the past.
        steps = next(k for k in range(1, 2000)
                     if renewal + relativedelta(months=k * months) == rolled)
        assert renewal + relativedelta(months=(steps - 1) * months) < today


@pytest.mark.parametrize(("text", "months"), [
    ("monthly", 1), ("Annual", 12), ("yearly", 12), ("quarterly", 3), ("every 6 months", 6),
    ("Every 24 Months", 24),
])
def test_billing_periods_as_spreadsheets_write_them(text: str, months: int) -> None:
    assert parse_billing_period(text) == months


def test_unknown_billing_period_is_explained() -> None:
    with pytest.raises(ValidationError, match="not a billing period"):
        parse_billing_period("fortnightly")


def test_annual_cost_of_per_seat_and_flat_terms() -> None:
    from decimal import Decimal

    per_seat = TermPrice(PricingModel.PER_SEAT, Decimal("12.50"), 10, 1)
    assert per_seat.period_cost == Decimal("125.00")
    assert per_seat.annual_cost == Decimal("1500.00")
    flat = TermPrice(PricingModel.FLAT, Decimal("3000"), None, 3)
    assert flat.annual_cost == Decimal("12000")


@pytest.mark.parametrize(("start", "renewal", "auto", "today", "expected"), [
    # Auto-renewing, monthly from Jan 31, its stored date long past: from the renewal in
    # play (as the Renewals page shows it), month ends kept.
    (date(2025, 1, 31), date(2025, 2, 28), True, date(2026, 11, 30),
     (date(2026, 11, 30), date(2026, 12, 31))),
    # Not yet due: from the stored renewal date, one term length on.
    (date(2026, 1, 31), date(2027, 1, 31), True, date(2026, 11, 30),
     (date(2027, 1, 31), date(2028, 1, 31))),
    (date(2025, 1, 31), date(2025, 2, 28), False, date(2026, 11, 30),
     (date(2025, 2, 28), date(2025, 3, 31))),  # does not renew by itself: not rolled
    (None, date(2024, 2, 29), True, date(2026, 11, 30),
     (date(2027, 2, 28), date(2028, 2, 29))),  # a leap day, kept where it exists
])
def test_the_next_term_runs_from_the_renewal_in_play(
        start: date | None, renewal: date, auto: bool, today: date,
        expected: tuple[date, date]) -> None:
    assert next_term(start, renewal, auto, today) == expected
    cycle = current_cycle(term_start=start, renewal_date=renewal, auto_renew=auto,
                          notice_days=0, internal_lead_days=0, today=today)
    assert expected[0] == cycle.renewal_date


def test_a_term_decided_cancelled_is_in_force_until_that_renewal() -> None:
    term = {"status": "active", "term_start": date(2025, 12, 1),
            "renewal_date": date(2026, 12, 1), "auto_renew": True}
    # Auto-renewing: in force long after its stored renewal date, unless decided cancelled.
    assert covers(**term, as_of=date(2027, 6, 1))
    assert covers(**term, as_of=date(2027, 6, 1), cancelled_at=date(2027, 12, 1))
    assert not covers(**term, as_of=date(2027, 12, 1), cancelled_at=date(2027, 12, 1))
    assert covers(**term, as_of=date(2026, 11, 30), cancelled_at=date(2026, 12, 1))
    assert not covers(**term, as_of=date(2026, 12, 1), cancelled_at=date(2026, 12, 1))
