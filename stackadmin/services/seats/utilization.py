"""Seat utilization as of a date: per seat (unused and why) and per tool (figures, savings)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.orm import Session

from stackadmin.domain import utilization as rules
from stackadmin.domain.money import Money
from stackadmin.domain.terms import TermPrice, covers
from stackadmin.domain.utilization import (
    SeatCounts,
    UnusedReason,
    active_after_leaving,
    active_on,
    activity_unknown,
    person_departed,
    reason_on,
)
from stackadmin.domain.vocab import SEAT_HOLDING, AccountStatus, PersonStatus, PricingModel
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.tools import find_tool
from stackadmin.services.records import RateTable
from stackadmin.store.models import (
    Account,
    Integration,
    Person,
    SubscriptionTerm,
    Tool,
    VendorSeatCount,
)

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
_HOLDING = frozenset(s.value for s in SEAT_HOLDING)
_SUSPENDED = AccountStatus.SUSPENDED.value
_DEPARTED = PersonStatus.DEPARTED.value


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
    days_inactive: int | None  # None when never active (or activity unknown)
    holds_seat: bool
    active: bool
    reason: UnusedReason | None
    is_bot: bool
    exempt: bool
    exempt_reason: str | None
    # What reclaiming this seat saves a year, in the base currency: the tool's per-seat price
    # (zero for a flat fee, which does not shrink); None when a rate is missing or no term.
    annual_cost_base: Decimal | None
    exempt_by: str | None = None
    display_name: str | None = None
    person_end_date: date | None = None  # the person's last day, when one is recorded
    # Activity recorded after the person's last day: a seat that outlived its offboarding.
    active_after_leaving: bool = False
    # The day the vendor cancels this seat (Copilot): left out of unused seats and savings.
    pending_cancellation: date | None = None
    billable: bool | None = None  # False: the vendor does not bill it (holds no paid seat)
    # Where the seat's data came from: the integration's name, or "CSV import", "typed in"...
    source: str = ""
    # When that data was last confirmed: the integration's last good sync that listed it.
    synced_at: datetime | None = None
    kind: str = "user"  # user, guest, bot, service


@dataclass(frozen=True, slots=True)
class ToolFigures:
    """One tool's figures (or the total over all tools: tool_id 0, tool "total").

    The rules are in `stackadmin.domain.utilization` (SeatCounts and the functions on it):
    without seat data (no account recorded) the held and unassigned seats and the savings are
    None; when no seat's activity is known, utilization and the recommendation are None."""

    tool_id: int
    tool: str
    category: str | None
    threshold_days: int
    seats_purchased: int
    seats_held: int | None  # None: no seat data
    seats_active: int
    seats_activity_unknown: int  # held seats neither active nor unused: activity not reported
    unused_by_reason: dict[str, int]
    seats_unused: int
    seats_unassigned: int | None  # purchased − held, when positive; None: no seat data
    utilization_pct: Decimal | None  # active / judged capacity × 100, uncapped; see domain
    over_allocated: bool  # more seats held than purchased (utilization may pass 100 %)
    annual_cost_base: Decimal | None  # None when a rate is missing (see missing_rates)
    annual_cost_per_seat_base: Decimal | None  # annual cost / seats purchased
    annual_cost_per_active_seat_base: Decimal | None
    potential_savings_base: Decimal | None  # (unused + unassigned) × savings_per_seat_base
    recommended_seats: int | None  # None: no seat data, or activity unknown
    missing_rates: tuple[str, ...] = ()
    # Per-seat terms' price per seat; zero when the tool has only flat-fee terms.
    savings_per_seat_base: Decimal | None = None
    seats_exempt: int = 0
    seats_bots: int = 0
    tools_counted: int = 1  # in the total: tools whose costs are all known
    seat_data: bool = True  # False: no account of the tool is recorded
    activity_known: bool = True  # False: seats wait to be judged, none reports activity
    flat_priced: bool = False  # its terms in force are flat fees that state no seat count
    # The vendor's own figures, from its integrations' last syncs (None: not reported):
    # compared with the contract's seats, never written over them.
    vendor_seats_purchased: int | None = None
    vendor_seats_consumed: int | None = None
    seats_cancelling: int = 0  # held seats the vendor is cancelling (not unused)
    seats_stated: bool = False  # a term in force states a seat count

    @property
    def vendor_mismatch(self) -> bool:
        """The vendor bills another number of seats than the terms in force state."""
        return (self.vendor_seats_purchased is not None and self.seats_stated
                and self.vendor_seats_purchased != self.seats_purchased)

    @property
    def complete(self) -> bool:
        return not self.missing_rates

    @property
    def seats_over(self) -> int:
        """Seats held beyond those purchased (0 unless over-allocated)."""
        if not self.over_allocated or self.seats_held is None:
            return 0
        return self.seats_held - self.seats_purchased


