"""The renewals list: each active term's current renewal, cancel-by date, cost and decision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from stackadmin.domain.money import Money
from stackadmin.domain.renewals import Cycle, current_cycle
from stackadmin.domain.terms import TermPrice, cancel_dates
from stackadmin.domain.vocab import Decision, PricingModel, TermStatus
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.tools import named
from stackadmin.services.records import parse_leads
from stackadmin.store.models import Person, SubscriptionTerm, TermDecision, Tool
from stackadmin.store.seat_rules import count_active, seat_rules, thresholds_in_use


@dataclass(frozen=True, slots=True)
class RenewalRow:
    """One term's renewal as of a date, ready for a table, a popup or JSON."""

    term_id: int
    tool_id: int
    tool: str
    plan: str
    renewal_date: date  # rolled forward for auto-renewing terms whose date has passed
    cancel_by: date
    days_left: int  # until the cancel-by date; negative once it has passed
    rolled: bool
    auto_renew: bool
    notice_days: int
    internal_lead_days: int
    leads: tuple[int, ...]  # reminder lead times in days, largest first
    annual_cost: Money  # in the term's currency
    annual_cost_base: Money | None  # None when no rate to the base currency is recorded
    base_currency: str
    missing_rate: str | None  # the currency without a rate, when annual_cost_base is None
    seats_purchased: int | None
    seats_active: int | None  # active seats of the tool (all its terms), None if not known
    owner: str | None
    owner_email: str | None
    decision: Decision
    decision_note: str | None
    seats_counted: bool = False  # seats_active was counted (with_active_seats)

    @property
    def decided(self) -> bool:
        return self.decision is not Decision.UNDECIDED

    @property
    def missed(self) -> bool:
        """The cancel-by date has passed and nothing was decided."""
        return self.days_left < 0 and not self.decided

    @property
    def days_to_renewal(self) -> int:
        """Days from the as-of date to the renewal (the cancel-by date plus notice and lead)."""
        return self.days_left + self.notice_days + self.internal_lead_days

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON object (the keys are a contract: add, never rename)."""
        return {
            "term_id": self.term_id,
            "tool": self.tool,
            "plan": self.plan,
            "renewal_date": self.renewal_date.isoformat(),
            "cancel_by": self.cancel_by.isoformat(),
            "days_left": self.days_left,
            "auto_renew": self.auto_renew,
            "rolled": self.rolled,
            "annual_cost": self.annual_cost.plain(),
            "currency": self.annual_cost.currency,
            "annual_cost_base": (None if self.annual_cost_base is None
                                 else self.annual_cost_base.plain()),
            "base_currency": self.base_currency,
            "missing_rate": self.missing_rate,
            "seats_purchased": self.seats_purchased,
            "seats_active": self.seats_active,
            "owner": self.owner,
            "owner_email": self.owner_email,
            "decision": self.decision.value,
            "decision_note": self.decision_note,
        }


def tool_leads(tool: Tool, default: tuple[int, ...]) -> tuple[int, ...]:
    return parse_leads(tool.reminder_leads) if tool.reminder_leads else default


class _Dated(Protocol):
    @property
    def term_start(self) -> date | None: ...
    @property
    def renewal_date(self) -> date | None: ...
    @property
    def auto_renew(self) -> bool: ...
    @property
    def notice_days(self) -> int: ...
    @property
    def internal_lead_days(self) -> int: ...


def term_cycle(term: _Dated, today: date,
               cancelled_at: date | None = None) -> Cycle | None:
    """The renewal in play on `today`; a decision to cancel stops the rolling forward there."""
    if term.renewal_date is None:
        return None
    return current_cycle(term_start=term.term_start, renewal_date=term.renewal_date,
                         auto_renew=term.auto_renew, notice_days=term.notice_days,
                         internal_lead_days=term.internal_lead_days, today=today,
                         cancelled_at=cancelled_at)


def _open_terms(session: Session) -> list[SubscriptionTerm]:
    # Renewed terms have a successor, cancelled and ended ones renew no more.
    query = (select(SubscriptionTerm)
             .options(joinedload(SubscriptionTerm.tool).joinedload(Tool.owner))
             .where(SubscriptionTerm.status == TermStatus.ACTIVE.value,
                    SubscriptionTerm.renewal_date.is_not(None)))
    return list(session.scalars(query).unique())


def _decisions(session: Session, term_ids: list[int]
               ) -> dict[tuple[int, date], tuple[Decision, str | None]]:
    if not term_ids:
        return {}
    d = TermDecision.__table__.c
    rows = session.execute(
        select(d.term_id, d.renewal_date, d.decision, d.note).where(d.term_id.in_(term_ids)))
    return {(t, d): (Decision(dec), note) for t, d, dec, note in rows}


class _OpenTerm(NamedTuple):
    """An open term's columns, read as plain rows: ORM objects with their tools and owners
    took twice as long for the reminder check at start-up."""

    id: int
    tool_id: int
    tool: str
    reminder_leads: str | None
    plan: str
    pricing: str
    unit_price_minor: int
    currency: str
    seats: int | None
    billing_months: int
    term_start: date | None
    renewal_date: date | None
    auto_renew: bool
    notice_days: int
    internal_lead_days: int
    owner_name: str | None
    owner_email: str | None


def _open_rows(session: Session, term_ids: list[int] | None) -> list[_OpenTerm]:
    # The tables' columns, not the models' (store/seat_rules.py says why).
    t, tool, owner = SubscriptionTerm.__table__.c, Tool.__table__, Person.__table__
    query = (select(t.id, t.tool_id, tool.c.name, tool.c.reminder_leads, t.plan, t.pricing,
                    t.unit_price_minor, t.currency, t.seats, t.billing_months, t.term_start,
                    t.renewal_date, t.auto_renew, t.notice_days, t.internal_lead_days,
                    owner.c.name, owner.c.email)
             .select_from(SubscriptionTerm.__table__)
             .join(tool, tool.c.id == t.tool_id)
             .outerjoin(owner, owner.c.id == tool.c.owner_id)
             .where(t.status == TermStatus.ACTIVE.value, t.renewal_date.is_not(None)))
    if term_ids is not None:
        query = query.where(t.id.in_(term_ids))
    return [_OpenTerm._make(row) for row in session.connection().execute(query)]


def load_rows(session: Session, day: date, *,
              term_ids: list[int] | None = None) -> list[RenewalRow]:
    """Every open term's renewal as of `day`, in cancel-by order (within one session)."""
    conf = settings.load(session)
    rates = load_rates(session, day, conf.base_currency)
    terms = _open_rows(session, term_ids)
    decisions = _decisions(session, [t.id for t in terms])
    cancels = cancel_dates((term_id, renewal, decision.value)
                           for (term_id, renewal), (decision, _note) in decisions.items())
    rows = []
    for t in terms:
        cycle = term_cycle(t, day, cancels.get(t.id))
        if cycle is None:
            continue
        price = TermPrice(PricingModel(t.pricing), Money(t.unit_price_minor, t.currency).amount,
                          t.seats, t.billing_months)
        annual = price.annual_cost
        in_base = rates.to_base(annual, t.currency)
        decision, note = decisions.get((t.id, cycle.renewal_date), (Decision.UNDECIDED, None))
        rows.append(RenewalRow(
            term_id=t.id, tool_id=t.tool_id, tool=t.tool, plan=t.plan,
            renewal_date=cycle.renewal_date, cancel_by=cycle.cancel_by,
            days_left=cycle.days_left(day), rolled=cycle.rolled, auto_renew=t.auto_renew,
            notice_days=t.notice_days, internal_lead_days=t.internal_lead_days,
            leads=(parse_leads(t.reminder_leads) if t.reminder_leads
                   else conf.reminder_leads),
            annual_cost=Money.rounded(annual, t.currency),
            annual_cost_base=(None if in_base is None
                              else Money.rounded(in_base, conf.base_currency)),
            base_currency=conf.base_currency,
            missing_rate=t.currency if in_base is None else None,
            seats_purchased=t.seats,
            seats_active=None,  # filled by with_active_seats for the rows kept
            owner=(t.owner_name or t.owner_email) if t.owner_email else None,
            owner_email=t.owner_email,
            decision=decision, decision_note=note,
        ))
    rows.sort(key=lambda r: (r.cancel_by, r.tool.lower(), r.plan.lower(), r.term_id))
    return rows


