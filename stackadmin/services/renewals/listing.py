"""The renewals list: each active term's current renewal, cancel-by date, cost and decision."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from stackadmin.domain.money import Money
from stackadmin.domain.renewals import Cycle, cancel_by, current_cycle
from stackadmin.domain.terms import TermPrice
from stackadmin.domain.utilization import (
    SeatCounts,
    SeatFacts,
    activity_judged,
    activity_unknown,
    is_active,
    unused_reason,
)
from stackadmin.domain.vocab import (
    SEAT_HOLDING,
    AccountStatus,
    Decision,
    PersonStatus,
    PricingModel,
    TermStatus,
)
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.tools import named
from stackadmin.services.records import parse_leads
from stackadmin.store.models import Account, Person, SubscriptionTerm, TermDecision, Tool


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


def term_cycle(term: SubscriptionTerm, today: date,
               cancelled_at: date | None = None) -> Cycle | None:
    """The renewal in play on `today`; a decision to cancel stops the rolling forward there."""
    if term.renewal_date is None:
        return None
    cycle = current_cycle(term_start=term.term_start, renewal_date=term.renewal_date,
                          auto_renew=term.auto_renew, notice_days=term.notice_days,
                          internal_lead_days=term.internal_lead_days, today=today)
    if cancelled_at is not None and term.renewal_date <= cancelled_at < cycle.renewal_date:
        deadline = cancel_by(cancelled_at, term.notice_days, term.internal_lead_days)
        return Cycle(cancelled_at, deadline, cancelled_at != term.renewal_date)
    return cycle


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
    rows = session.execute(
        select(TermDecision.term_id, TermDecision.renewal_date, TermDecision.decision,
               TermDecision.note).where(TermDecision.term_id.in_(term_ids)))
    return {(t, d): (Decision(dec), note) for t, d, dec, note in rows}


def load_rows(session: Session, day: date, *,
              term_ids: list[int] | None = None) -> list[RenewalRow]:
    """Every open term's renewal as of `day`, in cancel-by order (within one session)."""
    conf = settings.load(session)
    rates = load_rates(session, day, conf.base_currency)
    terms = _open_terms(session)
    if term_ids is not None:
        wanted = set(term_ids)
        terms = [t for t in terms if t.id in wanted]
    decisions = _decisions(session, [t.id for t in terms])
    cancels: dict[int, date] = {}
    for (term_id, renewal), (decision, _note) in decisions.items():
        if decision is Decision.CANCEL:
            cancels[term_id] = min(renewal, cancels.get(term_id, renewal))
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
        owner = t.tool.owner
        rows.append(RenewalRow(
            term_id=t.id, tool_id=t.tool_id, tool=t.tool.name, plan=t.plan,
            renewal_date=cycle.renewal_date, cancel_by=cycle.cancel_by,
            days_left=cycle.days_left(day), rolled=cycle.rolled, auto_renew=t.auto_renew,
            notice_days=t.notice_days, internal_lead_days=t.internal_lead_days,
            leads=tool_leads(t.tool, conf.reminder_leads),
            annual_cost=Money.rounded(annual, t.currency),
            annual_cost_base=(None if in_base is None
                              else Money.rounded(in_base, conf.base_currency)),
            base_currency=conf.base_currency,
            missing_rate=t.currency if in_base is None else None,
            seats_purchased=t.seats,
            seats_active=None,  # filled by with_active_seats for the rows kept
            owner=(owner.name or owner.email) if owner else None,
            owner_email=owner.email if owner else None,
            decision=decision, decision_note=note,
        ))
    rows.sort(key=lambda r: (r.cancel_by, r.tool.lower(), r.plan.lower(), r.term_id))
    return rows


def active_seats(ctx: ServiceContext, day: date,
                 tool_ids: Iterable[int] | None = None) -> dict[int, int | None]:
    """Active seats per tool id on `day`, by the same rules as the utilization report
    (`utilization.compute`), but only for the tools asked for: the full report costs ~5 s
    on 100,000 accounts, a reminder panel needs a handful of tools. None for a tool with no
    account recorded, or whose seats' activity is unknown (none reports activity): not 0."""
    wanted = None if tool_ids is None else sorted(set(tool_ids))
    if wanted == []:
        return {}
    query = (select(Account.tool_id, Account.status, Account.last_activity,
                    Account.activity_known, Account.first_seen, Account.invited_at,
                    Account.is_bot, Account.exempt, Person.status, Person.end_date,
                    Tool.inactivity_days, Account.pending_cancellation)
             .join(Tool, Tool.id == Account.tool_id)
             .outerjoin(Person, Person.id == Account.person_id)
             .where(Account.status.in_([s.value for s in SEAT_HOLDING]),
                    Account.billable.is_not(False)))
    if wanted is not None:
        query = query.where(Account.tool_id.in_(wanted))
    counts: dict[int, int] = dict.fromkeys(wanted or (), 0)
    known: dict[int, int] = defaultdict(int)
    unknown: dict[int, int] = defaultdict(int)
    with ctx.read() as session:
        default_days = settings.load(session).default_inactivity_days
        recorded = select(Account.tool_id).distinct()
        if wanted is not None:
            recorded = recorded.where(Account.tool_id.in_(wanted))
        with_data = set(session.scalars(recorded))  # tools with no account: seats unknown
        for (tool_id, status, last, activity, first_seen, invited, bot, exempt, p_status,
             p_end, days, pending) in session.execute(query):
            facts = SeatFacts(
                status=AccountStatus(status), last_activity=last, activity_known=activity,
                first_seen=first_seen, invited_at=invited, exempt=exempt, is_bot=bot,
                person_departed=p_status == PersonStatus.DEPARTED.value,
                person_end_date=p_end, pending_cancellation=pending)
            threshold = days or default_days
            if is_active(facts, threshold, day):
                counts[tool_id] = counts.get(tool_id, 0) + 1
            if activity and not bot:
                known[tool_id] += 1
            elif activity_unknown(True, bot, exempt, activity,
                                  unused_reason(facts, threshold, day),
                                  cancelling=pending is not None):
                unknown[tool_id] += 1
    return {tool_id: counts.get(tool_id, 0) if tool_id in with_data and activity_judged(
                SeatCounts(activity_known=known[tool_id], activity_unknown=unknown[tool_id]))
            else None
            for tool_id in sorted(set(counts) | set(unknown))}


def with_active_seats(ctx: ServiceContext, rows: list[RenewalRow],
                      day: date) -> list[RenewalRow]:
    """The rows with seats_active filled in (0 for a tool without active seats, None for
    one whose activity is unknown)."""
    counts = active_seats(ctx, day, {r.tool_id for r in rows})
    return [replace(r, seats_active=counts.get(r.tool_id, 0)) for r in rows]


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
