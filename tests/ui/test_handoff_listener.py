"""One window per database, in this process with real local sockets: a line is read however
it arrives, and what is too long, cut off, too slow or silent is refused or dropped; a start
takes over a socket a crashed window left, but never another user's, holds the lock from its
look until it listens, and a smoke check never takes a live window's; the window opens a
link handed over before its database is open once it is, and comes back from minimised."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLockFile
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from stackadmin.domain.handoff import MAX_LINE, Request
from stackadmin.errors import UserError
from stackadmin.ui import handoff, handoff_listener
from stackadmin.ui.handoff_listener import Listener, Receiver
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import make_env, screenshot, wait_idle


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sa-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Heard:
    def __init__(self, listener: Listener) -> None:
        self.accepted: list[Request] = []
        self.refused: list[str] = []
        listener.accepted.connect(self.accepted.append)
        listener.refused.connect(self.refused.append)


@pytest.fixture
def listening(runtime: Path) -> Iterator[tuple[str, Listener, Heard]]:
    address = str(runtime / "sock")
    server = QLocalServer()
    assert server.listen(address)
    listener = Listener(server)
    yield address, listener, Heard(listener)
    server.close()


def _client(address: str, qtbot: Any) -> tuple[QLocalSocket, bytearray]:
    client = QLocalSocket()
    answer = bytearray()
    client.readyRead.connect(lambda: answer.extend(client.readAll().data()))
    client.connectToServer(address)
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.ConnectedState)
    return client, answer


def test_a_line_that_arrives_in_pieces_is_taken_and_answered(
        listening: tuple[str, Listener, Heard], qtbot: Any) -> None:
    address, _listener, heard = listening
    client, answer = _client(address, qtbot)
    line = Request("stackadmin://renewals?term_id=3", token="tok").encode()
    for piece in (line[:5], line[5:30], line[30:]):
        client.write(piece)
        client.flush()
        qtbot.wait(30)
    qtbot.waitUntil(lambda: bytes(answer) == b"ok\n")
    assert heard.accepted == [Request("stackadmin://renewals?term_id=3", token="tok")]
    assert heard.refused == []
    qtbot.waitUntil(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState)


def test_a_message_without_end_is_refused_once_past_the_limit(
        listening: tuple[str, Listener, Heard], qtbot: Any) -> None:
    address, _listener, heard = listening
    client, answer = _client(address, qtbot)
    client.write(b"stackadmin/1 open link=" + b"a" * (2 * MAX_LINE))
    qtbot.waitUntil(lambda: answer.endswith(b"\n"))
    assert bytes(answer) == f"refused the message is longer than {MAX_LINE} bytes\n".encode()
    assert heard.refused == [f"the message is longer than {MAX_LINE} bytes"]
    assert heard.accepted == []


def test_a_message_cut_off_is_refused_and_never_acted_on(
        listening: tuple[str, Listener, Heard], qtbot: Any) -> None:
    address, _listener, heard = listening
    client, _answer = _client(address, qtbot)
    client.write(b"stackadmin/1 open link=stackadmin%3A%2F%2Ftools")
    client.flush()
    qtbot.wait(50)
    client.disconnectFromServer()
    qtbot.waitUntil(lambda: bool(heard.refused))
    assert heard.refused == ["the message ended before its line did"]
    assert heard.accepted == []


def test_a_sender_too_slow_is_refused_and_a_silent_one_dropped_without_a_word(
        listening: tuple[str, Listener, Heard], qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handoff_listener, "READ_MS", 200)
    address, _listener, heard = listening
    slow, answer = _client(address, qtbot)
    slow.write(b"stackadmin/1 sh")
    silent, said = _client(address, qtbot)
    unconnected = QLocalSocket.LocalSocketState.UnconnectedState
    qtbot.waitUntil(lambda: silent.state() == unconnected and slow.state() == unconnected)
    assert bytes(answer) == b"refused the message did not end within 0.2 s\n"
    assert heard.refused == ["the message did not end within 0.2 s"]
    assert bytes(said) == b"" and heard.accepted == []


def _stale_socket(address: str) -> None:
    """A socket file nobody listens on: what a window killed outright leaves."""
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(address)
    stale.close()


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets")
def test_a_socket_a_crashed_window_left_is_taken_over(runtime: Path, tmp_path: Path,
                                                      qapp: Any) -> None:
    db = str(tmp_path / "stack.sqlite")
    address = handoff.instance_address(db)
    assert address is not None and address.startswith(str(runtime))
    _stale_socket(address)
    claim = handoff.claim(db, None)
    try:
        assert not claim.handed_off and claim.address == address
        server = claim.listen()  # once the window is painted
        assert server is not None and server.fullServerName() == address
        assert handoff._someone_at(address)  # it is listened at now
    finally:
        claim.close()
    assert not os.path.exists(address)  # closing takes the socket file away


def test_the_look_and_the_listen_are_one_step_under_the_lock(runtime: Path, tmp_path: Path,
                                                            qapp: Any) -> None:
    """From its look for a window until it listens (its window painted), a start holds the
    lock: a second start meanwhile waits, then finds it answering."""
    db = str(tmp_path / "stack.sqlite")
    claim = handoff.claim(db, None)
    assert claim.address is not None
    other = QLockFile(handoff._lock_path(claim.address))
    try:
        assert not other.tryLock(0)
        claim.listen()
        assert other.tryLock(0)
        other.unlock()
    finally:
        claim.close()


def test_a_first_start_loads_no_network_module_before_its_window(runtime: Path,
                                                                   tmp_path: Path) -> None:
    """No socket file, nobody listening: QtNetwork (~5 ms) waits until the window is
    painted."""
    probe = ("import sys; from stackadmin.ui.handoff import claim; "
             f"c = claim({str(tmp_path / 'stack.sqlite')!r}, 'stackadmin://tools'); "
             "print(c.address is not None, 'PySide6.QtNetwork' in sys.modules); c.close()")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="Unix owners")
def test_a_socket_of_another_user_is_left_alone(runtime: Path, qapp: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    address = str(runtime / "sock")
    _stale_socket(address)
    monkeypatch.setattr(handoff, "instance_address", lambda _db: address)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(address).st_uid + 1)
    claim = handoff.claim("x.sqlite", "stackadmin://tools")
    assert not claim.handed_off and claim.address is None
    assert os.path.exists(address)  # neither removed nor replaced


@contextmanager
def _live_window(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A window (its server) listening at the address of a database: (database, address)."""
    db = str(tmp_path / "stack.sqlite")
    address = handoff.instance_address(db)
    assert address is not None
    live = QLocalServer()
    assert live.listen(address)
    try:
        yield db, address
    finally:
        live.close()


