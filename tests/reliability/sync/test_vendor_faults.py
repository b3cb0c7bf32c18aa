"""Vendor faults: every built-in plugin, synced from its loopback fake vendor, against what
vendors do on a bad day — 5xx answers that outlast the retries, a 429 storm (its Retry-After
honoured, then given up within the budget), connection resets, JSON cut short, an HTML page
with status 200, a cursor or next link that repeats.

A first good sync records the accounts; the test then makes that data yesterday's (some
accounts gone, some suspended, the vendor's seat counts different), so that a sync which
wrote anything would show. Each fault's sync must then fail with one line in words (what
happened, naming the integration; no traceback, no token), record the run as failed in the
sync history, and leave every account, listing, seat count and person exactly as it was. A
good sync afterwards does change them (the comparison is not blind). Through the service API
on a fake clock (the waits the vendor asks for are honoured and counted, not slept), and
through the command line: one `stackadmin sync` of every integration, each vendor with a
fault that needs no waiting (exit 1, one `stackadmin: error: ...` line per integration).
All plugins feed tools of their own in one database, so a fault must change nothing of any
tool.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import delete, select, update

from stackadmin.plugins.testing import FakeClock, FakeVendor, Reply, assert_no_secret, captured_logs
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync import engine, history, integrations
from stackadmin.store.models import Account, AccountListing, Tool, VendorSeatCount
from tests.reliability.conftest import Report
from tests.reliability.databases import Rows
from tests.reliability.helpers import BAD_WORDS, run_cli
from tests.reliability.sync.conftest import (
    BUILT_IN,
    BuiltIn,
    Route,
    SecretService,
    lost_rows,
    state,
)

SECTION = "vendor faults"
TIMEOUT = httpx.Timeout(2.0, connect=1.0)


def _at(page: str, reply: Reply) -> Callable[[BuiltIn, FakeVendor], None]:
    """A fault on the listing's first page ("listing") or its second ("page2"), answered
    every time that page is asked for."""
    def make(plugin: BuiltIn, vendor: FakeVendor) -> None:
        route: Route = getattr(plugin, page)
        vendor.add(route[0], reply, query=route[1])
    return make


@dataclass(frozen=True)
class Fault:
    name: str
    make: Callable[[BuiltIn, FakeVendor], None]
    kind: str  # the run's error kind in the history
    words: tuple[str, ...]  # what the one line says
    slept: float | None = None  # the waits the vendor asked for, honoured (fake clock)


def _page2(reply: Reply) -> Callable[[BuiltIn, FakeVendor], None]:
    return _at("page2", reply)


def _repeat(plugin: BuiltIn, vendor: FakeVendor) -> None:
    plugin.repeat(vendor)


CUT = {"users": [{"id": n} for n in range(40)], "seats": [], "Resources": [], "data": []}
FAULTS = (
    Fault("5xx past the retries", _page2(Reply.unavailable(503)), "unavailable",
          ("HTTP 503", "gave up after 6 attempts", "(on page 2 of")),
    Fault("a 429 storm", _page2(Reply.throttle(retry_after=2)), "throttled",
          ("HTTP 429", "gave up after 6 attempts and 10 s of waiting", "(on page 2 of"),
          slept=10.0),
    Fault("connection resets", _page2(Reply.reset()), "connection",
          ("could not reach the vendor", "gave up after 6 attempts", "(on page 2 of")),
    Fault("truncated JSON", _page2(Reply.truncated(CUT)), "bad_response",
          ("not valid JSON", "(on page 2 of")),
    Fault("HTML with status 200", _at("listing", Reply.html("Single sign-on")),
          "bad_response", ("an HTML page titled 'Single sign-on' instead of JSON",)),
    Fault("a repeated cursor", _repeat, "repeated_page",
          ("again after page", "stopped rather than read the same pages forever")),
)
# Through the command line, on the real clock: faults that end without waiting.
CLI_FAULTS = (
    Fault("HTML with status 200", FAULTS[4].make, FAULTS[4].kind, FAULTS[4].words),
    Fault("a 429 asking for an hour", _page2(Reply.throttle(retry_after=3600)), "throttled",
          ("HTTP 429", "the vendor asked to wait 3600 s more, longer than stackadmin "
                       "waits: try again later")),
    Fault("truncated JSON", FAULTS[3].make, FAULTS[3].kind, FAULTS[3].words),
    Fault("5xx with Retry-After 0", _page2(Reply.unavailable(503, retry_after=0)),
          "unavailable", ("HTTP 503", "gave up after 6 attempts and 0 s of waiting")),
    Fault("a repeated cursor", _repeat, FAULTS[5].kind, FAULTS[5].words),
)


def _tool_id(ctx: ServiceContext, plugin: BuiltIn) -> int:
    with ctx.read() as session:
        found = session.scalar(select(Tool.id).where(Tool.name == plugin.tool))
    assert found is not None
    return found


def _make_it_yesterdays(ctx: ServiceContext, plugin: BuiltIn, integration_id: int) -> int:
    """Yesterday's data, different from what the vendor lists today: every tenth account
    gone, another tenth suspended, the vendor's seat counts seven higher. Returns how many
    accounts a good sync adds back."""
    tool_id = _tool_id(ctx, plugin)
    with ctx.transaction() as session:
        ids = list(session.scalars(select(Account.id).where(Account.tool_id == tool_id)
                                   .order_by(Account.id)))
        gone, suspended = ids[::10], ids[5::10]
        session.execute(delete(AccountListing).where(AccountListing.account_id.in_(gone)))
        session.execute(delete(Account).where(Account.id.in_(gone)))
        session.execute(update(Account).where(Account.id.in_(suspended)).values(
            status="suspended", last_activity=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)))
        session.execute(update(VendorSeatCount).where(
            VendorSeatCount.integration_id == integration_id).values(
            purchased=VendorSeatCount.purchased + 7, consumed=VendorSeatCount.consumed + 7))
    return len(gone)


def _sync(ctx: ServiceContext, plugin: BuiltIn, keyring: SecretService,
          clock: FakeClock) -> engine.SyncResult:
    return engine.sync(ctx, plugin.integration, secrets=keyring.store, timeout=TIMEOUT,
                       sleep=clock.sleep, monotonic=clock.monotonic, wallclock=clock.wallclock,
                       snapshot=False)


def _point_at(ctx: ServiceContext, plugin: BuiltIn, vendor: FakeVendor,
              keyring: SecretService) -> None:
    integrations.edit_integration(ctx, plugin.integration, given=plugin.options(vendor),
                                  secrets=keyring.store)


def _judge(plugin: BuiltIn, fault: Fault, error: str | None, before: Rows, after: Rows,
           run: history.RunRow) -> list[str]:
    problems = []
    if not error:
        return ["the sync did not fail"]
    if "\n" in error or any(word in error for word in BAD_WORDS):
        problems.append(f"not one line in words: {error!r}")
    problems += [f"does not say {w!r}: {error!r}" for w in fault.words if w not in error]
    try:
        assert_no_secret(plugin.secret, error)
    except AssertionError as exc:
        problems.append(str(exc))
    if after != before:
        changed = [name for name in before if after.get(name) != before[name]]
        problems.append(f"the sync changed {changed}")
    if (run.status, run.error, run.error_kind) != ("failed", error, fault.kind):
        problems.append(f"history says {run.status} ({run.error_kind}): {run.error!r}")
    return problems


def _fault_case(ctx: ServiceContext, plugin: BuiltIn, fault: Fault, row_id: int,
                keyring: SecretService, db_url: str, before: Rows) -> tuple[list[str], Rows]:
    """One fault's sync through the service; what is wrong, and the rows after it."""
    clock = FakeClock()
    with FakeVendor() as vendor, captured_logs() as logs:
        plugin.serve(vendor)
        fault.make(plugin, vendor)
        _point_at(ctx, plugin, vendor, keyring)
        result = _sync(ctx, plugin, keyring, clock)
    after = state(db_url)
    problems = _judge(plugin, fault, result.error, before, after,
                      history.runs(ctx, row_id, limit=1)[0])
    if not result.summary().startswith(f"{plugin.integration}: failed: "):
        problems.append(f"the summary does not name it: {result.summary()!r}")
    if fault.slept is not None and clock.slept != pytest.approx(fault.slept):
        problems.append(f"waited {clock.slept} s, not the {fault.slept} s asked for")
    try:
        assert_no_secret(plugin.secret, logs)
    except AssertionError as exc:
        problems.append(f"a log line: {exc}")
    return problems, after


