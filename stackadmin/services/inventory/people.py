"""People: create, edit, mark departed, delete, each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from stackadmin.domain.values import (
    normalize_email,
    optional_date,
    optional_text,
    parse_choice,
)
from stackadmin.domain.vocab import PersonStatus
from stackadmin.errors import NotFoundError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import (
    FieldCleaner,
    add_audited,
    apply_changes,
    check_version,
    delete_audited,
    flush_or_explain,
    get_or_404,
)
from stackadmin.store.bulk import insert_many
from stackadmin.store.models import Account, AuditEvent, Person, Tool, utcnow

_CHUNK = 500  # emails a query
FIELDS = ("email", "name", "department", "cost_center", "title", "status", "end_date")


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    email: str
    name: str
    department: str | None
    cost_center: str | None
    title: str | None
    status: str
    end_date: date | None
    version: int  # the record's version: give it back with an edit (optimistic locking)
    account_count: int = 0


def _row(p: Person, account_count: int = 0) -> PersonRow:
    return PersonRow(p.id, p.email, p.name, p.department, p.cost_center, p.title, p.status,
                     p.end_date, p.version, account_count)


def clean(values: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validated person fields; `partial` for an edit that gives only some of them."""
    c = FieldCleaner(values, partial=partial)
    c.require("email")
    c.take("email", normalize_email)
    c.take("name", lambda v: optional_text(v, "name", 200) or "")
    c.take("department", lambda v: optional_text(v, "department", 120))
    c.take("cost_center", lambda v: optional_text(v, "cost centre", 120))
    c.take("title", lambda v: optional_text(v, "title", 200))
    c.take("status", lambda v: parse_choice(v, PersonStatus, "status"))
    c.take("end_date", lambda v: optional_date(v, "end date"))
    return c.result()


def create_person(ctx: ServiceContext, **values: Any) -> PersonRow:
    data = clean(values)
    with ctx.transaction() as session:
        person = Person(**data)
        person.name = data.get("name") or data["email"].split("@")[0]
        session.add(person)
        flush_or_explain(session, f"a person with email {data['email']} exists already")
        add_audited(session, ctx, person, entity="person", label=f"person {person.email}",
                    fields=FIELDS)
        link_accounts(session, ctx, {person.email: person.id})
        return _row(person)


def link_accounts(session: Session, ctx: ServiceContext, people: dict[str, int]) -> int:
    """Matches accounts recorded before their person (email → person id, new people): an
    account with that email and no person becomes theirs, audited, in the caller's
    transaction. Returns how many were matched."""
    emails = list(people)
    found: list[tuple[int, str | None, str]] = []
    for start in range(0, len(emails), _CHUNK):
        found.extend((i, email, tool) for i, email, tool in session.execute(
            select(Account.id, Account.email, Tool.name).join(Tool, Tool.id == Account.tool_id)
            .where(Account.person_id.is_(None), Account.email.in_(emails[start:start + _CHUNK]))))
    if not found:
        return 0
    conn = session.connection()
    table: Any = Account.__table__
    conn.execute(update(table).where(table.c.id == bindparam("_id"))
                 .values(person_id=bindparam("_pid")),
                 [{"_id": i, "_pid": people[email or ""]} for i, email, _tool in found])
    insert_many(conn, AuditEvent.__table__, [  # type: ignore[arg-type]
        {"action": "update", "entity": "account", "entity_id": i,
         "summary": f"account {email} in {tool}: matched to person {email}"[:500],
         "changes": {"person_id": [None, people[email or ""]]}} for i, email, tool in found],
        {"actor": ctx.actor, "source": ctx.source.value, "at": utcnow()})
    return len(found)


def update_person(ctx: ServiceContext, person_id: int, *, expected_version: int | None = None,
                  **values: Any) -> PersonRow:
    """Changes the given fields; `expected_version` as for terms.update_term."""
    data = clean(values, partial=True)
    with ctx.transaction() as session:
        person = get_or_404(session, Person, person_id, "person")
        check_version(session, person, expected_version, entity="person",
                      label=f"person {person.email}")
        apply_changes(session, ctx, person, data, entity="person",
                      label=f"person {person.email}")
        flush_or_explain(session, f"a person with email {data.get('email')} exists already")
        return _row(person)


def mark_departed(ctx: ServiceContext, person_id: int, end_date: date, *,
                  expected_version: int | None = None) -> PersonRow:
    return update_person(ctx, person_id, expected_version=expected_version,
                         status=PersonStatus.DEPARTED.value, end_date=end_date)


def delete_person(ctx: ServiceContext, person_id: int) -> None:
    with ctx.transaction() as session:
        person = get_or_404(session, Person, person_id, "person")
        held = session.scalar(select(func.count()).where(Account.person_id == person_id)) or 0
        took = f" ({held} accounts are kept, no longer matched to a person)" if held else ""
        delete_audited(session, ctx, person, entity="person", label=f"person {person.email}",
                       fields=FIELDS, took=took)


def get_person(ctx: ServiceContext, person_id: int) -> PersonRow:
    with ctx.read() as session:
        return _row(get_or_404(session, Person, person_id, "person"))


def find_by_email(ctx: ServiceContext, email: str) -> PersonRow:
    with ctx.read() as session:
        query = select(Person).where(Person.email == email.strip().lower())
        person = session.scalars(query).first()
        if person is None:
            raise NotFoundError(f"there is no person with email {email}")
        return _row(person)


def list_people(ctx: ServiceContext) -> list[PersonRow]:
    counts = (
        select(Account.person_id, func.count().label("n"))
        .group_by(Account.person_id)
        .subquery()
    )
    query = (
        select(Person, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.person_id == Person.id)
    )
    with ctx.read() as session:
        rows = [_row(p, n) for p, n in session.execute(query)]
    # By code point, as SQLite orders (a PostgreSQL collation orders punctuation otherwise).
    return sorted(rows, key=lambda r: (r.name, r.email))
