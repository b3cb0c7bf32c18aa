"""Seats one by one, classified by the database (store/seat_rules.py): every seat (the Seats
page), the unused ones (`stackadmin unused`, the Savings page), the first screenful, and the
seats export streamed row by row, never all in memory."""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from itertools import islice
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.utilization import UnusedReason, active_after_leaving, days_inactive
from stackadmin.services.context import ServiceContext
from stackadmin.services.seats.basis import Basis, SeatStatus, read_basis
from stackadmin.store.models import Integration
from stackadmin.store.seat_rules import A, P, codepoint, flag, seat_source
from stackadmin.store.types import Moments

_INTEGRATION = Integration.__table__
I = _INTEGRATION.c  # noqa: E741 (the table letter, as A, P and T)
# What a seat's data came from when no integration says it (the account's `source`).
_SOURCES = {"csv": "CSV import", "manual": "typed in", "demo": "demo data",
            "scim": "demo data", "sync": "a removed integration"}

# Rows fetched at a time by the seats export (PostgreSQL: a server-side cursor per tool), so
# its memory stays the same however many seats a tool has.
STREAM_BATCH = 5000
# PostgreSQL: tools read by one statement (see seat_rows).
PG_TOOLS_PER_STATEMENT = 64


class Order(Enum):
    """How a list of seats is ordered."""

    NAME = "name"  # tool name (casefold, then tool id), then account id: the Seats page
    EMAIL = "email"  # tool name (lower-case), then email, then account id: lists and exports


def _raw(column: Any) -> Any:
    return type_coerce(column, String)


@dataclass(frozen=True, slots=True)
class Which:
    """Which seats to read (every account by default): conditions the database applies."""

    unused: bool = False  # only seats with an unused reason
    or_exempt: bool = False  # with `unused`: and the seats held by exempt accounts
    active: bool = False  # only active seats
    tool_ids: tuple[int, ...] | None = None
    person_id: int | None = None


EVERY = Which()


def seat_query(basis: Basis, which: Which = EVERY) -> Select[Any]:
    """Each account `which` selects, with its classification: the columns `statuses`
    reads. Unordered and for every tool: `seat_rows` reads it tool by tool, in order."""
    rules = basis.rules
    query = seat_source(select(
        A.id, A.tool_id, A.person_id, P.name, A.email,
        A.role, A.status, _raw(A.last_activity), A.activity_known,
        rules.reason, flag(rules.active), flag(rules.holds), A.is_bot, A.exempt,
        A.exempt_reason, A.exempt_by, A.display_name, P.end_date,
        flag(rules.departed), A.pending_cancellation, A.billable, A.source, I.name,
        _raw(I.last_success_at), _raw(A.last_seen_sync), A.kind)
    ).outerjoin(_INTEGRATION, I.id == A.integration_id)
    if which.person_id is not None:
        query = query.where(A.person_id == which.person_id)
    if which.unused and which.or_exempt:
        query = query.where(or_(rules.reason.is_not(None), and_(rules.holds, A.exempt)))
    elif which.unused:
        query = query.where(rules.reason.is_not(None))
    if which.active:
        query = query.where(rules.active)
    return query


def _tool_groups(basis: Basis, which: Which, order: Order) -> list[list[int]]:
    """The tools to read, in order: one group per place in the order (tools whose
    lower-case names are equal share one when ordered by email: their seats interleave)."""
    wanted = None if which.tool_ids is None else set(which.tool_ids)
    ranks = (basis.ranks(str.casefold) if order is Order.NAME
             else basis.ranks(str.lower, ties=True))
    groups: dict[int, list[int]] = {}
    for tool_id, n in ranks:
        if wanted is None or tool_id in wanted:
            groups.setdefault(n, []).append(tool_id)
    return [groups[n] for n in sorted(groups)]


