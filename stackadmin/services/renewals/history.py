"""A tool's terms over time: each term's price and seats and what changed at the renewal
that started it, and the decision taken at each renewal (plain rows for the tool's page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from stackadmin.domain.money import Money
from stackadmin.domain.terms import periods_per_year
from stackadmin.domain.vocab import TermStatus
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.terms import list_terms
from stackadmin.services.records import TermRow
from stackadmin.services.renewals.listing import term_cycle
from stackadmin.store.models import SubscriptionTerm, TermDecision, Tool

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TermStep:
    """One term of a tool and the change from the term before it (the renewal that started
    this one). Changes are None where they cannot be said as one number: no previous term,
    another currency, another pricing model, or seats not stated."""

    term: TermRow
    annual_cost: Money
    annual_price: Money  # a seat a year (per-seat pricing), or the whole fee a year (flat)
    previous_id: int | None
    seat_change: int | None
    price_change: Money | None  # annual price now − before
    price_change_pct: Decimal | None
    # When it renews as of today: for an active term that renews by itself, the renewal in
    # play (rolled forward past the recorded date, as the Renewals page has it); otherwise
    # the recorded renewal date. None without one.
    renews: date | None = None

    @property
    def id(self) -> int:
        return self.term.id

    @property
    def rolled(self) -> bool:
        """It renewed by itself since its recorded renewal date."""
        return self.renews is not None and self.renews != self.term.renewal_date


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """What was decided for one renewal of a term, by whom and when."""

    id: int
    term_id: int
    plan: str
    renewal_date: date
    decision: str
    note: str | None
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class ToolHistory:
    tool_id: int
    tool: str
    terms: list[TermStep]  # oldest first
    decisions: list[DecisionRow]  # the latest renewal first


def annual_price(term: TermRow) -> Money:
    """A seat a year (per-seat terms) or the fee a year (flat), rounded once."""
    amount = term.unit_price.amount * periods_per_year(term.billing_months)
    return Money.rounded(amount, term.unit_price.currency)


def _start(term: TermRow) -> tuple[int, date, int]:
    # Undated terms last among their kind; ties by id (the order they were recorded).
    return (term.term_start is None, term.term_start or date.max, term.id)


def _previous(term: TermRow, earlier: list[TermRow]) -> TermRow | None:
    """The term this one renewed: its recorded predecessor, else the latest earlier term
    of the same plan (terms imported without the link)."""
    by_id = {t.id: t for t in earlier}
    if term.previous_term_id is not None:
        return by_id.get(term.previous_term_id)
    if term.term_start is None:
        return None
    same = [t for t in earlier if t.plan == term.plan and t.term_start is not None
            and t.term_start < term.term_start]
    return max(same, key=_start) if same else None


def _renews(term: TermRow, today: date) -> date | None:
    if term.status != TermStatus.ACTIVE.value:
        return term.renewal_date
    cycle = term_cycle(term, today, term.cancelled_at)
    return None if cycle is None else cycle.renewal_date


def _step(term: TermRow, before: TermRow | None, today: date) -> TermStep:
    price = annual_price(term)
    seat_change = price_change = pct = None
    if before is not None:
        if term.seats is not None and before.seats is not None:
            seat_change = term.seats - before.seats
        if (before.unit_price.currency == term.unit_price.currency
                and before.pricing == term.pricing):
            old = annual_price(before)
            price_change = Money(price.minor - old.minor, price.currency)
            if old.minor:
                pct = (Decimal(price.minor - old.minor) * _HUNDRED / old.minor).quantize(
                    Decimal("0.1"))
    return TermStep(term, term.annual_cost, price, None if before is None else before.id,
                    seat_change, price_change, pct, _renews(term, today))


def tool_decisions(ctx: ServiceContext, tool_id: int) -> list[DecisionRow]:
    """Every decision taken on the tool's renewals, the latest renewal first."""
    with ctx.read() as session:
        get_or_404(session, Tool, tool_id, "tool")
        rows = session.execute(
            select(TermDecision, SubscriptionTerm.plan)
            .join(SubscriptionTerm, SubscriptionTerm.id == TermDecision.term_id)
            .where(SubscriptionTerm.tool_id == tool_id)
            .order_by(TermDecision.renewal_date.desc(), TermDecision.id.desc())).all()
        return [DecisionRow(d.id, d.term_id, plan, d.renewal_date, d.decision, d.note,
                            d.decided_by, d.decided_at) for d, plan in rows]


def tool_history(ctx: ServiceContext, tool_id: int) -> ToolHistory:
    """Every term of the tool (whatever its status), oldest first, and every decision."""
    with ctx.read() as session:
        name = get_or_404(session, Tool, tool_id, "tool").name
    decisions = tool_decisions(ctx, tool_id)
    terms = sorted(list_terms(ctx, tool_id=tool_id), key=_start)
    today = ctx.today()
    steps = [_step(t, _previous(t, terms[:n]), today) for n, t in enumerate(terms)]
    return ToolHistory(tool_id, name, steps, decisions)
