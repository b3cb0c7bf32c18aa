"""The seat rules of `stackadmin.domain.utilization` as SQL over the account tables: the
database classifies and counts 100,000 seats, Python never loads them to count.

Each expression states the rule of the domain function it is named after, in the same order:
`holds_seat`, `person_departed`, `may_be_unused` (the one gate before any reason: a new
exclusion is one condition there), `reason_on` (departed, suspended, pending invitation, never
active, inactive), `is_active` and `activity_unknown`. No date arithmetic happens in SQL: a
seat idle for more than T days is one whose timestamp is before midnight UTC of
`idle_before(today, T)`, computed in Python once per threshold, so the same statement runs on
SQLite (ISO text) and PostgreSQL (timestamptz). tests/store/test_seat_rules.py checks on
random seats, on both engines, that these expressions and the domain functions agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import chain
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    not_,
    null,
    select,
)
from sqlalchemy.orm import Session

from stackadmin.domain.utilization import SeatCounts, UnusedReason, activity_judged, idle_before
from stackadmin.domain.vocab import SEAT_HOLDING, AccountStatus, PersonStatus
from stackadmin.store.models import Account, Person, Tool
from stackadmin.store.types import UTCDateTime

_Ts = TypeVarTuple("_Ts")
# The tables' own columns, not the models' attributes: a statement made of ORM attributes
# has the ORM configure every mapper first (~40 ms of a command or of the reminder check),
# and a count needs none of it. A, P, T: account, person, tool.
_ACCOUNT, _PERSON, _TOOL = Account.__table__, Person.__table__, Tool.__table__
A, P, T = _ACCOUNT.c, _PERSON.c, _TOOL.c
REASONS: tuple[str, ...] = tuple(r.value for r in UnusedReason)
_HOLDING = [s.value for s in SEAT_HOLDING]


def flag(condition: ColumnElement[Any]) -> ColumnElement[int]:
    """1 or 0, never NULL: a comparison with a NULL column counts as false, as in Python."""
    return case((condition, 1), else_=0)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class SeatRules:
    """The rules as expressions over `Account` joined to its `Tool` and (outer) `Person`,
    as of one day. Build with `seat_rules`; select from `seat_source()`."""

    day: date
    holds: ColumnElement[Any]
    departed: ColumnElement[Any]
    may_be_unused: ColumnElement[Any]
    reason: ColumnElement[Any]  # an UnusedReason value, or NULL
    active: ColumnElement[Any]

    @property
    def activity_unknown(self) -> ColumnElement[Any]:
        """Neither active nor unused because the source reports no activity."""
        return and_(self.may_be_unused, not_(A.activity_known), self.reason.is_(None))

    @property
    def kept_unknown(self) -> ColumnElement[Any]:
        """A held seat kept out of the rules (exempt, a bot's, being cancelled) whose source
        reports no activity (`SeatCounts.kept_unknown`)."""
        return and_(self.holds, not_(self.may_be_unused), not_(A.activity_known))


def person_departed(day: date) -> ColumnElement[Any]:
    """`person_departed` over `Person` (outer-joined): the end date decides when there is
    one, else the departed status; a seat matched to nobody has not departed (never NULL,
    so that NOT works as in Python)."""
    return case((P.end_date.is_not(None), P.end_date <= day),
                else_=func.coalesce(P.status, "") == PersonStatus.DEPARTED.value)


def seat_rules(day: date, default_days: int, thresholds: Iterable[int]) -> SeatRules:
    """The rules as of `day`. `thresholds`: every inactivity threshold the tools use (their
    own, or `default_days`): `thresholds_in_use` reads them."""
    wanted = sorted(set(thresholds) | {default_days})
    cutoffs = {t: literal(_midnight(idle_before(day, t)), UTCDateTime()) for t in wanted}
    if len(cutoffs) == 1:
        cutoff: ColumnElement[Any] = cutoffs[wanted[0]]
    else:
        cutoff = case(cutoffs, value=func.coalesce(T.inactivity_days, default_days))
    status, last = A.status, A.last_activity
    # `holds_seat`: a seat-holding status, unless the vendor says it does not bill it (NULL:
    # not said, a seat like any other).
    holds = and_(status.in_(_HOLDING), A.billable.is_not(False))
    departed = person_departed(day)
    may_be_unused = and_(holds, not_(A.exempt), not_(A.is_bot),
                         A.pending_cancellation.is_(None))
    reason = case(
        (not_(may_be_unused), null()),
        (departed, UnusedReason.DEPARTED.value),
        (status == AccountStatus.SUSPENDED.value, UnusedReason.SUSPENDED.value),
        (and_(status == AccountStatus.INVITED.value, last.is_(None),
              func.coalesce(A.invited_at, A.first_seen) < cutoff),
         UnusedReason.PENDING_INVITE.value),
        (not_(A.activity_known), null()),
        (last.is_(None), case((A.first_seen < cutoff, UnusedReason.NEVER_ACTIVE.value),
                              else_=null())),
        (last < cutoff, UnusedReason.INACTIVE.value),
        else_=null())
    active = and_(holds, status != AccountStatus.SUSPENDED.value, not_(departed),
                  A.activity_known, last.is_not(None), last >= cutoff)
    return SeatRules(day, holds, departed, may_be_unused, reason, active)


def seat_source(query: Select[*_Ts]) -> Select[*_Ts]:
    """`query` reading accounts with the joins the rules need."""
    return (query.select_from(_ACCOUNT)
            .join(_TOOL, T.id == A.tool_id)
            .outerjoin(_PERSON, P.id == A.person_id))


def thresholds_in_use(session: Session, default_days: int) -> set[int]:
    return set(session.scalars(
        select(func.coalesce(T.inactivity_days, default_days)).distinct()))


def codepoint(expr: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Text sorted by code point, as Python sorts it: SQLite's default; PostgreSQL's
    database collation (en_US and the like) orders punctuation otherwise."""
    return expr.collate("C") if dialect == "postgresql" else expr


@dataclass(frozen=True, slots=True)
class ToolSeats:
    """One tool's seats as the rules count them."""

    counts: SeatCounts
    bots: int  # seats held by bots
    cancelling: int  # held seats the vendor is cancelling (never unused)
    unused_by_reason: dict[str, int]  # in the order the reasons first occur by account id


def count_seats(session: Session, rules: SeatRules,
                tool_ids: Iterable[int] | None = None) -> dict[int, ToolSeats]:
    """Every tool with an account recorded (or those of `tool_ids`), counted in one pass.

    Grouped by tool and reason: the reason is then worked out once per account (an
    expression used by several sums would be worked out once per sum), and the rest of the
    counting is a few hundred groups added up here. SQLite groups by sorting, and one
    statement over a million accounts sorted on disk: there each tool is one statement (its
    rows from the index, sorted in memory); PostgreSQL hashes the groups of one."""
    query = seat_source(select(
        A.tool_id, rules.reason, func.count(), func.sum(flag(rules.holds)),
        func.sum(flag(rules.active)),
        func.sum(flag(and_(rules.holds, A.activity_known, not_(A.is_bot)))),
        # activity_unknown when the group's reason is NULL (may be unused, not known)
        func.sum(flag(and_(rules.may_be_unused, not_(A.activity_known)))),
        func.sum(flag(and_(rules.holds, A.exempt))),
        func.sum(flag(and_(rules.holds, A.is_bot))),
        func.sum(flag(and_(rules.holds, A.pending_cancellation.is_not(None)))),
        func.sum(flag(rules.kept_unknown)),
        func.min(A.id),
    )).group_by(A.tool_id, rules.reason)
    conn = session.connection()
    rows: Iterable[Any]
    if conn.dialect.name == "sqlite":
        ids = (sorted(set(tool_ids)) if tool_ids is not None
               else list(conn.scalars(select(T.id).order_by(T.id))))
        one = query.where(A.tool_id == bindparam("tool"))
        rows = chain.from_iterable(conn.execute(one, {"tool": t}) for t in ids)
    else:
        if tool_ids is not None:
            query = query.where(A.tool_id.in_(sorted(set(tool_ids))))
        rows = conn.execute(query)
    totals: dict[int, list[int]] = {}
    reasons: dict[int, list[tuple[int, str, int]]] = {}
    for (tool_id, reason, accounts, held, active, known, open_unknown, exempt, bots,
         cancelling, kept_unknown, first) in rows:
        # accounts, held, active, unused, activity known, activity unknown, exempt, bots,
        # cancelling, kept out of the rules with activity unknown
        group = (accounts, held, active, accounts if reason is not None else 0, known,
                 open_unknown if reason is None else 0, exempt, bots, cancelling,
                 kept_unknown)
        sums = totals.get(tool_id)
        totals[tool_id] = [int(v) for v in group] if sums is None else [
            a + int(b) for a, b in zip(sums, group, strict=True)]
        if reason is not None:
            reasons.setdefault(tool_id, []).append((first, reason, accounts))
    out: dict[int, ToolSeats] = {}
    for tool_id, sums in totals.items():
        (accounts, held, active, unused, known, unknown, exempt, bots, cancelling,
         kept_unknown) = sums
        out[tool_id] = ToolSeats(
            SeatCounts(accounts=accounts, held=held, active=active, unused=unused,
                       activity_known=known, activity_unknown=unknown, exempt=exempt,
                       kept_unknown=kept_unknown),
            bots, cancelling,
            {reason: n for _first, reason, n in sorted(reasons.get(tool_id, []))})
    return out


def count_active(session: Session, rules: SeatRules,
                 tool_ids: Iterable[int] | None = None) -> dict[int, int | None]:
    """Active seats per tool with an account recorded (or of `tool_ids`): None when activity
    is unknown (`activity_judged`). Lighter than `count_seats` (no reasons to count, grouped
    by tool alone): what the reminder panel needs for the few tools due."""
    query = seat_source(select(
        A.tool_id, func.sum(flag(rules.active)),
        func.max(flag(and_(rules.holds, A.activity_known, not_(A.is_bot)))),
        func.max(flag(rules.activity_unknown)), func.max(flag(rules.kept_unknown)),
    )).group_by(A.tool_id)
    if tool_ids is not None:
        query = query.where(A.tool_id.in_(sorted(set(tool_ids))))
    return {tool_id: int(active) if activity_judged(
                SeatCounts(activity_known=int(known), activity_unknown=int(unknown),
                           kept_unknown=int(kept)))
            else None
            for tool_id, active, known, unknown, kept in session.execute(query)}
