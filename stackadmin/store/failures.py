"""Database failures a user can act on, said in words: busy, read-only, disk full, damaged,
unreachable. Every engine routes its driver errors through `explain` (an SQLAlchemy
`handle_error` listener), so the CLI and the GUI say the same thing and never show a
traceback for them. Anything not listed here stays an exception (a bug, or a conflict such
as a unique key that the service turns into a sentence itself)."""

from __future__ import annotations

import os
from pathlib import Path

from stackadmin.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseError,
    UserError,
)
from stackadmin.store.backups import newest_backup

# SQLite's primary result codes (the low byte of the extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
# ... and the same recognised by their message, for a driver that gives no code.
_SQLITE_TEXTS = (
    ("database is locked", _BUSY), ("database table is locked", _LOCKED),
    ("readonly database", _READONLY), ("disk i/o error", _IOERR),
    ("malformed", _CORRUPT), ("database or disk is full", _FULL),
    ("unable to open database file", _CANTOPEN), ("file is not a database", _NOTADB),
)
_NEARLY_FULL_BYTES = 256 * 1024  # less free space than a WAL index and a few pages
# PostgreSQL SQLSTATEs.
_PG_LOCK_NOT_AVAILABLE, _PG_DISK_FULL, _PG_READ_ONLY = "55P03", "53100", "25006"


def damaged_message(path: Path | None) -> str:
    """The one line for a database file that SQLite cannot read, naming the newest backup."""
    newest = newest_backup(path) if path is not None else None
    where = (str(newest) if newest is not None
             else f"none found beside {path}" if path is not None else "none found")
    return f"the database file is damaged; restore a backup (newest: {where})"


def first_line(exc: BaseException) -> str:
    """The driver's own first line: the rest (PostgreSQL's DETAIL) may quote row values."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _read_only(path: Path | None) -> str:
    if path is not None and path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only for you, so nothing was changed; check its permissions"
    if path is not None and not os.access(path.parent, os.W_OK):
        return (f"the folder of {path} is read-only for you, and SQLite writes its -wal and "
                "-shm files beside the database; nothing was changed (check the folder's "
                "permissions)")
    return (f"{path or 'the database'} is read-only, so nothing was changed; check the "
            "permissions of the file, its -wal and -shm files and its folder")


def _no_space_beside(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        fs = os.statvfs(path.parent)
    except OSError:
        return False
    return fs.f_bavail * fs.f_frsize < _NEARLY_FULL_BYTES


def _sqlite_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    return next((c for words, c in _SQLITE_TEXTS if words in text), None)


def _explain_sqlite(exc: BaseException, path: Path | None) -> UserError | None:
    code = _sqlite_code(exc)
    where = str(path) if path is not None else "the database"
    if code in (_BUSY, _LOCKED):
        return DatabaseBusyError()
    if code in (_CORRUPT, _NOTADB):
        return DatabaseDamagedError(damaged_message(path))
    if code == _READONLY:
        return DatabaseError(_read_only(path))
    if code == _FULL or (code in (_IOERR, _CANTOPEN) and _no_space_beside(path)):
        # With no room at all, SQLite cannot even make its -wal and -shm files: that comes
        # as an I/O error, but the cause to tell is the full disk.
        return DatabaseError(f"the disk holding {where} is full; nothing was saved")
    if code == _CANTOPEN:
        return DatabaseError(f"cannot open {where}: check that its folder exists and that "
                             "you may read and write there")
    if code == _IOERR:
        return DatabaseError(f"{where} could not be read or written (disk I/O error); "
                             "nothing was saved")
    return None


# The server ended the session: shut down (57P01: a fast stop, or pg_terminate_backend),
# crashed (57P02).
_PG_SHUT_DOWN = ("57P01", "57P02")


def _explain_postgresql(exc: BaseException, describe: str, connecting: bool
                        ) -> UserError | None:
    state = getattr(exc, "sqlstate", None)
    if state == _PG_LOCK_NOT_AVAILABLE:
        return DatabaseBusyError()
    if state == _PG_DISK_FULL:
        return DatabaseError(f"the database server's disk is full ({describe}); nothing was "
                             "saved")
    if state == _PG_READ_ONLY:
        return DatabaseError(f"{describe} is read-only; nothing was saved")
    if (connecting and state is None) or (state or "").startswith("08") or state == "57P03":
        return DatabaseError(f"cannot open the database {describe}: {first_line(exc)}")
    if state in _PG_SHUT_DOWN:
        return DatabaseError(f"the database server closed the connection ({describe}: "
                             f"{first_line(exc)}); what was not saved before is not saved: "
                             "run the command again once the server is back")
    return None


def explain(exc: BaseException, *, dialect: str, path: Path | None, describe: str,
            connecting: bool = False) -> UserError | None:
    """A UserError saying what went wrong with the database, or None for anything else.
    `connecting`: the error came while opening a connection."""
    if dialect == "sqlite":
        return _explain_sqlite(exc, path)
    if dialect == "postgresql":
        return _explain_postgresql(exc, describe, connecting)
    return None
