"""What a fetch changes in a tool's accounts: the plan a sync writes, or a dry run shows.

Accounts are keyed by the vendor's immutable id (an email change is an update); an account
without one (typed in, imported by email) is taken over by email, case-insensitively.
Accounts an integration listed before and lists no more are deprovisioned once no
integration lists them; nothing is deleted. Activity never goes backwards: an older date, a
`NEVER` or a `NO_DATE` keeps the newer date already known, and `UNKNOWN` marks the activity
unknown without erasing it. Empty names and emails from a vendor keep the known ones.

Built for 100,000 accounts: the tool's accounts are read once as plain tuples, each fetched
account is compared as one tuple (field by field only when something differs), and the
writes are lists of plain dicts for bulk statements.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from stackadmin.domain.vocab import NOT_PEOPLE, AccountStatus
from stackadmin.plugins.api import AccountRecord, Activity
from stackadmin.store.models import Account, AccountListing, Person
from stackadmin.store.types import Moments

# The fields a sync compares and writes, in the order of the tuples below.
FIELDS = ("email", "display_name", "username", "role", "vendor_role", "license_tier",
          "status", "kind", "billable", "licenses", "pending_cancellation", "person_id",
          "last_activity", "activity_known", "last_activity_via", "first_seen", "invited_at")
# Changes told in the audit trail account by account; the rest (activity, dates the vendor
# keeps) are counted in the run's summary: a daily sync moves most activity dates.
AUDITED = frozenset(FIELDS[:12])
_I = {name: n for n, name in enumerate(FIELDS)}
_STATUS, _LAST, _KNOWN, _VIA = _I["status"], _I["last_activity"], _I["activity_known"], \
    _I["last_activity_via"]
_DEPROVISIONED = AccountStatus.DEPROVISIONED.value
_REPORTED, _UNKNOWN = Activity.REPORTED, Activity.UNKNOWN
MAX_EXTERNAL_ID = 200
_SHOWN_ON_ADD = ("role", "status", "kind", "last_activity", "pending_cancellation")
SOURCE = "sync"


@dataclass(frozen=True, slots=True)
class ChangeLine:
    """One account a sync adds, changes or deprovisions, for people to read (a dry run)."""

    action: str  # "add" | "change" | "deprovision"
    account: str  # email, else login, name or the vendor's id
    fields: tuple[tuple[str, Any, Any], ...] = ()  # (field, before, after)


@dataclass
class Plan:
    """The writes of one sync, and its counts."""

    integration_id: int
    tool_id: int
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    audits: list[tuple[int, str, dict[str, list[Any]]]] = field(default_factory=list)
    listed: list[int] = field(default_factory=list)  # existing accounts it lists from now on
    unlisted: list[int] = field(default_factory=list)  # accounts it no longer lists
    added: int = 0
    changed: int = 0
    deprovisioned: int = 0
    unchanged: int = 0
    held_before: int = 0  # the tool's accounts not deprovisioned before the run
    foreign: int = 0  # the tool's accounts no integration wrote that the vendor did not list
    skipped_gone: int = 0  # accounts first seen already deprovisioned: not added
    lines: list[ChangeLine] | None = None  # with `explain`
    gone: list[int] = field(default_factory=list)  # deprovisioned: no integration lists them

    @property
    def deprovision_share(self) -> float:
        return self.deprovisioned / self.held_before if self.held_before else 0.0


def _day(value: Any) -> date | None:
    if value is None or type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _label(values: Sequence[Any], external_id: str) -> str:
    return values[0] or values[2] or values[1] or external_id


_EXISTING = select(
    Account.id, Account.external_id, Account.integration_id, Account.source, Account.email,
    Account.display_name, Account.username, Account.role, Account.vendor_role,
    Account.license_tier, Account.status, Account.kind, Account.billable, Account.licenses,
    Account.pending_cancellation, Account.person_id, Account.last_activity,
    Account.activity_known, Account.last_activity_via, Account.first_seen,
    Account.invited_at).where(Account.tool_id == bindparam("tool_id"))


def load_existing(session: Session, tool_id: int) -> tuple[
        dict[str, tuple[Any, ...]], dict[str, tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tool's accounts: by external id, by email (those without a vendor id), and all.
    Each as the driver read it: (id, external_id, integration_id, source, <FIELDS...>),
    the values as the database stores them (SQLite: text times, 0/1, JSON text); `stored`
    converts a row's FIELDS when it is compared.

    Read through the driver's own cursor: the SQLAlchemy result rows took 2 s of a
    100,000-account sync. Converted one at a time, as each is compared, rather than all up
    front: a million accounts are then held once rather than twice, and each row is
    converted while it is at hand (the up-front pass took 12x the time for 10x the rows)."""
    conn = session.connection()
    compiled = _EXISTING.compile(dialect=conn.dialect)
    params = compiled.construct_params({"tool_id": tool_id})
    positional = compiled.positiontup
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), tuple(params[p] for p in positional)
                       if positional is not None else params)
        every: list[tuple[Any, ...]] = cursor.fetchall()
    finally:
        cursor.close()
    by_id: dict[str, tuple[Any, ...]] = {}
    by_email: dict[str, tuple[Any, ...]] = {}
    for row in every:
        ext = row[1]
        if ext is not None:
            by_id[ext] = row
        elif row[4] is not None:
            by_email.setdefault(row[4], row)
    return by_id, by_email, every