def test_a_smoke_check_never_takes_a_live_window_s_address(runtime: Path, tmp_path: Path,
                                                           qapp: Any) -> None:
    with _live_window(tmp_path) as (db, address):
        claim = handoff.claim(db, None, exit_when_ready=True)
        assert not claim.handed_off and claim.address is None and claim.listen() is None
        assert handoff._someone_at(address)  # still the live one's
    # With nobody there, a smoke check listens like any start (its start is the one measured).
    claim = handoff.claim(db, None, exit_when_ready=True)
    assert claim.listen() is not None
    claim.close()


def test_a_link_too_long_to_hand_over_is_an_error_in_words(runtime: Path, tmp_path: Path,
                                                           qapp: Any) -> None:
    with _live_window(tmp_path) as (db, address):
        with pytest.raises(UserError, match=r"the link is too long to be one of stackadmin's"):
            handoff.claim(db, "stackadmin://tools?" + "x" * 5000)
        other = QLockFile(handoff._lock_path(address))
        assert other.tryLock(0)  # not left held
        other.unlock()


def test_an_in_memory_database_never_hands_over(qapp: Any) -> None:
    claim = handoff.claim("sqlite://", "stackadmin://tools")
    assert not claim.handed_off and claim.address is None


@pytest.fixture
def unopened(tmp_path: Path, qtbot: Any) -> Iterator[tuple[MainWindow, Receiver, Listener]]:
    """A window whose database is not open yet, with a receiver on a listener."""
    env = make_env(None, tmp_path)
    window = MainWindow(env)
    qtbot.addWidget(window)
    server = QLocalServer()
    listener = Listener(server, window)
    yield window, Receiver(window, listener), listener


def test_a_link_handed_over_before_the_database_is_open_waits_for_it(
        unopened: tuple[MainWindow, Receiver, Listener]) -> None:
    window, receiver, listener = unopened
    listener.accepted.emit(Request("stackadmin://renewals?term_id=2"))
    listener.accepted.emit(Request(None))
    assert receiver.pending == ["stackadmin://renewals?term_id=2"]
    assert receiver.take_pending() == ["stackadmin://renewals?term_id=2"]
    assert receiver.pending == []
    assert window.current_key == ""  # nothing opened without the database


def test_a_refusal_is_said_in_the_status_bar_and_moves_nothing(window: MainWindow,
                                                                qtbot: Any) -> None:
    listener = Listener(QLocalServer(), window)
    Receiver(window, listener)
    wait_idle(qtbot, window.env)
    shown = window.current_key
    listener.refused.emit("'GET / HTTP/1.1' is not a message stackadmin sends")
    assert window.statusBar().currentMessage() == (
        "Refused a message from another program: 'GET / HTTP/1.1' is not a message "
        "stackadmin sends.")
    assert window.current_key == shown and window.banner.isHidden()
    qtbot.wait(50)
    screenshot(window, "handoff-refused")


def test_the_window_comes_back_from_minimised(
        unopened: tuple[MainWindow, Receiver, Listener], qtbot: Any) -> None:
    window, _receiver, listener = unopened
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    listener.accepted.emit(Request(None))
    assert not window.isMinimized() and window.isVisible()
