"""Limit of `stackadmin unused --json`: the unused seats, by tool, email and account id."""

from __future__ import annotations

import json
import sys
from typing import Any

from benchmarks.limits._db import Db, arguments, reason_sql
from benchmarks.limits._figures import costs, in_force
from stackadmin.domain.money import Money


def main() -> None:
    args = arguments(__doc__, json=True)
    db = Db(args.db)
    day = args.as_of
    conf = db.settings()
    base = conf.base_currency
    cost_of = costs(in_force(db, day), db.rates(day, base))
    price: dict[int, str | None] = {}
    for (tool_id,) in db.rows("SELECT id FROM tool"):
        cost = cost_of.get(tool_id)
        amount = None if cost is None else cost.seat_price()
        price[tool_id] = None if amount is None else Money.rounded(amount, base).plain()
    reason, params = reason_sql(db, day, conf.default_inactivity_days)
    sql = (f"SELECT * FROM (SELECT t.name AS tool, a.email, p.name AS person, "
           f"{reason} AS reason, a.last_activity, a.id, a.tool_id, a.person_id, "
           "a.display_name, a.status, a.role, a.activity_known FROM account a "
           "JOIN tool t ON t.id = a.tool_id LEFT JOIN person p ON p.id = a.person_id) s "
           "WHERE reason IS NOT NULL ORDER BY lower(tool), "
           f"{db.codepoint('coalesce(email, ' + chr(39) * 2 + ')')}, id")
    moments: dict[Any, tuple[str | None, int | None]] = {}
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = []
    for tool, email, person, why, raw, acc_id, tool_id, pid, display, status, role, known \
            in db.rows(sql, params):
        shown = moments.get(raw)
        if shown is None:
            last = db.as_moment(raw)
            shown = moments[raw] = ((None, None) if last is None else
                                    (last.isoformat(), (day - last.date()).days))
        lines.append(encode({
            "tool": tool, "email": email, "person": person, "reason": why,
            "last_activity": shown[0], "days_inactive": shown[1],
            "annual_cost_base": price[tool_id], "base_currency": base, "account_id": acc_id,
            "tool_id": tool_id, "person_id": pid, "display_name": display, "status": status,
            "role": role, "activity_known": bool(known)}))
    out = sys.stdout
    out.write("[\n" + ",\n".join(lines) + ("\n]\n" if lines else "]\n"))
    missing = sorted({c for cost in cost_of.values() for c in cost.missing})
    if missing:
        print(f"no exchange rate for {', '.join(missing)}", file=sys.stderr)


if __name__ == "__main__":
    main()
