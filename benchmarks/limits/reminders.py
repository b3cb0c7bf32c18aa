"""Limit of `stackadmin reminders --json`: terms whose cancel-by date is within 30 days (or
missed and undecided), with the active seats of their tools."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from benchmarks.limits._db import Db, arguments
from benchmarks.limits._figures import seat_counts
from stackadmin.domain.money import Money
from stackadmin.domain.renewals import Cycle, cancel_by, current_cycle
from stackadmin.domain.terms import TermPrice
from stackadmin.domain.utilization import activity_judged
from stackadmin.domain.vocab import PricingModel

WITHIN = 30


def main() -> None:
    args = arguments(__doc__, json=True)
    db = Db(args.db)
    day = args.as_of
    conf = db.settings()
    base = conf.base_currency
    rates = db.rates(day, base)
    terms = list(db.rows(
        "SELECT st.id, st.tool_id, t.name, st.plan, st.pricing, st.unit_price_minor, "
        "st.currency, st.seats, st.billing_months, st.term_start, st.renewal_date, "
        "st.auto_renew, st.notice_days, st.internal_lead_days, p.name, p.email "
        "FROM subscription_term st JOIN tool t ON t.id = st.tool_id "
        "LEFT JOIN person p ON p.id = t.owner_id "
        "WHERE st.status = 'active' AND st.renewal_date IS NOT NULL"))
    decisions: dict[tuple[int, date], tuple[str, Any]] = {}
    cancels: dict[int, date] = {}
    for term_id, renewal, decision, note in db.rows(
            "SELECT term_id, renewal_date, decision, note FROM term_decision"):
        when = db.as_day(renewal)
        assert when is not None
        decisions[(term_id, when)] = (decision, note)
        if decision == "cancel":
            cancels[term_id] = min(when, cancels.get(term_id, when))
    rows = []
    for (term_id, tool_id, tool, plan, pricing, minor, currency, seats, months, start,
         renewal, auto, notice, lead, owner, owner_email) in terms:
        start_day, renewal_day = db.as_day(start), db.as_day(renewal)
        assert renewal_day is not None
        cycle = current_cycle(term_start=start_day, renewal_date=renewal_day,
                              auto_renew=bool(auto), notice_days=notice,
                              internal_lead_days=lead, today=day)
        cancelled = cancels.get(term_id)
        if cancelled is not None and renewal_day <= cancelled < cycle.renewal_date:
            cycle = Cycle(cancelled, cancel_by(cancelled, notice, lead), cancelled != renewal_day)
        decision, note = decisions.get((term_id, cycle.renewal_date), ("undecided", None))
        left = cycle.days_left(day)
        if left > WITHIN or (left < 0 and decision != "undecided"):
            continue
        annual = TermPrice(PricingModel(pricing), Money(minor, currency).amount, seats,
                           months).annual_cost
        in_base = rates.to_base(annual, currency)
        rows.append((cycle.cancel_by, tool.lower(), plan.lower(), term_id, tool_id, {
            "term_id": term_id, "tool": tool, "plan": plan,
            "renewal_date": cycle.renewal_date.isoformat(),
            "cancel_by": cycle.cancel_by.isoformat(), "days_left": left,
            "auto_renew": bool(auto), "rolled": cycle.rolled,
            "annual_cost": Money.rounded(annual, currency).plain(), "currency": currency,
            "annual_cost_base": (None if in_base is None
                                 else Money.rounded(in_base, base).plain()),
            "base_currency": base, "missing_rate": currency if in_base is None else None,
            "seats_purchased": seats, "seats_active": None,
            "owner": (owner or owner_email) if owner_email else None,
            "owner_email": owner_email, "decision": decision, "decision_note": note}))
    rows.sort(key=lambda r: r[:4])
    tools = sorted({r[4] for r in rows})
    counted = seat_counts(db, day, conf, tools) if tools else {}
    active: dict[int, int | None] = {
        t: counted[t].counts.active if t in counted and activity_judged(counted[t].counts)
        else None for t in tools}
    out = [{**r[5], "seats_active": active.get(r[4], 0)} for r in rows]
    json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
