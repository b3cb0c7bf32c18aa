"""Seat utilization as of a date: per seat (unused and why) and per tool (figures, savings)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.terms import TermPrice, covers
from stackadmin.domain.utilization import (
    SeatFacts,
    UnusedReason,
    days_inactive,
    holds_seat,
    is_active,
    unused_reason,
)
from stackadmin.domain.vocab import AccountStatus, PersonStatus, PricingModel
from stackadmin.services import settings
from stackadmin.services.context import ServiceContext
from stackadmin.services.rates import RateTable
from stackadmin.store.models import Account, Person, SubscriptionTerm, Tool

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SeatStatus:
    """One account as the rules see it on the as-of date."""

    account_id: int
    tool_id: int
    tool: str
    person_id: int | None
    person: str | None
    email: str | None
    role: str
    status: str
    last_activity: datetime | None
    activity_known: bool
    days_inactive: int | None
    holds_seat: bool
    active: bool
    reason: UnusedReason | None
    is_bot: bool
    exempt: bool
    exempt_reason: str | None
    annual_cost_base: Decimal | None  # what this seat costs a year, in the base currency


@dataclass(frozen=True, slots=True)
class ToolFigures:
    tool_id: int
    tool: str
    category: str | None
    threshold_days: int
    seats_purchased: int
    seats_held: int
    seats_active: int
    seats_activity_unknown: int
    unused_by_reason: dict[str, int]
    seats_unused: int
    seats_unassigned: int
    utilization_pct: Decimal | None  # active / purchased; None when nothing is purchased
    over_allocated: bool  # more seats held than purchased
    annual_cost_base: Decimal | None  # None when a rate is missing
    annual_cost_per_seat_base: Decimal | None
    annual_cost_per_active_seat_base: Decimal | None
    potential_savings_base: Decimal | None
    recommended_seats: int | None
    missing_rates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UtilizationReport:
    as_of: date
    base_currency: str
    tools: list[ToolFigures]
    seats: list[SeatStatus] = field(repr=False)

    @property
    def unused(self) -> list[SeatStatus]:
        return [s for s in self.seats if s.reason is not None]

    @property
    def total_savings_base(self) -> Decimal:
        return sum((t.potential_savings_base or Decimal(0) for t in self.tools), Decimal(0))

    def money(self, amount: Decimal | None) -> Money | None:
        """An amount in the base currency, rounded once for display or export."""
        return None if amount is None else Money.rounded(amount, self.base_currency)


@dataclass
class _TermCost:
    seats: int = 0
    per_seat_cost: Decimal = Decimal(0)  # annual, base currency, per-seat terms only
    total_cost: Decimal = Decimal(0)
    missing: set[str] = field(default_factory=set)


def _term_costs(session: Session, as_of: date, rates: RateTable) -> dict[int, _TermCost]:
    out: dict[int, _TermCost] = defaultdict(_TermCost)
    for t in session.scalars(select(SubscriptionTerm)):
        if not covers(status=t.status, term_start=t.term_start, renewal_date=t.renewal_date,
                      auto_renew=t.auto_renew, as_of=as_of):
            continue
        price = TermPrice(PricingModel(t.pricing), Money(t.unit_price_minor, t.currency).amount,
                          t.seats, t.billing_months)
        cost = out[t.tool_id]
        annual = rates.to_base(price.annual_cost, t.currency)
        if annual is None:
            cost.missing.add(t.currency)
            annual = Decimal(0)
        cost.total_cost += annual
        if t.pricing == PricingModel.PER_SEAT.value:
            cost.seats += t.seats or 0
            cost.per_seat_cost += annual
        elif t.seats:
            cost.seats += t.seats
    return out


def compute(ctx: ServiceContext, as_of: date | None = None,
            tool: str | None = None) -> UtilizationReport:
    """Every seat and every tool's figures as of a date (today by default)."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        conf = settings.load(session)
        rates = RateTable.load(session, day, conf.base_currency)
        tools = {t.id: t for t in session.scalars(select(Tool))}
        if tool is not None:
            tools = {i: t for i, t in tools.items() if t.name.lower() == tool.strip().lower()}
        costs = _term_costs(session, day, rates)
        rows = session.execute(
            select(Account.id, Account.tool_id, Account.person_id, Person.name, Account.email,
                   Account.role, Account.status, Account.last_activity, Account.activity_known,
                   Account.first_seen, Account.invited_at, Account.is_bot, Account.exempt,
                   Account.exempt_reason, Person.status, Person.end_date)
            .outerjoin(Person, Person.id == Account.person_id)
            .where(Account.tool_id.in_(list(tools)))
            .order_by(Account.tool_id, Account.id)
        ).all()
    seats: list[SeatStatus] = []
    by_tool: dict[int, list[SeatStatus]] = defaultdict(list)
    for (acc_id, tool_id, person_id, person, email, role, status, last, known, first_seen,
         invited, bot, exempt, exempt_reason, p_status, p_end) in rows:
        t = tools[tool_id]
        threshold = t.inactivity_days or conf.default_inactivity_days
        facts = SeatFacts(
            status=AccountStatus(status), last_activity=last, activity_known=known,
            first_seen=first_seen, invited_at=invited, exempt=exempt, is_bot=bot,
            person_departed=p_status == PersonStatus.DEPARTED.value, person_end_date=p_end)
        cost = costs.get(tool_id)
        per_seat = (cost.per_seat_cost / cost.seats if cost and cost.seats and cost.per_seat_cost
                    else None)
        seat = SeatStatus(
            acc_id, tool_id, t.name, person_id, person, email, role, status, last, known,
            days_inactive(last, day), holds_seat(facts.status), is_active(facts, threshold, day),
            unused_reason(facts, threshold, day), bot, exempt, exempt_reason, per_seat)
        seats.append(seat)
        by_tool[tool_id].append(seat)
    figures = [
        _figures(t, by_tool.get(t.id, []), costs.get(t.id), conf.default_inactivity_days,
                 conf.headroom_pct)
        for t in sorted(tools.values(), key=lambda t: t.name.lower())
    ]
    return UtilizationReport(day, conf.base_currency, figures, seats)


