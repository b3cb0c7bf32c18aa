"""Directory reconciliation: the people list against every tool's accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from stackadmin.domain.utilization import holds_seat, person_departed
from stackadmin.domain.vocab import PersonStatus
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Account, Integration, Person, Tool


@dataclass(frozen=True, slots=True)
class ReconAccount:
    account_id: int
    tool_id: int
    tool: str
    email: str | None
    display_name: str | None
    external_id: str | None
    status: str
    last_activity: datetime | None
    source: str


@dataclass(frozen=True, slots=True)
class UnknownUser:
    """A seat matched to no person. When a person has the same email the match is only
    missing, not the person: `suggested_person_id` says who."""

    account: ReconAccount
    suggested_person_id: int | None
    suggested_person: str | None


@dataclass(frozen=True, slots=True)
class DepartedHolder:
    person_id: int
    person: str
    email: str
    end_date: date | None
    accounts: tuple[ReconAccount, ...]


@dataclass(frozen=True, slots=True)
class DuplicateAccounts:
    """One person (or, unmatched, one email) holding several seats in one tool."""

    tool_id: int
    tool: str
    person_id: int | None
    person: str | None
    email: str | None
    accounts: tuple[ReconAccount, ...]


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    as_of: date
    directory_sources: tuple[str, ...]  # integrations marked as the people list's source
    unknown_users: list[UnknownUser]
    departed_holders: list[DepartedHolder]
    duplicates: list[DuplicateAccounts]

    @property
    def clean(self) -> bool:
        return not (self.unknown_users or self.departed_holders or self.duplicates)


def reconcile(ctx: ServiceContext, as_of: date | None = None) -> ReconciliationReport:
    """Seat-holding accounts only (deprovisioned ones hold nothing); bots and service
    accounts are not people, so they are never unknown users or duplicates."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        people = {
            pid: (name, email, status, end)
            for pid, name, email, status, end in session.execute(
                select(Person.id, Person.name, Person.email, Person.status, Person.end_date))
        }
        by_email = {email: pid for pid, (_, email, _, _) in people.items()}
        rows = session.connection().execute(
            select(Account.id, Account.tool_id, Tool.name, Account.email, Account.display_name,
                   Account.external_id, Account.status, Account.last_activity, Account.source,
                   Account.person_id, Account.is_bot)
            .join(Tool, Tool.id == Account.tool_id)
            .order_by(Tool.name, Account.email, Account.id)
        ).all()
        sources = tuple(session.scalars(
            select(Integration.name).where(Integration.is_directory_source)
            .order_by(Integration.name)))
    unknown: list[UnknownUser] = []
    departed: dict[int, list[ReconAccount]] = defaultdict(list)
    groups: dict[tuple[int, int | str], list[ReconAccount]] = defaultdict(list)
    for (acc_id, tool_id, tool, email, display, ext, status, last, source, person_id,
         bot) in rows:
        if not holds_seat(status):
            continue
        acc = ReconAccount(acc_id, tool_id, tool, email, display, ext, status, last, source)
        if person_id is not None:
            _, _, p_status, p_end = people[person_id]
            if person_departed(p_status == PersonStatus.DEPARTED.value, p_end, day):
                departed[person_id].append(acc)
        if bot:
            continue
        if person_id is None:
            suggested = by_email.get(email) if email else None
            unknown.append(UnknownUser(acc, suggested,
                                       None if suggested is None else people[suggested][0]))
        key: int | str | None = person_id if person_id is not None else email
        if key is not None:
            groups[(tool_id, key)].append(acc)
    holders = [
        DepartedHolder(pid, people[pid][0], people[pid][1], people[pid][3], tuple(accs))
        for pid, accs in departed.items()
    ]
    holders.sort(key=lambda h: (h.person.lower(), h.email))
    duplicates = []
    for (tool_id, key), accs in groups.items():
        if len(accs) < 2:
            continue
        pid = key if isinstance(key, int) else None
        duplicates.append(DuplicateAccounts(
            tool_id, accs[0].tool, pid, None if pid is None else people[pid][0],
            people[pid][1] if pid is not None else str(key), tuple(accs)))
    duplicates.sort(key=lambda d: (d.tool.lower(), d.email or ""))
    return ReconciliationReport(day, sources, unknown, holders, duplicates)
