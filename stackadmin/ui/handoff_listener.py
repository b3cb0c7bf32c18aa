"""One window per database: the open window's side. It answers each later start's one line
(stackadmin.domain.handoff) on the socket stackadmin.ui.handoff bound, opens a link it is
handed as `MainWindow.open_link` opens one, comes to the front, and says in the status bar
what it refused.

`STACKADMIN_TRACE_HANDOFF=1` (tests) has the window say on stderr "stackadmin-handoff
listening" once it answers, and, once the work that follows a message it took or refused is
done, "stackadmin-handoff {json}": how many messages it has had, the page it shows, the ids
of the rows selected there, and what the status bar said since the message came.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from stackadmin.domain.handoff import (
    MAX_LINE,
    OK,
    HandoffError,
    Request,
    parse_request,
    refusal,
)

if TYPE_CHECKING:
    from stackadmin.ui.mainwindow import MainWindow

TRACE_ENV = "STACKADMIN_TRACE_HANDOFF"
READ_MS = 5000  # a connection that sends no whole line in this time is dropped


def listen(window: MainWindow, server: QLocalServer) -> Receiver:
    """Answers later starts on `server` (listening already) for `window`, beginning with
    those that connected while the window was being built."""
    listener = Listener(server, window)
    receiver = Receiver(window, listener)
    if os.environ.get(TRACE_ENV):
        print("stackadmin-handoff listening", file=sys.stderr, flush=True)
    listener.take_connections()
    return receiver


class Listener(QObject):
    """The listening end: reads one line from each connection, answers it, and says what
    it took (a domain.handoff.Request) or refused (why, in words)."""

    accepted = Signal(object)  # a Request
    refused = Signal(str)

    def __init__(self, server: QLocalServer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = server
        server.newConnection.connect(self.take_connections)

    def take_connections(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            _Conversation(socket, self)


class _Conversation(QObject):
    """One connection to the listener: a line in, a line out. A child of its socket, so both
    go together."""

    def __init__(self, socket: QLocalSocket, listener: Listener) -> None:
        super().__init__(socket)
        self.socket = socket
        self.listener = listener
        self.data = b""
        self.over = False
        socket.setReadBufferSize(MAX_LINE)
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(self._gone)
        QTimer.singleShot(READ_MS, self, self._too_slow)
        self._read()

    def _read(self) -> None:
        if self.over:
            return
        self.data += self.socket.readAll().data()
        line, newline, _rest = self.data.partition(b"\n")
        if not newline:
            if len(self.data) >= MAX_LINE:
                self._refuse(f"the message is longer than {MAX_LINE} bytes")
            return
        try:
            request = parse_request(line)
        except HandoffError as exc:
            self._refuse(str(exc))
            return
        self._answer(OK)
        self.listener.accepted.emit(request)

    def _refuse(self, reason: str) -> None:
        self._answer(refusal(reason))
        self.listener.refused.emit(reason)

    def _answer(self, data: bytes) -> None:
        self.over = True
        self.socket.write(data)
        self.socket.disconnectFromServer()  # once the answer is written

    def _gone(self) -> None:
        if not self.over and self.data.strip():
            self.over = True
            self.listener.refused.emit("the message ended before its line did")
        self.over = True
        self.socket.deleteLater()

    def _too_slow(self) -> None:
        if self.over:
            return
        if self.data.strip():
            self._refuse(f"the message did not end within {READ_MS / 1000:g} s")
        else:
            self.over = True
            self.socket.abort()


class Receiver(QObject):
    """What the window does with what its listener takes: the link opened as
    `MainWindow.open_link` opens one (once the database is open: until then it waits in
    `pending`), and the window brought to the front; a refusal said in the status bar."""

    def __init__(self, window: MainWindow, listener: Listener) -> None:
        super().__init__(window)
        self.window = window
        self.pending: list[str] = []
        self.handled = 0  # messages taken or refused
        self._idle_ticks = 0
        self._report_timer: QTimer | None = None
        self._said: list[str] = []
        listener.accepted.connect(self._accepted)
        listener.refused.connect(self._refused)

    def take_pending(self) -> list[str]:
        """The links handed over before the database was open (app.run_gui opens them)."""
        links, self.pending = self.pending, []
        return links

    def _accepted(self, request: Request) -> None:
        self.handled += 1
        self._watch()
        bring_to_front(self.window, request.token)
        if request.link is not None:
            if self.window.env.ready:
                self.window.open_link(request.link)
            else:
                self.pending.append(request.link)
        self._report()

    def _refused(self, reason: str) -> None:
        self.handled += 1
        self._watch()
        self.window.env.message.emit(f"Refused a message from another program: {reason}.")
        self._report()

    # -- STACKADMIN_TRACE_HANDOFF ----------------------------------------------------------
    def _watch(self) -> None:
        if not os.environ.get(TRACE_ENV):
            return
        if self._report_timer is None:
            self._report_timer = QTimer(self)
            self._report_timer.setInterval(20)
            self._report_timer.timeout.connect(self._report_when_idle)
            self.window.env.message.connect(self._said.append)
        self._said.clear()

    def _report(self) -> None:
        if self._report_timer is not None:
            self._idle_ticks = 0
            self._report_timer.start()

    def _report_when_idle(self) -> None:
        # Settled once no job ran for two ticks: the link's look-up, then its page's load.
        busy = self.window.env.tasks.busy or not self.window.env.ready or self.pending
        self._idle_ticks = 0 if busy else self._idle_ticks + 1
        if self._idle_ticks < 2 or self._report_timer is None:
            return
        self._report_timer.stop()
        window = self.window
        page = window.pages.get(window.current_key)
        rows = page.selected_rows() if hasattr(page, "selected_rows") else []
        import json

        report = {"messages": self.handled, "page": window.current_key,
                  "selected": [getattr(row, "id", None) for row in rows],
                  "said": list(self._said)}
        print(f"stackadmin-handoff {json.dumps(report)}", file=sys.stderr, flush=True)


def bring_to_front(window: Any, token: str = "") -> None:
    """Shows the window (restored if minimised), raised and active. On Wayland the
    compositor lets a window take the focus only with an activation token: the one the
    desktop gave the process that handed over, which Qt's Wayland plugin reads from
    XDG_ACTIVATION_TOKEN when the window asks to be activated."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    if token and QGuiApplication.platformName().startswith("wayland"):
        os.environ["XDG_ACTIVATION_TOKEN"] = token
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState(state & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
