"""The Tools page's utilization columns: seats purchased, held, active, utilization %,
potential savings and a due rightsizing brief, from `ToolLine.utilization` (one utilization
run per load, tools.with_utilization)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from stackadmin.ui.fmt import base_amount, base_text, int_text
from stackadmin.ui.rightsizing import due_text, due_tip
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.overview.tools import ToolLine


def _fig(line: ToolLine, name: str) -> Any:
    fig = line.utilization
    return None if fig is None else getattr(fig, name)


def utilization_text(line: ToolLine) -> str:
    pct = _fig(line, "utilization_pct")
    if pct is None:
        return "—"
    return f"{pct.quantize(Decimal(1))} %"


def over_allocated(line: ToolLine) -> bool:
    """More seats held than purchased: shown in the warning colour, said in the tooltip."""
    return bool(_fig(line, "over_allocated"))


def utilization_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if not fig.seats_purchased:
        return "No seat count on the terms in force: utilization is unknown"
    reasons = ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in fig.unused_by_reason.items())
    text = (f"{fig.seats_active:,} of {fig.seats_purchased:,} purchased seats active in the "
            f"last {fig.threshold_days} days; {fig.seats_unused:,} unused"
            + (f" ({reasons})" if reasons else "") + f", {fig.seats_unassigned:,} unassigned")
    if fig.seats_activity_unknown:
        text += f"; {fig.seats_activity_unknown:,} seats' activity unknown"
    if fig.over_allocated:
        text = (f"Over-allocated: {fig.seats_held:,} seats held, {fig.seats_purchased:,} "
                f"purchased. {text}")
    return text


def savings_text(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if fig.missing_rates:
        return "no rate"
    return base_text(fig.potential_savings_base, line.base_currency)


def savings_tip(line: ToolLine) -> str:
    fig = line.utilization
    if fig is None:
        return ""
    if fig.missing_rates:
        return (f"No exchange rate from {', '.join(fig.missing_rates)} to "
                f"{line.base_currency}: not counted")
    return (f"(unused + unassigned) × per-seat price a year, in {line.base_currency}; "
            "the seats are listed on the Savings page")


def utilization_columns() -> list[Column[ToolLine]]:
    return [
        Column("Purchased", lambda t: int_text(_fig(t, "seats_purchased")),
               key=lambda t: _fig(t, "seats_purchased"), numeric=True, searchable=False,
               width=70),
        Column("Held", lambda t: int_text(_fig(t, "seats_held")),
               key=lambda t: _fig(t, "seats_held"), numeric=True, searchable=False, width=45),
        Column("Active", lambda t: int_text(_fig(t, "seats_active")),
               key=lambda t: _fig(t, "seats_active"), numeric=True, searchable=False,
               width=50),
        Column("Utilization", utilization_text, key=lambda t: _fig(t, "utilization_pct"),
               numeric=True, searchable=False, width=72, tooltip=utilization_tip,
               warn=over_allocated),
        Column("Savings/yr", savings_text, key=lambda t: _fig(t, "potential_savings_base"),
               export=lambda t: base_amount(_fig(t, "potential_savings_base"),
                                            t.base_currency),
               numeric=True, searchable=False, width=100, tooltip=savings_tip),
        Column("Rightsizing", due_text, key=lambda t: t.rightsizing[0].cancel_by
               if t.rightsizing else None, width=120, tooltip=due_tip),
    ]
