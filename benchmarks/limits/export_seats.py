"""Limit of `stackadmin export seats FILE`: every account as an Excel-clean CSV row."""

from __future__ import annotations

import csv
import os
from typing import Any

from benchmarks.limits._db import Db, arguments, reason_sql
from benchmarks.limits._figures import costs, in_force
from stackadmin.domain.money import Money

FORMULA = tuple("=+-@\t\r\n")


def main() -> None:
    args = arguments(__doc__, output=True)
    db = Db(args.db)
    day = args.as_of
    conf = db.settings()
    base = conf.base_currency
    cost_of = costs(in_force(db, day), db.rates(day, base))
    price: dict[int, Any] = {}
    for (tool_id,) in db.rows("SELECT id FROM tool"):
        cost = cost_of.get(tool_id)
        amount = None if cost is None else cost.seat_price()
        price[tool_id] = None if amount is None else Money.rounded(amount, base).amount
    reason, params = reason_sql(db, day, conf.default_inactivity_days)
    sql = ("SELECT t.name, coalesce(nullif(p.name, ''), a.display_name), a.email, a.role, "
           "a.status, a.last_activity, "
           f"a.activity_known, {reason}, a.tool_id, a.status IN ('active', 'invited', "
           "'suspended') FROM account a JOIN tool t ON t.id = a.tool_id "
           "LEFT JOIN person p ON p.id = a.person_id "
           f"ORDER BY lower(t.name), {db.codepoint('coalesce(a.email, ' + chr(39) * 2 + ')')}, "
           "a.id")
    shown: dict[Any, str] = {}
    temp = args.file + ".tmp"
    with open(temp, "w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(["tool", "person", "email", "role", "status", "last_activity",
                      "unused_reason", "annual_cost"])
        for tool, person, email, role, status, raw, known, why, tool_id, holds in db.rows(
                sql, params):
            if not known:
                last: Any = "unknown"
            elif raw is None:
                last = None
            else:
                last = shown.get(raw)
                if last is None:
                    moment = db.as_moment(raw)
                    last = shown[raw] = moment.strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[union-attr]
            row = [tool, person, email, role, status, last, why,
                   price[tool_id] if holds else None]
            for i in range(5):  # text that a spreadsheet would run gets a leading '
                value = row[i]
                if value and value.startswith(FORMULA):
                    row[i] = "'" + value
            out.writerow(row)
    os.replace(temp, args.file)


if __name__ == "__main__":
    main()