# Positions in a seat's row (SeatStatus's field order), read while summing the figures.
_TOOL_ID, _KNOWN, _HOLDS, _ACTIVE, _REASON, _BOT, _EXEMPT = 1, 9, 11, 12, 13, 14, 15
_PENDING = 22


@dataclass(frozen=True, slots=True)
class UtilizationReport:
    """The figures, and every seat. The seats are kept as rows and become SeatStatus objects
    on first use: building 100,000 of them was half of the report's time, and the figures
    (Tools page, dashboard, `stackadmin utilization`) do not need them."""

    as_of: date
    base_currency: str
    tools: list[ToolFigures]
    total: ToolFigures | None = None
    headroom_pct: int = 10
    rows: tuple[tuple[Any, ...], ...] = field(default=(), repr=False, compare=False)
    _built: list[list[SeatStatus]] = field(default_factory=list, repr=False, compare=False)

    @property
    def seats(self) -> list[SeatStatus]:
        """Every account of the tools reported on, by tool then account id."""
        if not self._built:
            self._built.append([SeatStatus(*row) for row in self.rows])
        return self._built[0]

    @property
    def unused(self) -> list[SeatStatus]:
        if self._built:
            return [s for s in self._built[0] if s.reason is not None]
        return [SeatStatus(*row) for row in self.rows if row[_REASON] is not None]

    @property
    def missing_rates(self) -> tuple[str, ...]:
        return tuple(sorted({c for t in self.tools for c in t.missing_rates}))

    @property
    def total_savings_base(self) -> Decimal:
        """Over the tools whose costs are known; `missing_rates` says which are left out."""
        return sum((t.potential_savings_base or _ZERO for t in self.tools), _ZERO)

    def money(self, amount: Decimal | None) -> Money | None:
        """An amount in the base currency, rounded once for display or export."""
        return None if amount is None else Money.rounded(amount, self.base_currency)


@dataclass
class _TermCost:
    seats: int = 0  # purchased: seats of every term in force that states them
    seats_known: bool = False
    per_seat_seats: int = 0
    per_seat_cost: Decimal = _ZERO  # annual, base currency, per-seat terms only
    flat_terms: int = 0
    terms: int = 0
    total_cost: Decimal = _ZERO
    missing: set[str] = field(default_factory=set)


def _term_costs(session: Session, as_of: date, rates: RateTable,
                tool_ids: Iterable[int] | None = None) -> dict[int, _TermCost]:
    out: dict[int, _TermCost] = defaultdict(_TermCost)
    query = select(SubscriptionTerm)
    if tool_ids is not None:
        query = query.where(SubscriptionTerm.tool_id.in_(list(tool_ids)))
    for t in session.scalars(query):
        if not covers(status=t.status, term_start=t.term_start, renewal_date=t.renewal_date,
                      auto_renew=t.auto_renew, as_of=as_of):
            continue
        price = TermPrice(PricingModel(t.pricing), Money(t.unit_price_minor, t.currency).amount,
                          t.seats, t.billing_months)
        cost = out[t.tool_id]
        cost.terms += 1
        cost.flat_terms += t.pricing == PricingModel.FLAT.value
        annual = rates.to_base(price.annual_cost, t.currency)
        if annual is None:
            cost.missing.add(t.currency)  # reported, never counted as zero
            annual = _ZERO
        cost.total_cost += annual
        if t.seats is not None:
            cost.seats += t.seats
            cost.seats_known = True
        if t.pricing == PricingModel.PER_SEAT.value and t.seats:
            cost.per_seat_seats += t.seats
            cost.per_seat_cost += annual
    return out


