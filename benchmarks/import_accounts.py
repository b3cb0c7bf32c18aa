"""Benchmark: importing 100,000 account rows vs csv parsing + sqlite executemany of the same
rows, in the same run (target: within 3x). Run: python benchmarks/import_accounts.py"""

from __future__ import annotations

import csv
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import open_context
from stackadmin.services.inventory import tools
from stackadmin.services.spreadsheets import importer

ROWS = 100_000
TARGET = 3.0
RUNS = 3  # best of N for both sides: the machine may be busy with other work


def make_file(path: Path, rows: int) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    roles = ["member"] * 8 + ["admin", "guest"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["email", "name", "role", "status", "last_active", "external_id"])
        for i in range(rows):
            last = (start - timedelta(minutes=7 * i)).strftime("%Y-%m-%d %H:%M:%S")
            out.writerow([f"user{i}@example.com", f"User {i}", roles[i % 10],
                          "invited" if i % 50 == 0 else "active", "" if i % 9 == 0 else last,
                          f"U{i:07d}"])


def baseline(path: Path, db: Path) -> float:
    """The floor: parse the CSV with the csv module, insert the same rows into the same
    migrated account table with sqlite3 executemany, commit."""
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        rows = [(1, email, name, role, status, last or None, ext, now, now)
                for email, name, role, status, last, ext in reader]
    conn.executemany(
        "INSERT INTO account (tool_id, email, display_name, role, status, last_activity, "
        "external_id, first_seen, updated_at, activity_known, source, is_bot, exempt) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'csv', 0, 0)", rows)
    conn.commit()
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def fresh_db(folder: Path, name: str) -> Path:
    db = folder / name
    ctx = open_context(str(db), source=AuditSource.IMPORT)
    tools.create_tool(ctx, name="Slack")
    ctx.close()
    return db


def run_import(folder: Path, path: Path, n: int) -> tuple[float, float, int]:
    ctx = open_context(str(fresh_db(folder, f"import{n}.sqlite")), source=AuditSource.IMPORT)
    options = importer.ImportOptions(tool="Slack")
    try:
        t0 = time.perf_counter()
        plan = importer.import_file(ctx, path, "accounts", options=options)
        first = time.perf_counter() - t0
        assert plan.ok, plan.problems[:5]
        t0 = time.perf_counter()
        again = importer.import_file(ctx, path, "accounts", options=options)
        second = time.perf_counter() - t0
        assert again.ok and not again.changes
    finally:
        ctx.close()
    return first, second, plan.added


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    bases, ours, reimports = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "accounts.csv"
        make_file(path, rows)
        for n in range(RUNS):  # interleaved, so a busy moment hits both sides alike
            bases.append(baseline(path, fresh_db(folder, f"baseline{n}.sqlite")))
            first, second, added = run_import(folder, path, n)
            assert added == rows
            ours.append(first)
            reimports.append(second)
    base, mine, again = min(bases), min(ours), min(reimports)
    ratio = mine / base
    print(f"accounts import, {rows:,} rows (best of {RUNS})")
    print(f"  baseline csv + sqlite3 executemany: {base:.3f} s")
    print(f"  stackadmin import accounts:         {mine:.3f} s  ratio {ratio:.2f}x "
          f"(target <= {TARGET}x)")
    print(f"  re-import of the same file:         {again:.3f} s  ratio {again / base:.2f}x "
          "(0 changes)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
