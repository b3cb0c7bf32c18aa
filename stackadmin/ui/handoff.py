"""One window per database: the start's side. The first `stackadmin gui` on a database
listens on a local socket (its `instance_address`); a later one on the same database hands
it its link, or only "show", and exits without a window of its own. What they say:
stackadmin.domain.handoff; what the open window does with it: stackadmin.ui.handoff_listener.

This runs before the window is built, so it does only what that needs. On Unix no socket
file means nobody listens: the first start of a window does not even load QtNetwork (~5 ms)
before its first paint, and binds its socket once painted (`Claim.listen`), holding a lock
file from its look until then so that a start meanwhile waits and finds it answering.
"""

from __future__ import annotations

import enum
import logging
import os
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCryptographicHash, QLockFile

from stackadmin import paths

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

INSTANCE_PREFIX = "stackadmin-"
CONNECT_MS = 1000
# The open window answers from its event loop, which no work holds for long; a window that
# does not answer in this time is not waited for (a window of its own is opened instead).
ANSWER_MS = 3000
# Held by a start from its look for a window until it listens (its window painted): a start
# that waits longer than this goes on without it (one a crashed start left is stale).
LOCK_MS = 5000


class Outcome(enum.Enum):
    NOBODY = "nobody"  # no window listens (none open, or one that crashed left its socket)
    TAKEN = "taken"  # the open window took the request
    UNANSWERED = "unanswered"  # a window is there but did not answer, or refused


@dataclass
class Claim:
    """How this start goes: hand over and exit, or open a window; one that is to listen
    has its `address` (and holds the lock until `listen`)."""

    handed_off: bool = False  # an open window took the link: this process exits 0
    address: str | None = None
    lock: QLockFile | None = None
    server: QLocalServer | None = None  # once listening

    def listen(self) -> QLocalServer | None:
        """Binds the socket (the window painted), then lets a waiting start look; the
        window answers on it with stackadmin.ui.handoff_listener.listen."""
        try:
            if self.address is None:
                return None
            from PySide6.QtNetwork import QLocalServer

            # A socket file still there is one a window killed outright left: nobody
            # answered it, and no start could bind since, the lock being held.
            QLocalServer.removeServer(self.address)
            server = QLocalServer()
            server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            if not server.listen(self.address):
                log.warning("cannot listen for later starts at %s: %s", self.address,
                            server.errorString())
                return None
            self.server = server
            return server
        finally:
            self.release()

    def release(self) -> None:
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None

    def close(self) -> None:
        """Stops listening, the socket file with it: a later start opens a window of its
        own from now on."""
        self.release()
        if self.server is not None:
            self.server.close()


def claim(db: str | None, link: str | None, *, exit_when_ready: bool = False) -> Claim:
    """Hands `link` (or "show") to the window open on the database `db` when there is one;
    else this process's window is to be the one later starts hand over to. `exit_when_ready`
    (a check of this start) never hands over and never takes over a live window's address.
    A UserError when the link is too long to be handed over."""
    address = instance_address(db)
    if address is None or not _ours(address):
        return Claim()
    # Two starts at once (a double click) must not both find nobody: the look and the
    # listen are one step under a lock file beside the socket.
    lock = QLockFile(_lock_path(address))
    held = Claim(address=address, lock=lock if lock.tryLock(LOCK_MS) else None)
    if os.name != "nt" and not os.path.lexists(address):
        return held  # no socket file: nobody listens
    try:
        if exit_when_ready:
            if _someone_at(address):
                held.release()
                return Claim()  # a window of the user's own: leave its address alone
            return held
        outcome, said = send(address, _request_line(link))
    except BaseException:
        held.release()
        raise
    if outcome is Outcome.NOBODY:
        return held
    held.release()
    if outcome is Outcome.TAKEN:
        return Claim(handed_off=True)
    print(f"stackadmin: the window open on this database {said}; opening another one",
          file=sys.stderr)
    return Claim()