class _Moments:
    """Reads timestamps as the raw driver values (SQLite text, PostgreSQL datetimes) and turns
    each distinct one into an aware UTC datetime once: the column type's per-row processing
    was most of the time on 100,000 accounts. Same values as `UTCDateTime` returns."""

    def __init__(self) -> None:
        self._cache: dict[Any, datetime] = {}

    def __call__(self, raw: Any) -> datetime | None:
        if raw is None:
            return None
        moment = self._cache.get(raw)
        if moment is None:
            value = datetime.fromisoformat(raw) if isinstance(raw, str) else raw
            moment = (value.replace(tzinfo=UTC) if value.tzinfo is None
                      else value.astimezone(UTC))
            self._cache[raw] = moment
        return moment


def _raw(column: Any) -> Any:
    return type_coerce(column, String)


def compute(ctx: ServiceContext, as_of: date | None = None,
            tool: str | None = None) -> UtilizationReport:
    """Every seat and every tool's figures as of a date (today by default), optionally for one
    tool (by name, case-insensitive; NotFoundError when there is none)."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        conf = settings.load(session)
        rates = load_rates(session, day, conf.base_currency)
        if tool is not None:
            one = find_tool(session, tool)
            tools = {one.id: one}
        else:
            tools = {t.id: t for t in session.scalars(select(Tool))}
        costs = _term_costs(session, day, rates, None if tool is None else list(tools))
        query = (
            select(Account.id, Account.tool_id, Account.person_id, Person.name, Account.email,
                   Account.role, Account.status, _raw(Account.last_activity),
                   Account.activity_known, _raw(Account.first_seen), _raw(Account.invited_at),
                   Account.is_bot, Account.exempt, Account.exempt_reason, Account.exempt_by,
                   Account.display_name, Person.status, Person.end_date,
                   Account.pending_cancellation, Account.billable, Account.source,
                   Integration.name, _raw(Integration.last_success_at),
                   _raw(Account.last_seen_sync), Account.kind)
            .outerjoin(Person, Person.id == Account.person_id)
            .outerjoin(Integration, Integration.id == Account.integration_id)
            .order_by(Account.tool_id, Account.id)
        )
        if tool is not None:
            query = query.where(Account.tool_id.in_(list(tools)))
        # Core rows, not ORM rows: a third of the time on the large inventory.
        rows = session.connection().execute(query).all()
        vendor = vendor_seat_counts(session, None if tool is None else list(tools))
    seats = _classify(rows, tools, costs, conf.default_inactivity_days, day)
    by_tool: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for seat in seats:
        by_tool[seat[_TOOL_ID]].append(seat)
    figures = [
        _figures(t, by_tool.get(t.id, []), costs.get(t.id), conf.default_inactivity_days,
                 conf.headroom_pct, vendor.get(t.id))
        for t in sorted(tools.values(), key=lambda t: t.name.lower())
    ]
    return UtilizationReport(day, conf.base_currency, figures,
                             _total(figures, conf.default_inactivity_days), conf.headroom_pct,
                             tuple(seats))


def vendor_seat_counts(session: Session, tool_ids: list[int] | None = None
                       ) -> dict[int, tuple[int | None, int | None]]:
    """Per tool: the seats its vendor says are purchased and consumed, from the last syncs
    of its integrations (per SKU or plan, the newest report; summed over them). A tool no
    integration reports counts for is not in the result."""
    query = (select(Integration.tool_id, VendorSeatCount.label, VendorSeatCount.purchased,
                    VendorSeatCount.consumed, VendorSeatCount.updated_at)
             .join(Integration, Integration.id == VendorSeatCount.integration_id)
             .where(Integration.tool_id.is_not(None))
             .order_by(VendorSeatCount.updated_at))
    if tool_ids is not None:
        query = query.where(Integration.tool_id.in_(tool_ids))
    newest: dict[tuple[int, str], tuple[int | None, int | None]] = {}
    for tool_id, label, purchased, consumed, _at in session.execute(query):
        if tool_id is not None:
            newest[(tool_id, label)] = (purchased, consumed)  # later rows win
    out: dict[int, tuple[int | None, int | None]] = {}
    for (tool_id, _label), (purchased, consumed) in newest.items():
        before = out.get(tool_id, (None, None))
        out[tool_id] = (_add(before[0], purchased), _add(before[1], consumed))
    return out


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


_SOURCES = {"csv": "CSV import", "manual": "typed in", "demo": "demo data",
            "scim": "demo data", "sync": "a removed integration"}


def _seat_price(cost: _TermCost | None) -> Decimal | None:
    """What one seat costs a year and would save if reclaimed; None when unknown."""
    if cost is None or cost.missing:
        return None
    if cost.per_seat_seats:
        return cost.per_seat_cost / cost.per_seat_seats
    return _ZERO  # flat fees only: dropping a seat saves nothing


def _classify(rows: Iterable[Any], tools: dict[int, Tool], costs: dict[int, _TermCost],
              default_days: int, day: date) -> list[tuple[Any, ...]]:
    """Each account as the arguments of its SeatStatus, in field order."""
    moment = _Moments()
    thresholds = {i: t.inactivity_days or default_days for i, t in tools.items()}
    prices = {i: _seat_price(costs.get(i)) for i in tools}
    names = {i: t.name for i, t in tools.items()}  # ORM attribute reads cost per row
    departed_on: dict[tuple[bool, date | None], bool] = {}
    seats: list[tuple[Any, ...]] = []
    append = seats.append
    for (acc_id, tool_id, person_id, person, email, role, status, raw_last, known, raw_first,
         raw_invited, bot, exempt, exempt_reason, exempt_by, display, p_status, p_end,
         pending, billable, source, integration, raw_synced, raw_seen, kind) in rows:
        threshold = thresholds[tool_id]
        last = moment(raw_last)
        last_on = None if last is None else last.date()
        holds = status in _HOLDING and billable is not False
        key = (p_status == _DEPARTED, p_end)
        departed = departed_on.get(key)
        if departed is None:
            departed = departed_on[key] = person_departed(key[0], p_end, day)
        reason = None
        if holds and not exempt and not bot and pending is None:
            first = moment(raw_first)
            invited = moment(raw_invited)
            reason = reason_on(
                status, departed=departed, activity_known=known, last_active_on=last_on,
                first_seen_on=first.date() if first else day,
                invited_on=None if invited is None else invited.date(),
                threshold_days=threshold, today=day)
        active = (holds and status != _SUSPENDED and not departed
                  and active_on(known, last_on, threshold, day))
        after = departed and known and active_after_leaving(p_end, last)
        append((
            acc_id, tool_id, names[tool_id], person_id, person, email, role, status,
            last, known, None if last_on is None else (day - last_on).days, holds, active,
            reason, bot, exempt, exempt_reason, prices[tool_id], exempt_by, display, p_end,
            after, pending, billable,
            integration or _SOURCES.get(source, source),
            moment(raw_synced) if integration else moment(raw_seen), kind))
    return seats


def counts_of(seats: list[tuple[Any, ...]]) -> SeatCounts:
    """A tool's seat rows (SeatStatus field order) counted as the domain rules read them."""
    held = [s for s in seats if s[_HOLDS]]
    return SeatCounts(
        accounts=len(seats), held=len(held),
        active=sum(1 for s in held if s[_ACTIVE]),
        unused=sum(1 for s in held if s[_REASON] is not None),
        activity_known=sum(1 for s in held if s[_KNOWN] and not s[_BOT]),
        activity_unknown=sum(1 for s in held if activity_unknown(
            True, s[_BOT], s[_EXEMPT], s[_KNOWN], s[_REASON], s[_PENDING] is not None)),
        exempt=sum(1 for s in held if s[_EXEMPT]),
    )


