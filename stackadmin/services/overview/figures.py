"""The dashboard's figures, computed from plain rows (terms, tools, rates): no database here.

`dashboard.compute` feeds them from the services; the start-up reader (`first_look`) feeds
them from a plain sqlite3 read, so the first page shows before SQLAlchemy is imported. Amounts
in the base currency are unrounded Decimals; round once to show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from stackadmin.domain.money import Money
from stackadmin.domain.renewals import add_months, current_cycle
from stackadmin.domain.terms import covers
from stackadmin.domain.vocab import TermStatus
from stackadmin.services.records import RateTable, TermRow, ToolRow

if TYPE_CHECKING:
    from stackadmin.services.seats.utilization import UtilizationReport

NO_CATEGORY = "(no category)"
NO_COST_CENTRE = "(no cost centre)"
MONTHS_AHEAD = 12
NEXT_RENEWALS = 10


@dataclass(frozen=True, slots=True)
class SpendLine:
    """One term in force: what it costs a year in its currency and in the base currency."""

    term_id: int
    tool_id: int
    tool: str
    plan: str
    category: str
    cost_center: str
    annual_cost: Money
    rate: Decimal | None  # 1 unit of the term's currency in base units; None: no rate
    annual_base: Decimal | None


@dataclass(frozen=True, slots=True)
class RenewalLine:
    """A term with its current renewal cycle (rolled forward when it renews by itself)."""

    term: TermRow
    renewal_date: date | None
    cancel_by: date | None
    rolled: bool
    days_left: int | None
    annual_cost_base: Decimal | None
    base_currency: str
    decided: bool = False  # a decision is recorded for this renewal

    @property
    def missed(self) -> bool:
        """The cancel-by date has passed and nothing was decided."""
        return self.days_left is not None and self.days_left < 0 and not self.decided

    @property
    def base_note(self) -> str:
        if self.annual_cost_base is None:
            return f"No exchange rate from {self.term.unit_price.currency} to {self.base_currency}"
        shown = Money.rounded(self.annual_cost_base, self.base_currency)
        return f"{shown} in the base currency"


@dataclass(frozen=True, slots=True)
class MonthSpend:
    month: date  # the first day of the month
    amount_base: Decimal
    term_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SeatLine:
    """A tool's line in the dashboard's seat table (from its ToolFigures)."""

    tool_id: int
    tool: str
    purchased: int
    assigned: int | None  # None: no seat data (no account recorded)
    active: int
    unused: int | None  # unused + unassigned seats; None: no seat data
    savings_base: Decimal | None
    flat: bool = False  # flat fees that state no seat count: nothing purchased per seat
    over: int = 0  # seats held beyond those purchased
    activity_known: bool = True
    utilization_pct: Decimal | None = None


@dataclass
class Dashboard:
    as_of: date
    base_currency: str
    rates: dict[str, Decimal]  # the rates used, per currency
    missing_rates: list[str]
    spend: list[SpendLine]
    months: list[MonthSpend]
    seats: list[SeatLine]
    next_renewals: list[RenewalLine]  # missed cancel-by dates first, then the next ones
    tools_without_owner: list[ToolRow]
    terms_without_renewal: list[TermRow]
    # Tools whose owner has left: each needs handing over to someone who is still here.
    owners_departed: list[ToolRow] = field(default_factory=list)
    savings_base: Decimal = Decimal(0)
    utilization: UtilizationReport | None = None  # the report the seat figures come from
    tool_count: int = 0  # every tool in the inventory (0: nothing to show yet)
    by_category: dict[str, Decimal] = field(default_factory=dict)
    by_cost_center: dict[str, Decimal] = field(default_factory=dict)

    @property
    def missed_renewals(self) -> list[RenewalLine]:
        return [r for r in self.next_renewals if r.missed]

    @property
    def upcoming_renewals(self) -> list[RenewalLine]:
        return [r for r in self.next_renewals if not r.missed]

    @property
    def total_base(self) -> Decimal:
        return sum((s.annual_base for s in self.spend if s.annual_base is not None), Decimal(0))

    def money(self, amount: Decimal | None) -> Money | None:
        return None if amount is None else Money.rounded(amount, self.base_currency)


def in_force(t: TermRow, day: date) -> bool:
    return covers(status=t.status, term_start=t.term_start, renewal_date=t.renewal_date,
                  auto_renew=t.auto_renew, as_of=day, cancelled_at=t.cancelled_at)


def spend_lines(terms: list[TermRow], tools: dict[int, ToolRow], rates: RateTable,
                day: date) -> list[SpendLine]:
    out = []
    for t in terms:
        if not in_force(t, day):
            continue
        annual = t.price.annual_cost
        tool = tools.get(t.tool_id)
        out.append(SpendLine(
            t.id, t.tool_id, t.tool, t.plan,
            (tool.category if tool and tool.category else NO_CATEGORY),
            t.cost_center or NO_COST_CENTRE, Money.rounded(annual, t.unit_price.currency),
            rates.rate(t.unit_price.currency), rates.to_base(annual, t.unit_price.currency)))
    return out


def month_spend(terms: list[TermRow], rates: RateTable, day: date,
                months: int = MONTHS_AHEAD) -> list[MonthSpend]:
    """What falls due in each of the next months: a term bills its period's price at the
    start of each billing period (counted from its start), while it is in force."""
    first = day.replace(day=1)
    ends = [add_months(first, n) for n in range(months + 1)]
    amounts = [Decimal(0)] * months
    ids: list[set[int]] = [set() for _ in range(months)]
    for t in terms:
        anchor = t.term_start or t.renewal_date
        base = rates.to_base(t.price.period_cost, t.unit_price.currency)
        if anchor is None or base is None:
            continue
        # Start at the first billing date near the window instead of stepping from the start.
        # Without a start, the periods are counted back from the renewal date: the term is
        # in force (and bills) before it.
        behind = (first.year - anchor.year) * 12 + first.month - anchor.month
        step = behind // t.billing_months - 1
        if t.term_start is not None:
            step = max(step, 0)
        while True:
            due = add_months(anchor, step * t.billing_months)
            step += 1
            if due >= ends[-1]:
                break
            if due < first or not in_force(t, due):
                if t.renewal_date is not None and due >= t.renewal_date and not t.auto_renew:
                    break
                continue
            n = (due.year - first.year) * 12 + due.month - first.month
            amounts[n] += base
            ids[n].add(t.id)
    return [MonthSpend(ends[n], amounts[n], tuple(sorted(ids[n]))) for n in range(months)]


def renewal_cycles(terms: Iterable[TermRow], rates: RateTable, today: date,
                   statuses: tuple[str, ...] = (TermStatus.ACTIVE.value,),
                   decided: Collection[tuple[int, date]] = frozenset()) -> list[RenewalLine]:
    """The terms of these statuses with their current cycle as of `today`; `decided` holds
    the (term id, renewal date) pairs that have a decision."""
    out = []
    for t in terms:
        if t.status not in statuses:
            continue
        base = rates.to_base(t.price.annual_cost, t.unit_price.currency)
        if t.renewal_date is None:
            out.append(RenewalLine(t, None, None, False, None, base, rates.base_currency))
            continue
        cycle = current_cycle(term_start=t.term_start, renewal_date=t.renewal_date,
                              auto_renew=t.auto_renew, notice_days=t.notice_days,
                              internal_lead_days=t.internal_lead_days, today=today,
                              cancelled_at=t.cancelled_at)
        out.append(RenewalLine(t, cycle.renewal_date, cycle.cancel_by, cycle.rolled,
                               cycle.days_left(today), base, rates.base_currency,
                               (t.id, cycle.renewal_date) in decided))
    return out


def next_renewals(lines: Iterable[RenewalLine], limit: int = NEXT_RENEWALS
                  ) -> list[RenewalLine]:
    """Every missed cancel-by date (passed, undecided: the most overdue first), then the
    next `limit` cancel-by dates to come."""
    missed = sorted((r for r in lines if r.missed),
                    key=lambda r: (r.cancel_by, r.term.tool.lower()))
    upcoming = sorted((r for r in lines if r.days_left is not None and r.days_left >= 0),
                      key=lambda r: (r.cancel_by, r.term.tool.lower()))
    return missed + upcoming[:limit]


def build(today: date, rates: RateTable, tools: Iterable[ToolRow], terms: list[TermRow],
          decided: Collection[tuple[int, date]] = frozenset()) -> Dashboard:
    """Every figure but the seat utilization (`dashboard.add_seats` adds it). `decided`:
    the (term id, renewal date) pairs with a decision (a missed date is an undecided one)."""
    by_id = {t.id: t for t in tools}
    spend = spend_lines(terms, by_id, rates, today)
    used = {s.annual_cost.currency for s in spend}
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    by_cost_center: dict[str, Decimal] = defaultdict(Decimal)
    for s in spend:
        if s.annual_base is not None:
            by_category[s.category] += s.annual_base
            by_cost_center[s.cost_center] += s.annual_base
    renewals = next_renewals(renewal_cycles(terms, rates, today, decided=decided))
    return Dashboard(
        as_of=today, base_currency=rates.base_currency,
        rates={c: r for c in sorted(used) if (r := rates.rate(c)) is not None},
        missing_rates=sorted(c for c in used if rates.rate(c) is None),
        spend=spend, months=month_spend(terms, rates, today), seats=[],
        next_renewals=renewals,
        tools_without_owner=[t for t in by_id.values() if t.owner_email is None],
        terms_without_renewal=[t for t in terms if t.renewal_date is None
                               and t.status == TermStatus.ACTIVE.value],
        by_category=dict(sorted(by_category.items(), key=lambda kv: -kv[1])),
        by_cost_center=dict(sorted(by_cost_center.items(), key=lambda kv: -kv[1])),
        tool_count=len(by_id),
        owners_departed=[t for t in by_id.values() if t.owner_departed(today)],
    )
