"""Directory reconciliation: the people list against every tool's accounts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.utilization import active_after_leaving, person_departed
from stackadmin.domain.vocab import SEAT_HOLDING, PersonStatus
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
        gone = {pid for pid, (_, _, status, end) in people.items()
                if person_departed(status == PersonStatus.DEPARTED.value, end, day)}
        # Two passes: the ids and keys of every account (cheap columns only), then the
        # details of the few that are flagged; building 100,000 detail rows cost seconds.
        rows = session.connection().execute(
            select(Account.id, Account.tool_id, Account.email, Account.status,
                   Account.person_id, Account.is_bot)
            .order_by(Account.id)
        ).all()
        # Accounts of people who have left with activity known: their last activity is
        # compared with the last day (any status: a reclaimed seat may have been used first).
        after_pairs = [(acc_id, pid) for acc_id, pid, last in session.execute(
            select(Account.id, Account.person_id, Account.last_activity)
            .join(Person, Person.id == Account.person_id)
            .where(Person.end_date.is_not(None), Account.activity_known.is_(True),
                   Account.last_activity.is_not(None))
            .order_by(Account.id))
            if pid in gone and active_after_leaving(people[pid][3], last)]
        unknown_ids: list[tuple[int, int | None]] = []
        departed_ids: dict[int, list[int]] = defaultdict(list)
        groups: dict[tuple[int, int | str], list[int]] = defaultdict(list)
        for acc_id, tool_id, email, status, person_id, bot in rows:
            if status not in _HOLDING:
                continue
            if person_id in gone:
                departed_ids[person_id].append(acc_id)
            if bot:
                continue
            if person_id is None:
                unknown_ids.append((acc_id, by_email.get(email) if email else None))
            key: int | str | None = person_id if person_id is not None else email
            if key is not None:
                groups[(tool_id, key)].append(acc_id)
        dup_ids = {k: ids for k, ids in groups.items() if len(ids) > 1}
        wanted = {i for i, _ in unknown_ids}
        wanted.update(i for ids in departed_ids.values() for i in ids)
        wanted.update(i for ids in dup_ids.values() for i in ids)
        wanted.update(i for i, _ in after_pairs)
        details = _details(session, sorted(wanted))
        sources = tuple(session.scalars(
            select(Integration.name).where(Integration.is_directory_source)
            .order_by(Integration.name)))
    unknown = [UnknownUser(details[i], pid, None if pid is None else people[pid][0])
               for i, pid in unknown_ids]
    unknown.sort(key=lambda u: _by_tool(u.account))
    departed = {pid: sorted((details[i] for i in ids), key=_by_tool)
                for pid, ids in departed_ids.items()}
    holders = [
        DepartedHolder(pid, people[pid][0], people[pid][1], people[pid][3], tuple(accs))
        for pid, accs in departed.items()
    ]
    holders.sort(key=lambda h: (h.person.lower(), h.email))
    duplicates = []
    for (tool_id, key), ids in dup_ids.items():
        accs = sorted((details[i] for i in ids), key=lambda a: a.account_id)
        pid = key if isinstance(key, int) else None
        duplicates.append(DuplicateAccounts(
            tool_id, accs[0].tool, pid, None if pid is None else people[pid][0],
            people[pid][1] if pid is not None else str(key), tuple(accs)))
    duplicates.sort(key=lambda d: (d.tool.lower(), d.email or ""))
    after = []
    for acc_id, pid in after_pairs:
        name, email, _status, end = people[pid]
        if end is not None:
            after.append(ActiveAfterLeaving(details[acc_id], pid, name, email, end))
    after.sort(key=lambda a: (a.person.lower(), a.person_email, _by_tool(a.account)))
    return ReconciliationReport(day, sources, unknown, holders, duplicates, after)