def seat_rows(conn: Connection, basis: Basis, query: Select[Any], which: Which = EVERY,
              order: Order = Order.NAME, *, per_tool: int | None = None
              ) -> Generator[Any, None, None]:
    """The rows of `query` (a `seat_query`, or its columns narrowed) in order, read tool by
    tool: each tool's rows come from its index in account order (by email: a sort of one
    tool's rows), where one statement for every seat made the database sort a million
    rows on disk. `per_tool`: at most that many rows of each tool (a first screen). A
    person's few seats are one statement, by tool name and account id whatever `order`."""
    if which.person_id is not None:
        rank = dict(basis.ranks(str.casefold))
        yield from sorted((r for r in conn.execute(query) if r.tool_id in rank),
                          key=lambda r: (rank[r.tool_id], r.id))
        return
    within = ((codepoint(func.coalesce(A.email, ""), basis.dialect), A.id)
              if order is Order.EMAIL else (A.id,))
    groups = _tool_groups(basis, which, order)
    if basis.dialect == "postgresql" and per_tool is None:
        # Each statement is a round trip to the server (~1 ms, 300 tools: a third of
        # `unused`): a batch of tools a statement, in their order by a CASE of their places.
        for start in range(0, len(groups), PG_TOOLS_PER_STATEMENT):
            batch = groups[start:start + PG_TOOLS_PER_STATEMENT]
            place = {tool_id: n for n, group in enumerate(batch) for tool_id in group}
            yield from conn.execute(query.where(A.tool_id.in_(list(place))).order_by(
                case(place, value=A.tool_id), *within))
        return
    by_tool = query.where(A.tool_id.in_(bindparam("tools", expanding=True))).order_by(*within)
    if per_tool is not None:
        by_tool = by_tool.limit(per_tool)
    for tools in groups:
        yield from conn.execute(by_tool, {"tools": tools})


def active_people(ctx: ServiceContext, basis: Basis, tool_ids: Iterable[int]
                  ) -> list[tuple[int, int, int | None, str | None, str | None, str | None]]:
    """The active seats of these tools as (tool id, account id, person id, person's name,
    email, display name): who uses what, without building a SeatStatus per seat."""
    wanted = sorted(set(tool_ids))
    if not wanted:
        return []
    query = seat_source(select(A.tool_id, A.id, A.person_id, P.name,
                               A.email, A.display_name)
                        ).where(A.tool_id.in_(wanted), basis.rules.active)
    with ctx.read() as session:
        return [(t, a, p, n, e, d) for t, a, p, n, e, d in session.connection().execute(query)]


def _text(value: str | None) -> str | None:
    # 100,000 rows repeat a few thousand names, emails and roles: one string object each.
    return None if value is None else sys.intern(value)


def statuses(rows: Iterable[Any], basis: Basis) -> Iterator[SeatStatus]:
    """The rows of `seat_query` as SeatStatus objects."""
    moment = Moments()
    names = {i: t.name for i, t in basis.tools.items()}
    prices = basis.prices()
    day = basis.day
    reasons: dict[str | None, UnusedReason | None] = {r.value: r for r in UnusedReason}
    reasons[None] = None
    text, intern, sources = _text, sys.intern, _SOURCES
    for (acc_id, tool_id, person_id, person, email, role, status, raw_last, known, reason,
         active, holds, bot, exempt, exempt_reason, exempt_by, display, p_end,
         departed, pending, billable, source, integration, raw_synced, raw_seen, kind) in rows:
        last = moment(raw_last)
        yield SeatStatus(
            acc_id, tool_id, names[tool_id], person_id, text(person), text(email), intern(role),
            intern(status), last, known, days_inactive(last, day),
            holds == 1, active == 1, reasons[reason], bot, exempt, exempt_reason,
            prices[tool_id], exempt_by, text(display), p_end,
            departed == 1 and known and active_after_leaving(p_end, last), pending, billable,
            text(integration) or sources.get(source, source or ""),
            moment(raw_synced) if integration else moment(raw_seen), intern(kind or "user"))


def load_seats(ctx: ServiceContext, basis: Basis, which: Which = EVERY, *,
               order: Order = Order.NAME) -> list[SeatStatus]:
    with ctx.read() as session:
        # Core rows through the connection: ORM-enabled results cost a third more per row.
        rows = seat_rows(session.connection(), basis, seat_query(basis, which), which, order)
        return list(statuses(rows, basis))


@dataclass(frozen=True, slots=True)
class SeatList:
    """Seats as of a date, with what their costs are in."""

    as_of: date
    base_currency: str
    seats: list[SeatStatus]
    missing_rates: tuple[str, ...] = ()

    def money(self, amount: Decimal | None) -> Money | None:
        return None if amount is None else Money.rounded(amount, self.base_currency)


