"""One window per database, with real processes: a later `stackadmin gui [LINK]` on the same
database hands its link to the window already open and exits 0 without a window of its own;
the open window lands on the link's row. Another database gets its own window; a window
killed without a chance to clean up does not stop the next start; a message that is not one
stackadmin sends is refused in words; a smoke check (`--exit-when-ready`) is never handed to
an open window."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import SubscriptionTerm, Tool
from stackadmin.ui import handoff

pytestmark = pytest.mark.usefixtures("sqlite_only")

START_S = 90.0  # a window's start on a busy 2-core machine, with room to spare
HANDOFF_S = 20.0  # a later start that hands over: well under its own window's start


class Window:
    """A `stackadmin gui` process that keeps running; its stderr read as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "stackadmin", *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, found: Callable[[list[str]], Any], timeout: float = START_S) -> Any:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := found(self.lines)):
                left = deadline - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._changed.wait(0.5)):
                    raise AssertionError(f"gave up waiting; stderr so far: {self.lines}")
                self._changed.wait(min(left, 0.5))
            return result

    def listening(self) -> None:
        self.wait_for(lambda lines: "stackadmin-handoff listening" in lines)

    def reports(self) -> list[dict[str, Any]]:
        return [json.loads(line.split(" ", 1)[1]) for line in list(self.lines)
                if line.startswith("stackadmin-handoff {")]

    def report(self, messages: int) -> dict[str, Any]:
        """The window's report once it has handled `messages` messages and settled."""
        return self.wait_for(lambda _lines: next(
            (r for r in self.reports() if r["messages"] == messages), None))

    def ended(self) -> list[str]:
        """Every line it wrote, once it has exited."""
        self.proc.wait(START_S)
        self._reader.join(START_S)
        return self.lines

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The processes' environment: this test's sandbox (HOME, XDG, data folder), offscreen,
    the handoff traced, and a private runtime folder of its own for the sockets (short:
    a socket path has at most 103 bytes)."""
    runtime = tempfile.mkdtemp(prefix="sa-run-")
    monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)  # so handoff.instance_address agrees here
    yield {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STACKADMIN_TRACE_HANDOFF": "1"}
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.fixture
def windows() -> Iterator[list[Window]]:
    started: list[Window] = []
    yield started
    for window in started:
        window.stop()


def _start(windows: list[Window], env: dict[str, str], *args: str) -> Window:
    window = Window(list(args), env)
    windows.append(window)
    return window


def _later(env: dict[str, str], *args: str,
           timeout: float = HANDOFF_S) -> subprocess.CompletedProcess[str]:
    """A later start, run to its end (one that opens a window of its own instead of handing
    over never ends: the timeout fails the test)."""
    return subprocess.run([sys.executable, "-m", "stackadmin", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**env, "STACKADMIN_TRACE_STARTUP": "1"})


def _jira_term(ctx: ServiceContext) -> tuple[int, str]:
    with ctx.read() as session:
        term_id, plan = session.execute(
            select(SubscriptionTerm.id, SubscriptionTerm.plan).join(Tool)
            .where(Tool.name == "Jira", SubscriptionTerm.status == "active")).one()
    return term_id, f"Opened Jira's {plan + ' ' if plan else ''}term on Renewals."


def _handed_over(result: subprocess.CompletedProcess[str]) -> None:
    """The later start exited 0, quickly (within HANDOFF_S, or _later failed), without a
    window of its own."""
    assert result.returncode == 0, result.stderr
    assert "stackadmin-trace painted" not in result.stderr
    assert "stackadmin-handoff listening" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_link_opens_in_the_window_already_open(demo_ctx: ServiceContext, db_url: str,
                                                 env: dict[str, str],
                                                 windows: list[Window]) -> None:
    term_id, opened = _jira_term(demo_ctx)
    demo_ctx.close()
    first = _start(windows, env, "--db", db_url, "gui")
    first.listening()

    result = _later(env, "--db", db_url, "gui",
                             f"stackadmin://renewals?term_id={term_id}")
    _handed_over(result)
    report = first.report(1)
    assert (report["page"], report["selected"]) == ("renewals", [term_id])
    assert opened in report["said"]  # (the start's reminder count may be said too)

    # Launched again with no link: the open window comes to the front, where it was.
    result = _later(env, "--db", db_url)
    _handed_over(result)
    report = first.report(2)
    assert (report["page"], report["selected"]) == ("renewals", [term_id])

    # A link that is not one is said in the status bar, as at start; nothing moves.
    result = _later(env, "--db", db_url, "gui", "stackadmin://nowhere?id=3")
    _handed_over(result)
    report = first.report(3)
    assert (report["page"], report["selected"]) == ("renewals", [term_id])
    assert ("Cannot open the link: 'nowhere' is not a page of stackadmin (the link was "
            "'stackadmin://nowhere?id=3').") in report["said"]
    assert first.proc.poll() is None


def test_another_database_gets_a_window_of_its_own(demo_ctx: ServiceContext, db_url: str,
                                                   env: dict[str, str], tmp_path: Path,
                                                   windows: list[Window]) -> None:
    demo_ctx.close()
    first = _start(windows, env, "--db", db_url, "gui")
    first.listening()
    other_db = str(tmp_path / "other.sqlite")
    result = subprocess.run([sys.executable, "-m", "stackadmin", "--db", other_db, "demo"],
                            capture_output=True, text=True, timeout=START_S, env=env)
    assert result.returncode == 0, result.stderr
    second = _start(windows, env, "--db", other_db, "gui")
    second.listening()  # not handed to the first: it listens for its own database

    result = _later(env, "--db", other_db, "gui", "stackadmin://integrations")
    _handed_over(result)
    report = second.report(1)
    assert report["page"] == "integrations"
    assert "Opened Integrations from stackadmin://integrations." in report["said"]
    assert first.reports() == []
    assert handoff.instance_address(db_url) != handoff.instance_address(other_db)


def test_a_window_killed_outright_does_not_stop_the_next_start(
        demo_ctx: ServiceContext, db_url: str, env: dict[str, str],
        windows: list[Window]) -> None:
    term_id, opened = _jira_term(demo_ctx)
    demo_ctx.close()
    first = _start(windows, env, "--db", db_url, "gui")
    first.listening()
    first.proc.kill()  # SIGKILL: its socket file stays behind, with nobody listening
    first.proc.wait(30)
    address = handoff.instance_address(db_url)
    assert address is not None and os.path.exists(address)

    second = _start(windows, env, "--db", db_url, "gui")
    second.listening()
    result = _later(env, "--db", db_url, "gui",
                             f"stackadmin://renewals?term_id={term_id}")
    _handed_over(result)
    assert opened in second.report(1)["said"]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets")
def test_a_message_that_is_not_stackadmin_s_is_refused_in_words(
        demo_ctx: ServiceContext, db_url: str, env: dict[str, str],
        windows: list[Window]) -> None:
    demo_ctx.close()
    first = _start(windows, env, "--db", db_url, "gui")
    first.listening()
    address = handoff.instance_address(db_url)
    assert address is not None

    def say(data: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(HANDOFF_S)
            sock.connect(address)
            sock.sendall(data)
            answer = b""
            while not answer.endswith(b"\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
            return answer

    answer = say(b"GET /?page=renewals HTTP/1.1\n")
    assert answer == b"refused 'GET /?page=renewals HTTP/1.1' is not a message stackadmin sends\n"
    report = first.report(1)
    assert ("Refused a message from another program: 'GET /?page=renewals HTTP/1.1' is not a "
            "message stackadmin sends.") in report["said"]
    assert report["page"] == "dashboard"  # nothing was opened

    # A well-formed request with something more in it is refused whole, not half-done.
    answer = say(b"stackadmin/1 open link=stackadmin%3A%2F%2Fintegrations run=rm%20-rf\n")
    assert answer.startswith(b"refused 'run=rm%20-rf' is not part of a message")
    report = first.report(2)
    assert report["page"] == "dashboard"
    assert ("Refused a message from another program: 'run=rm%20-rf' is not part of a message "
            "stackadmin sends.") in report["said"]
    assert not any(said.startswith("Opened") for said in report["said"])


def test_a_smoke_check_is_never_handed_to_the_open_window(
        demo_ctx: ServiceContext, db_url: str, env: dict[str, str],
        windows: list[Window]) -> None:
    """`gui --exit-when-ready` checks its own start: with a window open on the same
    database it starts its own window anyway, leaves the open one's address alone, and
    the open window still takes what later starts hand over."""
    demo_ctx.close()
    first = _start(windows, env, "--db", db_url, "gui")
    first.listening()
    result = _later(env, "--db", db_url, "gui", "--exit-when-ready", timeout=START_S)
    assert result.returncode == 0, result.stderr
    assert "stackadmin-trace reminders" in result.stderr  # its own window got ready
    assert "stackadmin-handoff listening" not in result.stderr
    assert first.reports() == []

    result = _later(env, "--db", db_url, "gui")
    _handed_over(result)
    assert first.report(1)["messages"] == 1


def test_two_starts_at_once_make_one_window(demo_ctx: ServiceContext, db_url: str,
                                            env: dict[str, str],
                                            windows: list[Window]) -> None:
    """A double click on the launcher: one start listens, the other hands over to it."""
    demo_ctx.close()
    both = [_start(windows, env, "--db", db_url, "gui") for _ in range(2)]
    deadline = time.monotonic() + START_S
    while sum(w.proc.poll() is not None for w in both) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    done = [w for w in both if w.proc.poll() is not None]
    assert len(done) == 1 and done[0].proc.returncode == 0, [w.lines for w in both]
    running = next(w for w in both if w is not done[0])
    running.listening()
    assert running.report(1)["messages"] == 1
    assert "stackadmin-handoff listening" not in done[0].ended()
