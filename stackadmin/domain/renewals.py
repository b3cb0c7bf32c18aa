"""Renewal dates: the cancel-by deadline and how auto-renewing terms roll forward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

DEFAULT_TERM_MONTHS = 12


def utc_today() -> date:
    """Today as every date rule here counts it: the date in UTC (the same on every machine
    sharing a database)."""
    return datetime.now(UTC).date()


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months (negative: back), on the same day of the month or the
    month's last day when it has fewer (Jan 31 + 1 month = Feb 28 or 29), as
    `dateutil.relativedelta(months=n)` moves it, without building one: the dashboard's
    month-by-month spend takes this step thousands of times."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if day.day <= 28:
        return date(year, month, day.day)
    return date(year, month, min(day.day, _month_days(year, month)))


def _month_days(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def cancel_by(renewal_date: date, notice_days: int = 0, internal_lead_days: int = 0) -> date:
    """The last day to give notice: renewal − notice period − internal lead."""
    return renewal_date - timedelta(days=(notice_days or 0) + (internal_lead_days or 0))


def term_length_months(term_start: date | None, renewal_date: date) -> int:
    """Whole months from term start to renewal (nearest month; 12 when the start is unknown)."""
    if term_start is None or term_start >= renewal_date:
        return DEFAULT_TERM_MONTHS
    delta = relativedelta(renewal_date, term_start)
    months = delta.years * 12 + delta.months + (1 if delta.days >= 15 else 0)
    return max(months, 1)


def roll_forward(renewal_date: date, length_months: int, today: date, *,
                 term_start: date | None = None) -> date:
    """The first anniversary of the term, every `length_months`, on or after `today`.

    Steps are taken from one fixed anchor (Jan 31 -> Feb 28 -> Mar 31), so month ends do not
    drift towards the 28th. The anchor is the term start when the renewal date is exactly
    `length_months` after it (a term started Jan 31 and renewing Feb 28 next renews Mar 31,
    not Mar 28); otherwise the renewal date itself.
    """
    if length_months < 1:
        raise ValueError(f"a term lasts at least one month, got {length_months}")
    if renewal_date >= today:
        return renewal_date
    anchor, first_step = renewal_date, 0
    if (term_start is not None
            and term_start + relativedelta(months=length_months) == renewal_date):
        anchor, first_step = term_start, 1
    months_behind = (today.year - anchor.year) * 12 + (today.month - anchor.month)
    # An under-estimate of the steps needed: lands in a month before today's.
    steps = max(months_behind // length_months - 1, first_step + 1)
    candidate = anchor + relativedelta(months=steps * length_months)
    while candidate < today:
        steps += 1
        candidate = anchor + relativedelta(months=steps * length_months)
    return candidate


def next_term(term_start: date | None, renewal_date: date, auto_renew: bool,
              today: date) -> tuple[date, date]:
    """The dates of the term that renews this one: from the renewal in play on `today`
    (rolled forward for an auto-renewing term whose date has passed) to the anniversary
    after it, the same length later, month ends kept (a term from Jan 31 to Feb 28 is
    followed by Feb 28 to Mar 31)."""
    months = term_length_months(term_start, renewal_date)
    start = renewal_date
    if auto_renew and renewal_date < today:
        start = roll_forward(renewal_date, months, today, term_start=term_start)
    end = roll_forward(renewal_date, months, start + timedelta(days=1), term_start=term_start)
    return start, end


@dataclass(frozen=True, slots=True)
class Cycle:
    """A term's renewal as of a date: rolled forward when it auto-renews."""

    renewal_date: date
    cancel_by: date
    rolled: bool

    def days_left(self, today: date) -> int:
        """Days until the cancel-by date; negative once it has passed."""
        return (self.cancel_by - today).days


def current_cycle(
    *,
    term_start: date | None,
    renewal_date: date,
    auto_renew: bool,
    notice_days: int,
    internal_lead_days: int,
    today: date,
    cancelled_at: date | None = None,
) -> Cycle:
    """The renewal in play on `today`: auto-renewing terms past their renewal date roll forward
    by the term length (not the billing period) to the next renewal on or after today.
    `cancelled_at`: the renewal at which a decision to cancel ends the term; it rolls no
    further than that (the cycle stays there, its cancel-by date in the past)."""
    renewal = renewal_date
    if auto_renew and renewal_date < today:
        renewal = roll_forward(renewal_date, term_length_months(term_start, renewal_date), today,
                               term_start=term_start)
    if cancelled_at is not None and renewal_date <= cancelled_at < renewal:
        renewal = cancelled_at
    deadline = cancel_by(renewal, notice_days, internal_lead_days)
    return Cycle(renewal, deadline, renewal != renewal_date)
