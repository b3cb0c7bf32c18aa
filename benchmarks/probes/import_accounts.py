"""Importing accounts from a CSV file into an empty database with one tool: stackadmin's
import (read, check every row, write, audit), or its limit: the csv module and the driver's
executemany of the same rows into the same table. The file is made once per size. Prints
{"seconds": ...} (the import alone, the database already created).

    python -m benchmarks.probes.import_accounts DB ROWS FOLDER ours|limit
"""

from __future__ import annotations

import csv
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def accounts_file(folder: Path, rows: int) -> Path:
    """A vendor's user list of `rows` accounts (a few invited, some never active)."""
    path = folder / f"accounts-{rows}.csv"
    if path.exists():
        return path
    start = datetime(2026, 11, 1, tzinfo=UTC)
    roles = ["member"] * 8 + ["admin", "guest"]
    temp = path.with_suffix(".tmp")
    with temp.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name", "role", "status", "last_active", "external_id"])
        for i in range(rows):
            last = (start - timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M:%S")
            out.writerow([f"user{i}@example.com", f"User {i}", roles[i % 10],
                          "invited" if i % 50 == 0 else "active", "" if i % 9 == 0 else last,
                          f"U{i:07d}"])
    temp.replace(path)
    return path


def limit(db: str, path: Path, tool_id: int) -> float:
    """The floor: the csv module and one executemany, committed."""
    postgresql = "://" in db
    if postgresql:
        import psycopg

        conn = psycopg.connect(db.replace("postgresql+psycopg://", "postgresql://", 1))
        mark = "%s"
    else:
        import sqlite3

        conn = sqlite3.connect(db)
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            conn.execute(f"PRAGMA {pragma}")
        mark = "?"
    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        now = datetime.now(UTC)
        stamp = now if postgresql else now.strftime("%Y-%m-%d %H:%M:%S.%f")
        rows = [(tool_id, email, name, role, status,
                 (datetime.fromisoformat(last).replace(tzinfo=UTC) if postgresql
                  else last + ".000000") if last else None, ext, stamp, stamp)
                for email, name, role, status, last, ext in reader]
    marks = ", ".join([mark] * 9)
    cursor = conn.cursor()
    cursor.executemany(
        "INSERT INTO account (tool_id, email, display_name, role, status, last_activity, "
        f"external_id, first_seen, updated_at, activity_known, source, is_bot, exempt) "
        f"VALUES ({marks}, true, 'csv', false, false)", rows)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def main() -> None:
    db, rows, folder, side = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    path = accounts_file(folder, rows)
    from stackadmin.domain.vocab import AuditSource
    from stackadmin.services.context import open_context
    from stackadmin.services.inventory import tools
    from stackadmin.services.spreadsheets import importer

    ctx = open_context(db, source=AuditSource.IMPORT)
    tool_id = tools.create_tool(ctx, name="Slack").id
    if side == "limit":
        ctx.close()
        seconds = limit(db, path, tool_id)
    else:
        started = time.perf_counter()
        plan = importer.import_file(ctx, path, "accounts",
                                    options=importer.ImportOptions(tool="Slack"))
        seconds = time.perf_counter() - started
        ctx.close()
        if not plan.ok or plan.added != rows:
            raise SystemExit(f"the import failed: {plan.problems[:3]}")
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