def _figures(t: Tool, seats: list[tuple[Any, ...]], cost: _TermCost | None, default_days: int,
             headroom_pct: int,
             vendor: tuple[int | None, int | None] | None = None) -> ToolFigures:
    counts = counts_of(seats)
    held = [s for s in seats if s[_HOLDS]]
    reasons = Counter(s[_REASON].value for s in held if s[_REASON] is not None)
    purchased = cost.seats if cost else 0
    seats_known = bool(cost and cost.seats_known)
    missing = tuple(sorted(cost.missing)) if cost else ()
    total = None if missing else (cost.total_cost if cost else _ZERO)
    seat_price = _seat_price(cost) if cost else None
    data = rules.has_seat_data(counts)
    savings_seats = rules.savings_seats(purchased, counts)
    active = counts.active
    return ToolFigures(
        tool_id=t.id, tool=t.name, category=t.category,
        threshold_days=t.inactivity_days or default_days,
        seats_purchased=purchased, seats_held=counts.held if data else None,
        seats_active=active, seats_activity_unknown=counts.activity_unknown,
        unused_by_reason=dict(reasons), seats_unused=counts.unused,
        seats_unassigned=rules.seats_unassigned(purchased, counts),
        utilization_pct=rules.utilization_pct(purchased, counts),
        over_allocated=rules.over_allocated(purchased, seats_known, counts),
        annual_cost_base=total,
        annual_cost_per_seat_base=(total / purchased if total is not None and purchased
                                   else None),
        annual_cost_per_active_seat_base=(total / active if total is not None and active
                                          else None),
        potential_savings_base=(None if savings_seats is None
                                or (seat_price is None and missing)
                                else savings_seats * (seat_price or _ZERO)),
        recommended_seats=rules.recommended_seats(counts, headroom_pct),
        missing_rates=missing,
        savings_per_seat_base=seat_price,
        seats_exempt=counts.exempt,
        seats_bots=sum(1 for s in held if s[_BOT]),
        seat_data=data,
        activity_known=rules.activity_judged(counts),
        flat_priced=bool(cost and cost.terms and not seats_known
                         and cost.flat_terms == cost.terms),
        vendor_seats_purchased=vendor[0] if vendor else None,
        vendor_seats_consumed=vendor[1] if vendor else None,
        seats_cancelling=sum(1 for s in held if s[_PENDING] is not None),
        seats_stated=seats_known,
    )


