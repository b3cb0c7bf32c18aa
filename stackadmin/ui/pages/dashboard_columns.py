"""The dashboard's tables: spend lines (in its dialogs), seats, next renewals, the lowest
rated tools and the open requests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stackadmin.ui.fmt import base_text, date_text, days_text, int_text, money_text, plural
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.overview.figures import SeatLine, SpendLine


def _assigned_text(s: SeatLine) -> str:
    if s.assigned is None:
        return "—"
    return f"{s.assigned:,} (+{s.over:,})" if s.over else f"{s.assigned:,}"


def _assigned_tip(s: SeatLine) -> str:
    if s.assigned is None:
        return "No seat data: no account of this tool is recorded"
    if s.over:
        return (f"Over-allocated: {plural(s.assigned, 'seat')} held, {s.purchased:,} purchased "
                f"({s.over:,} more)")
    return "Seats held: active, invited or suspended accounts"


def _active_text(s: SeatLine) -> str:
    if s.assigned is None:
        return "—"
    if not s.activity_known:
        return "unknown"
    return int_text(s.active)


def _active_tip(s: SeatLine) -> str:
    if s.assigned is None:
        return "No seat data: import the tool's user list to count its seats"
    if not s.activity_known:
        return ("Activity unknown: the source reports no activity, so no seat is judged "
                "active or unused for inactivity; no recommended seat count")
    pct = "" if s.utilization_pct is None else (
        f" ({s.utilization_pct.quantize(Decimal(1))} % of the seats whose use is known)")
    return f"Seats used within the inactivity threshold{pct}"


_MINUS_ONE = Decimal(-1)


def spend_columns(base: str) -> list[Column[SpendLine]]:
    return [
        Column("Tool", lambda s: s.tool, width=180, elide="middle"),
        Column("Plan", lambda s: s.plan, width=120),
        Column("Category", lambda s: s.category, width=130),
        Column("Cost centre", lambda s: s.cost_center, width=100),
        Column("Annual cost", lambda s: money_text(s.annual_cost), numeric=True, width=120,
               key=lambda s: s.annual_cost.amount),
        Column("Rate", lambda s: "—" if s.rate is None else f"{s.rate}", numeric=True,
               key=lambda s: s.rate, width=80),
        Column(f"In {base}", lambda s: base_text(s.annual_base, base), numeric=True,
               key=lambda s: s.annual_base),
    ]


def seat_columns(base: Callable[[Decimal | None], str]) -> list[Column[Any]]:
    """The seats table; `base` writes an amount in the base currency."""
    return [
        # Half a 1280-pixel page: the five numbers are never cut, the names give way.
        Column("Tool", lambda s: s.tool, width=100, elide="middle"),
        Column("Bought", lambda s: "flat" if s.flat else int_text(s.purchased),
               key=lambda s: s.purchased, numeric=True, width=66,
               tooltip=lambda s: "A flat fee: no seat count" if s.flat
               else "Seats purchased on the terms in force"),
        Column("Held", _assigned_text, key=lambda s: s.assigned, numeric=True,
               width=62, warn=lambda s: bool(s.over), tooltip=_assigned_tip),
        Column("Active", _active_text, key=lambda s: s.active, numeric=True, width=72,
               tooltip=_active_tip),
        Column("Unused", lambda s: "—" if s.unused is None else int_text(s.unused),
               key=lambda s: s.unused, numeric=True, width=54,
               tooltip=lambda s: "Unused and unassigned seats"),
        # Tools without a figure (no seat data, no rate) sort below those with one.
        Column("Savings/yr", lambda s: "—" if s.assigned is None
               else base(s.savings_base),
               key=lambda s: _MINUS_ONE if s.savings_base is None else s.savings_base,
               numeric=True),
    ]


def renewal_columns() -> list[Column[Any]]:
    return [
        Column("Cancel by", lambda r: date_text(r.cancel_by),
               key=lambda r: (not r.missed, r.cancel_by), width=95, whole=True,
               warn=lambda r: r.missed,
               tooltip=lambda r: "Missed: the cancel-by date passed with no decision"
               if r.missed else ""),
        Column("Days left", lambda r: "missed" if r.missed else days_text(r.days_left),
               key=lambda r: r.days_left, numeric=True, width=70,
               warn=lambda r: r.missed,
               tooltip=lambda r: f"Passed {plural(-(r.days_left or 0), 'day')} ago"
               if r.missed else ""),
        Column("Tool", lambda r: r.term.tool, width=170, elide="middle"),
        Column("Annual cost", lambda r: money_text(r.term.annual_cost),
               key=lambda r: r.annual_cost_base, numeric=True),
    ]


def rated_columns() -> list[Column[Any]]:
    from stackadmin.ui.buying.feedback_section import score_text

    return [
        Column("Tool", lambda t: t.tool, width=150, elide="middle"),
        Column("Satisfaction", lambda t: f"{score_text(t.average)} / 5",
               key=lambda t: t.average, numeric=True, width=84,
               tooltip=lambda t: f"{t.responses} answers in {t.round}"),
        Column("Answers", lambda t: int_text(t.responses), key=lambda t: t.responses,
               numeric=True, width=60),
        Column("Annual cost", lambda t: base_text(t.annual_cost_base, t.base_currency),
               key=lambda t: t.annual_cost_base, numeric=True),
    ]


def request_columns() -> list[Column[Any]]:
    urgency = {"high": 0, "normal": 1, "low": 2}
    return [
        Column("Urgency", lambda r: r.urgency, key=lambda r: urgency.get(r.urgency, 9),
               width=64, warn=lambda r: r.urgency == "high"),
        Column("Status", lambda r: r.status, width=80),
        Column("Request", lambda r: r.title, width=230),
        Column("Requested by", lambda r: r.requested_by_name or r.requested_by),
    ]
