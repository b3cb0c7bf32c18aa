"""Shared steps of audited edits: apply field values to a row and record what changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stackadmin.domain.limits import MAX_ID
from stackadmin.errors import NotFoundError, StaleRecordError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import AuditEvent, Base, Versioned

M = TypeVar("M", bound=Base)


def get_or_404(session: Session, model: type[M], row_id: int, what: str) -> M:
    # An id no engine can hold is simply not there (PostgreSQL would refuse the query).
    row = session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None:
        raise NotFoundError(f"there is no {what} with id {row_id}")
    return row


_SOURCE_WORDS = {"ui": "in the app", "cli": "from the command line", "import": "in an import",
                 "sync": "in a vendor sync", "system": "by stackadmin itself"}


def check_version(session: Session, row: Versioned, expected: int | None, *, entity: str,
                  label: str) -> None:
    """Refuses an edit based on an older version of the row (someone saved it since the
    form was filled): StaleRecordError naming who changed it and when, if the trail says.
    The write transaction holds the lock, so nobody can change the row after this check."""
    if expected is None or row.version == expected:
        return
    record_id = int(getattr(row, "id", 0))
    last = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.entity_id == record_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)).first()
    who = ""
    if last is not None:
        where = _SOURCE_WORDS.get(last.source, f"from {last.source}")
        who = (f" (last saved by {last.actor} {where}, "
               f"{last.at.strftime('%Y-%m-%d %H:%M')} UTC)")
    raise StaleRecordError(
        f"{label} was changed by someone else after you opened it{who}; nothing was saved",
        entity=entity, record_id=record_id, current_version=row.version)


def apply_changes(
    session: Session,
    ctx: ServiceContext,
    row: Base,
    values: Mapping[str, Any],
    *,
    entity: str,
    label: str,
) -> dict[str, list[Any]]:
    """Sets the values on `row`, audits the fields that changed, returns them."""
    before = audit.snapshot(row, values)
    for key, value in values.items():
        setattr(row, key, value)
    changes = audit.diff(before, audit.snapshot(row, values))
    if changes:
        audit.record(session, ctx, action="update", entity=entity,
                     entity_id=getattr(row, "id", None),
                     summary=f"{label}: {', '.join(sorted(changes))}", changes=changes)
    return changes


def add_audited(session: Session, ctx: ServiceContext, row: M, *, entity: str, label: str,
                fields: tuple[str, ...]) -> M:
    session.add(row)
    session.flush()
    audit.record(session, ctx, action="create", entity=entity, entity_id=getattr(row, "id", None),
                 summary=f"created {label}",
                 changes={k: [None, v] for k, v in audit.snapshot(row, fields).items()})
    return row


def delete_audited(session: Session, ctx: ServiceContext, row: Base, *, entity: str, label: str,
                   fields: tuple[str, ...], took: str = "") -> None:
    audit.record(session, ctx, action="delete", entity=entity, entity_id=getattr(row, "id", None),
                 summary=f"deleted {label}{took}",
                 changes={k: [v, None] for k, v in audit.snapshot(row, fields).items()})
    session.delete(row)


def flush_or_explain(session: Session, conflict: str) -> None:
    """Flushes; a uniqueness or reference conflict becomes a sentence, not a traceback."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise ValidationError(conflict) from exc


class FieldCleaner:
    """Validates the given fields one by one, collecting every problem before failing."""

    def __init__(self, values: Mapping[str, Any], *, partial: bool) -> None:
        self.values = values
        self.partial = partial
        self.out: dict[str, Any] = {}
        self.problems: list[str] = []
        self._seen: set[str] = set()

    def require(self, *keys: str) -> None:
        if not self.partial:
            self.problems.extend(f"{k.replace('_', ' ')} is required" for k in keys
                                 if k not in self.values)

    def take(self, key: str, parse: Any) -> None:
        self._seen.add(key)
        if key in self.values:
            try:
                self.out[key] = parse(self.values[key])
            except ValidationError as exc:
                self.problems.append(str(exc))

    def result(self) -> dict[str, Any]:
        unknown = set(self.values) - self._seen
        if unknown:
            raise TypeError(f"unknown fields: {sorted(unknown)}")  # a programming error
        if self.problems:
            raise ValidationError(self.problems)
        return self.out
