"""The Tools page's lines: each tool's term and account counts and annual cost, then its seat
figures and the rightsizing briefs that are due (plain data, no Qt)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import list_terms
from stackadmin.services.inventory.tools import list_tools
from stackadmin.services.overview.dashboard import renewal_lines
from stackadmin.services.overview.figures import in_force
from stackadmin.services.records import ToolRow
from stackadmin.services.seats import utilization
from stackadmin.services.seats.rightsizing import BRIEF_LEAD_DAYS
from stackadmin.services.seats.utilization import ToolFigures, UtilizationReport
from stackadmin.store.models import Account, SubscriptionTerm


@dataclass(frozen=True, slots=True)
class ToolLine:
    tool: ToolRow
    terms: int
    accounts: int
    annual_cost_base: Decimal | None
    base_currency: str
    missing_rates: tuple[str, ...] = ()
    owner_left: bool = False  # the owner has left the company: a hand-over is due
    # Filled by with_utilization (the Tools page): seat figures and due briefs.
    utilization: ToolFigures | None = None
    rightsizing: tuple[DueTerm, ...] = ()

    @property
    def cost_note(self) -> str:
        if self.missing_rates:
            return f"No exchange rate for {', '.join(self.missing_rates)}: total unknown"
        return "Terms in force today, per year, in the base currency"


@dataclass(frozen=True, slots=True)
class DueTerm:
    """A term within BRIEF_LEAD_DAYS of its cancel-by date: the brief's seat figures."""

    term_id: int
    plan: str
    cancel_by: date
    days_left: int
    seats_purchased: int | None
    seats_active: int
    recommended_seats: int | None  # None: nothing to judge by (see ToolFigures)

    @property
    def seat_change(self) -> int | None:
        if self.seats_purchased is None or self.recommended_seats is None:
            return None
        return self.recommended_seats - self.seats_purchased


def due_terms(ctx: ServiceContext, report: UtilizationReport) -> dict[int, list[DueTerm]]:
    """Active terms whose rightsizing brief is due (0 to BRIEF_LEAD_DAYS days before the
    cancel-by date, as `rightsizing_brief(...).due` says), by tool id."""
    figures = {t.tool_id: t for t in report.tools}
    out: dict[int, list[DueTerm]] = {}
    for line in renewal_lines(ctx):
        if line.cancel_by is None or line.days_left is None:
            continue
        if not 0 <= line.days_left <= BRIEF_LEAD_DAYS:
            continue
        fig = figures.get(line.term.tool_id)
        if fig is None:
            continue
        out.setdefault(line.term.tool_id, []).append(DueTerm(
            line.term.id, line.term.plan, line.cancel_by, line.days_left, line.term.seats,
            fig.seats_active, fig.recommended_seats))
    for terms in out.values():
        terms.sort(key=lambda d: d.cancel_by)
    return out


def with_utilization(ctx: ServiceContext, lines: list[ToolLine]) -> list[ToolLine]:
    """The Tools page's rows with each tool's figures and due briefs: one utilization run."""
    report = utilization.compute(ctx)
    figures: dict[int, ToolFigures] = {t.tool_id: t for t in report.tools}
    due = due_terms(ctx, report)
    return [replace(line, utilization=figures.get(line.tool.id),
                    rightsizing=tuple(due.get(line.tool.id, ()))) for line in lines]


def tool_lines(ctx: ServiceContext) -> list[ToolLine]:
    """Every tool with its term and account counts and its annual cost (terms in force)."""
    today = ctx.today()
    tools = list_tools(ctx)
    with ctx.read() as session:
        rates = load_rates(session, today)
        accounts = dict(session.execute(
            select(Account.tool_id, func.count()).group_by(Account.tool_id)).all())
        term_counts = dict(session.execute(
            select(SubscriptionTerm.tool_id, func.count())
            .group_by(SubscriptionTerm.tool_id)).all())
    cost: dict[int, Decimal] = defaultdict(Decimal)
    missing: dict[int, set[str]] = defaultdict(set)
    for t in list_terms(ctx):
        if not in_force(t, today):
            continue
        base = rates.to_base(t.price.annual_cost, t.unit_price.currency)
        if base is None:
            missing[t.tool_id].add(t.unit_price.currency)
        else:
            cost[t.tool_id] += base
    return [
        ToolLine(tool, term_counts.get(tool.id, 0), accounts.get(tool.id, 0),
                 None if missing.get(tool.id) else cost.get(tool.id, Decimal(0)),
                 rates.base_currency, tuple(sorted(missing.get(tool.id, ()))),
                 tool.owner_departed(today))
        for tool in tools
    ]