def test_a_vendor_fault_fails_in_one_line_and_changes_nothing(
        ctx: ServiceContext, db_url: str, db_kind: str, keyring_env: SecretService,
        reliability: Report) -> None:
    """Every plugin feeds a tool of its own in one database: a fault in one sync must change
    nothing of any tool."""
    section = reliability.section(SECTION, db_kind)
    failed_before = len(section.failures)
    rows: dict[BuiltIn, int] = {}
    readded: dict[BuiltIn, int] = {}
    try:
        for plugin in BUILT_IN:
            with FakeVendor() as vendor:
                plugin.serve(vendor)
                rows[plugin] = integrations.add_integration(
                    ctx, plugin.plugin_id, plugin.integration, plugin.tool,
                    plugin.options(vendor), plugin.secret, secrets=keyring_env.store).id
                first = _sync(ctx, plugin, keyring_env, FakeClock())
            assert first.ok and first.added == plugin.accounts, first.summary()
            readded[plugin] = _make_it_yesterdays(ctx, plugin, rows[plugin])
        before = state(db_url)

        for plugin in BUILT_IN:
            for fault in FAULTS:
                problems, after = _fault_case(ctx, plugin, fault, rows[plugin], keyring_env,
                                              db_url, before)
                section.record(not problems, rows_lost=lost_rows(before, after),
                               what=f"{plugin} {fault.name}: {problems}", failed_syncs=1)

        # The command line: one `stackadmin sync` of them all, each vendor with a fault.
        chosen = {plugin: CLI_FAULTS[n % len(CLI_FAULTS)] for n, plugin in enumerate(BUILT_IN)}
        with contextlib.ExitStack() as vendors:
            for plugin, fault in chosen.items():
                vendor = vendors.enter_context(FakeVendor())
                plugin.serve(vendor)
                fault.make(plugin, vendor)
                _point_at(ctx, plugin, vendor, keyring_env)
            outcome = run_cli(["sync", *(p.integration for p in BUILT_IN)], db=db_url,
                              timeout=120)
        after = state(db_url)
        said = [line for line in outcome.err.splitlines() if line.startswith("stackadmin:")]
        lost = lost_rows(before, after)
        for index, (plugin, fault) in enumerate(chosen.items()):
            prefix = f"stackadmin: error: {plugin.integration}: failed: "
            mine = [line.removeprefix(prefix) for line in said if line.startswith(prefix)]
            problems = _judge(plugin, fault, mine[0] if len(mine) == 1 else None, before,
                              after, history.runs(ctx, rows[plugin], limit=1)[0])
            if plugin.secret in outcome.out + outcome.err:
                problems.append("the token was printed")
            section.record(not problems, rows_lost=0 if index else lost,
                           what=f"{plugin} {fault.name} (command line): {problems}",
                           command_line_failures=1)
        assert outcome.code == 1 and outcome.clean(), outcome.err
        assert len(said) == len(BUILT_IN), said

        # The comparison sees a sync that writes: a good one now adds back what was gone.
        for plugin in BUILT_IN:
            with FakeVendor() as vendor:
                plugin.serve(vendor)
                _point_at(ctx, plugin, vendor, keyring_env)
                good = _sync(ctx, plugin, keyring_env, FakeClock())
            assert good.ok and good.added == readded[plugin], good.summary()
        assert state(db_url) != before
    finally:
        for plugin in rows:
            integrations.remove_integration(ctx, plugin.integration, secrets=keyring_env.store)
    assert not section.failures[failed_before:], json.dumps(section.failures, indent=1)
    assert section.rows_lost == 0
