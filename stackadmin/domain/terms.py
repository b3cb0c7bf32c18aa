"""Subscription terms: billing periods and what a term costs per period and per year."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stackadmin.domain.vocab import Decision, PricingModel
from stackadmin.errors import ValidationError

_NAMED_PERIODS = {
    "monthly": 1,
    "month": 1,
    "quarterly": 3,
    "quarter": 3,
    "semiannual": 6,
    "semi-annual": 6,
    "semiannually": 6,
    "half-yearly": 6,
    "annual": 12,
    "annually": 12,
    "yearly": 12,
    "year": 12,
    "biennial": 24,
}
_EVERY_N = re.compile(r"^every\s+(\d+)\s+months?$")


def parse_billing_period(text: str) -> int:
    """'monthly' -> 1, 'annual'/'yearly' -> 12, 'quarterly' -> 3, 'every 6 months' -> 6."""
    value = " ".join((text or "").strip().lower().split())
    if value in _NAMED_PERIODS:
        return _NAMED_PERIODS[value]
    match = _EVERY_N.match(value)
    if match and 0 < int(match.group(1)) <= 120:
        return int(match.group(1))
    raise ValidationError(
        f"'{text}' is not a billing period (expected monthly, quarterly, annual, or every N months)"
    )


def billing_period_label(months: int) -> str:
    return {1: "monthly", 3: "quarterly", 12: "annual"}.get(months, f"every {months} months")


def periods_per_year(billing_months: int) -> Decimal:
    return Decimal(12) / Decimal(billing_months)


@dataclass(frozen=True, slots=True)
class TermPrice:
    """The priced part of a term; amounts are Decimal in the term's currency, unrounded."""

    pricing: PricingModel
    unit_price: Decimal
    seats: int | None
    billing_months: int

    @property
    def period_cost(self) -> Decimal:
        if self.pricing is PricingModel.PER_SEAT:
            return self.unit_price * (self.seats or 0)
        return self.unit_price

    @property
    def annual_cost(self) -> Decimal:
        return self.period_cost * periods_per_year(self.billing_months)

    @property
    def annual_cost_per_seat(self) -> Decimal | None:
        if not self.seats:
            return None
        return self.annual_cost / self.seats


def check_term_dates(term_start: date | None, renewal_date: date | None) -> None:
    if term_start and renewal_date and renewal_date < term_start:
        raise ValidationError(
            f"the renewal date {renewal_date.isoformat()} is before the term start "
            f"{term_start.isoformat()}"
        )


def covers(
    *,
    status: str,
    term_start: date | None,
    renewal_date: date | None,
    auto_renew: bool,
    as_of: date,
    cancelled_at: date | None = None,
) -> bool:
    """Whether a term is in force on `as_of`: started, and not yet at its renewal date unless
    it is active and renews by itself. Ended terms never are; cancelled or renewed ones run to
    their renewal date (the successor term takes over from there). `cancelled_at`: the
    renewal at which a decision to cancel ends it, a renewal it would otherwise roll past
    (`cancel_dates` reads them): from that day it is in force no more."""
    if status == "ended":
        return False
    if cancelled_at is not None and as_of >= cancelled_at:
        return False
    if term_start is not None and term_start > as_of:
        return False
    if renewal_date is None or as_of < renewal_date:
        return True
    return status == "active" and auto_renew


def cancel_dates(decisions: Iterable[tuple[int, date, str]]) -> dict[int, date]:
    """Per term decided to be cancelled at one of its renewals: that renewal, the earliest
    when several were (`covers`' `cancelled_at`). `decisions`: (term id, renewal, decision)."""
    out: dict[int, date] = {}
    for term_id, renewal, decision in decisions:
        if decision == Decision.CANCEL.value:
            out[term_id] = min(renewal, out.get(term_id, renewal))
    return out
