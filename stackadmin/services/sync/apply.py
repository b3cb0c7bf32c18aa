"""Writing a sync's plan inside the caller's transaction: bulk inserts and updates of
accounts, which integration lists which account, the audit trail (source `sync`), and the
vendor's seat counts. A cancel between batches rolls the whole transaction back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from stackadmin.plugins.api import Cancelled, SeatCount
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync.reconcile import SOURCE, Plan
from stackadmin.store.bulk import insert_many, update_many
from stackadmin.store.models import Account, AccountListing, AuditEvent, VendorSeatCount

BATCH = 5000
Cancel = Callable[[], bool]


def _batches(rows: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _check(cancelled: Cancel | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled("cancelled while writing: nothing was written")


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def write_plan(session: Session, ctx: ServiceContext, plan: Plan, *, now: datetime,
               cancelled: Cancel | None = None) -> None:
    """Inserts, updates and listings of `plan` in the session's transaction."""
    conn = session.connection()
    table: Any = Account.__table__
    listing: Any = AccountListing.__table__
    before = 0
    if plan.inserts:
        before = session.scalar(select(func.max(Account.id))) or 0
        for row in plan.inserts:
            if row["licenses"] is not None:
                row["licenses"] = list(row["licenses"])
        constants = {"tool_id": plan.tool_id, "integration_id": plan.integration_id,
                     "source": SOURCE, "updated_at": now}
        for chunk in _batches(plan.inserts):
            _check(cancelled)
            insert_many(conn, table, chunk, constants)
        # The new accounts are listed by this integration: one statement, in the database.
        # Its own rows only: on PostgreSQL another integration's sync into the same tool may
        # commit new ids above `before` meanwhile.
        conn.execute(insert(listing).from_select(
            ["account_id", "integration_id"],
            select(Account.id, literal(plan.integration_id)).where(
                Account.tool_id == plan.tool_id, Account.id > before,
                Account.integration_id == plan.integration_id)))
    for chunk in _batches(plan.updates):
        _check(cancelled)
        update_many(conn, table, [_db_row(r) for r in chunk], {"updated_at": now})
    if plan.unlisted:
        for chunk in _batches(plan.unlisted):
            _check(cancelled)
            conn.execute(delete(listing).where(
                listing.c.integration_id == plan.integration_id,
                listing.c.account_id.in_(list(chunk))))
    for chunk in _batches(plan.listed):
        _check(cancelled)
        insert_many(conn, listing, [{"account_id": a} for a in chunk],
                    {"integration_id": plan.integration_id})
    for chunk in _batches(plan.audits):
        _check(cancelled)
        insert_many(conn, AuditEvent.__table__, [  # type: ignore[arg-type]
            {"at": now, "actor": ctx.actor, "source": ctx.source.value, "action": "update",
             "entity": "account", "entity_id": acc_id,
             "summary": f"account {label}: {', '.join(sorted(changes))}"[:500],
             "changes": {k: [jsonable(a), jsonable(b)] for k, (a, b) in changes.items()}}
            for acc_id, label, changes in chunk])


def _db_row(row: dict[str, Any]) -> dict[str, Any]:
    if "licenses" in row and row["licenses"] is not None:
        return {**row, "licenses": list(row["licenses"])}
    return row


def write_seat_counts(session: Session, integration_id: int, counts: Sequence[SeatCount],
                      now: datetime) -> bool:
    """The vendor's seat counts of this integration, replaced by the new ones (a row's time
    moves only when its figures change). True when anything changed."""
    stored = {row.label: row for row in session.scalars(
        select(VendorSeatCount).where(VendorSeatCount.integration_id == integration_id))}
    changed = False
    seen: set[str] = set()
    for count in counts:
        label = (count.label or "")[:200]
        if label in seen:
            continue
        seen.add(label)
        figures = {"purchased": count.purchased, "consumed": count.consumed,
                   "pending_cancellation": count.pending_cancellation,
                   "pending_invitation": count.pending_invitation, "active": count.active}
        row = stored.get(label)
        if row is None:
            session.add(VendorSeatCount(integration_id=integration_id, label=label,
                                        updated_at=now, **figures))
            changed = True
        elif any(getattr(row, k) != v for k, v in figures.items()):
            for k, v in figures.items():
                setattr(row, k, v)
            row.updated_at = now
            changed = True
    for label, row in stored.items():
        if label not in seen:
            session.delete(row)
            changed = True
    return changed
