"""The rightsizing brief for a term before its cancel-by date: seats vs use, what to buy next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.renewals import current_cycle
from stackadmin.domain.terms import covers, periods_per_year
from stackadmin.domain.vocab import PricingModel
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.records import RateTable
from stackadmin.services.seats import utilization
from stackadmin.store.models import SubscriptionTerm

BRIEF_LEAD_DAYS = 90  # the brief is shown this many days before the cancel-by date
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class RightsizingBrief:
    """Amounts in the term's currency are exact Decimals (round once with Money.rounded);
    `*_base` amounts are in the base currency and None when a rate is missing."""

    term_id: int
    tool_id: int
    tool: str
    plan: str
    pricing: str
    as_of: date
    renewal_date: date | None  # the next renewal (rolled forward for auto-renewing terms)
    cancel_by: date | None
    days_to_cancel_by: int | None  # negative once passed
    due: bool  # within BRIEF_LEAD_DAYS before the cancel-by date, and not past it
    currency: str
    base_currency: str
    seats_purchased: int | None  # this term's seats
    seats_held: int | None  # the tool's figures from here on; None: no seat data
    seats_active: int
    seats_unused: int
    seats_unassigned: int | None
    seats_activity_unknown: int
    unused_by_reason: dict[str, int]
    utilization_pct: Decimal | None
    over_allocated: bool
    # For this term: the seats the tool needs (active seats plus headroom) less those its
    # other terms in force hold, which run on as they are (other_terms_seats); never below
    # 0. None when there is nothing to judge by (no seat data, or activity unknown): then no
    # cut is recommended and the projection keeps the seat count.
    recommended_seats: int | None
    seat_change: int | None  # recommended − purchased: negative means buy fewer
    annual_cost: Decimal  # this term, its currency
    annual_price_per_seat: Decimal | None  # per-seat terms: unit price × periods a year
    projected_annual_cost: Decimal  # at the recommended count (flat fees unchanged)
    projected_savings: Decimal  # annual_cost − projected, never negative
    projected_savings_base: Decimal | None
    previous_term_id: int | None
    previous_currency: str | None
    previous_annual_price: Decimal | None  # per seat (per-seat) or the fee (flat), annual
    price_change: Decimal | None  # annual price now − before, in the term's currency
    price_change_pct: Decimal | None
    missing_rates: tuple[str, ...] = ()
    seat_data: bool = True  # False: no account of the tool is recorded
    activity_known: bool = True  # False: no seat of the tool reports activity
    seats_over: int = 0  # seats held beyond those purchased (the tool's terms in force)
    other_terms_seats: int = 0  # seats of the tool's other terms in force

    @property
    def no_recommendation(self) -> str | None:
        """Why no seat count is recommended, in words; None when one is."""
        if not self.seat_data:
            return "no seat data: no account of this tool is recorded"
        if self.recommended_seats is None:
            return "activity unknown: the source reports no activity, so no cut is recommended"
        return None


def _annual_price(term: SubscriptionTerm) -> Decimal:
    """The annual price of one seat (per-seat) or of the whole term (flat)."""
    return Money(term.unit_price_minor, term.currency).amount * periods_per_year(
        term.billing_months)


def _price_change(session: Session, term: SubscriptionTerm, rates: RateTable
                  ) -> tuple[SubscriptionTerm | None, Decimal | None, Decimal | None,
                             Decimal | None, set[str]]:
    """(previous term, its annual price, change, change %, currencies without a rate)."""
    if term.previous_term_id is None:
        return None, None, None, None, set()
    prev = session.get(SubscriptionTerm, term.previous_term_id)
    if prev is None or prev.pricing != term.pricing:
        # A change of pricing model is not a price change one can put as a number.
        return prev, None if prev is None else _annual_price(prev), None, None, set()
    now, before = _annual_price(term), _annual_price(prev)
    if prev.currency != term.currency:
        # Different currencies: compare through the base currency, in the term's currency.
        rate_now, rate_before = rates.rate(term.currency), rates.rate(prev.currency)
        missing = {c for c, r in ((term.currency, rate_now), (prev.currency, rate_before))
                   if r is None}
        if rate_now is None or rate_before is None:
            return prev, before, None, None, missing
        before_here = before * rate_before / rate_now
    else:
        before_here = before
    change = now - before_here
    pct = change * _HUNDRED / before_here if before_here else None
    return prev, before, change, pct, set()


def rightsizing_brief(ctx: ServiceContext, term_id: int,
                      as_of: date | None = None) -> RightsizingBrief:
    """The brief for one term as of a date (today by default); NotFoundError for a bad id."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        term = get_or_404(session, SubscriptionTerm, term_id, "subscription term")
        tool_name = term.tool.name
        rates = load_rates(session, day)
        prev, prev_price, change, pct, missing = _price_change(session, term, rates)
        cancelled_at = cancel_dates(session, [term.id]).get(term.id)
        cycle = None
        if term.renewal_date is not None:
            cycle = current_cycle(term_start=term.term_start, renewal_date=term.renewal_date,
                                  auto_renew=term.auto_renew, notice_days=term.notice_days,
                                  internal_lead_days=term.internal_lead_days, today=day,
                                  cancelled_at=cancelled_at)
        facts = (term.id, term.tool_id, term.plan, term.pricing, term.currency, term.seats,
                 term.previous_term_id, _annual_price(term))
        in_force = covers(status=term.status, term_start=term.term_start,
                          renewal_date=term.renewal_date, auto_renew=term.auto_renew, as_of=day,
                          cancelled_at=cancelled_at)
        prev_currency = None if prev is None else prev.currency
    report = utilization.compute(ctx, day, tool_name)
    fig = report.tools[0]
    (t_id, tool_id, plan, pricing, currency, seats, previous_id, annual_price) = facts
    per_seat = pricing == PricingModel.PER_SEAT.value
    annual_cost = annual_price * (seats or 0) if per_seat else annual_price
    # The tool's other terms in force keep their seats: this term is sized for the rest.
    others = fig.seats_purchased - ((seats or 0) if in_force else 0)
    recommended = (None if fig.recommended_seats is None
                   else max(fig.recommended_seats - others, 0))
    projected = (annual_price * recommended if per_seat and recommended is not None
                 else annual_cost)
    savings = max(annual_cost - projected, Decimal(0))
    savings_base = rates.to_base(savings, currency)
    if savings_base is None:
        missing.add(currency)
    days_left = None if cycle is None else cycle.days_left(day)
    return RightsizingBrief(
        term_id=t_id, tool_id=tool_id, tool=tool_name, plan=plan, pricing=pricing, as_of=day,
        renewal_date=None if cycle is None else cycle.renewal_date,
        cancel_by=None if cycle is None else cycle.cancel_by,
        days_to_cancel_by=days_left,
        due=days_left is not None and 0 <= days_left <= BRIEF_LEAD_DAYS,
        currency=currency, base_currency=report.base_currency,
        seats_purchased=seats, seats_held=fig.seats_held, seats_active=fig.seats_active,
        seats_unused=fig.seats_unused, seats_unassigned=fig.seats_unassigned,
        seats_activity_unknown=fig.seats_activity_unknown,
        unused_by_reason=fig.unused_by_reason, utilization_pct=fig.utilization_pct,
        over_allocated=fig.over_allocated, recommended_seats=recommended,
        seat_change=None if seats is None or recommended is None else recommended - seats,
        annual_cost=annual_cost, annual_price_per_seat=annual_price if per_seat else None,
        projected_annual_cost=projected, projected_savings=savings,
        projected_savings_base=savings_base,
        previous_term_id=previous_id,
        previous_currency=prev_currency,
        previous_annual_price=prev_price, price_change=change, price_change_pct=pct,
        missing_rates=tuple(sorted(missing | set(fig.missing_rates))),
        seat_data=fig.seat_data, activity_known=fig.activity_known, seats_over=fig.seats_over,
        other_terms_seats=others,
    )


def brief_window(cancel_by: date) -> tuple[date, date]:
    """The days on which the brief is due: from BRIEF_LEAD_DAYS before cancel-by to it."""
    return cancel_by - timedelta(days=BRIEF_LEAD_DAYS), cancel_by
