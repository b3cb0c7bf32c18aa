"""Crash mid-write during a sync: `kill -9` of `stackadmin sync NAME` at random points.

The database holds yesterday's sync of a GitHub Copilot organisation (1,000 seats); today the
loopback vendor lists 50 seats fewer, 100 new ones and about 200 with newer activity or another
plan, page by page with a short pause per page, so that kills land while it fetches, while it
writes and after. Each case syncs a fresh copy of the database in a child process and kills it
(SIGKILL) at a random moment: most from the moment its first write transaction begins (the
run's record) to somewhat past its last commit in a complete reference run, the rest at any
moment from its start. Afterwards the database must pass SQLite's integrity check and
`stackadmin db check`, and its accounts, listings and seat counts must be exactly yesterday's
or exactly those of the complete run, never a mix; no account is ever lost.
"""

from __future__ import annotations

import random
import socket
import struct
import time
from pathlib import Path

import httpx
import pytest

from stackadmin.plugins.testing import FakeVendor
from tests.reliability.conftest import Report
from tests.reliability.databases import Rows, databases, read_rows, rows_lost
from tests.reliability.helpers import Outcome, cli, integrity_ok, run_cli
from tests.reliability.sync.conftest import COPILOT, SYNCED_SEATS, SecretService

SECTION = "crash mid-write"
BUDGET = {"sqlite": 8, "postgresql": 3}  # cases: about 1.5 s each
IN_WRITE_SHARE = 0.8  # the rest are killed at any moment from the start
def _kill_plan(rng: random.Random, reference: Outcome, total: float) -> dict[str, float]:
    if reference.write_seconds and rng.random() < IN_WRITE_SHARE:
        return {"kill_after": rng.uniform(0.0, reference.write_seconds * 1.3)}
    return {"kill_before_write": rng.uniform(0.2, total)}


def _check(url: str, outcome: Outcome, before: Rows, after: Rows,
           db_kind: str) -> tuple[bool, int, str]:
    problems: list[str] = []
    if not outcome.killed and (outcome.code != 0 or not outcome.clean()):
        problems.append(f"ran to its end but said {outcome.err.strip()!r}")
    if db_kind == "sqlite" and not integrity_ok(Path(url)):
        problems.append("integrity_check failed")
    found = read_rows(url, SYNCED_SEATS)
    lost = rows_lost(before, found, ("account",))
    which = "old" if found == before else "new" if found == after else "MIXED"
    if which == "MIXED":
        changed = [name for name in found if found[name] not in (before[name], after[name])]
        problems.append(f"the data is neither the old state nor the new one: {changed}")
    code, out, err = cli("--db", url, "db", "check")
    if code != 0:
        problems.append(f"db check: {err.strip()} {out.strip()}")
    return not problems, lost, which + ("; " + "; ".join(problems) if problems else "")


def test_kill_9_during_a_sync_leaves_the_old_accounts_or_the_new_ones(
        db_kind: str, pg_admin_url: str | None, tmp_path: Path, rng: random.Random,
        keyring_env: SecretService, reliability: Report) -> None:
    section = reliability.section(SECTION, db_kind)
    failed_before = len(section.failures)
    with FakeVendor() as vendor, databases(db_kind, tmp_path, pg_admin_url) as dbs:
        dbs.create_base(lambda url: COPILOT.prepare(url, vendor, keyring_env))
        try:
            before = read_rows(dbs.base, SYNCED_SEATS)
            reference_db = dbs.copy("reference")
            started = time.monotonic()
            reference = run_cli(["sync", COPILOT.name], db=reference_db)
            total = time.monotonic() - started
            assert reference.code == 0 and reference.clean(), reference.err
            assert "100 added" in reference.out and "50 deprovisioned" in reference.out
            after = read_rows(reference_db, SYNCED_SEATS)
            assert after != before
            for n in range(BUDGET[db_kind]):
                url = dbs.copy(f"case{n}")
                plan = _kill_plan(rng, reference, total)
                outcome = run_cli(["sync", COPILOT.name], db=url, **plan)
                ok, lost, found = _check(url, outcome, before, after, db_kind)
                section.record(ok, rows_lost=lost, what=f"sync case {n} ({plan}): {found}",
                               **{"sync killed in a write": int(outcome.killed_in_write),
                                  # after the BEGIN of the accounts' write, before its commit
                                  "sync killed writing accounts": int(
                                      outcome.killed and outcome.write_marks >= 2
                                      and found.startswith("old")),
                                  "sync found old": int(found.startswith("old")),
                                  "sync found new": int(found.startswith("new"))})
        finally:
            COPILOT.forget(dbs.base, keyring_env)
    assert not section.failures[failed_before:], section.failures
    assert section.rows_lost == 0


def test_a_client_killed_mid_request_leaves_the_vendor_quiet(
        capfd: pytest.CaptureFixture[str]) -> None:
    """A killed sync resets its connection to the loopback vendor: that is no error of the
    vendor's, and prints no traceback into the suite's output."""
    with FakeVendor() as vendor:
        vendor.add("/ping", {"ok": True})
        host, port = vendor.url.removeprefix("http://").split(":")
        client = socket.create_connection((host, int(port)))
        client.sendall(b"GET /pi")  # half a request line, then a reset (as SIGKILL leaves it)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        assert httpx.get(vendor.url_for("/ping")).json() == {"ok": True}
    assert "Traceback" not in capfd.readouterr().err

