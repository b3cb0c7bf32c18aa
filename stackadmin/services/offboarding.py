"""Person 360 and offboarding: a person's accounts with cost, and the checklist of what was
done with each account of a departed person (reclaimed, transferred, kept with a reason)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.people import PersonRow, get_person
from stackadmin.store.models import Account, OffboardingItem, Tool


@dataclass(frozen=True, slots=True)
class PersonAccount:
    id: int
    tool_id: int
    tool: str
    email: str | None
    role: str
    status: str
    last_activity: datetime | None
    activity_known: bool
    annual_cost_base: Decimal | None
    base_currency: str
    outcome: str | None = None
    reason: str | None = None
    transferred_to: str | None = None

    @property
    def outcome_text(self) -> str:
        if self.outcome is None:
            return ""
        if self.outcome == "transferred" and self.transferred_to:
            return f"transferred to {self.transferred_to}"
        if self.outcome == "kept" and self.reason:
            return f"kept: {self.reason}"
        return self.outcome


@dataclass(frozen=True, slots=True)
class PersonView:
    person: PersonRow
    accounts: list[PersonAccount]
    base_currency: str

    @property
    def annual_cost_base(self) -> Decimal | None:
        costs = [a.annual_cost_base for a in self.accounts]
        if any(c is None for c in costs):
            return None
        return sum((c for c in costs if c is not None), Decimal(0))


def person_view(ctx: ServiceContext, person_id: int) -> PersonView:
    from stackadmin.services import utilization

    person = get_person(ctx, person_id)
    report = utilization.compute(ctx)
    seats = {s.account_id: s for s in report.seats if s.person_id == person_id}
    with ctx.read() as session:
        rows = session.execute(
            select(Account.id, Account.tool_id, Tool.name, Account.email, Account.role,
                   Account.status, Account.last_activity, Account.activity_known)
            .join(Tool, Tool.id == Account.tool_id)
            .where(Account.person_id == person_id)
            .order_by(Tool.name, Account.id)).all()
        items: dict[int, OffboardingItem] = {
            i.account_id: i for i in session.scalars(
                select(OffboardingItem).where(OffboardingItem.person_id == person_id))
            if i.account_id is not None}
        names = _names(session, {i.transferred_to_id for i in items.values()})
    accounts = []
    for acc_id, tool_id, tool, email, role, status, last, known in rows:
        seat = seats.get(acc_id)
        item = items.get(acc_id)
        accounts.append(PersonAccount(
            acc_id, tool_id, tool, email, role, status, last, known,
            seat.annual_cost_base if seat and seat.holds_seat else
            (Decimal(0) if seat else None), report.base_currency,
            item.outcome if item else None, item.reason if item else None,
            names.get(item.transferred_to_id) if item and item.transferred_to_id else None))
    return PersonView(person, accounts, report.base_currency)


def _names(session: object, ids: set[int | None]) -> dict[int, str]:
    from sqlalchemy.orm import Session

    from stackadmin.store.models import Person

    assert isinstance(session, Session)
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    out: dict[int, str] = defaultdict(str)
    for pid, name, email in session.execute(
            select(Person.id, Person.name, Person.email).where(Person.id.in_(wanted))):
        out[pid] = name or email
    return dict(out)
