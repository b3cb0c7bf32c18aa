"""Writing a sync's plan inside the caller's transaction: bulk inserts and updates of
accounts, which integration lists which account, the audit trail (source `sync`), and the
vendor's seat counts. A cancel between batches rolls the whole transaction back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from stackadmin.plugins.api import Cancelled, SeatCount
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync.reconcile import SOURCE, Plan
from stackadmin.store.bulk import insert_many
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


def _db_value(name: str, value: Any) -> Any:
    return list(value) if name == "licenses" and value is not None else value


def write_plan(session: Session, ctx: ServiceContext, plan: Plan, *, now: datetime,
               cancelled: Cancel | None = None) -> None:
    """Inserts, updates and listings of `plan` in the session's transaction."""
    conn = session.connection()
    table: Any = Account.__table__
    listing: Any = AccountListing.__table__
    new_ids: list[int] = []
    if plan.inserts:
        before = session.scalar(select(func.max(Account.id))) or 0
        for name in ("licenses",):
            for row in plan.inserts:
                row[name] = _db_value(name, row[name])
        constants = {"tool_id": plan.tool_id, "integration_id": plan.integration_id,
                     "source": SOURCE, "updated_at": now}
        for chunk in _batches(plan.inserts):
            _check(cancelled)
            insert_many(conn, table, chunk, constants)
        for acc_id, ext in conn.execute(select(Account.id, Account.external_id).where(
                Account.tool_id == plan.tool_id, Account.id > before)):
            if ext is not None:
                plan.seen[ext] = acc_id
            new_ids.append(acc_id)
    _write_updates(conn, table, plan.updates, cancelled)
    if plan.unlisted:
        for chunk in _batches(plan.unlisted):
            _check(cancelled)
            conn.execute(delete(listing).where(
                listing.c.integration_id == plan.integration_id,
                listing.c.account_id.in_(list(chunk))))
    added = [*new_ids, *plan.listed]
    for chunk in _batches(added):
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


def _write_updates(conn: Any, table: Any, rows: list[dict[str, Any]],
                   cancelled: Cancel | None) -> None:
    """Bulk UPDATE by primary key, one executemany per set of columns."""
    for chunk in _batches(rows):
        _check(cancelled)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in chunk:
            groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
        for columns, group in groups.items():
            stmt = (update(table).where(table.c.id == bindparam("_id"))
                    .values({c: bindparam(c) for c in columns}))
            conn.execute(stmt, [{"_id": r["id"], **{c: _db_value(c, r[c]) for c in columns}}
                                for r in group])


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
