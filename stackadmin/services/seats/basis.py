"""What every seat figure is computed against, read once per report: the settings, the exchange
rates, the tools and their terms in force (costs, seat prices) and the seat rules as of a day;
and `SeatStatus`, one account as the rules see it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.terms import TermPrice, covers
from stackadmin.domain.utilization import UnusedReason
from stackadmin.domain.vocab import PricingModel
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.inventory.tools import find_tool
from stackadmin.services.records import RateTable, Settings
from stackadmin.store.models import SubscriptionTerm
from stackadmin.store.seat_rules import SeatRules, T, seat_rules, thresholds_in_use

_ZERO = Decimal(0)
_D = TypeVar("_D")


def _quick_init(cls: type[_D]) -> type[_D]:
    """A frozen slots dataclass's `__init__`, made again to set each field through its
    slot's own setter: the generated one calls object.__setattr__ per field (the class
    refuses plain assignment), at about twice the cost. The same parameters, defaults and
    values; a report builds one per seat (a million on the huge demo: ~1 s less)."""
    namespace: dict[str, Any] = {}
    params, body = [], []
    for f in fields(cls):  # type: ignore[arg-type]
        assert f.default_factory is MISSING, "a factory default is not supported here"
        namespace[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 (mypy refuses assigning a method)
    return cls


@_quick_init
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


class ToolInfo(NamedTuple):
    id: int
    name: str
    category: str | None
    inactivity_days: int | None


@dataclass
class TermCost:
    """A tool's terms in force, summed."""

    seats: int = 0  # purchased: seats of every term in force that states them
    seats_known: bool = False
    per_seat_seats: int = 0
    per_seat_cost: Decimal = _ZERO  # annual, base currency, per-seat terms only
    flat_terms: int = 0
    terms: int = 0
    total_cost: Decimal = _ZERO
    missing: set[str] = field(default_factory=set)


def seat_price(cost: TermCost | None) -> Decimal | None:
    """What one seat costs a year and would save if reclaimed; None when unknown."""
    if cost is None or cost.missing:
        return None
    if cost.per_seat_seats:
        return cost.per_seat_cost / cost.per_seat_seats
    return _ZERO  # flat fees only: dropping a seat saves nothing


@dataclass(frozen=True)
class Basis:
    """The settings, rates, tools (all, or the one asked for), their costs and the rules as
    of `day`: everything a seat's figures depend on besides the seat itself."""

    day: date
    conf: Settings
    rates: RateTable
    tools: dict[int, ToolInfo]
    costs: dict[int, TermCost]
    rules: SeatRules
    dialect: str
    one_tool: bool = False

    @property
    def base_currency(self) -> str:
        return self.conf.base_currency

    def threshold(self, tool_id: int) -> int:
        return self.tools[tool_id].inactivity_days or self.conf.default_inactivity_days

    def prices(self) -> dict[int, Decimal | None]:
        return {i: seat_price(self.costs.get(i)) for i in self.tools}

    @property
    def missing_rates(self) -> tuple[str, ...]:
        """Currencies of the tools' terms without a rate to the base currency."""
        return tuple(sorted({c for cost in self.costs.values() for c in cost.missing}))

    def ranks(self, fold: Callable[[str], str], *, ties: bool = False
              ) -> list[tuple[int, int]]:
        """(tool id, n): the tools by `fold(name)` as Python compares it, then id. With
        `ties`, tools whose folded names are equal share their n (their seats interleave)."""
        out: list[tuple[int, int]] = []
        n, previous = -1, None
        for t in sorted(self.tools.values(), key=lambda t: (fold(t.name), t.id)):
            key = fold(t.name)
            if not ties or key != previous:
                n += 1
            previous = key
            out.append((t.id, n))
        return out


def read_basis(session: Session, day: date, tool: str | None = None) -> Basis:
    """The basis of a report as of `day`, for every tool or for one (by name, any case;
    NotFoundError when there is none)."""
    conf = settings.load(session)
    rates = load_rates(session, day, conf.base_currency)
    if tool is not None:
        one = find_tool(session, tool)
        tools = {one.id: ToolInfo(one.id, one.name, one.category, one.inactivity_days)}
    else:
        tools = {row[0]: ToolInfo(*row) for row in session.execute(
            select(T.id, T.name, T.category, T.inactivity_days))}
    costs = term_costs(session, day, rates, None if tool is None else list(tools))
    days = conf.default_inactivity_days
    rules = seat_rules(day, days, thresholds_in_use(session, days))
    dialect = session.get_bind().dialect.name
    return Basis(day, conf, rates, tools, costs, rules, dialect, tool is not None)


def term_costs(session: Session, as_of: date, rates: RateTable,
               tool_ids: Iterable[int] | None = None) -> dict[int, TermCost]:
    out: dict[int, TermCost] = defaultdict(TermCost)
    t = SubscriptionTerm.__table__.c  # Core columns: see store/seat_rules.py
    query = select(t.id, t.tool_id, t.status, t.term_start, t.renewal_date, t.auto_renew,
                   t.pricing, t.unit_price_minor, t.currency, t.seats, t.billing_months)
    if tool_ids is not None:
        query = query.where(t.tool_id.in_(list(tool_ids)))
    cancels = cancel_dates(session)
    for (term_id, tool_id, status, start, renewal, auto_renew, pricing, minor, currency, seats,
         months) in session.execute(query):
        if not covers(status=status, term_start=start, renewal_date=renewal,
                      auto_renew=auto_renew, as_of=as_of, cancelled_at=cancels.get(term_id)):
            continue
        price = TermPrice(PricingModel(pricing), Money(minor, currency).amount, seats, months)
        cost = out[tool_id]
        cost.terms += 1
        cost.flat_terms += pricing == PricingModel.FLAT.value
        annual = rates.to_base(price.annual_cost, currency)
        if annual is None:
            cost.missing.add(currency)  # reported, never counted as zero
            annual = _ZERO
        cost.total_cost += annual
        if seats is not None:
            cost.seats += seats
            cost.seats_known = True
        if pricing == PricingModel.PER_SEAT.value and seats:
            cost.per_seat_seats += seats
            cost.per_seat_cost += annual
    return out
