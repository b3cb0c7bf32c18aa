"""Copies of a SQLite database: consistent, private, whole or not at all, and pruned.

A copy is made through SQLite's backup API (consistent while others read or write) into a
hidden temporary file beside the destination, then renamed: a full disk or a kill never
leaves a half-written or 0-byte backup under a backup's name. Automatic backups (taken
before a schema upgrade) are pruned to the newest few, with whatever a killed attempt left;
manual ones are kept.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from stackadmin.errors import DatabaseError
from stackadmin.paths import create_private_file
from stackadmin.store.files import backup_name_pattern

KEEP_AUTOMATIC_BACKUPS = 5
AUTOMATIC_LABEL = "backup"
MANUAL_LABEL = "manual-backup"
_PARTIAL = ".partial"


def automatic_backup_path(source: Path, revision: str | None,
                          label: str = AUTOMATIC_LABEL) -> Path:
    """`stackadmin.backup-<UTC time>-rev0001.sqlite` beside the database. Automatic backups
    are pruned to the newest few; other labels (manual backups) are kept."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{source.stem}.{label}-{stamp}-rev{revision or 'none'}{source.suffix}"
    return source.with_name(name)


def _partial_path(destination: Path) -> Path:
    return destination.with_name(f".{destination.name}{_PARTIAL}")


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if not isinstance(exc, sqlite3.Error):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF == 13 if isinstance(code, int) else "disk is full" in str(exc)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_sqlite(source: Path, destination: Path) -> Path:
    """A consistent copy of `source` at `destination` (which must not exist), readable by
    its owner only. Raises DatabaseError in words; on any failure nothing is left behind."""
    if not source.exists():
        raise DatabaseError(f"there is no database at {source}")
    if destination.exists():
        raise DatabaseError(f"{destination} exists already; choose another file name")
    partial = _partial_path(destination)
    partial.unlink(missing_ok=True)  # what a killed attempt at this very name left
    try:
        create_private_file(partial)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            # The copy carries the source's WAL flag; back to a rollback journal, so the
            # file is whole on its own once closed (nothing left in a -wal beside it).
            dst.execute("PRAGMA journal_mode=DELETE").fetchall()
        _fsync(partial)
        if destination.exists():
            raise DatabaseError(f"{destination} exists already; choose another file name")
        os.replace(partial, destination)
    except BaseException as exc:
        for leftover in (partial, partial.with_name(partial.name + "-journal")):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, DatabaseError):
            raise
        if _is_disk_full(exc):
            raise DatabaseError(f"the backup {destination} could not be written: the disk is "
                                "full (nothing was left behind)") from exc
        if isinstance(exc, OSError):
            raise DatabaseError(f"the backup {destination} could not be written: "
                                f"{exc.strerror or exc}") from exc
        if isinstance(exc, sqlite3.Error):
            raise DatabaseError(f"the backup {destination} could not be written: {exc}") from exc
        raise
    return destination


def list_backups(source: Path) -> list[Path]:
    """The automatic and manual backups beside the database, oldest first."""
    pattern = backup_name_pattern(source)
    if not source.parent.is_dir():
        return []
    found = [p for p in source.parent.iterdir() if pattern.fullmatch(p.name) and p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def newest_backup(source: Path) -> Path | None:
    backups = list_backups(source)
    return backups[-1] if backups else None


def prune_backups(source: Path, keep: int = KEEP_AUTOMATIC_BACKUPS) -> None:
    """Keeps the newest `keep` automatic backups and removes the temporary files of
    automatic backups that a killed process left. Only the process holding the upgrade lock
    calls this, so no other automatic backup is being written meanwhile."""
    folder = source.parent
    automatic = sorted(folder.glob(f"{source.stem}.{AUTOMATIC_LABEL}-*{source.suffix}"))
    for old in automatic[:-keep] if keep > 0 else automatic:
        old.unlink(missing_ok=True)
    for leftover in folder.glob(f".{source.stem}.{AUTOMATIC_LABEL}-*{source.suffix}{_PARTIAL}*"):
        leftover.unlink(missing_ok=True)
