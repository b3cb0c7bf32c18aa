"""Two stackadmins upgrading one database: the upgrade holds the lock for its whole length, the
one that waited finds the work done and leaves the database (and its backups) alone. Failed
attempts leave the old schema whole and their backups are pruned like the rest."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from stackadmin.errors import DatabaseError
from stackadmin.store import migrate
from stackadmin.store.backups import automatic_backup_path
from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.migrate import (
    current_revision,
    head_revision,
    run_upgrade,
    upgrade_database,
)
from stackadmin.store.models import Base
from tests.store.test_migrations import _fill_first_revision


def _at_first_revision(db_url: str) -> None:
    engine = make_engine(resolve_target(db_url))
    try:
        run_upgrade(engine, "0001")
        _fill_first_revision(engine)
    finally:
        engine.dispose()


def _backups(db_url: str) -> list[Path]:
    path = Path(db_url)
    return sorted(path.parent.glob(f"{path.stem}.backup-*{path.suffix}"))


def test_the_process_that_waited_finds_the_upgrade_done_and_touches_nothing(
        db_url: str, db_kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _at_first_revision(db_url)
    real = migrate._alembic
    migrating, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def slow_first(conn: Any, action: str, revision: str) -> None:
        real(conn, action, revision)
        if threading.current_thread().name == "first":
            migrating.set()
            release.wait(30)  # upgraded, not yet committed: the lock is held

    monkeypatch.setattr(migrate, "_alembic", slow_first)

    def upgrade(name: str) -> None:
        target = resolve_target(db_url)
        engine = make_engine(target)
        try:
            results[name] = upgrade_database(engine, target)
        except BaseException as exc:
            results[name] = exc
        finally:
            engine.dispose()

    first = threading.Thread(target=upgrade, args=("first",), name="first")
    first.start()
    assert migrating.wait(30)
    second = threading.Thread(target=upgrade, args=("second",), name="second")
    second.start()
    second.join(1.0)
    assert second.is_alive(), "the second upgrade must wait for the first one's lock"
    release.set()
    first.join(30)
    second.join(30)
    head = head_revision()
    assert results["first"].before == "0001" and results["first"].after == head
    assert (results["second"].before, results["second"].after) == (head, head)
    assert results["second"].backup is None and not results["second"].changed
    engine = make_engine(resolve_target(db_url))
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
    finally:
        engine.dispose()
    if db_kind == "sqlite":
        assert len(_backups(db_url)) == 1  # the first upgrader's, and no other


def test_backups_left_by_failed_attempts_are_pruned(db_url: str, sqlite_only: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _at_first_revision(db_url)
    path = Path(db_url)
    stale = [automatic_backup_path(path, "0001") for _ in range(7)]
    for n, old in enumerate(stale):
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    half = path.with_name(f".{stale[0].name}.partial")  # a kill while copying
    half.write_bytes(b"half a copy")

    def fail(conn: Any, action: str, revision: str) -> None:
        conn.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(migrate, "_alembic", fail)
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        for _ in range(3):  # each retry makes a backup; none piles up
            with pytest.raises(DatabaseError, match="failed and was undone"):
                upgrade_database(engine, target)
        with engine.connect() as conn:
            assert current_revision(conn) == "0001"
    finally:
        engine.dispose()
    left = _backups(db_url)
    assert len(left) == 5 and not half.exists()
    assert all(p.stat().st_size > 0 for p in left[-3:])  # the three real copies are kept