def _request_line(link: str | None) -> bytes:
    from stackadmin.domain.handoff import HandoffError, Request

    try:
        return Request(link, os.environ.get("XDG_ACTIVATION_TOKEN", "")).encode()
    except HandoffError as exc:
        from stackadmin.errors import UserError

        raise UserError(str(exc)) from None


def instance_address(db: str | None) -> str | None:
    """Where the window open on the database `db` listens: a name hashed from
    paths.instance_key (so it reveals neither the user, nor a path, nor a password), put
    where paths.socket_path says. Two databases get two; None for an in-memory database.
    Hashed with Qt's SHA-256: QtCore is loaded already, where hashlib would load OpenSSL
    before the first paint."""
    key = paths.instance_key(db)
    if key is None:
        return None
    digest = QCryptographicHash.hash(key.encode("utf-8", "surrogateescape"),
                                     QCryptographicHash.Algorithm.Sha256)
    return paths.socket_path(INSTANCE_PREFIX + bytes(digest.toHex().data()).decode()[:32])


def _lock_path(address: str) -> str:
    import tempfile

    return (address if os.path.isabs(address)
            else os.path.join(tempfile.gettempdir(), address)) + ".lock"


def _ours(address: str) -> bool:
    """False when a socket at this path belongs to another user (the temp folder is
    shared): never talk to it, never try to take its place."""
    if os.name == "nt" or not hasattr(os, "getuid"):
        return True
    try:
        owner = os.lstat(address).st_uid
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if owner != os.getuid():
        log.warning("another user's socket is at %s: this window will not be found by "
                    "later starts", address)
        return False
    return True


def _connect(address: str) -> tuple[QLocalSocket, Outcome | None]:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(address)
    if socket.waitForConnected(CONNECT_MS):
        return socket, None
    nobody = (QLocalSocket.LocalSocketError.ServerNotFoundError,
              QLocalSocket.LocalSocketError.ConnectionRefusedError)
    # Anything else (a connection that timed out) may be a window that is busy: not a
    # reason to take its address.
    return socket, Outcome.NOBODY if socket.error() in nobody else Outcome.UNANSWERED


def _someone_at(address: str) -> bool:
    """Whether a window listens at `address` (or may: one that is slow to accept); the
    connection made to find out is closed at once, without a word (the window ignores it)."""
    socket, failed = _connect(address)
    socket.abort()
    return failed is not Outcome.NOBODY


def send(address: str, line: bytes) -> tuple[Outcome, str]:
    """Sends one request line to the window at `address` and waits for its answer: the
    outcome, and what went wrong in words when it was not taken."""
    from PySide6.QtNetwork import QLocalSocket

    from stackadmin.domain.handoff import MAX_LINE, HandoffError, parse_answer

    socket, failed = _connect(address)
    if failed is not None:
        socket.abort()
        return failed, "does not answer"
    deadline = time.monotonic() + ANSWER_MS / 1000
    socket.write(line)
    answer = b""
    while b"\n" not in answer and len(answer) < MAX_LINE:
        left = int((deadline - time.monotonic()) * 1000)
        if socket.bytesAvailable() == 0 and (left <= 0 or not socket.waitForReadyRead(left)):
            break
        answer += socket.readAll().data()
    closed = socket.state() == QLocalSocket.LocalSocketState.UnconnectedState
    socket.abort()
    if b"\n" not in answer and closed:
        # The window's process was ending (its event loop over): as good as none open.
        return Outcome.NOBODY, "closed without answering"
    if b"\n" not in answer:
        return Outcome.UNANSWERED, f"did not answer within {ANSWER_MS / 1000:g} s"
    try:
        refused = parse_answer(answer.partition(b"\n")[0])
    except HandoffError as exc:
        return Outcome.UNANSWERED, f"answered what stackadmin cannot read ({exc})"
    if refused is not None:
        return Outcome.UNANSWERED, f"refused the request: {refused}"
    return Outcome.TAKEN, ""


