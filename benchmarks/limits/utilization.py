"""Limit of `stackadmin utilization --json`: every tool's figures."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

from benchmarks.limits._db import Db, arguments
from benchmarks.limits._figures import ZERO, Cost, Seats, costs, in_force, seat_counts
from stackadmin.domain import utilization as rules
from stackadmin.domain.money import Money
from stackadmin.domain.utilization import SeatCounts

PCT = Decimal("0.1")


def main() -> None:
    args = arguments(__doc__, json=True)
    db = Db(args.db)
    day = args.as_of
    conf = db.settings()
    base = conf.base_currency
    cost_of = costs(in_force(db, day), db.rates(day, base))
    seats_of = seat_counts(db, day, conf)

    def money(amount: Decimal | None) -> str | None:
        return None if amount is None else Money.rounded(amount, base).plain()

    out: list[dict[str, Any]] = []
    missing_all: set[str] = set()
    for tool_id, name, days in sorted(db.rows("SELECT id, name, inactivity_days FROM tool"),
                                      key=lambda r: r[1].lower()):
        cost = cost_of.get(tool_id, Cost())
        seats = seats_of.get(tool_id, Seats(SeatCounts(), 0, {}))
        counts, purchased = seats.counts, cost.seats
        missing = sorted(cost.missing)
        missing_all.update(missing)
        total = None if missing else cost.total
        price = cost.seat_price() if tool_id in cost_of else None
        saving_seats = rules.savings_seats(purchased, counts)
        pct = rules.utilization_pct(purchased, counts)
        out.append({
            "tool": name, "seats_purchased": purchased,
            "seats_held": counts.held if rules.has_seat_data(counts) else None,
            "seats_active": counts.active, "seats_unused": counts.unused,
            "seats_unassigned": rules.seats_unassigned(purchased, counts),
            "utilization_pct": None if pct is None else float(pct.quantize(PCT)),
            "annual_cost_base": money(total),
            "potential_savings_base": money(
                None if saving_seats is None or (price is None and missing)
                else saving_seats * (price or ZERO)),
            "recommended_seats": rules.recommended_seats(counts, conf.headroom_pct),
            "base_currency": base, "tool_id": tool_id,
            "threshold_days": days or conf.default_inactivity_days,
            "over_allocated": rules.over_allocated(purchased, cost.seats_known, counts),
            "seats_activity_unknown": counts.activity_unknown,
            "seats_exempt": counts.exempt, "seats_bots": seats.bots,
            "unused_by_reason": seats.by_reason,
            "annual_cost_per_seat_base": money(
                total / purchased if total is not None and purchased else None),
            "annual_cost_per_active_seat_base": money(
                total / counts.active if total is not None and counts.active else None),
            "missing_rates": missing,
            "seat_data": rules.has_seat_data(counts),
            "activity_known": rules.activity_judged(counts),
            "flat_priced": bool(cost.terms and not cost.seats_known
                                and cost.flat_terms == cost.terms),
        })
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    if missing_all:
        print(f"no exchange rate for {', '.join(sorted(missing_all))}", file=sys.stderr)


if __name__ == "__main__":
    main()
