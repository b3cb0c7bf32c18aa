"""Limit of `stackadmin reconcile --json`: the people list against the accounts."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from typing import Any

from benchmarks.limits._db import HOLDING, Db, arguments, departed_sql

ACCOUNT = ("SELECT a.id, t.name, a.email, a.display_name, a.external_id, a.status, "
           "a.last_activity, a.source, a.tool_id FROM account a JOIN tool t ON t.id = a.tool_id")


def main() -> None:
    args = arguments(__doc__, json=True)
    db = Db(args.db)
    day = args.as_of
    gone, gone_params = departed_sql(db, day)
    unknown = list(db.rows(
        f"SELECT a.id, p.id, p.name FROM account a LEFT JOIN person p ON p.email = a.email "
        f"WHERE a.status IN {HOLDING} AND NOT a.is_bot AND a.person_id IS NULL "
        "ORDER BY a.id"))
    departed: dict[int, list[int]] = defaultdict(list)
    for acc_id, pid in db.rows(
            f"SELECT a.id, p.id FROM account a JOIN person p ON p.id = a.person_id "
            f"WHERE a.status IN {HOLDING} AND {gone} ORDER BY a.id", gone_params):
        departed[pid].append(acc_id)
    dups: dict[tuple[int, Any], list[int]] = {}
    for acc_id, tool_id, pid, email in db.rows(
            "SELECT id, tool_id, person_id, email FROM (SELECT id, tool_id, person_id, email, "
            "count(*) OVER (PARTITION BY tool_id, person_id, CASE WHEN person_id IS NULL "
            "THEN email END) AS n FROM account a "
            f"WHERE a.status IN {HOLDING} AND NOT a.is_bot "
            "AND (person_id IS NOT NULL OR email IS NOT NULL)) s WHERE n > 1 ORDER BY id"):
        dups.setdefault((tool_id, pid if pid is not None else email), []).append(acc_id)
    after = []
    for acc_id, pid, end, raw in db.rows(
            "SELECT a.id, p.id, p.end_date, a.last_activity FROM account a "
            "JOIN person p ON p.id = a.person_id WHERE p.end_date IS NOT NULL "
            "AND p.end_date <= ? AND a.activity_known AND a.last_activity IS NOT NULL "
            "ORDER BY a.id", [db.day(day)]):
        last = db.as_moment(raw)
        if last is not None and last.date() > db.as_day(end):  # type: ignore[operator]
            after.append((acc_id, pid))
    wanted = sorted({u[0] for u in unknown} | {i for ids in departed.values() for i in ids}
                    | {i for ids in dups.values() for i in ids} | {i for i, _ in after})
    accounts: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        marks = ", ".join("?" * len(chunk))
        for acc_id, tool, email, display, ext, status, raw, source, tool_id in db.rows(
                f"{ACCOUNT} WHERE a.id IN ({marks})", chunk):
            last = db.as_moment(raw)
            accounts[acc_id] = {
                "account_id": acc_id, "tool": tool, "email": email, "display_name": display,
                "external_id": ext, "status": status,
                "last_activity": None if last is None else last.isoformat(), "source": source,
                "_tool_id": tool_id, "_last": last}
    pids = sorted(set(departed) | {p for _, p in after}
                  | {k for _, k in dups if isinstance(k, int)})
    people: dict[int, tuple[str, str, Any]] = {}
    for start in range(0, len(pids), 900):
        chunk = pids[start:start + 900]
        for pid, name, email, end in db.rows(
                "SELECT id, name, email, end_date FROM person WHERE id IN "
                f"({', '.join('?' * len(chunk))})", chunk):
            people[pid] = (name, email, db.as_day(end))

    def shown(acc_id: int) -> dict[str, Any]:
        return {k: v for k, v in accounts[acc_id].items() if not k.startswith("_")}

    def by_tool(acc_id: int) -> tuple[str, str, int]:
        a = accounts[acc_id]
        return a["tool"].lower(), a["email"] or "", acc_id

    unknown.sort(key=lambda u: by_tool(u[0]))
    holders = sorted(departed.items(), key=lambda h: (people[h[0]][0].lower(), people[h[0]][1]))
    groups = sorted(dups.items(), key=lambda d: (
        accounts[d[1][0]]["tool"].lower(),
        people[d[0][1]][1] if isinstance(d[0][1], int) else (d[0][1] or "")))
    after.sort(key=lambda a: (people[a[1]][0].lower(), people[a[1]][1], by_tool(a[0])))
    sources = [n for (n,) in db.rows(
        "SELECT name FROM integration WHERE is_directory_source ORDER BY name")]
    report = {
        "as_of": day.isoformat(), "directory_sources": sources,
        "unknown_users": [{**shown(i), "suggested_person_id": pid, "suggested_person": name}
                          for i, pid, name in unknown],
        "departed_holders": [
            {"person_id": pid, "person": people[pid][0], "email": people[pid][1],
             "end_date": None if people[pid][2] is None else people[pid][2].isoformat(),
             "accounts": [shown(i) for i in sorted(ids, key=by_tool)]}
            for pid, ids in holders],
        "duplicates": [
            {"tool": accounts[ids[0]]["tool"],
             "person_id": key if isinstance(key, int) else None,
             "person": people[key][0] if isinstance(key, int) else None,
             "email": people[key][1] if isinstance(key, int) else str(key),
             "accounts": [shown(i) for i in sorted(ids)]}
            for (_tool, key), ids in groups],
        "active_after_leaving": [
            {"email": accounts[i]["email"] or people[pid][1], "tool": accounts[i]["tool"],
             "end_date": people[pid][2].isoformat(),
             "last_activity": accounts[i]["last_activity"], "person": people[pid][0],
             "person_id": pid, "account_id": i, "tool_id": accounts[i]["_tool_id"],
             "status": accounts[i]["status"],
             "days_after": (accounts[i]["_last"].date() - people[pid][2]).days}
            for i, pid in after],
    }
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