def _total(tools: list[ToolFigures], default_days: int) -> ToolFigures:
    """The sum over tools. Money sums only the tools whose costs are known; `missing_rates`
    and `tools_counted` say what was left out. Utilization is the active seats over the
    judged capacity of the tools that have a utilization; held, unassigned and recommended
    seats sum the tools that have them."""
    known = [t for t in tools if t.complete]
    purchased = sum(t.seats_purchased for t in tools)
    active = sum(t.seats_active for t in tools)
    reasons: Counter[str] = Counter()
    for t in tools:
        reasons.update(t.unused_by_reason)
    cost = sum((t.annual_cost_base or _ZERO for t in known), _ZERO)
    purchased_known = sum(t.seats_purchased for t in known)
    active_known = sum(t.seats_active for t in known)
    judged = [t for t in tools if t.utilization_pct is not None]
    capacity = sum(t.seats_purchased - t.seats_activity_unknown for t in judged)
    return ToolFigures(
        tool_id=0, tool="total", category=None, threshold_days=default_days,
        seats_purchased=purchased, seats_held=sum(t.seats_held or 0 for t in tools),
        seats_active=active,
        seats_activity_unknown=sum(t.seats_activity_unknown for t in tools),
        unused_by_reason=dict(reasons), seats_unused=sum(t.seats_unused for t in tools),
        seats_unassigned=sum(t.seats_unassigned or 0 for t in tools),
        utilization_pct=(Decimal(sum(t.seats_active for t in judged)) * _HUNDRED / capacity
                         if capacity > 0 else None),
        over_allocated=any(t.over_allocated for t in tools),
        annual_cost_base=cost,
        annual_cost_per_seat_base=cost / purchased_known if purchased_known else None,
        annual_cost_per_active_seat_base=cost / active_known if active_known else None,
        potential_savings_base=sum((t.potential_savings_base or _ZERO for t in known), _ZERO),
        recommended_seats=sum(t.recommended_seats or 0 for t in tools),
        missing_rates=tuple(sorted({c for t in tools for c in t.missing_rates})),
        savings_per_seat_base=None,
        seats_exempt=sum(t.seats_exempt for t in tools),
        seats_bots=sum(t.seats_bots for t in tools),
        tools_counted=len(known),
        seat_data=any(t.seat_data for t in tools),
        activity_known=any(t.activity_known for t in tools) or not tools,
        vendor_seats_purchased=_sum_known(t.vendor_seats_purchased for t in tools),
        vendor_seats_consumed=_sum_known(t.vendor_seats_consumed for t in tools),
        seats_cancelling=sum(t.seats_cancelling for t in tools),
    )


def _sum_known(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None