def stored(moment: Moments) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A row of `load_existing` to its FIELDS as Python values (what `_merge` compares)."""

    def values(row: Sequence[Any]) -> tuple[Any, ...]:
        (_id, _ext, _integration, _source, email, name, user, role, vrole, tier, status, kind,
         billable, licenses, pending, person, last, known, via, first, invited) = row
        return (email, name, user, role, vrole, tier, status, kind,
                None if billable is None else bool(billable), _licenses(licenses),
                None if pending is None else _day(pending), person, moment(last),
                bool(known), via, moment(first), moment(invited))

    return values


def _licenses(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):  # JSON text, from SQLite
        value = json.loads(value)
    return tuple(value) or None


def _cut(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else value[:limit]


def _merge(rec: AccountRecord, old: Sequence[Any] | None, person_of: dict[str, int],
           now: datetime) -> tuple[Any, ...]:
    """The account's fields after this record (FIELDS order). `old` is the stored values in
    FIELDS order, or None for a new account. (Run 100,000 times a sync: the vendor's words
    are StrEnums, equal to the stored text, so they are compared and stored as they are.)"""
    email = rec.email
    if email is not None and len(email) > 320:
        email = None
    name, user, vrole, tier = rec.display_name, rec.username, rec.vendor_role, rec.license_tier
    if name is not None and len(name) > 200:
        name = name[:200]
    if user is not None and len(user) > 200:
        user = user[:200]
    if vrole is not None and len(vrole) > 100:
        vrole = vrole[:100]
    if tier is not None and len(tier) > 100:
        tier = tier[:100]
    activity = rec.activity
    if old is None:
        return (email, name, user, rec.role, vrole, tier, rec.status, rec.kind, rec.billable,
                rec.licenses or None, rec.pending_cancellation,
                person_of.get(email) if email is not None else None, rec.last_activity,
                activity is not _UNKNOWN, _cut(rec.last_activity_via, 200),
                rec.first_seen or now, rec.invited_at)
    if email is None:
        email = old[0]
    last, via = old[12], old[14]
    if activity is _REPORTED:
        reported = rec.last_activity
        if last is None or reported is None or reported >= last:
            last, via = reported, _cut(rec.last_activity_via, 200)
    return (email, name or old[1], user or old[2], rec.role, vrole, tier, rec.status, rec.kind,
            rec.billable, rec.licenses or None, rec.pending_cancellation,
            person_of.get(email, old[11]) if email is not None else old[11], last,
            activity is not _UNKNOWN, via, rec.first_seen or old[15],
            rec.invited_at or old[16])


def plan_sync(session: Session, integration_id: int, tool_id: int,
              records: Iterable[AccountRecord], *, now: datetime, explain: bool = False,
              last_seen: datetime | None = None) -> Plan:
    """The plan of a sync of `records` (every account the vendor listed) into the tool.
    `explain`: also the ChangeLines a dry run shows. `last_seen`: when this integration last
    listed its accounts (an account gone since keeps that as its last sighting)."""
    by_id, by_email, every = load_existing(session, tool_id)
    convert = stored(Moments())
    person_of = dict(session.connection().execute(select(Person.email, Person.id)).all())
    listed_before = set(session.scalars(select(AccountListing.account_id).where(
        AccountListing.integration_id == integration_id)))
    plan = Plan(integration_id, tool_id, lines=[] if explain else None)
    plan.held_before = sum(1 for row in every if row[10] != _DEPROVISIONED)
    lines = plan.lines
    taken: set[int] = set()
    inserts, updates, audits = plan.inserts, plan.updates, plan.audits
    for rec in records:
        ext = rec.external_id
        if len(ext) > MAX_EXTERNAL_ID:
            from stackadmin.plugins.api import ContractViolation

            raise ContractViolation(f"the vendor's id of an account is longer than "
                                    f"{MAX_EXTERNAL_ID} characters ({ext[:40]}…)")
        row = by_id.get(ext)
        if row is None and rec.email is not None:
            row = by_email.get(rec.email)
        if row is None or row[0] in taken:
            if rec.status == _DEPROVISIONED:
                plan.skipped_gone += 1  # gone before stackadmin ever saw it: no seat to track
                continue
            new = _merge(rec, None, person_of, now)
            values = dict(zip(FIELDS, new, strict=True))
            values["role"], values["status"], values["kind"] = (
                rec.role.value, rec.status.value, rec.kind.value)
            values["external_id"] = ext
            values["is_bot"] = rec.kind in NOT_PEOPLE
            inserts.append(values)
            plan.added += 1
            if lines is not None:
                lines.append(ChangeLine("add", _label(new, ext), tuple(
                    (name, None, new[_I[name]]) for name in _SHOWN_ON_ADD
                    if new[_I[name]] is not None)))
            continue
        acc_id = row[0]
        taken.add(acc_id)
        if acc_id not in listed_before:
            plan.listed.append(acc_id)
        old = convert(row)
        new = _merge(rec, old, person_of, now)
        bookkeeping = (row[2] != integration_id or row[3] != SOURCE or row[1] != ext)
        if new == old:
            plan.unchanged += 1
            if bookkeeping:
                updates.append({"id": acc_id, "integration_id": integration_id,
                                "source": SOURCE, "external_id": ext})
            continue
        changes = {name: [before, after] for name, before, after in zip(FIELDS, old, new,
                                                                         strict=True)
                   if before != after}
        update: dict[str, Any] = {"id": acc_id}
        if bookkeeping:
            update.update(integration_id=integration_id, source=SOURCE, external_id=ext)
        for name, (_before, after) in changes.items():
            update[name] = after.value if isinstance(after, Enum) else after
        if "kind" in changes:
            update["is_bot"] = rec.kind in NOT_PEOPLE
        updates.append(update)
        label = _label(new, ext)
        if new[_STATUS] == _DEPROVISIONED and old[_STATUS] != _DEPROVISIONED:
            plan.deprovisioned += 1
            action = "deprovision"
        else:
            plan.changed += 1
            action = "change"
        told = {k: v for k, v in changes.items() if k in AUDITED}
        if told:
            audits.append((acc_id, label, told))
        if lines is not None:
            lines.append(ChangeLine(action, label, tuple(
                (name, before, after) for name, (before, after) in changes.items())))
    _unlisted(session, plan, listed_before, taken, every, last_seen, now)
    return plan


def _unlisted(session: Session, plan: Plan, listed_before: set[int], taken: set[int],
              every: list[tuple[Any, ...]], last_seen: datetime | None, now: datetime) -> None:
    """Accounts this integration listed before and not now: deprovisioned once no other
    integration lists them."""
    gone = listed_before - taken
    plan.unlisted = sorted(gone)
    rows = {row[0]: row for row in every}
    still: dict[int, int] = {}
    if gone:
        for acc_id, other in session.execute(
                select(AccountListing.account_id, AccountListing.integration_id).where(
                    AccountListing.integration_id != plan.integration_id)):
            if acc_id in gone:
                still.setdefault(acc_id, other)
    for acc_id in plan.unlisted:
        row = rows.get(acc_id)
        if row is None:
            continue
        if acc_id in still:
            if row[2] == plan.integration_id:  # another integration speaks for it now
                plan.updates.append({"id": acc_id, "integration_id": still[acc_id]})
            continue
        if row[10] == _DEPROVISIONED:
            continue
        label = _label(row[4:], row[1] or str(acc_id))
        plan.updates.append({"id": acc_id, "status": _DEPROVISIONED,
                             "last_seen_sync": last_seen or now})
        plan.audits.append((acc_id, label, {"status": [row[10], _DEPROVISIONED]}))
        plan.gone.append(acc_id)
        plan.deprovisioned += 1
        if plan.lines is not None:
            plan.lines.append(ChangeLine("deprovision", label,
                                         (("status", row[10], _DEPROVISIONED),)))
    plan.foreign = sum(1 for row in every
                       if row[2] is None and row[0] not in taken and row[10] != _DEPROVISIONED
                       and row[0] not in listed_before)
