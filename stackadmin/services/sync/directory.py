"""The company directory: an integration marked `directory=true` (Google Workspace,
Microsoft 365, Okta...) feeds the people list, so the departed rule works without an HR
spreadsheet.

From its users (people, not guests, bots or services; matched by email, case-insensitive):
- someone not in the people list is added (as departed when already suspended or removed);
- an active person whose directory user is suspended or deprovisioned, or who disappeared
  from the directory, is marked departed, with the end date the vendor gives (the
  suspension or deletion time) unless one is recorded already;
- a person the directory marked departed who is active in it again is reactivated (a
  departure recorded by anyone else is never undone by the directory);
- department, title and cost centre follow the directory where it gives them.
Each change is audited (source `sync`); new people are matched to accounts of every tool.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from stackadmin.domain.values import normalize_email
from stackadmin.domain.vocab import AccountKind, AccountStatus, PersonStatus
from stackadmin.errors import ValidationError
from stackadmin.plugins.api import AccountRecord
from stackadmin.services.audit import jsonable
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync.reconcile import ChangeLine
from stackadmin.store.bulk import insert_many
from stackadmin.store.models import Account, AuditEvent, Person

VIA = "directory"
_LEAVING = frozenset({AccountStatus.SUSPENDED, AccountStatus.DEPROVISIONED})
_ACTIVE = PersonStatus.ACTIVE.value
_DEPARTED = PersonStatus.DEPARTED.value
_PERSON_FIELDS = ("department", "title", "cost_center")


@dataclass
class PeoplePlan:
    """What a directory sync does to the people list."""

    new: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, str, dict[str, list[Any]]]] = field(default_factory=list)
    added: int = 0
    departed: int = 0
    returned: int = 0
    updated: int = 0

    @property
    def summary(self) -> str | None:
        parts = [f"{n} {what}" for n, what in (
            (self.added, "added"), (self.departed, "marked departed"),
            (self.returned, "returned (reactivated)"), (self.updated, "updated"))
            if n]
        return ("company directory: people " + ", ".join(parts)) if parts else None

    def lines(self) -> list[ChangeLine]:
        out = [ChangeLine("add person", row["email"], tuple(
            (k, None, row[k]) for k in ("status", "end_date", *_PERSON_FIELDS) if row.get(k)))
            for row in self.new]
        out.extend(ChangeLine("change person", email, tuple(
            (k, before, after) for k, (before, after) in changes.items()))
            for _pid, email, changes in self.updates)
        return out


def _email(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalize_email(value)
    except ValidationError:
        return None  # not an address the people list can hold


def plan_people(session: Session, records: Iterable[AccountRecord], gone_account_ids:
                Iterable[int], *, today: date) -> PeoplePlan:
    """The people changes of a directory's users (`gone_account_ids`: its accounts that
    disappeared from it in this run)."""
    people: dict[str, list[Any]] = {}
    by_id: dict[int, list[Any]] = {}
    for values in session.execute(select(
            Person.id, Person.email, Person.status, Person.end_date, Person.left_via,
            Person.department, Person.title, Person.cost_center)):
        people[values[1]] = by_id[values[0]] = list(values)
    plan = PeoplePlan()
    changes: dict[int, dict[str, list[Any]]] = {}
    planned: set[str] = set()

    def change(row: list[Any], index: int, name: str, value: Any) -> None:
        if row[index] != value:
            changes.setdefault(row[0], {})[name] = [row[index], value]
            row[index] = value

    for rec in records:
        if rec.kind is not AccountKind.USER:
            continue  # guests, bots and services are not the company's people
        address = _email(rec.email)
        if address is None or address in planned:
            continue
        planned.add(address)
        email = address
        leaving = rec.status in _LEAVING
        row: list[Any] | None = people.get(email)
        if row is None:
            plan.new.append({
                "email": email, "name": (rec.display_name or email.split("@")[0])[:200],
                "department": _cut(rec.department, 120), "title": _cut(rec.title, 200),
                "cost_center": _cut(rec.cost_center, 120),
                "status": _DEPARTED if leaving else _ACTIVE,
                "end_date": rec.end_date if leaving else None,
                "left_via": VIA if leaving else None})
            plan.added += 1
            continue
        for index, name, value in ((5, "department", _cut(rec.department, 120)),
                                   (6, "title", _cut(rec.title, 200)),
                                   (7, "cost_center", _cut(rec.cost_center, 120))):
            if value is not None:
                change(row, index, name, value)
        before = dict(changes.get(row[0], {}))
        if leaving:
            _depart(row, rec.end_date, change, plan)
        elif row[2] == _DEPARTED and row[4] == VIA:
            change(row, 2, "status", _ACTIVE)
            change(row, 3, "end_date", None)
            change(row, 4, "left_via", None)
            plan.returned += 1
        elif before and row[0] in changes:
            plan.updated += 1
    gone = list(gone_account_ids)
    if gone:
        for person_id, account_email in session.execute(
                select(Account.person_id, Account.email).where(Account.id.in_(gone))):
            found = (by_id.get(person_id) if person_id is not None
                     else people.get(account_email or ""))
            if found is not None and found[1] not in planned:
                planned.add(found[1])
                _depart(found, None, change, plan)
    for pid, fields in changes.items():
        plan.updates.append((pid, by_id[pid][1], fields))
    return plan


def _depart(row: list[Any], end: date | None, change: Any, plan: PeoplePlan) -> None:
    if row[2] == _ACTIVE:
        change(row, 2, "status", _DEPARTED)
        change(row, 4, "left_via", VIA)
        if row[3] is None and end is not None:
            change(row, 3, "end_date", end)
        plan.departed += 1
    elif row[3] is None and end is not None and row[4] == VIA:
        change(row, 3, "end_date", end)


def _cut(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit]


def write_people(session: Session, ctx: ServiceContext, plan: PeoplePlan, now: datetime
                 ) -> None:
    """The people changes, audited, in the caller's transaction; new people are matched to
    the accounts (of every tool) that carry their email."""
    conn = session.connection()
    audits: list[dict[str, Any]] = []
    base = {"at": now, "actor": ctx.actor, "source": ctx.source.value}
    if plan.new:
        insert_many(conn, Person.__table__, plan.new,  # type: ignore[arg-type]
                    {"source": VIA, "created_at": now, "updated_at": now})
        emails = [row["email"] for row in plan.new]
        ids = dict(session.execute(select(Person.email, Person.id).where(
            Person.email.in_(emails))).all())
        audits.extend({**base, "action": "create", "entity": "person",
                       "entity_id": ids.get(row["email"]),
                       "summary": f"created person {row['email']} from the company directory",
                       "changes": {k: [None, jsonable(v)] for k, v in row.items()
                                   if v is not None}}
                      for row in plan.new)
        table: Any = Account.__table__
        conn.execute(update(table).where(table.c.person_id.is_(None),
                                         table.c.email == bindparam("_email"))
                     .values(person_id=bindparam("_pid")),
                     [{"_email": e, "_pid": i} for e, i in ids.items()])
    person: Any = Person.__table__
    for pid, email, fields in plan.updates:
        conn.execute(update(person).where(person.c.id == pid).values(
            {**{k: after for k, (_before, after) in fields.items()}, "updated_at": now}))
        audits.append({**base, "action": "update", "entity": "person", "entity_id": pid,
                       "summary": f"person {email}: {', '.join(sorted(fields))} (company "
                                  "directory)"[:500],
                       "changes": {k: [jsonable(a), jsonable(b)]
                                   for k, (a, b) in fields.items()}})
    if audits:
        insert_many(conn, AuditEvent.__table__, audits)  # type: ignore[arg-type]
