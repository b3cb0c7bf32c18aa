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
import time
from pathlib import Path
from typing import Any

from stackadmin.plugins.testing import FakeVendor, Reply
from stackadmin.services.context import open_context
from stackadmin.services.sync import engine, integrations
from tests.reliability.conftest import Report
from tests.reliability.databases import Rows, databases, read_rows, rows_lost
from tests.reliability.helpers import Outcome, cli, integrity_ok, run_cli
from tests.reliability.sync.conftest import SecretService
from tests.services.sync.conftest import BILLING, SEATS, body, seat

SECTION = "crash mid-write"
BUDGET = {"sqlite": 8, "postgresql": 3}  # cases: about 1.5 s each
IN_WRITE_SHARE = 0.8  # the rest are killed at any moment from the start
NAME = "Copilot acme"
TOKEN = "ghp_CrashMidSyncT0ken000111222333"
PER_PAGE = 100
PAUSE = 0.04  # seconds per page: the fetch takes a while, as a real vendor's does

# What a sync writes, without the moments of the run itself (a new account's first sighting
# is the moment of the run that found it): the same for every complete run.
SYNCED = {
    "account": "SELECT external_id, email, username, role, status, license_tier, "
               "last_activity, pending_cancellation, billable, integration_id "
               "FROM account ORDER BY external_id",
    "account_listing": "SELECT a.external_id, l.integration_id FROM account_listing l "
                       "JOIN account a ON a.id = l.account_id ORDER BY 1",
    "vendor_seat_count": "SELECT label, purchased, consumed, pending_cancellation, "
                         "pending_invitation, active FROM vendor_seat_count ORDER BY 1",
}


def _yesterday() -> list[dict[str, Any]]:
    return [seat(n, last_activity_at=f"2026-11-{1 + n % 20:02d}T08:00:00Z")
            for n in range(1000)]


def _today() -> list[dict[str, Any]]:
    seats = [s for n, s in enumerate(_yesterday()) if n % 20 != 7]  # 50 gone
    for n, made in enumerate(seats):
        if n % 7 == 0:  # newer activity, or another plan
            made["last_activity_at"] = "2026-11-24T17:30:00Z"
        if n % 13 == 0:
            made["plan_type"] = "enterprise"
    return seats + [seat(n) for n in range(1000, 1100)]


def _serve(vendor: FakeVendor, seats: list[dict[str, Any]], pause: float) -> None:
    """The seats in pages with Link headers, each page after `pause` seconds (the route
    added last answers: today's list replaces yesterday's)."""
    pages = [seats[i:i + PER_PAGE] for i in range(0, len(seats), PER_PAGE)]

    def answer(request: Any) -> Reply:
        number = int(request.param("page") or 1)
        headers = {}
        if number < len(pages):
            query = {k: v[-1] for k, v in request.query.items()}
            query["page"] = str(number + 1)
            headers["Link"] = f'<{vendor.url_for(SEATS, **query)}>; rel="next"'
        reply = Reply.json({"total_seats": len(seats), "seats": pages[number - 1]},
                           headers=headers)
        return reply.after(pause) if pause else reply

    vendor.add(SEATS, answer)


def _prepare(url: str, vendor: FakeVendor, keyring: SecretService) -> None:
    """Yesterday: the integration (its token in the keyring) and a complete sync."""
    ctx = open_context(url)
    try:
        integrations.add_integration(ctx, "github-copilot", NAME, "GitHub Copilot",
                                     {"org": "acme", "base_url": vendor.url}, TOKEN,
                                     secrets=keyring.store)
        result = engine.sync(ctx, NAME, secrets=keyring.store)
        assert result.ok and result.added == 1000, result.summary()
    finally:
        ctx.close()


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
    found = read_rows(url, SYNCED)
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
        vendor.add(BILLING, body("github_copilot_billing.json"))
        _serve(vendor, _yesterday(), 0)
        dbs.create_base(lambda url: _prepare(url, vendor, keyring_env))
        try:
            _serve(vendor, _today(), PAUSE)
            before = read_rows(dbs.base, SYNCED)
            reference_db = dbs.copy("reference")
            started = time.monotonic()
            reference = run_cli(["sync", NAME], db=reference_db)
            total = time.monotonic() - started
            assert reference.code == 0 and reference.clean(), reference.err
            assert "100 added" in reference.out and "50 deprovisioned" in reference.out
            after = read_rows(reference_db, SYNCED)
            assert after != before
            for n in range(BUDGET[db_kind]):
                url = dbs.copy(f"case{n}")
                plan = _kill_plan(rng, reference, total)
                outcome = run_cli(["sync", NAME], db=url, **plan)
                ok, lost, found = _check(url, outcome, before, after, db_kind)
                section.record(ok, rows_lost=lost, what=f"sync case {n} ({plan}): {found}",
                               **{"sync killed in a write": int(outcome.killed_in_write),
                                  "sync found old": int(found.startswith("old")),
                                  "sync found new": int(found.startswith("new"))})
        finally:
            ctx = open_context(dbs.base)
            try:
                integrations.remove_integration(ctx, NAME, secrets=keyring_env.store)
            finally:
                ctx.close()
    assert not section.failures[failed_before:], section.failures
    assert section.rows_lost == 0

