"""A sync killed mid-run does not hold the next one back: `python -m stackadmin --db DB sync
NAME` against a slow loopback vendor, killed (SIGKILL) while its run is recorded as running,
then the same sync again at once: it runs, and the killed run is recorded as interrupted. A
sync whose process still runs is refused in words, and of two started at the same instant
exactly one runs (a SQLite file, or PostgreSQL with --pg-url)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from stackadmin.plugins.testing import FakeVendor
from stackadmin.services.context import open_context
from stackadmin.services.sync import engine, integrations
from tests.reliability.databases import read_rows
from tests.reliability.helpers import BAD_WORDS, start_cli
from tests.reliability.sync.conftest import SecretService, Yesterday
from tests.services.sync.conftest import BILLING, body, seat, start_of

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="a killed process is recognised through /proc (Linux)")

SLOW = Yesterday(name="Copilot slow", token="ghp_InterruptedSyncT0ken4b5c6d7e8f9a",
                 pause=0.75, per_page=2)
SEAT_COUNT = 12  # 6 pages of 0.75 s: a sync takes about 5 s
RUNS = {"sync_run": "SELECT id, status, error_kind, error, owner FROM sync_run ORDER BY id"}
INTERRUPTED = "interrupted: the program running this sync stopped before its end"
BUSY = "'Copilot slow' is being synced already"


@dataclass
class Setup:
    url: str
    vendor: FakeVendor

    def serve(self, pause: float) -> None:
        SLOW.serve(self.vendor, [seat(n) for n in range(SEAT_COUNT)], pause)

    def runs(self) -> list[tuple[Any, ...]]:
        return read_rows(self.url, RUNS)["sync_run"]

    def sync(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_command(self.url), capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    def start_sync(self) -> subprocess.Popen[str]:
        return subprocess.Popen(_command(self.url), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)

    def wait_until_running(self, child: subprocess.Popen[str]) -> tuple[Any, ...]:
        """The child's run, once it is recorded as running (it then fetches its pages)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = [run for run in self.runs() if run[1] == "running"]
            if running:
                return running[0]
            assert child.poll() is None, f"the sync ended first: {child.communicate()}"
            time.sleep(0.05)
        raise AssertionError("the sync was never recorded as running")


def _command(url: str) -> list[str]:
    return [sys.executable, "-m", "stackadmin", "--db", url, "sync", SLOW.name]


@pytest.fixture
def setup(db_url: str, keyring_env: SecretService) -> Iterator[Setup]:
    """An integration of a Copilot organisation whose vendor answers slowly, its token in
    the keyring the children read."""
    with FakeVendor() as vendor:
        vendor.add(BILLING, body("github_copilot_billing.json"))
        made = Setup(db_url, vendor)
        made.serve(SLOW.pause)
        ctx = open_context(db_url)
        try:
            integrations.add_integration(ctx, "github-copilot", SLOW.name, "GitHub Copilot",
                                         {"org": "acme", "base_url": vendor.url}, SLOW.token,
                                         secrets=keyring_env.store)
        finally:
            ctx.close()
        try:
            yield made
        finally:
            SLOW.forget(db_url, keyring_env)


def test_a_sync_killed_mid_run_is_closed_by_the_next_one_at_once(setup: Setup) -> None:
    child = setup.start_sync()
    try:
        run_id, _status, _kind, _error, owner = setup.wait_until_running(child)
        # The run names its process: this host, the child's pid and start time, nothing else.
        assert owner == f"{socket.gethostname()}:{child.pid}:{start_of(child.pid)}"
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == -signal.SIGKILL
    assert setup.runs()[0][1] == "running"  # as the killed program left it

    setup.serve(0)
    started = time.monotonic()
    again = setup.sync()
    took = time.monotonic() - started
    assert again.returncode == 0, again.stderr
    assert f"{SLOW.name}: {SEAT_COUNT} added" in again.stdout
    assert not any(word in again.stdout + again.stderr for word in BAD_WORDS)
    assert took < engine.STALE.total_seconds() / 5  # not a wait for the heartbeat
    runs = setup.runs()
    assert [run[:4] for run in runs] == [
        (run_id, "failed", "interrupted", INTERRUPTED),
        (run_id + 1, "ok", None, None)]
    assert runs[1][4].startswith(f"{socket.gethostname()}:")
    assert runs[1][4] != owner


def test_a_sync_whose_process_runs_is_refused_and_goes_on(setup: Setup) -> None:
    first = setup.start_sync()
    try:
        run_id = setup.wait_until_running(first)[0]
        refused = setup.sync()
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"stackadmin: error: {SLOW.name}: failed: {BUSY}")
        assert "if the program running it has stopped, a new sync can start from" in (
            refused.stderr)
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err
    assert f"{SLOW.name}: {SEAT_COUNT} added" in out
    # The refused sync recorded no run and disturbed nothing.
    assert [run[:3] for run in setup.runs()] == [(run_id, "ok", None)]


def test_of_two_syncs_started_at_one_instant_exactly_one_runs(setup: Setup) -> None:
    at = f"{time.time() + 2.5:.3f}"  # both load their modules first, then start together
    children = [start_cli(["sync", SLOW.name], db=setup.url,
                          env={"RELIABILITY_START_AT": at}) for _ in range(2)]
    results = []
    for child in children:
        try:
            out, err = child.communicate(timeout=120)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate()
        results.append((child.returncode, out, err))
    assert sorted(code for code, _out, _err in results) == [0, 1], results
    refused = next(err for code, _out, err in results if code == 1)
    assert BUSY in refused
    assert not any(word in out + err for _code, out, err in results for word in BAD_WORDS)
    assert [run[1:3] for run in setup.runs()] == [("ok", None)]
