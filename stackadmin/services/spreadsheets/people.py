"""The people import: one person per row, upserted by email."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.spreadsheet import clean_text, parse_date, refuse_formula, unquote
from stackadmin.domain.values import normalize_email
from stackadmin.domain.vocab import PersonStatus
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.people import link_accounts
from stackadmin.services.spreadsheets.plan import (
    Cells,
    Change,
    ImportOptions,
    Problem,
    TablePlan,
    Ticker,
    Writes,
    audit_rows,
)
from stackadmin.store.models import Person, utcnow

_STATUS = {"active": "active", "employed": "active", "current": "active",
           "departed": "departed", "left": "departed", "terminated": "departed",
           "former": "departed", "inactive": "departed", "leaver": "departed"}


def parse_status(text: str) -> str | None:
    """The status a cell says; None for an empty cell (a new person is active, a known one
    keeps the status we have: a blank cell never brings a departed person back)."""
    value = text.strip().lower()
    if not value:
        return None
    if value not in _STATUS:
        raise ValidationError("must be active or departed")
    return _STATUS[value]


def text_field(limit: int, multiline: bool = False) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        value = clean_text(text, multiline=multiline)
        if len(value) > limit:
            raise ValidationError(f"is longer than {limit} characters")
        return value or None
    return parse


def read_cell(cells: Cells, row: list[str], number: int, name: str,
              parse: Callable[[str], Any], problems: list[Problem]) -> tuple[bool, Any]:
    """(ok, value) for one mapped field of one row; a failure becomes a Problem."""
    text = row[cells.index[name]]
    try:
        return True, parse(text)
    except ValidationError as exc:
        problems.append(Problem(number, cells.column(name), str(exc), text))
        return False, None


class PeoplePlan(TablePlan):
    """A people import: rows as given, no extra values. New people are matched to the
    accounts imported or synced before them (their email, no person yet)."""

    def apply(self, session: Session, ctx: ServiceContext, ticker: Ticker) -> None:
        super().apply(session, ctx, ticker)
        emails = [row["email"] for model, rows in self.writes.inserts if model is Person
                  for row in rows]
        ids: dict[str, int] = {}
        for start in range(0, len(emails), 500):
            ids.update(session.execute(select(Person.email, Person.id).where(
                Person.email.in_(emails[start:start + 500]))).all())
        if ids:
            link_accounts(session, ctx, ids)


def plan(session: Session, ctx: ServiceContext, cells: Cells, options: ImportOptions,
         problems: list[Problem]) -> PeoplePlan:
    parsers: dict[str, Callable[[str], Any]] = {
        "name": text_field(200), "department": text_field(120),
        "cost_center": text_field(120), "title": text_field(200), "status": parse_status,
        "end_date": lambda t: optional_day(t, options.date_format),
    }
    given = [name for name in parsers if cells.has(name)]
    records: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, row in zip(cells.table.row_numbers, cells.table.rows, strict=True):
        ok, email = read_cell(cells, row, number, "email", normalize_email_cell, problems)
        values: dict[str, Any] = {}
        for name in given:
            good, value = read_cell(cells, row, number, name, parsers[name], problems)
            ok = ok and good
            values[name] = value
        if not ok:
            continue
        if email in records:
            problems.append(Problem(number, cells.column("email"),
                                    f"the same person as row {records[email][0]}", email))
            continue
        records[email] = (number, values)
    existing = {p.email: p for p in session.scalars(select(Person))}
    now = utcnow()
    writes = Writes()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    diffs: list[tuple[int, str, dict[str, Any]]] = []
    result = PeoplePlan(writes)
    for email, (number, values) in records.items():
        person = existing.get(email)
        if person is None:
            new = {"email": email, "source": "csv", "created_at": now, "updated_at": now,
                   **values}
            new["name"] = values.get("name") or email.split("@")[0]
            new["status"] = values.get("status") or "active"
            inserts.append(new)
            result.changes.append(Change(number, "add", f"person {email}"))
            continue
        # Empty cells keep what we have for the name, the status and the end date (a blank
        # status must not turn a departed person active again, nor drop their end date).
        for kept in ("name", "status", "end_date"):
            if kept in values and values[kept] is None:
                del values[kept]
        # A departed person made active again (a rehire) without a new end date loses the
        # old one: kept, it would still mark them departed and flag their new seats.
        if (values.get("status") == PersonStatus.ACTIVE.value
                and person.status == PersonStatus.DEPARTED.value and "end_date" not in values):
            values["end_date"] = None
        changed = {k: (getattr(person, k), v) for k, v in values.items()
                   if getattr(person, k) != v}
        if not changed:
            result.unchanged += 1
            continue
        updates.append({"id": person.id, "updated_at": now,
                        **{k: v for k, (_, v) in changed.items()}})
        diffs.append((person.id, f"person {email}", changed))
        result.changes.append(Change(number, "update", f"person {email}", tuple(changed)))
    if inserts:
        writes.inserts.append((Person, inserts))
    if updates:
        writes.updates.append((Person, updates))
    writes.update_audits = audit_rows(ctx, "person", diffs)
    return result


def normalize_email_cell(text: str) -> str:
    """An email cell; the ' an export put before one starting with - + = @ is taken off, and
    a live formula is refused."""
    refuse_formula(text)
    try:
        return normalize_email(unquote(text.strip()))
    except ValidationError:
        if not text.strip():
            raise ValidationError("is required") from None
        raise ValidationError("is not an email address") from None


def optional_day(text: str, date_format: str | None) -> date | None:
    return parse_date(text, date_format) if text.strip() else None