def unused_seats(ctx: ServiceContext, as_of: date | None = None,
                 tool: str | None = None) -> SeatList:
    """The unused seats as of a date (today by default), of every tool or one (by name, any
    case), by tool name, email and account id."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        basis = read_basis(session, day, tool)
        which = Which(unused=True)
        rows = seat_rows(session.connection(), basis, seat_query(basis, which), which,
                         Order.EMAIL)
        seats = list(statuses(rows, basis))
    return SeatList(day, basis.base_currency, seats, basis.missing_rates)


@dataclass(frozen=True, slots=True)
class UnusedValues:
    """The unused seats as plain values, streamed from an open read (`unused_values`)."""

    as_of: date
    base_currency: str
    missing_rates: tuple[str, ...]
    # (tool, email, person, reason, last activity ISO text, days inactive, annual cost of
    # the seat in the base currency, account id, tool id, person id, display name, status,
    # role, activity known): by tool, email and account id.
    rows: Iterator[tuple[Any, ...]]


@contextmanager
def unused_values(ctx: ServiceContext, as_of: date | None = None,
                  tool: str | None = None) -> Iterator[UnusedValues]:
    """What `unused_seats` gives, as the plain values a report writes, read while the
    caller writes them: only the columns written, no SeatStatus built per seat, nothing
    held but the batch in hand (30,000 unused seats of the large demo; a million seats'
    worth on the huge one). NotFoundError for an unknown tool, before any row."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        basis = read_basis(session, day, tool)
        yield UnusedValues(day, basis.base_currency, basis.missing_rates,
                           _unused_rows(session, basis))


def _unused_rows(session: Session, basis: Basis) -> Iterator[tuple[Any, ...]]:
    names = {i: t.name for i, t in basis.tools.items()}
    prices = basis.prices()
    day = basis.day
    moment = Moments()
    shown: dict[Any, tuple[str | None, int | None]] = {}
    reason = basis.rules.reason
    query = seat_source(select(
        A.id, A.tool_id, A.person_id, P.name, A.email, A.role, A.status,
        _raw(A.last_activity), A.activity_known, reason, A.display_name,
    )).where(reason.is_not(None)).execution_options(yield_per=STREAM_BATCH)
    rows = seat_rows(session.connection(), basis, query, Which(unused=True), Order.EMAIL)
    for (acc_id, tool_id, person_id, person, email, role, status, raw_last, known, why,
         display) in rows:
        last = shown.get(raw_last)
        if last is None:  # as `statuses` reads it
            when = moment(raw_last)
            last = shown[raw_last] = (None if when is None else when.isoformat(),
                                      days_inactive(when, day))
        yield (names[tool_id], email, person, why, last[0], last[1], prices[tool_id], acc_id,
               tool_id, person_id, display, status, role, known)


def first_seats(ctx: ServiceContext, limit: int, as_of: date | None = None) -> SeatList:
    """The first `limit` seats in the Seats page's order (tool name, account id): read tool
    by tool, so the first screen never waits for every seat to be read and sorted."""
    day = as_of or ctx.today()
    seats: list[SeatStatus] = []
    with ctx.read() as session:
        basis = read_basis(session, day)
        # No tool gives more than `limit` rows, and reading stops once `limit` are read.
        rows = seat_rows(session.connection(), basis, seat_query(basis), per_tool=limit)
        with closing(rows):
            seats.extend(islice(statuses(rows, basis), limit))
    return SeatList(day, basis.base_currency, seats, basis.missing_rates)


def _moment_text(raw: Any, cache: dict[Any, str | None], moment: Moments) -> str | None:
    text = cache.get(raw)
    if text is None:
        value = moment(raw)
        text = cache[raw] = None if value is None else value.strftime("%Y-%m-%d %H:%M:%S")
    return text


def export_rows(session: Session, basis: Basis) -> Iterator[tuple[Any, ...]]:
    """Every account as the seats export's cells (tool, person or else the account's display
    name, email, role, status, last activity in UTC or 'unknown', unused reason, annual cost
    of a held seat in the base currency), by tool, email and account id, streamed from the
    database."""
    base = basis.base_currency
    costs = {i: None if p is None else Money.rounded(p, base).amount
             for i, p in basis.prices().items()}
    names = {i: t.name for i, t in basis.tools.items()}
    moment = Moments()
    shown: dict[Any, str | None] = {}
    rules = basis.rules
    # Only the columns written, read as the driver gives them (no per-row conversion).
    # The person's name, else the account's own display name: the accounts import reads
    # the file back unchanged.
    person = func.coalesce(func.nullif(P.name, ""), A.display_name)
    query = seat_source(select(
        A.tool_id, person, A.email, A.role, A.status,
        _raw(A.last_activity), type_coerce(A.activity_known, Integer),
        rules.reason, flag(rules.holds))).execution_options(yield_per=STREAM_BATCH)
    for (tool_id, person, email, role, status, raw_last, known, reason,
         holds) in seat_rows(session.connection(), basis, query, order=Order.EMAIL):
        yield (names[tool_id], person, email, role, status,
               ((None if raw_last is None else _moment_text(raw_last, shown, moment))
                if known else "unknown"),
               reason, costs[tool_id] if holds == 1 else None)
