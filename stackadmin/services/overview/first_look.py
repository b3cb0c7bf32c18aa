"""The first page's data at start-up, read before the data stack is imported.

SQLAlchemy and the models take ~0.3 s to import; the window's first page needs a few hundred
rows. So the GUI first asks here: a database at the head revision (a SQLite file, or a
PostgreSQL database) is read with its driver alone (`store.snapshot`) into the very rows the
services hand out, and the page's figures are computed by the same code (`figures`). Nothing
here imports SQLAlchemy (a test checks it). Whenever the snapshot cannot answer (a schema to
upgrade, an empty database, a locked file, a server that does not answer) the answer is None
and the page loads the usual way, once the database is open.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from stackadmin import paths
from stackadmin.domain.money import Money
from stackadmin.domain.renewals import utc_today
from stackadmin.domain.terms import cancel_dates
from stackadmin.services.overview import figures
from stackadmin.services.records import RateTable, Settings, TermRow, ToolRow, by_name
from stackadmin.store.snapshot import Snapshot, Unreadable


def _date(value: str | date) -> date:
    """A date as the driver gives it: ISO text (SQLite) or a date (PostgreSQL)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _day(value: str | date | None) -> date | None:
    return None if value is None else _date(value)


def term_row(values: tuple[Any, ...], cancelled_at: date | None) -> TermRow:
    (id_, tool_id, tool, plan, pricing, minor, currency, seats, billing_months, term_start,
     renewal_date, auto_renew, notice_days, lead_days, cost_center, po_reference, notes,
     status, previous_term_id, version) = values
    return TermRow(id_, tool_id, tool, plan, pricing, Money(minor, currency), seats,
                   billing_months, _day(term_start), _day(renewal_date), bool(auto_renew),
                   notice_days, lead_days, cost_center, po_reference, notes, status,
                   previous_term_id, version, cancelled_at)


def tool_row(values: tuple[Any, ...]) -> ToolRow:
    (id_, name, vendor, category, owner_email, owner_name, website, notes, inactivity_days,
     reminder_leads, version, owner_status, owner_end) = values
    return ToolRow(id_, name, vendor, category, owner_email, owner_name, website, notes,
                   inactivity_days, reminder_leads, version, owner_status, _day(owner_end))


def open_snapshot(db: str | None) -> Snapshot | None:
    """A read-only snapshot of the database `--db` names, or None (see the module)."""
    where = paths.database_value(db)
    if isinstance(where, Path):
        return Snapshot.open(where)
    file = paths.sqlite_url_file(where)
    if file is not None:
        return Snapshot.open(file) if file.name else None
    return Snapshot.open_server(where)


def dashboard(db: str | None, today: date | None = None) -> figures.Dashboard | None:
    """The dashboard's figures without the seat utilization (what `dashboard.compute(ctx,
    with_seats=False)` gives), as of `today` (the UTC date, as the services count it), or
    None when the snapshot cannot answer."""
    today = today or utc_today()
    snapshot = open_snapshot(db)
    if snapshot is None:
        return None
    try:
        with snapshot:
            if not snapshot.has_inventory():
                return None  # the first-run choice is shown instead
            conf = Settings.from_stored(snapshot.settings())
            rates = RateTable.from_history(
                conf.base_currency,
                ((c, q, Decimal(r)) for c, q, r in snapshot.rate_history(today)))
            tools = sorted((tool_row(row) for row in snapshot.tools()),
                           key=lambda r: by_name(r.name))  # as list_tools sorts them
            decisions = [(t, _date(d), what) for t, d, what in snapshot.decided_renewals()]
            cancels = cancel_dates(decisions)
            terms = [term_row(row, cancels.get(row[0])) for row in snapshot.terms()]
            decided = {(t, day) for t, day, _what in decisions}
    except Unreadable:
        return None  # a lock waited on too long, a lost connection: the usual load says
    return figures.build(today, rates, tools, terms, decided)
