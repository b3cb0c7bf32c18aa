"""The dashboard's figures read from the database, and the inventory lists behind them (no
Qt: tests compare these with the database). The figures themselves are computed from plain
rows in `figures`; its row types are re-exported here for the pages."""

from __future__ import annotations

from sqlalchemy import select

from stackadmin.domain.vocab import TermStatus
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import settings
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import list_terms
from stackadmin.services.inventory.tools import list_tools
from stackadmin.services.overview.figures import (
    Dashboard,
    RenewalLine,
    SeatLine,
    build,
    renewal_cycles,
)
from stackadmin.services.records import RateTable, TermRow
from stackadmin.services.seats.utilization import UtilizationReport
from stackadmin.store.models import TermDecision


def renewal_lines(ctx: ServiceContext, *, statuses: tuple[str, ...] = (
        TermStatus.ACTIVE.value,), terms: list[TermRow] | None = None,
        rates: RateTable | None = None) -> list[RenewalLine]:
    """Terms (active by default) with their current cycle as of today."""
    today = ctx.today()
    if rates is None:
        with ctx.read() as session:
            rates = load_rates(session, today)
    if terms is None:
        terms = list_terms(ctx, statuses=statuses)
    return renewal_cycles(terms, rates, today, statuses)


def compute(ctx: ServiceContext, *, with_seats: bool = True) -> Dashboard:
    """Every figure of the dashboard as of today. `with_seats=False` skips the seat
    utilization (the expensive part on 100k seats), for a first quick paint."""
    today = ctx.today()
    with ctx.read() as session:
        rates = load_rates(session, today, settings.load(session).base_currency)
        decided = {(t, d) for t, d in session.execute(
            select(TermDecision.term_id, TermDecision.renewal_date))}
    board = build(today, rates, list_tools(ctx), list_terms(ctx), decided)
    if with_seats:
        add_seats(ctx, board)
    return board


def add_seats(ctx: ServiceContext, board: Dashboard,
              report: UtilizationReport | None = None) -> Dashboard:
    """Seat utilization by tool and the potential savings, from the utilization service
    (or from `report`, one computed for the same day already)."""
    from stackadmin.services.seats import utilization

    if report is None or report.as_of != board.as_of:
        report = utilization.compute(ctx, board.as_of)
    board.utilization = report
    board.seats = [
        SeatLine(f.tool_id, f.tool, f.seats_purchased, f.seats_held, f.seats_active,
                 None if f.seats_unassigned is None else f.seats_unused + f.seats_unassigned,
                 f.potential_savings_base, f.flat_priced, f.seats_over, f.activity_known,
                 f.utilization_pct)
        for f in report.tools if f.seats_purchased or f.seats_held or f.flat_priced
    ]
    board.savings_base = report.total_savings_base
    return board
