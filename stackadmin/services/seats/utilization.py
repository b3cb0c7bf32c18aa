"""Seat utilization as of a date: per seat (unused and why) and per tool (figures, savings)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain import utilization as rules
from stackadmin.domain.money import Money
from stackadmin.domain.utilization import SeatCounts, activity_unknown
from stackadmin.services.context import ServiceContext
from stackadmin.services.seats.basis import (
    Basis,
    SeatStatus,
    TermCost,
    ToolInfo,
    read_basis,
    seat_price,
)
from stackadmin.services.seats.seat_list import EVERY, Which, active_people, load_seats
from stackadmin.store.models import Integration, VendorSeatCount
from stackadmin.store.seat_rules import ToolSeats, count_seats

__all__ = ["SeatStatus", "ToolFigures", "UtilizationReport", "compute", "counts_of"]

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)


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


# Positions in a seat's row (SeatStatus's field order), read while counting seats in Python.
_TOOL_ID, _KNOWN, _HOLDS, _ACTIVE, _REASON, _BOT, _EXEMPT = 1, 9, 11, 12, 13, 14, 15
_PENDING = 22


class _Seats:
    """Reads a report's seats on first use (the figures are counted by the database and
    most reports never need the seats): every seat once, by whichever thread asks first; a
    few of them (the unused ones, a tool's, a person's) by a query of their own until
    every seat has been read."""

    def __init__(self, load: Callable[[Which], list[SeatStatus]] | None,
                 people: Callable[[Iterable[int]], list[Any]] | None = None) -> None:
        self._load = load
        self.people = people
        self._lock = threading.Lock()
        self._all: list[SeatStatus] | None = None
        self._unused: list[SeatStatus] | None = None

    def all(self) -> list[SeatStatus]:
        with self._lock:
            if self._all is None:
                self._all = [] if self._load is None else self._load(EVERY)
            return self._all

    def some(self, which: Which, keep: Callable[[SeatStatus], bool]) -> list[SeatStatus]:
        """The seats `which` selects (`keep` says the same of one seat)."""
        with self._lock:
            if self._all is not None:
                return [s for s in self._all if keep(s)]
            if which == _UNUSED:
                if self._unused is None:
                    self._unused = [] if self._load is None else self._load(which)
                return list(self._unused)
        return [] if self._load is None else self._load(which)


_UNUSED = Which(unused=True)


@dataclass(frozen=True, slots=True)
class UtilizationReport:
    """The figures, and every seat. The figures are counted by the database; the seats are
    read on first use (`seats`, `unused`), in the same order: by tool name, then account id.
    They are read as stored then, as of the same date."""

    as_of: date
    base_currency: str
    tools: list[ToolFigures]
    total: ToolFigures | None = None
    headroom_pct: int = 10
    _seats: _Seats = field(default_factory=lambda: _Seats(None), repr=False, compare=False)

    @property
    def seats(self) -> list[SeatStatus]:
        """Every account of the tools reported on."""
        return self._seats.all()

    @property
    def unused(self) -> list[SeatStatus]:
        return self._seats.some(_UNUSED, lambda s: s.reason is not None)

    def unused_or_exempt(self) -> list[SeatStatus]:
        """The unused seats and those held by exempt accounts (the Savings page's)."""
        return self._seats.some(Which(unused=True, or_exempt=True),
                                lambda s: s.reason is not None or (s.exempt and s.holds_seat))

    def seats_of(self, tool_ids: Iterable[int], *, active: bool = False
                 ) -> list[SeatStatus]:
        """The seats of these tools (only the active ones with `active`)."""
        wanted = tuple(sorted(set(tool_ids)))
        chosen = set(wanted)
        return self._seats.some(Which(active=active, tool_ids=wanted),
                                lambda s: s.tool_id in chosen and (s.active or not active))

    def active_people(self, tool_ids: Iterable[int]
                      ) -> list[tuple[int, int, int | None, str | None, str | None, str | None]]:
        """Who holds the active seats of these tools: (tool id, account id, person id,
        person, email, display name) per seat (`seat_list.active_people`)."""
        if self._seats.people is None:
            return []
        return self._seats.people(tool_ids)

    def seats_of_person(self, person_id: int) -> list[SeatStatus]:
        return self._seats.some(Which(person_id=person_id),
                                lambda s: s.person_id == person_id)

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


def compute(ctx: ServiceContext, as_of: date | None = None,
            tool: str | None = None) -> UtilizationReport:
    """Every tool's figures as of a date (today by default), optionally for one tool (by
    name, case-insensitive; NotFoundError when there is none); its seats on first use."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        basis = read_basis(session, day, tool)
        counted = count_seats(session, basis.rules,
                              list(basis.tools) if basis.one_tool else None)
        vendor = vendor_seat_counts(session, list(basis.tools) if basis.one_tool else None)
    conf = basis.conf
    figures = [
        _figures(t, counted.get(t.id), basis.costs.get(t.id), conf.default_inactivity_days,
                 conf.headroom_pct, vendor.get(t.id))
        for t in sorted(basis.tools.values(), key=lambda t: t.name.lower())
    ]

    def load(which: Which, basis: Basis = basis) -> list[SeatStatus]:
        return load_seats(ctx, basis, which)

    def people(tool_ids: Iterable[int], basis: Basis = basis) -> list[Any]:
        return active_people(ctx, basis, tool_ids)

    return UtilizationReport(day, conf.base_currency, figures,
                             _total(figures, conf.default_inactivity_days), conf.headroom_pct,
                             _Seats(load, people))


def vendor_seat_counts(session: Session, tool_ids: list[int] | None = None
                       ) -> dict[int, tuple[int | None, int | None]]:
    """Per tool: the seats its vendors say are purchased and consumed, from the last syncs
    of its integrations, summed over the vendor accounts that feed it (two GitHub
    organisations bill their seats apart). Integrations of one plugin with the same options
    read the same vendor account (a test token beside the real one): per SKU or plan, the
    newest report of it counts once. A tool no integration reports counts for is not in
    the result."""
    query = (select(Integration.tool_id, Integration.plugin_id, Integration.options,
                    VendorSeatCount.label, VendorSeatCount.purchased,
                    VendorSeatCount.consumed, VendorSeatCount.updated_at)
             .join(Integration, Integration.id == VendorSeatCount.integration_id)
             .where(Integration.tool_id.is_not(None))
             .order_by(VendorSeatCount.updated_at))
    if tool_ids is not None:
        query = query.where(Integration.tool_id.in_(tool_ids))
    newest: dict[tuple[int, str, str, str], tuple[int | None, int | None]] = {}
    for tool_id, plugin_id, options, label, purchased, consumed, _at in session.execute(query):
        if tool_id is not None:
            account = json.dumps(options or {}, sort_keys=True)
            newest[(tool_id, plugin_id, account, label)] = (purchased, consumed)  # later win
    out: dict[int, tuple[int | None, int | None]] = {}
    for (tool_id, _plugin, _account, _label), (purchased, consumed) in newest.items():
        before = out.get(tool_id, (None, None))
        out[tool_id] = (_add(before[0], purchased), _add(before[1], consumed))
    return out


def _add(a: int | None, b: int | None) -> int | None:
    return b if a is None else a if b is None else a + b


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
        kept_unknown=sum(1 for s in held if not s[_KNOWN] and not rules.may_be_unused(
            True, s[_EXEMPT], s[_BOT], s[_PENDING] is not None)),
    )


def _figures(t: ToolInfo, seats: ToolSeats | None, cost: TermCost | None,
             default_days: int, headroom_pct: int,
             vendor: tuple[int | None, int | None] | None = None) -> ToolFigures:
    counts = seats.counts if seats is not None else SeatCounts()
    purchased = cost.seats if cost else 0
    seats_known = bool(cost and cost.seats_known)
    missing = tuple(sorted(cost.missing)) if cost else ()
    total = None if missing else (cost.total_cost if cost else _ZERO)
    price = seat_price(cost) if cost else None
    data = rules.has_seat_data(counts)
    savings_seats = rules.savings_seats(purchased, counts)
    active = counts.active
    return ToolFigures(
        tool_id=t.id, tool=t.name, category=t.category,
        threshold_days=t.inactivity_days or default_days,
        seats_purchased=purchased, seats_held=counts.held if data else None,
        seats_active=active, seats_activity_unknown=counts.activity_unknown,
        unused_by_reason=dict(seats.unused_by_reason) if seats is not None else {},
        seats_unused=counts.unused,
        seats_unassigned=rules.seats_unassigned(purchased, counts),
        utilization_pct=rules.utilization_pct(purchased, counts),
        over_allocated=rules.over_allocated(purchased, seats_known, counts),
        annual_cost_base=total,
        annual_cost_per_seat_base=(total / purchased if total is not None and purchased
                                   else None),
        annual_cost_per_active_seat_base=(total / active if total is not None and active
                                          else None),
        potential_savings_base=(None if savings_seats is None
                                or (price is None and missing)
                                else savings_seats * (price or _ZERO)),
        recommended_seats=rules.recommended_seats(counts, headroom_pct),
        missing_rates=missing,
        savings_per_seat_base=price,
        seats_exempt=counts.exempt,
        seats_bots=seats.bots if seats is not None else 0,
        seat_data=data,
        activity_known=rules.activity_judged(counts),
        flat_priced=bool(cost and cost.terms and not seats_known
                         and cost.flat_terms == cost.terms),
        vendor_seats_purchased=vendor[0] if vendor else None,
        vendor_seats_consumed=vendor[1] if vendor else None,
        seats_cancelling=seats.cancelling if seats is not None else 0,
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
