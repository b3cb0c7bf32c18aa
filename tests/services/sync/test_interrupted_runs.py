"""A run its program left "running": each run records the process that owns it; a new sync
closes a run whose process on this host is gone (or whose pid is another process's now) at
once, and still refuses one whose process runs, runs on another host, or is not known, until
its heartbeat is stale. The processes here are real ones (this test, a child it starts)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from stackadmin.services.sync import engine, history, schedule
from stackadmin.store.models import Integration, SyncRun, utcnow
from tests.services.sync.conftest import Kit, seat, start_of

HOST = socket.gethostname()


def running_run(kit: Kit, integration_id: int, recorded: str | None,
                heard: timedelta = timedelta(seconds=10)) -> datetime:
    """A run marked running, owned by `recorded`, last heard from `heard` ago."""
    last = utcnow() - heard
    with kit.ctx.transaction() as session:
        session.add(SyncRun(integration_id=integration_id, status="running",
                            started_at=last - timedelta(minutes=1), heartbeat_at=last,
                            owner=recorded))
    return last


def make_stale(kit: Kit) -> None:
    with kit.ctx.transaction() as session:
        session.execute(update(SyncRun).where(SyncRun.status == "running").values(
            heartbeat_at=utcnow() - engine.STALE - timedelta(seconds=1)))


def outcomes(kit: Kit, integration_id: int) -> list[tuple[str, str | None]]:
    return [(r.status, r.error_kind) for r in history.runs(kit.ctx, integration_id)]


@pytest.mark.usefixtures("sleeper")
def test_each_run_records_the_process_that_ran_it(kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    assert kit.sync().ok
    assert kit.sync(dry_run=True).ok
    with kit.ctx.read() as session:
        owners = session.scalars(select(SyncRun.owner).order_by(SyncRun.id)).all()
    me = f"{HOST}:{os.getpid()}:{start_of(os.getpid())}"
    assert owners == [me, me]
    assert re.fullmatch(r"[^:]+:\d+:\d+", me)  # host, pid and start time: nothing else


def test_a_run_whose_process_is_gone_is_closed_at_once(
        kit: Kit, sleeper: subprocess.Popen[bytes]) -> None:
    kit.serve_copilot([seat(1)])
    row = kit.add()
    recorded = f"{HOST}:{sleeper.pid}:{start_of(sleeper.pid)}"
    sleeper.kill()
    sleeper.wait()
    last = running_run(kit, row.id, recorded)
    result = kit.sync()
    assert result.ok, result.error
    assert outcomes(kit, row.id) == [("ok", None), ("failed", "interrupted")]
    with kit.ctx.read() as session:
        old = session.scalars(select(SyncRun).where(SyncRun.owner == recorded)).one()
        assert old.error == "interrupted: the program running this sync stopped before its end"
        assert old.finished_at == last  # its last sign of life


def test_a_pid_now_held_by_another_process_counts_as_gone(
        kit: Kit, sleeper: subprocess.Popen[bytes]) -> None:
    kit.serve_copilot([seat(1)])
    row = kit.add()
    # The sleeper holds the pid, but it started at another moment than the run's owner.
    running_run(kit, row.id, f"{HOST}:{sleeper.pid}:{int(start_of(sleeper.pid)) - 250}")
    assert kit.sync().ok
    assert outcomes(kit, row.id) == [("ok", None), ("failed", "interrupted")]
    assert sleeper.poll() is None  # nothing was done to it


@pytest.mark.parametrize("whose", ["this process", "a child process", "another host",
                                   "nobody recorded", "unreadable text"])
def test_a_run_that_may_still_be_running_is_refused_until_stale(
        kit: Kit, sleeper: subprocess.Popen[bytes], whose: str) -> None:
    kit.serve_copilot([seat(1)])
    row = kit.add()
    gone = subprocess.Popen(["true"])
    gone.wait()
    recorded = {
        "this process": f"{HOST}:{os.getpid()}:{start_of(os.getpid())}",
        "a child process": f"{HOST}:{sleeper.pid}:{start_of(sleeper.pid)}",
        # Its pid is free here: that says nothing of a process on the other host.
        "another host": f"not-{HOST}:{gone.pid}:12345",
        "nobody recorded": None,
        "unreadable text": "pid 4242",
    }[whose]
    last = running_run(kit, row.id, recorded)
    busy = kit.sync()
    assert (busy.status, busy.error_kind) == ("failed", "busy")
    assert busy.error == (
        f"'Copilot acme' is being synced already (since "
        f"{last - timedelta(minutes=1):%Y-%m-%d %H:%M} UTC, last heard from at "
        f"{last:%H:%M:%S} UTC); if the program running it has stopped, a new sync can "
        f"start from {last + engine.STALE:%H:%M:%S} UTC")
    assert outcomes(kit, row.id) == [("running", None)]
    make_stale(kit)
    assert kit.sync().ok
    assert outcomes(kit, row.id) == [("ok", None), ("failed", "interrupted")]


def test_a_run_left_by_a_killed_process_does_not_hold_the_schedule_back(
        kit: Kit, sleeper: subprocess.Popen[bytes]) -> None:
    kit.serve_copilot([seat(1)])
    row = kit.add(interval="hourly")
    assert kit.sync().ok
    with kit.ctx.transaction() as session:  # its last sync two hours ago: due
        session.execute(update(SyncRun).values(started_at=utcnow() - timedelta(hours=2)))
        session.execute(update(Integration).values(
            last_success_at=utcnow() - timedelta(hours=2)))
    running_run(kit, row.id, f"{HOST}:{sleeper.pid}:{start_of(sleeper.pid)}")
    assert [(d.name, d.due, d.reason) for d in schedule.schedule(kit.ctx)] == [
        ("Copilot acme", False, "being synced now")]
    sleeper.kill()
    sleeper.wait()
    assert [(d.name, d.due) for d in schedule.schedule(kit.ctx)] == [("Copilot acme", True)]
    assert kit.sync(trigger="schedule").ok
    assert outcomes(kit, row.id) == [("ok", None), ("failed", "interrupted"), ("ok", None)]
