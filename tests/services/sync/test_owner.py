"""The owner of a running sync: what it records (host, pid, start time and nothing else), how
a recorded owner is judged (with a stand-in for the process table, then with real processes),
and when a run still marked running counts as stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from stackadmin.services.sync import owner
from stackadmin.services.sync.owner import STALE, Owner, Seen, Verdict
from tests.services.sync.conftest import start_of

HERE = "laptop-ada"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="processes are looked at through /proc (Linux)")


def table(**processes: str | Seen) -> owner.Probe:
    """A stand-in process table: pid (as "p<pid>") → start time; any other pid: none."""
    def look(pid: int) -> str | Seen:
        return processes.get(f"p{pid}", Seen.NO_PROCESS)
    return look


# -- the recorded text ---------------------------------------------------------------------

def test_an_owner_is_written_and_read_back() -> None:
    made = Owner("laptop-ada.example.com", 4242, "1234567")
    assert str(made) == "laptop-ada.example.com:4242:1234567"
    assert Owner.parse(str(made)) == made
    unknown_start = Owner("mac-ada", 77, None)
    assert str(unknown_start) == "mac-ada:77:"
    assert Owner.parse(str(unknown_start)) == unknown_start
    assert Owner.parse("fe80::1:12:5") == Owner("fe80::1", 12, "5")  # colons in the host


@pytest.mark.parametrize("text", [None, "", "laptop", "laptop:abc:5", "laptop:12:x5",
                                  ":12:5", "12:5", "laptop:-3:5"])
def test_text_not_in_the_owner_form_is_no_owner(text: str | None) -> None:
    assert Owner.parse(text) is None
    assert owner.judge(text, here=HERE, look=table(p12="5")) is Verdict.UNKNOWN


def test_this_process_records_its_host_pid_and_start_time_only() -> None:
    me = owner.this_process()
    assert (me.host, me.pid) == (socket.gethostname(), os.getpid())
    if sys.platform.startswith("linux"):
        assert me.start == start_of(os.getpid())
        assert str(me) == f"{socket.gethostname()}:{os.getpid()}:{start_of(os.getpid())}"


# -- judged against a stand-in process table ----------------------------------------------------

def test_an_owner_on_this_host_is_alive_while_its_process_runs() -> None:
    assert owner.judge(f"{HERE}:12:500", here=HERE, look=table(p12="500")) is Verdict.ALIVE


def test_an_owner_whose_process_ended_is_gone() -> None:
    assert owner.judge(f"{HERE}:12:500", here=HERE, look=table(p13="500")) is Verdict.GONE


def test_a_pid_taken_by_a_process_started_at_another_moment_is_gone() -> None:
    assert owner.judge(f"{HERE}:12:500", here=HERE, look=table(p12="9100")) is Verdict.GONE


def test_an_owner_on_another_host_is_never_looked_up_here() -> None:
    def look(pid: int) -> str | Seen:
        raise AssertionError("another host's process looked up on this one")

    assert owner.judge("build-server:12:500", here=HERE, look=look) is Verdict.ELSEWHERE


def test_an_owner_without_a_start_time_or_an_unreadable_process_is_unknown() -> None:
    # A pid alone may be another program's by now; a hidden process may be the owner.
    assert owner.judge(f"{HERE}:12:", here=HERE, look=table()) is Verdict.UNKNOWN
    assert owner.judge(f"{HERE}:12:500", here=HERE,
                       look=table(p12=Seen.UNREADABLE)) is Verdict.UNKNOWN


def test_the_host_is_this_machine_s_name_by_default() -> None:
    assert owner.judge(f"{socket.gethostname()}:12:500",
                       look=table(p12="500")) is Verdict.ALIVE
    assert owner.judge(f"not-{socket.gethostname()}:12:500",
                       look=table(p12="500")) is Verdict.ELSEWHERE


# -- when a run counts as stopped ---------------------------------------------------------------

@pytest.mark.parametrize(("recorded", "stopped"), [
    (f"{HERE}:12:500", False),          # alive here
    (f"{HERE}:12:777", True),           # its pid is another process's now
    (f"{HERE}:99:500", True),           # ended
    ("build-server:99:500", False),     # another host: the heartbeat decides
    (None, False),                      # recorded before owners were
    (f"{HERE}:99:", False),             # no start time recorded
])
def test_a_fresh_run_stopped_only_when_its_owner_is_gone(recorded: str | None,
                                                         stopped: bool) -> None:
    heard = NOW - timedelta(seconds=20)
    assert owner.stopped(recorded, heard, NOW, here=HERE, look=table(p12="500")) is stopped


@pytest.mark.parametrize("recorded", [f"{HERE}:12:500", "build-server:12:500", None])
def test_a_run_silent_for_the_stale_time_stopped_whatever_its_owner(
        recorded: str | None) -> None:
    look = table(p12="500")
    assert owner.stopped(recorded, NOW - STALE, NOW, here=HERE, look=look)
    assert not owner.stopped(recorded, NOW - STALE + timedelta(seconds=1), NOW, here=HERE,
                             look=look)


# -- real processes on this host ------------------------------------------------------------------

@linux_only
def test_a_running_process_is_seen_with_its_start_time(
        sleeper: subprocess.Popen[bytes]) -> None:
    start = start_of(sleeper.pid)
    assert owner.probe(sleeper.pid) == start
    assert owner.probe(os.getpid()) == start_of(os.getpid())
    recorded = f"{socket.gethostname()}:{sleeper.pid}:{start}"
    assert owner.judge(recorded) is Verdict.ALIVE
    assert owner.judge(f"{socket.gethostname()}:{sleeper.pid}:{int(start) + 1}") is (
        Verdict.GONE)


@linux_only
def test_a_killed_process_is_gone_before_and_after_it_is_reaped(
        sleeper: subprocess.Popen[bytes]) -> None:
    recorded = f"{socket.gethostname()}:{sleeper.pid}:{start_of(sleeper.pid)}"
    os.kill(sleeper.pid, signal.SIGKILL)
    os.waitid(os.P_PID, sleeper.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet reaped
    with open(f"/proc/{sleeper.pid}/stat", encoding="ascii") as stat:
        assert stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    assert owner.probe(sleeper.pid) is Seen.NO_PROCESS
    assert owner.judge(recorded) is Verdict.GONE
    sleeper.wait()
    assert owner.probe(sleeper.pid) is Seen.NO_PROCESS
    assert owner.judge(recorded) is Verdict.GONE


def test_where_processes_cannot_be_looked_at_the_heartbeat_alone_decides(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owner, "_linux", lambda: False)
    me = owner.this_process()
    assert me.start is None and str(me).endswith(f":{os.getpid()}:")
    assert owner.probe(os.getpid()) is Seen.UNREADABLE
    gone_pid = f"{socket.gethostname()}:999999999:500"  # no such pid anywhere
    assert owner.judge(gone_pid) is Verdict.UNKNOWN
    assert not owner.stopped(gone_pid, NOW - timedelta(seconds=20), NOW)
    assert owner.stopped(gone_pid, NOW - STALE, NOW)