def _figures(t: Tool, seats: list[SeatStatus], cost: _TermCost | None, default_days: int,
             headroom_pct: int) -> ToolFigures:
    held = [s for s in seats if s.holds_seat]
    active = sum(1 for s in held if s.active)
    unknown = sum(1 for s in held if not s.activity_known and not s.is_bot)
    reasons = Counter(s.reason.value for s in held if s.reason is not None)
    unused = sum(reasons.values())
    purchased = cost.seats if cost else 0
    unassigned = max(purchased - len(held), 0)
    per_seat = (cost.per_seat_cost / purchased
                if cost and purchased and cost.per_seat_cost else None)
    missing = tuple(sorted(cost.missing)) if cost else ()
    total = None if missing or cost is None else cost.total_cost
    exempt_held = sum(1 for s in held if s.exempt)
    recommended = None
    if purchased:
        recommended = max(math.ceil(Decimal(active) * (_HUNDRED + headroom_pct) / _HUNDRED),
                          exempt_held)
    return ToolFigures(
        tool_id=t.id, tool=t.name, category=t.category,
        threshold_days=t.inactivity_days or default_days,
        seats_purchased=purchased, seats_held=len(held), seats_active=active,
        seats_activity_unknown=unknown, unused_by_reason=dict(reasons), seats_unused=unused,
        seats_unassigned=unassigned,
        utilization_pct=(Decimal(active) * _HUNDRED / purchased) if purchased else None,
        over_allocated=len(held) > purchased > 0,
        annual_cost_base=total,
        annual_cost_per_seat_base=per_seat,
        annual_cost_per_active_seat_base=(total / active if total is not None and active
                                          else None),
        potential_savings_base=(None if per_seat is None or missing
                                else (unused + unassigned) * per_seat),
        recommended_seats=recommended,
        missing_rates=missing,
    )
