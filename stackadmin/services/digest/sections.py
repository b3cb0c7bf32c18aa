"""The digest's sections, each a small function of a `Source` that returns a `Section` (or
None when it has nothing to say). `SECTIONS` lists them in the order the e-mail shows them;
adding one is a function and a line there:

    def stale_terms(src: Source) -> Section | None:
        rows = terms_without_owner(src.ctx)
        if not rows:
            return None
        return Section("owners", "Terms without an owner", plural(len(rows), "term"),
                       [Item(r.tool, link=link("renewals", term_id=r.id)) for r in rows])

Figures are in the base currency, dates in ISO form (2027-03-02)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from sqlalchemy import select

from stackadmin.domain.links import SCHEME
from stackadmin.domain.money import Money
from stackadmin.domain.requests import OPEN, RequestStatus, Urgency
from stackadmin.domain.utilization import UnusedReason
from stackadmin.domain.vocab import SyncStatus
from stackadmin.services.buying import requests
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals import listing
from stackadmin.services.running import connections
from stackadmin.services.seats import utilization
from stackadmin.services.seats.utilization import UtilizationReport
from stackadmin.store.models import Integration, Person, SyncRun, Tool

RENEWAL_WINDOW_DAYS = 30
LISTED = 10  # items listed per section before "and N more"
LINK_SCHEME = SCHEME  # stackadmin.domain.links reads them back


def link(page: str, **target: int | str) -> str:
    """A link that opens the app on a page (and a row), where the desktop has a handler for
    stackadmin:// links: stackadmin://renewals?term_id=4."""
    query = f"?{urlencode(target)}" if target else ""
    return f"{LINK_SCHEME}://{page}{query}"


def money(amount: Decimal | None, currency: str) -> str:
    """'12,345.00 USD' (rounded once, here); 'unknown' when a rate is missing."""
    if amount is None:
        return "unknown"
    rounded = Money.rounded(amount, currency)
    return f"{rounded.amount:,} {currency}"


@dataclass(frozen=True, slots=True)
class Item:
    text: str
    detail: str = ""
    link: str | None = None
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    summary: str  # one line: what the section counts
    items: list[Item]
    note: str = ""  # a total or a caveat under the items
    more: int = 0  # items left out after LISTED


@dataclass
class Source:
    """What the sections read: the database as of a day, and the period since the last
    digest. The utilization report is computed once, for the sections that need it."""

    ctx: ServiceContext
    as_of: date
    base_currency: str
    since: date  # the start of the period the digest covers (failed syncs)

    @cached_property
    def report(self) -> UtilizationReport:
        return utilization.compute(self.ctx, self.as_of)


def _listed(items: list[Item]) -> tuple[list[Item], int]:
    return items[:LISTED], max(len(items) - LISTED, 0)


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 seat', '3 seats', '1 person', '2 people'."""
    return f"{n:,} {one if n == 1 else many or one + 's'}"


def _days(n: int) -> str:
    if n == 0:
        return "today"
    if n > 0:
        return "tomorrow" if n == 1 else f"in {n} days"
    return "yesterday" if n == -1 else f"{-n} days ago"


# -- the sections -----------------------------------------------------------------------
def renewals(src: Source) -> Section | None:
    """Cancel-by dates within 30 days, and missed ones still undecided."""
    rows = listing.list_renewals(src.ctx, as_of=src.as_of, within_days=RENEWAL_WINDOW_DAYS,
                                 with_seats=False)
    if not rows:
        return None
    missed = [r for r in rows if r.days_left < 0]
    items = []
    for r in rows:
        name = f"{r.tool} {r.plan}".strip()
        when = (f"cancel-by date {r.cancel_by.isoformat()} MISSED ({_days(r.days_left)})"
                if r.days_left < 0 else
                f"cancel by {r.cancel_by.isoformat()} ({_days(r.days_left)})")
        cost = (money(r.annual_cost_base.amount, r.base_currency) if r.annual_cost_base
                else f"{r.annual_cost} (no {r.base_currency} rate)")
        decision = "undecided" if not r.decided else f"decided: {r.decision.value}"
        owner = f" · owner {r.owner}" if r.owner else " · no owner"
        items.append(Item(f"{name}: {when}",
                          f"renews {r.renewal_date.isoformat()} · {cost} a year · "
                          f"{decision}{owner}",
                          link("renewals", term_id=r.term_id),
                          urgent=r.days_left < 0 or (not r.decided and r.days_left <= 7)))
    shown, more = _listed(items)
    due = len(rows) - len(missed)
    parts = ([f"{due} cancel-by date{'s' if due > 1 else ''} within {RENEWAL_WINDOW_DAYS} days"]
             if due else [])
    if missed:
        parts.append(f"{len(missed)} missed")
    summary = ", ".join(parts)
    return Section("renewals", "Renewals to decide", summary, shown, more=more)


