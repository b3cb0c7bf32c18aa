"""One window per database: the start's side. The first `stackadmin gui` on a database
listens on a local socket (its `address`); a later one on the same database hands it its
link, or only "show", and exits without a window of its own.
What they say: stackadmin.domain.handoff; what the open window does with it:
stackadmin.ui.handoff_listener.

This runs before the window is built, so it is kept to what that needs: a start that
listens only binds its socket here; the window answers once it is painted (connections
wait for it meanwhile).
"""

from __future__ import annotations

import enum
import logging
import os
import sys
import time
from dataclasses import dataclass

from PySide6.QtCore import QCryptographicHash, QLockFile
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from stackadmin import paths
from stackadmin.domain.handoff import MAX_LINE, HandoffError, Request, parse_answer

log = logging.getLogger(__name__)

INSTANCE_PREFIX = "stackadmin-"
CONNECT_MS = 1000
# The open window answers from its event loop, which no work holds for long; a window that
# does not answer in this time is not waited for (a window of its own is opened instead).
ANSWER_MS = 3000
# Held by a start only while it looks for a window and begins to listen: a start that
# waits longer than this goes on without it (a lock file a crashed start left is stale).
LOCK_MS = 5000


class Outcome(enum.Enum):
    NOBODY = "nobody"  # no window listens (none open, or one that crashed left its socket)
    TAKEN = "taken"  # the open window took the request
    UNANSWERED = "unanswered"  # a window is there but did not answer, or refused


@dataclass
class Claim:
    """How this start goes: hand over and exit, or open a window (listening or not)."""

    handed_off: bool = False  # an open window took the link: this process exits 0
    # Listening: this process's window is the one later starts hand over to (its
    # stackadmin.ui.handoff_listener.listen answers them).
    server: QLocalServer | None = None


def claim(db: str | None, link: str | None, *, exit_when_ready: bool = False) -> Claim:
    """Hands `link` (or "show") to the window open on the database `db` when there is one;
    else listens, so that this process's window is the one later starts hand over to.
    `exit_when_ready` (a check of this start) never hands over and never takes over a
    window's address. HandoffError when the link is too long to be handed over."""
    address = instance_address(db)
    if address is None or not _ours(address):
        return Claim()
    line = Request(link, os.environ.get("XDG_ACTIVATION_TOKEN", "")).encode()
    # Two starts at once (a double click) must not both find nobody and both listen: the
    # look and the listen are one step under a lock file beside the socket.
    lock = QLockFile(_lock_path(address))
    locked = lock.tryLock(LOCK_MS)
    try:
        if exit_when_ready:
            if _someone_at(address):
                return Claim()  # a window of the user's own: leave its address alone
        else:
            outcome, said = send(address, line)
            if outcome is Outcome.TAKEN:
                return Claim(handed_off=True)
            if outcome is Outcome.UNANSWERED:
                print(f"stackadmin: the window open on this database {said}; opening "
                      "another one", file=sys.stderr)
                return Claim()
        # Nobody answers: a socket file there is one a window killed outright left behind.
        # (With an access option set, listen() would also replace it, live or not: hence
        # the look first, under the lock.)
        QLocalServer.removeServer(address)
        server = QLocalServer()
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(address):
            log.warning("cannot listen for later starts at %s: %s", address,
                        server.errorString())
            return Claim()
        return Claim(server=server)
    finally:
        if locked:
            lock.unlock()


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


