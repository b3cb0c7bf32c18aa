"""The Tools page's utilization columns: seats purchased, held, active, utilization %,
potential savings and a due rightsizing brief, from `ToolLine.utilization` (one utilization
run per load, tools.with_utilization)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stackadmin.ui.fmt import base_amount, base_text, int_text, plural
from stackadmin.ui.rightsizing import due_text, due_tip
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.overview.tools import ToolLine


def _fig(line: ToolLine, name: str) -> Any:
    fig = line.utilization
    return None if fig is None else getattr(fig, name)


NO_SEAT_DATA = "no seat data"
ACTIVITY_UNKNOWN = "activity unknown"
FLAT = "flat"


def purchased_text(line: ToolLine) -> str:
    """The contract's seats; "30 ≠ 12" when the vendor's own count says otherwise."""
    fig = line.utilization
    if fig is None:
        return ""
    text = FLAT if fig.flat_priced else int_text(fig.seats_purchased)
    if fig.vendor_mismatch:
        text = f"{text} ≠ {fig.vendor_seats_purchased:,}"
    return text


def vendor_mismatch(line: ToolLine) -> bool:
    return bool(_fig(line, "vendor_mismatch"))


def purchased_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is not None and fig.flat_priced:
        return ("A flat fee: the terms in force state no seat count and do not shrink with "
                "fewer seats")
    text = "Seats of the terms in force"
    if fig is not None and fig.vendor_seats_purchased is not None:
        consumed = ("" if fig.vendor_seats_consumed is None
                    else f", {fig.vendor_seats_consumed:,} consumed")
        text += (f"; the vendor reports {fig.vendor_seats_purchased:,} purchased{consumed} "
                 "(its last sync)")
        if fig.vendor_mismatch:
            text += ": they differ, check the contract (the term is not changed)"
    return text


def held_text(line: ToolLine) -> str:
    """The seats held; "+N" over the purchased ones when more are held than bought."""
    fig = line.utilization
    if fig is None:
        return ""
    if fig.seats_held is None:
        return "—"
    if fig.over_allocated:
        return f"{fig.seats_held:,} (+{fig.seats_over:,})"
    return f"{fig.seats_held:,}"


def held_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if not fig.seat_data:
        return ("No seat data: no account of this tool is recorded. Import its user list "
                "(File → Import…, Accounts) to count held, unused and unassigned seats.")
    if fig.over_allocated:
        return (f"Over-allocated: {plural(fig.seats_held, 'seat')} held, "
                f"{fig.seats_purchased:,} "
                f"purchased ({fig.seats_over:,} more): the vendor may bill a true-up")
    return "Accounts that hold a seat: active, invited or suspended"


def utilization_text(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if not fig.seat_data:
        return NO_SEAT_DATA
    if not fig.activity_known:
        return ACTIVITY_UNKNOWN
    if fig.utilization_pct is None:
        return "—"
    return f"{fig.utilization_pct.quantize(Decimal(1))} %"


def over_allocated(line: ToolLine) -> bool:
    """More seats held than purchased: shown in the warning colour, said in words."""
    return bool(_fig(line, "over_allocated"))


def utilization_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if not fig.seat_data:
        return held_tip(line)
    if not fig.activity_known:
        text = (f"Activity unknown: the source of this tool's "
                f"{plural(fig.seats_activity_unknown, 'seat')} reports no activity, so none "
                "is judged active or unused for inactivity; no "
                "utilization and no recommended seat count")
    elif not fig.seats_purchased:
        text = "No seat count on the terms in force: utilization is unknown"
    else:
        reasons = ", ".join(f"{n} {r.replace('_', ' ')}"
                            for r, n in fig.unused_by_reason.items())
        text = (f"{fig.seats_active:,} of {fig.seats_purchased:,} purchased seats active in "
                f"the last {plural(fig.threshold_days, 'day')}; {fig.seats_unused:,} unused"
                + (f" ({reasons})" if reasons else "")
                + f", {fig.seats_unassigned or 0:,} unassigned")
        if fig.seats_activity_unknown:
            text += (f"; {plural(fig.seats_activity_unknown, 'seat')} of unknown activity "
                     "(not judged: "
                     "utilization is over the other seats)")
    if fig.over_allocated:
        text = f"{held_tip(line)}. {text}"
    return text


def savings_text(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if fig.missing_rates:
        return "no rate"
    if not fig.seat_data:
        return "—"
    return base_text(fig.potential_savings_base, line.base_currency)


def savings_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if fig.missing_rates:
        return (f"No exchange rate from {', '.join(fig.missing_rates)} to "
                f"{line.base_currency}: not counted")
    if not fig.seat_data:
        return "No seat data: nothing is counted as a saving until the accounts are known"
    return (f"(unused + unassigned) × per-seat price a year, in {line.base_currency}; "
            "the seats are listed on the Savings page")


def utilization_columns() -> list[Column[ToolLine]]:
    return [
        Column("Purchased", purchased_text, key=lambda t: _fig(t, "seats_purchased"),
               numeric=True, searchable=False, width=70, tooltip=purchased_tip,
               warn=vendor_mismatch),
        Column("Held", held_text, key=lambda t: _fig(t, "seats_held"), numeric=True,
               searchable=False, width=64, tooltip=held_tip, warn=over_allocated),
        Column("Active", lambda t: int_text(_fig(t, "seats_active")),
               key=lambda t: _fig(t, "seats_active"), numeric=True, searchable=False,
               width=48),
        # Searchable: "activity unknown", "no seat data" find the tools to look into.
        Column("Utilization", utilization_text, key=lambda t: _fig(t, "utilization_pct"),
               numeric=True, width=112, tooltip=utilization_tip, warn=over_allocated),
        Column("Savings/yr", savings_text, key=lambda t: _fig(t, "potential_savings_base"),
               export=lambda t: base_amount(_fig(t, "potential_savings_base"),
                                            t.base_currency),
               numeric=True, searchable=False, width=95, tooltip=savings_tip),
        Column("Rightsizing", due_text, key=lambda t: t.rightsizing[0].cancel_by
               if t.rightsizing else None, width=105, tooltip=due_tip),
    ]