def unused_seats(src: Source) -> Section | None:
    """Tools with unused or unassigned seats, the largest savings first, and the total."""
    report = src.report
    tools = [t for t in report.tools if t.seats_unused + (t.seats_unassigned or 0) > 0]
    if not tools:
        return None
    tools.sort(key=lambda t: (-(t.potential_savings_base or Decimal(0)), t.tool.lower()))
    items = []
    for t in tools:
        parts = [f"{t.seats_unused:,} unused"]
        if t.seats_unassigned:
            parts.append(f"{t.seats_unassigned:,} unassigned")
        saving = (f"saves {money(t.potential_savings_base, report.base_currency)} a year"
                  if t.potential_savings_base else
                  "flat fee: no saving per seat" if t.potential_savings_base is not None
                  else f"no rate for {', '.join(t.missing_rates)}")
        items.append(Item(f"{t.tool}: {', '.join(parts)} of {t.seats_purchased:,} purchased",
                          saving, link("savings", tool_id=t.tool_id)))
    shown, more = _listed(items)
    seats = sum(t.seats_unused for t in tools)
    spare = sum(t.seats_unassigned or 0 for t in tools)
    note = f"Potential savings: {money(report.total_savings_base, report.base_currency)} a year"
    if report.missing_rates:
        note += (f" (tools priced in {', '.join(report.missing_rates)} are left out: "
                 "no exchange rate)")
    counted = f"{seats:,} unused" + (f" and {spare:,} unassigned" if spare else "")
    return Section("unused", "Unused seats",
                   f"{counted} seat{'' if seats + spare == 1 else 's'} in "
                   f"{plural(len(tools), 'tool')}",
                   shown, note, more)


def failed_syncs(src: Source) -> Section | None:
    """Vendor syncs that failed since the last digest (their last error, first line)."""
    since = datetime.combine(src.since, time(0), tzinfo=UTC)
    with src.ctx.read() as session:
        rows = session.execute(
            select(SyncRun.id, SyncRun.started_at, SyncRun.error, Integration.id,
                   Integration.name, Tool.name)
            .join(Integration, Integration.id == SyncRun.integration_id)
            .outerjoin(Tool, Tool.id == Integration.tool_id)
            .where(SyncRun.status == SyncStatus.FAILED.value, SyncRun.started_at >= since)
            .order_by(SyncRun.started_at.desc())).all()
    if not rows:
        return None
    latest: dict[int, list[tuple[datetime, str | None, str, str | None]]] = defaultdict(list)
    for _run, at, message, integration_id, integration, tool_name in rows:
        latest[integration_id].append((at, message, integration, tool_name))
    items = []
    for runs in latest.values():
        started, error, name, tool = runs[0]
        first = ((error or "").strip() or "no error recorded").splitlines()[0][:200]
        times = f" ({len(runs)} failed runs)" if len(runs) > 1 else ""
        items.append(Item(f"{name}{f' ({tool})' if tool and tool != name else ''}: failed "
                          f"{started.date().isoformat()}{times}", first,
                          link("integrations"), urgent=True))
    shown, more = _listed(items)
    return Section("syncs", "Failed syncs",
                   f"{plural(len(rows), 'failed run')} of "
                   f"{plural(len(latest), 'integration')} since "
                   f"{src.since.isoformat()}", shown, more=more)


def connection_health(src: Source) -> Section | None:
    """Connections broken now, and those not verified for the set number of days."""
    health = connections.health(src.ctx, src.as_of)
    if not health.broken and not health.unverified:
        return None
    items = []
    for r in health.broken:
        incidents = (f" · {r.open_incidents} open incident{'s' if r.open_incidents > 1 else ''}"
                     if r.open_incidents else "")
        items.append(Item(f"BROKEN: {r.from_tool} → {r.to_tool}: {r.what}",
                          f"{r.method} · owner {r.owner or 'nobody'}{incidents}",
                          link("connections", connection_id=r.id), urgent=True))
    for r in health.unverified:
        since = r.verified_since()
        verified = ("never verified, added " if r.last_verified is None
                    else "last verified ") + since.isoformat()
        items.append(Item(f"{r.from_tool} → {r.to_tool}: {r.what}",
                          f"{verified} ({(src.as_of - since).days} days) · {r.status} · "
                          f"owner {r.owner or 'nobody'}",
                          link("connections", connection_id=r.id)))
    shown, more = _listed(items)
    return Section("connections", "Connections",
                   f"{len(health.broken)} broken, {len(health.unverified)} not verified for "
                   f"{health.days} days", shown, more=more)


