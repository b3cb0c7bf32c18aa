"""The files a SQLite database owns: private modes, whole backups, and no output written over
the database, its -wal/-shm files or its backups (by path, by link, by inode)."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest

from stackadmin.errors import DatabaseError, UserError
from stackadmin.store import backups
from stackadmin.store.backups import automatic_backup_path, backup_sqlite, newest_backup
from stackadmin.store.engine import ensure_sqlite_file, resolve_target
from stackadmin.store.files import check_output_file, refuse_database_files
from stackadmin.store.migrate import open_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "stackadmin.sqlite"
    engine = open_database(resolve_target(str(path)))
    engine.dispose()
    return path


@pytest.mark.parametrize("name", ["stackadmin.sqlite", "stackadmin.sqlite-wal",
                                  "stackadmin.sqlite-shm", "stackadmin.sqlite-journal",
                                  "stackadmin.backup-20260101T000000Z-rev0001.sqlite",
                                  "stackadmin.manual-backup-20260101T000000Z-revx.sqlite"])
def test_no_output_goes_onto_the_database_or_its_companions(database: Path, name: str) -> None:
    with pytest.raises(UserError, match="choose another file name"):
        refuse_database_files(database, database.parent / name)


@pytest.mark.parametrize("link", [os.link, os.symlink])
def test_another_name_for_the_database_is_refused_too(
        database: Path, tmp_path: Path, link: Callable[[Path, Path], None]) -> None:
    other = tmp_path / "export.csv"
    link(database, other)
    with pytest.raises(UserError, match="is the open database"):
        refuse_database_files(database, other)
    backup = backup_sqlite(database, automatic_backup_path(database, "x"))
    alias = tmp_path / "copy.csv"
    os.link(backup, alias)
    with pytest.raises(UserError, match="is a backup of the open database"):
        refuse_database_files(database, alias)


def test_other_files_beside_the_database_are_fine(database: Path) -> None:
    refuse_database_files(database, database.parent / "finance.csv")
    refuse_database_files(database, database.parent / "stackadmin.sqlite.csv")
    refuse_database_files(None, database)  # a server database has no files here


@pytest.mark.parametrize(("given", "words"), [
    ("", "give the name of the file"), ("   ", "give the name of the file"),
    (".", "is a folder"), ("no/such/folder/x.csv", "does not exist")])
def test_an_output_needs_a_file_name_in_an_existing_folder(given: str, words: str,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=words):
        check_output_file(given)


def test_an_output_is_never_a_link_a_pipe_or_a_device(tmp_path: Path) -> None:
    """An export is written beside its target and renamed over it: a link, a pipe or a
    device in its place is refused, not replaced by a plain file."""
    real = tmp_path / "real.csv"
    real.write_text("real data", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="is a link"):
        check_output_file(link)
    with pytest.raises(UserError, match="not a regular file"):
        check_output_file(fifo)
    with pytest.raises(UserError, match="not a regular file"):
        check_output_file("/dev/null")
    assert check_output_file(real) == real  # a file there is written over, as asked
    assert link.is_symlink() and fifo.is_fifo() and real.read_text("utf-8") == "real data"


def test_a_new_database_its_wal_and_its_folder_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which made them world-readable
    try:
        path = tmp_path / "new" / "deeper" / "stackadmin.sqlite"
        engine = open_database(resolve_target(str(path)))
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM person").scalar()
                assert _mode(Path(f"{path}-wal")) == 0o600
                assert _mode(Path(f"{path}-shm")) == 0o600
        finally:
            engine.dispose()
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700 and _mode(path.parent.parent) == 0o700
        backup = backup_sqlite(path, automatic_backup_path(path, "x"))
        assert _mode(backup) == 0o600
    finally:
        os.umask(old)


def test_a_missing_database_is_not_created_unless_asked(tmp_path: Path) -> None:
    target = resolve_target(str(tmp_path / "typo" / "x.sqlite"))
    with pytest.raises(DatabaseError, match="there is no database at"):
        ensure_sqlite_file(target, create=False)
    assert not (tmp_path / "typo").exists()
    assert ensure_sqlite_file(target, create=True)
    assert not ensure_sqlite_file(target, create=True)


def test_a_backup_is_whole_and_self_contained(database: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('base_currency', 'EUR')")
        conn.commit()
        copy = backup_sqlite(database, tmp_path / "copy.sqlite")  # while the source is open
    assert not Path(f"{copy}-wal").exists()
    with closing(sqlite3.connect(copy)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT value FROM setting").fetchone()[0] == "EUR"
    assert newest_backup(database) is None  # a copy elsewhere is not one of its backups


@pytest.mark.parametrize("failure", [
    OSError(errno.ENOSPC, "No space left on device"),
    sqlite3.OperationalError("database or disk is full"),
])
def test_a_full_disk_leaves_no_backup_behind(database: Path, failure: Exception,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while the copy is written (injected at the write: the fsync of the
    finished copy, or SQLite's own write)."""
    def full(_path: Path) -> None:
        raise failure

    monkeypatch.setattr(backups, "_fsync", full)
    destination = automatic_backup_path(database, "0002")
    with pytest.raises(DatabaseError, match="the disk is full"):
        backup_sqlite(database, destination)
    assert sorted(p.name for p in database.parent.iterdir()) == ["stackadmin.sqlite"]


def test_a_backup_never_replaces_an_existing_file(database: Path, tmp_path: Path) -> None:
    existing = tmp_path / "keep.sqlite"
    existing.write_text("mine")
    with pytest.raises(DatabaseError, match="exists already"):
        backup_sqlite(database, existing)
    assert existing.read_text() == "mine"


def test_stackadmins_own_data_folder_is_made_private(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An older stackadmin left it 0755; the default database's folder is tightened when
    stackadmin creates a database in it (a folder given with --db is the user's own)."""
    data = tmp_path / "older-data"
    data.mkdir()
    data.chmod(0o755)
    monkeypatch.setenv("STACKADMIN_DATA_DIR", str(data))
    engine = open_database(resolve_target(None))
    engine.dispose()
    assert _mode(data) == 0o700 and _mode(data / "stackadmin.sqlite") == 0o600
    theirs = tmp_path / "shared"
    theirs.mkdir()
    theirs.chmod(0o755)
    open_database(resolve_target(str(theirs / "team.sqlite"))).dispose()
    assert _mode(theirs) == 0o755
