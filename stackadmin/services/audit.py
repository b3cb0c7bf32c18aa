"""The audit trail: who changed what, when, from where, field by field."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import AuditEvent, Base


def jsonable(value: Any) -> Any:
    """A value as an audit event's JSON holds it: dates in ISO form, decimals as text,
    enumerations by value, tuples as lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def snapshot(obj: Base, fields: Iterable[str]) -> dict[str, Any]:
    return {name: jsonable(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{"field": [before, after]} for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in after
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    ctx: ServiceContext,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Adds the event to the caller's transaction: it commits or rolls back with the change."""
    event = AuditEvent(
        actor=ctx.actor,
        source=ctx.source.value,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:500],
        changes=dict(changes) if changes else None,
    )
    session.add(event)
    return event


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    source: str
    action: str
    entity: str
    entity_id: int | None
    summary: str
    changes: dict[str, Any] | None


# Before reminders shown stopped being audited, each popup wrote one of these: a notice, not a
# change to the inventory. `list_events(changes_only=True)` leaves the old ones out.
_SHOWN_NOTICE = (AuditEvent.entity == "reminder_state") & AuditEvent.summary.like("% shown")


def list_events(ctx: ServiceContext, *, limit: int = 1000, entity: str | None = None,
                entity_id: int | None = None, changes_only: bool = False) -> list[AuditRow]:
    """The newest events first. `changes_only`: without the notices of reminders shown."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if changes_only:
        query = query.where(~_SHOWN_NOTICE)
    with ctx.read() as session:
        return [
            AuditRow(e.id, e.at, e.actor, e.source, e.action, e.entity, e.entity_id, e.summary,
                     e.changes)
            for e in session.scalars(query)
        ]
