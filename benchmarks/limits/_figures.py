"""Per-tool costs and seat counts with the driver alone: what the utilization and finance
limits share (one pass over the terms, one grouped pass over the accounts)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from benchmarks.limits._db import HOLDS, Db, active_sql, reason_sql
from stackadmin.domain.money import Money
from stackadmin.domain.terms import TermPrice, covers
from stackadmin.domain.utilization import SeatCounts
from stackadmin.domain.vocab import PricingModel
from stackadmin.services.records import RateTable, Settings

ZERO = Decimal(0)


@dataclass
class Cost:
    seats: int = 0
    seats_known: bool = False
    per_seat_seats: int = 0
    per_seat_cost: Decimal = ZERO
    flat_terms: int = 0
    terms: int = 0
    total: Decimal = ZERO
    missing: set[str] = field(default_factory=set)

    def seat_price(self) -> Decimal | None:
        if self.missing:
            return None
        return self.per_seat_cost / self.per_seat_seats if self.per_seat_seats else ZERO


TERM_COLUMNS = ("id, tool_id, status, term_start, renewal_date, auto_renew, pricing, "
                "unit_price_minor, currency, seats, billing_months")


def in_force(db: Db, day: date, extra: str = "") -> list[tuple[Any, ...]]:
    """The terms in force on `day`: TERM_COLUMNS (dates as dates), then `extra` columns."""
    out = []
    cancels = {term: db.as_day(renewal) for term, renewal in db.rows(
        "SELECT term_id, min(renewal_date) FROM term_decision WHERE decision = 'cancel' "
        "GROUP BY term_id")}
    for row in db.rows(f"SELECT {TERM_COLUMNS}{extra} FROM subscription_term"):
        start, renewal = db.as_day(row[3]), db.as_day(row[4])
        if covers(status=row[2], term_start=start, renewal_date=renewal,
                  auto_renew=bool(row[5]), as_of=day, cancelled_at=cancels.get(row[0])):
            out.append((*row[:3], start, renewal, bool(row[5]), *row[6:]))
    return out


def costs(terms: list[tuple[Any, ...]], rates: RateTable) -> dict[int, Cost]:
    out: dict[int, Cost] = defaultdict(Cost)
    for _id, tool_id, _s, _start, _renewal, _auto, pricing, minor, currency, seats, months, \
            *_rest in terms:
        price = TermPrice(PricingModel(pricing), Money(minor, currency).amount, seats, months)
        cost = out[tool_id]
        cost.terms += 1
        cost.flat_terms += pricing == "flat"
        annual = rates.to_base(price.annual_cost, currency)
        if annual is None:
            cost.missing.add(currency)
            annual = ZERO
        cost.total += annual
        if seats is not None:
            cost.seats += seats
            cost.seats_known = True
        if pricing == "per_seat" and seats:
            cost.per_seat_seats += seats
            cost.per_seat_cost += annual
    return out


@dataclass
class Seats:
    counts: SeatCounts
    bots: int
    by_reason: dict[str, int]
    cancelling: int = 0


def vendor_counts(db: Db) -> dict[int, tuple[int | None, int | None]]:
    """Per tool: seats purchased and consumed as its integrations' last syncs report them
    (the newest report per label, summed over labels; None where none says)."""
    newest: dict[tuple[int, str], tuple[int | None, int | None]] = {}
    for tool_id, label, purchased, consumed in db.rows(
            "SELECT i.tool_id, v.label, v.purchased, v.consumed FROM vendor_seat_count v "
            "JOIN integration i ON i.id = v.integration_id WHERE i.tool_id IS NOT NULL "
            "ORDER BY v.updated_at"):
        newest[(tool_id, label)] = (purchased, consumed)

    def add(a: int | None, b: int | None) -> int | None:
        return b if a is None else a if b is None else a + b

    out: dict[int, tuple[int | None, int | None]] = {}
    for (tool_id, _label), (purchased, consumed) in newest.items():
        before = out.get(tool_id, (None, None))
        out[tool_id] = (add(before[0], purchased), add(before[1], consumed))
    return out


def seat_counts(db: Db, day: date, conf: Settings,
                tool_ids: list[int] | None = None) -> dict[int, Seats]:
    """Per tool (every tool with an account, or those of `tool_ids`): the seats counted by
    the rules, in one grouped pass."""
    reason, reason_params = reason_sql(db, day, conf.default_inactivity_days)
    active, active_params = active_sql(db, day, conf.default_inactivity_days)
    holds = HOLDS
    sql = (f"SELECT a.tool_id, {reason} AS reason, count(*), "
           f"sum(CASE WHEN {holds} THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {active} THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND a.activity_known AND NOT a.is_bot THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND NOT a.exempt AND NOT a.is_bot AND NOT a.activity_known "
           "AND a.pending_cancellation IS NULL THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND a.exempt THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND a.is_bot THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND a.pending_cancellation IS NOT NULL THEN 1 ELSE 0 END), "
           f"sum(CASE WHEN {holds} AND NOT a.activity_known AND (a.exempt OR a.is_bot "
           "OR a.pending_cancellation IS NOT NULL) THEN 1 ELSE 0 END), "
           "min(a.id) "
           "FROM account a JOIN tool t ON t.id = a.tool_id "
           "LEFT JOIN person p ON p.id = a.person_id "
           + ("" if tool_ids is None else
              f"WHERE a.tool_id IN ({', '.join('?' * len(tool_ids))}) ")
           + "GROUP BY a.tool_id, 2")
    sums: dict[int, list[int]] = {}
    reasons: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for (tool_id, why, n, held, act, known, unknown, exempt, bots, cancelling, kept,
         first) in db.rows(sql, [*reason_params, *active_params, *(tool_ids or [])]):
        row = [n, int(held), int(act), n if why else 0, int(known),
               0 if why else int(unknown), int(exempt), int(bots), int(cancelling), int(kept)]
        old = sums.get(tool_id)
        sums[tool_id] = row if old is None else [a + b for a, b in zip(old, row, strict=True)]
        if why:
            reasons[tool_id].append((first, why, n))
    return {tool_id: Seats(SeatCounts(accounts=s[0], held=s[1], active=s[2], unused=s[3],
                                      activity_known=s[4], activity_unknown=s[5],
                                      exempt=s[6], kept_unknown=s[9]), s[7],
                           {why: n for _f, why, n in sorted(reasons[tool_id])}, s[8])
            for tool_id, s in sums.items()}