def active_seats(ctx: ServiceContext, day: date,
                 tool_ids: Iterable[int] | None = None) -> dict[int, int | None]:
    """Active seats per tool id on `day`, by the same rules as the utilization report,
    counted by the database (store/seat_rules.py) for the tools asked for (every tool with
    an account when None). None for a tool with no account recorded, or whose seats'
    activity is unknown (none reports activity): not 0."""
    wanted = None if tool_ids is None else sorted(set(tool_ids))
    if wanted == []:
        return {}
    with ctx.read() as session:
        days = settings.load(session).default_inactivity_days
        rules = seat_rules(day, days, thresholds_in_use(session, days))
        counted = count_active(session, rules, wanted)
    return counted if wanted is None else {t: counted.get(t) for t in wanted}


def with_active_seats(ctx: ServiceContext, rows: list[RenewalRow],
                      day: date) -> list[RenewalRow]:
    """The rows with seats_active filled in (0 for a tool without active seats, None for
    one whose activity is unknown)."""
    counts = active_seats(ctx, day, {r.tool_id for r in rows})
    return [replace(r, seats_active=counts.get(r.tool_id, 0), seats_counted=True)
            for r in rows]


def list_renewals(ctx: ServiceContext, *, as_of: date | None = None,
                  within_days: int | None = None, undecided: bool = False,
                  auto_renew: bool = False, with_seats: bool = True,
                  renews_within: int | None = None) -> list[RenewalRow]:
    """The Renewals page and `stackadmin reminders`, ordered by cancel-by date.

    within_days: cancel-by from `as_of` to `as_of + within_days`, plus undecided terms whose
    cancel-by has already passed (decided past ones are done with). undecided: only terms
    without a decision for their current renewal. auto_renew: only auto-renewing terms.
    renews_within: only terms that renew within that many days of `as_of` (or renewed
    already without rolling forward).
    """
    day = as_of or ctx.today()
    if within_days is not None and within_days < 0:
        raise ValidationError(f"within must be 0 or more days, got {within_days}")
    if renews_within is not None and renews_within < 0:
        raise ValidationError(f"renews within must be 0 or more days, got {renews_within}")
    with ctx.read() as session:
        rows = load_rows(session, day)
    out = []
    for r in rows:
        if undecided and r.decided:
            continue
        if auto_renew and not r.auto_renew:
            continue
        if renews_within is not None and r.days_to_renewal > renews_within:
            continue
        if within_days is not None:
            if r.days_left > within_days:
                continue
            if r.days_left < 0 and r.decided:
                continue
        out.append(r)
    return with_active_seats(ctx, out, day) if with_seats else out


def find_term(ctx: ServiceContext, tool: str, plan: str | None = None) -> int:
    """The id of a tool's open term, by tool name (any case) and, when it has several, plan."""
    with ctx.read() as session:
        found = named(session, Tool, tool)
        if found is None:
            raise NotFoundError(f"no tool named '{tool}'")
        terms = [t for t in _open_terms(session) if t.tool_id == found.id]
    if plan is not None:
        terms = [t for t in terms if t.plan.lower() == plan.strip().lower()]
    if not terms:
        detail = f" with plan '{plan}'" if plan is not None else ""
        raise NotFoundError(f"{found.name} has no active term with a renewal date{detail}")
    if len(terms) > 1:
        plans = ", ".join(sorted(repr(t.plan) for t in terms))
        raise ValidationError(f"{found.name} has several active terms ({plans}): "
                              "say which with --plan")
    return terms[0].id
