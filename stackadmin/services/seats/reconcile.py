"""Directory reconciliation: the people list against every tool's accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, not_, or_, select
from sqlalchemy.orm import Session

from stackadmin.domain.utilization import active_after_leaving
from stackadmin.domain.vocab import SEAT_HOLDING
from stackadmin.services.context import ServiceContext
from stackadmin.services.records import by_name
from stackadmin.store.models import Account, Integration, Person, Tool
from stackadmin.store.seat_rules import person_departed


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
class ActiveAfterLeaving:
    """An account used after its person's last day: access that outlived the offboarding
    (a red flag for security, whatever the account's status now)."""

    account: ReconAccount
    person_id: int
    person: str
    person_email: str
    end_date: date

    @property
    def email(self) -> str:
        return self.account.email or self.person_email

    @property
    def days_after(self) -> int:
        last = self.account.last_activity
        return 0 if last is None else (last.date() - self.end_date).days


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    as_of: date
    directory_sources: tuple[str, ...]  # integrations marked as the people list's source
    unknown_users: list[UnknownUser]
    departed_holders: list[DepartedHolder]
    duplicates: list[DuplicateAccounts]
    active_after_leaving: list[ActiveAfterLeaving] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.unknown_users or self.departed_holders or self.duplicates
                    or self.active_after_leaving)


def _by_tool(a: ReconAccount) -> tuple[str, str, int]:
    return a.tool.lower(), a.email or "", a.account_id


_HOLDING = frozenset(s.value for s in SEAT_HOLDING)  # plain strings: compared 100,000 times
_CHUNK = 900  # ids per IN (...) list: under every engine's parameter limit


def _details(session: Session, ids: list[int]) -> dict[int, ReconAccount]:
    out: dict[int, ReconAccount] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for row in session.execute(
            select(Account.id, Account.tool_id, Tool.name, Account.email, Account.display_name,
                   Account.external_id, Account.status, Account.last_activity, Account.source)
            .join(Tool, Tool.id == Account.tool_id)
            .where(Account.id.in_(chunk))
        ):
            out[row[0]] = ReconAccount(*row)
    return out


def _people(session: Session, ids: set[int]) -> dict[int, tuple[str, str, date | None]]:
    """Name, email and last day of the people flagged."""
    out: dict[int, tuple[str, str, date | None]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), _CHUNK):
        for pid, name, email, end in session.execute(
                select(Person.id, Person.name, Person.email, Person.end_date)
                .where(Person.id.in_(wanted[start:start + _CHUNK]))):
            out[pid] = (name, email, end)
    return out


def reconcile(ctx: ServiceContext, as_of: date | None = None) -> ReconciliationReport:
    """Seat-holding accounts only (deprovisioned ones hold nothing); bots and service
    accounts are not people, so they are never unknown users or duplicates. The database
    finds the flagged accounts (the departed rule is store/seat_rules.py's); only those are
    read in full."""
    day = as_of or ctx.today()
    holding = Account.status.in_(_HOLDING)
    person = Person.__table__.alias("same_email")
    # Grouped per person, or per email for accounts matched to nobody (no email: no group).
    unmatched_email = case((Account.person_id.is_(None), Account.email))
    grouped = (select(Account.id.label("id"), Account.tool_id.label("tool_id"),
                      Account.person_id.label("person_id"), Account.email.label("email"),
                      func.count().over(partition_by=(Account.tool_id, Account.person_id,
                                                      unmatched_email)).label("n"))
               .where(holding, not_(Account.is_bot),
                      or_(Account.person_id.is_not(None), Account.email.is_not(None)))
               ).subquery()
    with ctx.read() as session:
        conn = session.connection()
        unknown_ids: list[tuple[int, int | None]] = [
            (acc_id, pid) for acc_id, pid in conn.execute(
                select(Account.id, person.c.id)
                .outerjoin(person, person.c.email == Account.email)
                .where(holding, not_(Account.is_bot), Account.person_id.is_(None))
                .order_by(Account.id))]
        departed_ids: dict[int, list[int]] = defaultdict(list)
        for acc_id, pid in conn.execute(
                select(Account.id, Person.id)
                .join(Person, Person.id == Account.person_id)
                .where(holding, person_departed(day)).order_by(Account.id)):
            departed_ids[pid].append(acc_id)
        dup_ids: dict[tuple[int, int | str], list[int]] = {}
        for acc_id, tool_id, pid, email in conn.execute(
                select(grouped.c.id, grouped.c.tool_id, grouped.c.person_id, grouped.c.email)
                .where(grouped.c.n > 1).order_by(grouped.c.id)):
            dup_ids.setdefault((tool_id, pid if pid is not None else email), []).append(acc_id)
        # Accounts of people who have left with activity known: their last activity is
        # compared with the last day (any status: a reclaimed seat may have been used first).
        after_pairs: list[tuple[int, int]] = [
            (acc_id, pid) for acc_id, pid, end, last in conn.execute(
            select(Account.id, Person.id, Person.end_date, Account.last_activity)
            .join(Person, Person.id == Account.person_id)
            .where(Person.end_date.is_not(None), Person.end_date <= day,
                   Account.activity_known.is_(True), Account.last_activity.is_not(None))
            .order_by(Account.id))
            if active_after_leaving(end, last)]
        wanted = {i for i, _ in unknown_ids}
        wanted.update(i for ids in departed_ids.values() for i in ids)
        wanted.update(i for ids in dup_ids.values() for i in ids)
        wanted.update(i for i, _ in after_pairs)
        details = _details(session, sorted(wanted))
        people = _people(session, {pid for _, pid in unknown_ids if pid is not None}
                         | set(departed_ids) | {p for _, p in after_pairs}
                         | {k for _, k in dup_ids if isinstance(k, int)})
        sources = tuple(sorted(session.scalars(
            select(Integration.name).where(Integration.is_directory_source)), key=by_name))
    unknown = [UnknownUser(details[i], pid, None if pid is None else people[pid][0])
               for i, pid in unknown_ids]
    unknown.sort(key=lambda u: _by_tool(u.account))
    holders = [
        DepartedHolder(pid, people[pid][0], people[pid][1], people[pid][2],
                       tuple(sorted((details[i] for i in ids), key=_by_tool)))
        for pid, ids in departed_ids.items()
    ]
    holders.sort(key=lambda h: (h.person.lower(), h.email))
    duplicates = []
    for (tool_id, group), ids in dup_ids.items():
        accs = sorted((details[i] for i in ids), key=lambda a: a.account_id)
        who = group if isinstance(group, int) else None
        duplicates.append(DuplicateAccounts(
            tool_id, accs[0].tool, who, None if who is None else people[who][0],
            people[who][1] if who is not None else str(group), tuple(accs)))
    duplicates.sort(key=lambda d: (d.tool.lower(), d.email or ""))
    after = []
    for acc_id, pid in after_pairs:
        name, email, end = people[pid]
        if end is not None:
            after.append(ActiveAfterLeaving(details[acc_id], pid, name, email, end))
    after.sort(key=lambda a: (a.person.lower(), a.person_email, _by_tool(a.account)))
    return ReconciliationReport(day, sources, unknown, holders, duplicates, after)