def departed_with_seats(src: Source) -> Section | None:
    """People who left and still hold seats, with what those seats cost a year."""
    report = src.report
    seats = [s for s in report.unused if s.reason is UnusedReason.DEPARTED and s.person_id]
    if not seats:
        return None
    by_person: dict[int, list[utilization.SeatStatus]] = defaultdict(list)
    for s in seats:
        by_person[s.person_id or 0].append(s)
    with src.ctx.read() as session:
        people = {pid: (name, email, end) for pid, name, email, end in session.execute(
            select(Person.id, Person.name, Person.email, Person.end_date)
            .where(Person.id.in_(list(by_person))))}
    items = []
    for pid, held in sorted(by_person.items(),
                            key=lambda kv: (people[kv[0]][2] or date.min, people[kv[0]][0])):
        name, email, end = people[pid]
        cost = sum((s.annual_cost_base or Decimal(0) for s in held), Decimal(0))
        left = f"left {end.isoformat()}" if end else "left"
        tools = ", ".join(sorted({s.tool for s in held}, key=str.lower))
        items.append(Item(f"{name or email} ({email}), {left}",
                          f"still holds {len(held)} seat{'s' if len(held) > 1 else ''}: "
                          f"{tools} · {money(cost, report.base_currency)} a year",
                          link("person", person_id=pid), urgent=True))
    shown, more = _listed(items)
    return Section("departed", "People who left and still hold seats",
                   f"{plural(len(items), 'person', 'people')} "
                   f"{'holds' if len(items) == 1 else 'hold'} {plural(len(seats), 'seat')}",
                   shown, more=more)


def open_requests(src: Source) -> Section | None:
    """Requests still open (new, triaged, evaluating, approved), the most urgent and then
    the oldest first, each with how long it has waited and what is already paid for that
    answers it (a request answered by a tool bought already is money not spent)."""
    rows = requests.list_requests(src.ctx, statuses=[s.value for s in OPEN], as_of=src.as_of)
    if not rows:
        return None
    rank = {Urgency.HIGH.value: 0, Urgency.NORMAL.value: 1, Urgency.LOW.value: 2}
    rows.sort(key=lambda r: (rank.get(r.urgency, 1), r.created_at, r.id))
    items = []
    for r in rows:
        waited = max((src.as_of - r.created_at.date()).days, 0)
        who = r.requested_by_name or r.requested_by
        parts = [f"asked by {who} on {r.created_at.date().isoformat()} ({_days(-waited)})",
                 f"{r.urgency} urgency"]
        if r.already_paid:
            parts.append("already paid for: " + ", ".join(p.tool for p in r.already_paid))
        wanted = f" ({r.tool_name})" if r.tool_name else ""
        items.append(Item(f"{r.title}{wanted}: {r.status}", " · ".join(parts),
                          link("requests", request_id=r.id),
                          urgent=r.urgency == Urgency.HIGH.value))
    shown, more = _listed(items)
    counts = {s: sum(1 for r in rows if r.status == s.value) for s in RequestStatus if s in OPEN}
    by_status = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
    answered = sum(1 for r in rows if r.already_paid)
    note = (f"{plural(answered, 'request')} may be answered by a tool already paid for"
            if answered else "")
    return Section("requests", "Open requests",
                   f"{plural(len(rows), 'open request')}: {by_status}", shown, note, more)


SECTIONS: list[Callable[[Source], Section | None]] = [
    renewals,
    unused_seats,
    failed_syncs,
    connection_health,
    departed_with_seats,
    open_requests,
]


def period_start(as_of: date, frequency_days: int, last_sent: date | None) -> date:
    """The first day the digest covers: the day of the last one sent, else one period back."""
    if last_sent is not None and last_sent < as_of:
        return last_sent
    return as_of - timedelta(days=frequency_days)
