"""The tools the company pays for on a day (a term in force), with their seats, cost, tags and
who is active in each: what requests and overlaps are checked against.

Seats and activity come from the seat utilization service, so "active" and "unused" mean
exactly what they mean on the Seats and Savings pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from stackadmin.domain.terms import covers
from stackadmin.services.buying.tags import tags_by_tool
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.seats import utilization
from stackadmin.services.seats.utilization import UtilizationReport
from stackadmin.store.models import SubscriptionTerm


@dataclass(frozen=True, slots=True)
class PaidTool:
    tool_id: int
    tool: str
    category: str | None
    tags: tuple[str, ...]
    seats_purchased: int
    seats_active: int
    # Paid seats nobody uses: held but unused (departed, inactive...) plus unassigned ones;
    # None when no account of the tool is recorded (no seat data: unknown, not all unused).
    seats_unused: int | None
    annual_cost_base: Decimal | None  # None: a currency without an exchange rate
    price_per_seat_base: Decimal | None  # annual; 0 for flat fees; None: unknown
    missing_rates: tuple[str, ...]
    active_people: frozenset[str] = field(repr=False, default=frozenset())

    def brief(self) -> str:
        """"Miro: 25 seats, 6 unused" (a list's cell)."""
        if not self.seats_purchased:
            return self.tool
        unused = "no seat data" if self.seats_unused is None else f"{self.seats_unused:,} unused"
        return f"{self.tool}: {self.seats_purchased:,} seats, {unused}"

    def sentence(self) -> str:
        """"Miro (Design) is paid for: 25 seats, 6 unused"."""
        what = self.tool + (f" ({self.category})" if self.category else "")
        if not self.seats_purchased:
            return f"{what} is paid for (no seat count)"
        if self.seats_unused is None:
            return f"{what} is paid for: {self.seats_purchased:,} seats (no seat data)"
        return (f"{what} is paid for: {self.seats_purchased:,} seats, "
                f"{self.seats_unused:,} unused")


@dataclass(frozen=True, slots=True)
class PaidInventory:
    as_of: date
    base_currency: str
    tools: list[PaidTool]
    people: dict[str, str] = field(default_factory=dict)  # person key -> name or email

    def by_id(self) -> dict[int, PaidTool]:
        return {t.tool_id: t for t in self.tools}


def _key(person_id: int | None, email: str | None, account_id: int) -> str:
    """One key per person across tools: their id when matched, else the account's email;
    an account with neither counts only in its own tool."""
    if person_id is not None:
        return f"person:{person_id}"
    if email:
        return f"email:{email.lower()}"
    return f"account:{account_id}"


def tools_in_force(ctx: ServiceContext, day: date) -> set[int]:
    with ctx.read() as session:
        rows = session.execute(select(
            SubscriptionTerm.id, SubscriptionTerm.tool_id, SubscriptionTerm.status,
            SubscriptionTerm.term_start, SubscriptionTerm.renewal_date,
            SubscriptionTerm.auto_renew)).all()
        cancels = cancel_dates(session)
    return {tool_id for term_id, tool_id, status, start, renewal, auto in rows
            if covers(status=status, term_start=start, renewal_date=renewal, auto_renew=auto,
                      as_of=day, cancelled_at=cancels.get(term_id))}


def from_report(report: UtilizationReport, paid_ids: Iterable[int],
                tags: dict[int, tuple[str, ...]], people: dict[str, str] | None = None, *,
                with_people: bool = True) -> list[PaidTool]:
    """The paid tools' figures; `people`, when given, is filled with a label (name, else
    email) for each active person's key. `with_people=False`: figures only."""
    wanted = set(paid_ids)
    active: dict[int, set[str]] = {i: set() for i in wanted}
    who = report.active_people(wanted) if with_people else []
    for tool_id, account_id, person_id, person, email, display in who:
        key = _key(person_id, email, account_id)
        active[tool_id].add(key)
        if people is not None and key not in people:
            people[key] = person or email or display or key
    return [
        PaidTool(
            tool_id=f.tool_id, tool=f.tool, category=f.category, tags=tags.get(f.tool_id, ()),
            seats_purchased=f.seats_purchased, seats_active=f.seats_active,
            seats_unused=(f.seats_unused + (f.seats_unassigned or 0)) if f.seat_data else None,
            annual_cost_base=f.annual_cost_base,
            price_per_seat_base=f.savings_per_seat_base, missing_rates=f.missing_rates,
            active_people=frozenset(active[f.tool_id]))
        for f in report.tools if f.tool_id in wanted
    ]


def paid_tools(ctx: ServiceContext, as_of: date | None = None,
               report: UtilizationReport | None = None, *, people: bool = True
               ) -> PaidInventory:
    """Every tool with a term in force on the day (today by default). `report`: a
    utilization report for that day already computed (the GUI shares one). `people=False`:
    without who is active in each (what the request lists show needs only the figures)."""
    day = as_of or ctx.today()
    paid = tools_in_force(ctx, day)
    with ctx.read() as session:
        tags = tags_by_tool(session)
    if report is None or report.as_of != day:
        report = utilization.compute(ctx, day)
    labels: dict[str, str] = {}
    tools = from_report(report, paid, tags, labels, with_people=people)
    return PaidInventory(day, report.base_currency, tools, labels)


def paid_tools_named(ctx: ServiceContext, names: Iterable[str], as_of: date | None = None
                     ) -> list[PaidTool]:
    """The same for a few tools (by name), counting only their seats: what a brief needs."""
    day = as_of or ctx.today()
    paid = tools_in_force(ctx, day)
    with ctx.read() as session:
        tags = tags_by_tool(session)
    out: list[PaidTool] = []
    for name in names:
        report = utilization.compute(ctx, day, name)
        out.extend(from_report(report, paid, tags))
    return out
