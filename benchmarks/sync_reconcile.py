"""Benchmark: reconciling 100,000 fetched accounts into a tool that already holds 100,000
(target: under 3 s), and the process's peak memory while doing so (target: under 400 MB).

The tool's accounts come from a first sync of the same integration. The second fetch is a
typical day: most active users have a newer activity date (60 %), 1 % changed role, 1 % left
(deprovisioned), 1,000 new users. The records are what the SCIM plugin makes (with its
checks), their vendor JSON dropped as the host does; the database is a SQLite file (or, with
`--db URL`, a database made for the run on that PostgreSQL server).
`--first` measures the first sync instead (100,000 accounts into an empty tool).
Run: python -m benchmarks.sync_reconcile [--first] [--users N] [--json] [--db URL]
(`--json`: one line {"seconds", "cpu", "peak_mb", "users"} and exit 0, for the growth table.)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.cache import empty_database
from stackadmin.plugins.api import AccountRecord, AccountStatus, Activity, Role
from stackadmin.plugins.http import HttpStats
from stackadmin.services.context import open_context
from stackadmin.services.sync import engine
from stackadmin.store.models import Integration, SyncRun, Tool, utcnow

USERS = 100_000
TARGET_SECONDS = 3.0
TARGET_MB = 400
START = datetime(2026, 11, 1, tzinfo=UTC)


def records(users: int, day: int) -> list[AccountRecord]:
    """The vendor's accounts on `day` (0: the first sync, 1: the next day)."""
    out = []
    for i in range(users + (1000 if day else 0)):
        if day and i % 100 == 7:
            continue  # left
        active = i % 5 != 0
        last = START + timedelta(minutes=7 * i + (day * 1440 if active and i % 5 < 4 else 0))
        out.append(AccountRecord(
            external_id=f"2819c223-7f76-453a-919d-{i:012d}", email=f"user{i}@example.com",
            display_name=f"Given{i} Family{i}", username=f"user{i}@example.com",
            vendor_role="admin" if (i % 50 == 0) != (day and i % 100 == 3) else "User",
            role=Role.ADMIN if (i % 50 == 0) != (day and i % 100 == 3) else Role.MEMBER,
            status=AccountStatus.ACTIVE, first_seen=START - timedelta(days=400),
            activity=Activity.REPORTED, last_activity=last, department=f"Dept {i % 40}",
            raw={"id": i}).without_raw())
    return out


def staged(ctx: object, integration_id: int, tool_id: int, accounts: list[AccountRecord],
           run_id: int, last: datetime | None) -> engine.Staged:
    return engine.Staged(integration_id, "bench", "scim", tool_id, "Bench", run_id, utcnow(),
                         False, 100, last, tuple(accounts), (), (), HttpStats(pages=1000))


def new_run(ctx: object, integration_id: int) -> int:
    with ctx.transaction() as session:  # type: ignore[attr-defined]
        run = SyncRun(integration_id=integration_id, status="running")
        session.add(run)
        session.flush()
        return int(run.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--first", action="store_true", help="measure the first sync")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--json", action="store_true", help="print one JSON line, exit 0")
    parser.add_argument("--db", metavar="URL", help="a PostgreSQL server where a database "
                        "may be made for the run (default: a SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="stackadmin-bench-"))
    with empty_database(folder, args.db) as where:
        measure(args, where)


def measure(args: argparse.Namespace, where: str) -> None:
    ctx = open_context(where)
    with ctx.transaction() as session:
        tool = Tool(name="Bench")
        session.add(tool)
        session.flush()
        row = Integration(plugin_id="scim", tool_id=tool.id, name="bench", options={},
                          interval_minutes=1440, brake_pct=100)
        session.add(row)
        session.flush()
        tool_id, integration_id = tool.id, row.id
    first = records(args.users, 0)
    if not args.first:
        result = engine.apply(ctx, staged(ctx, integration_id, tool_id, first,
                                          new_run(ctx, integration_id), None), snapshot=False)
        assert result.ok and result.added == args.users, result
        del first
        fetched = records(args.users, 1)
    else:
        fetched = first
    with ctx.read() as session:
        last = session.get(Integration, integration_id).last_success_at  # type: ignore[union-attr]
    job = staged(ctx, integration_id, tool_id, fetched, new_run(ctx, integration_id), last)
    t0, c0 = time.perf_counter(), time.process_time()
    result = engine.apply(ctx, job, snapshot=False)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert result.ok, result.error
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        ctx.close()
        print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_mb": peak_mb,
                          "users": len(fetched)}))
        return
    what = "first sync of" if args.first else "reconciling"
    print(f"{what} {len(fetched):,} fetched accounts into a tool holding "
          f"{0 if args.first else args.users:,}: {elapsed:.2f} s, CPU {cpu:.2f} s "
          f"(target < {TARGET_SECONDS} s; load average {os.getloadavg()[0]:.1f})")
    print(f"  added {result.added:,}, changed {result.changed:,}, deprovisioned "
          f"{result.deprovisioned:,}, unchanged {result.unchanged:,}")
    print(f"  peak memory of the process: {peak_mb:.0f} MB (target < {TARGET_MB} MB)")
    ctx.close()
    ok = elapsed < TARGET_SECONDS and peak_mb < TARGET_MB
    print("ok" if ok else "SLOW or TOO BIG")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
