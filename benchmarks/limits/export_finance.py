"""Limit of `stackadmin export finance FILE`: the terms in force with their costs, renewal
and cancel-by dates and their tools' seat figures, as an Excel-clean CSV."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from benchmarks.limits._db import Db, arguments
from benchmarks.limits._figures import Cost, costs, in_force, seat_counts
from stackadmin.domain import utilization as rules
from stackadmin.domain.money import Money
from stackadmin.domain.renewals import current_cycle
from stackadmin.domain.terms import TermPrice, billing_period_label
from stackadmin.domain.vocab import PricingModel

HEADER = ["tool", "vendor", "plan", "cost_center", "owner", "pricing", "billing_period",
          "currency", "unit_price", "seats_purchased", "period_cost", "annual_cost",
          "base_currency", "fx_rate", "annual_cost_base", "term_start", "renewal_date",
          "cancel_by", "auto_renew", "seats_held", "seats_active", "seats_unused",
          "unused_annual_cost_base", "po_reference"]
TEXT = [0, 1, 2, 3, 4, 5, 6, 7, 12, 15, 16, 17, 18, 23]
FORMULA = tuple("=+-@\t\r\n")


def main() -> None:
    args = arguments(__doc__, output=True)
    db = Db(args.db)
    day = args.as_of
    conf = db.settings()
    base = conf.base_currency
    rates = db.rates(day, base)
    terms = in_force(db, day, ", plan, cost_center, notice_days, internal_lead_days, "
                              "po_reference")
    tools = {tool_id: (name, vendor, owner) for tool_id, name, vendor, owner in db.rows(
        "SELECT t.id, t.name, v.name, p.email FROM tool t "
        "LEFT JOIN vendor v ON v.id = t.vendor_id LEFT JOIN person p ON p.id = t.owner_id")}
    cost_of = costs(terms, rates)
    seats_of = seat_counts(db, day, conf)
    terms.sort(key=lambda t: (tools[t[1]][0].lower(), t[11], t[3] or date.min, t[0]))
    primary: dict[int, tuple[Any, ...]] = {}
    for t in terms:  # the per-seat term with the most seats carries the tool's figures
        rank = (0 if t[6] == "per_seat" else 1, -(t[9] or 0), t[3] or date.min, t[0])
        if t[1] not in primary or rank < primary[t[1]]:
            primary[t[1]] = rank
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    missing: set[str] = set()
    temp = args.file + ".tmp"
    with open(temp, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(HEADER)
        for (term_id, tool_id, _status, start, renewal, auto, pricing, minor, currency,
             seats, months, plan, cost_center, notice, lead, po) in terms:
            price = TermPrice(PricingModel(pricing), Money(minor, currency).amount, seats,
                              months)
            rate = rates.rate(currency)
            annual = Money.rounded(price.annual_cost, currency)
            by_currency[currency] += annual.amount
            annual_base = None
            if rate is None:
                missing.add(currency)
            else:
                annual_base = Money.rounded(price.annual_cost * rate, base)
                total += annual_base.amount
            renews = cancel = None
            if renewal is not None:
                cycle = current_cycle(term_start=start, renewal_date=renewal, auto_renew=auto,
                                      notice_days=notice, internal_lead_days=lead, today=day)
                renews, cancel = cycle.renewal_date, cycle.cancel_by
            held: Any = 0
            active: Any = 0
            unused: Any = 0
            unused_cost: Any = Money(0, base).amount
            if primary[tool_id][3] == term_id:
                seats_fig = seats_of.get(tool_id)
                counts = seats_fig.counts if seats_fig else rules.SeatCounts()
                cost = cost_of.get(tool_id, Cost())
                if not rules.has_seat_data(counts):
                    held = active = unused = unused_cost = None
                else:
                    held, active, unused = counts.held, counts.active, counts.unused
                    if unused:
                        purchased = cost.seats
                        if cost.missing:
                            unused_cost = None
                        elif purchased:
                            unused_cost = Money.rounded(cost.total / purchased * unused,
                                                        base).amount
            row = [tools[tool_id][0], tools[tool_id][1], plan, cost_center, tools[tool_id][2],
                   pricing, billing_period_label(months), currency, Money(minor, currency).amount,
                   seats, Money.rounded(price.period_cost, currency).amount, annual.amount,
                   base, None if rate is None else format(rate, "f"),
                   None if annual_base is None else annual_base.amount,
                   None if start is None else start.isoformat(),
                   None if renews is None else renews.isoformat(),
                   None if cancel is None else cancel.isoformat(),
                   "yes" if auto else "no", held, active, unused, unused_cost, po]
            for i in TEXT:
                value = row[i]
                if value and value.startswith(FORMULA):
                    row[i] = "'" + value
            out.writerow(row)
    os.replace(temp, args.file)
    print(f"wrote {len(terms)} terms in force on {day.isoformat()} to {args.file}")
    for currency, amount in sorted(by_currency.items()):
        print(f"annual cost {currency}: {Money.rounded(amount, currency).plain()}")
    print(f"annual cost total in {base}: "
          + ("unknown" if missing else Money.rounded(total, base).plain()))


if __name__ == "__main__":
    main()
