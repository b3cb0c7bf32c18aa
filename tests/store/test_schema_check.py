"""A database is opened only when its schema holds what the models need, and a file SQLite
cannot read is called damaged, naming the newest backup to restore."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from stackadmin.errors import DatabaseDamagedError
from stackadmin.store.backups import automatic_backup_path, backup_sqlite
from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.failures import damaged_message
from stackadmin.store.migrate import check_database, open_database
from stackadmin.store.schema import schema_gaps


def _break(db_url: str, *statements: str) -> None:
    engine = open_database(resolve_target(db_url))
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _gaps(db_url: str) -> list[str]:
    """The gaps, after checking that the catalogue read fast (SQLite's pragma functions)
    and SQLAlchemy's reflection find the same ones."""
    engine = make_engine(resolve_target(db_url))
    try:
        with engine.connect() as conn:
            gaps = schema_gaps(conn)
            assert schema_gaps(conn, reflect=True) == gaps
            return gaps
    finally:
        engine.dispose()


def test_a_whole_schema_has_no_gaps(db_url: str) -> None:
    _break(db_url)
    assert _gaps(db_url) == []


@pytest.mark.parametrize(("statements", "gaps"), [
    (("DROP TABLE offboarding_item",), ["missing table offboarding_item"]),
    (("ALTER TABLE tool DROP COLUMN website",), ["missing column tool.website"]),
    (("DROP INDEX ix_account_tool_email",), ["missing index ix_account_tool_email on account"]),
    (("DROP TABLE offboarding_item", "DROP INDEX ix_account_tool_email",
      "ALTER TABLE tool DROP COLUMN website"),
     ["missing table offboarding_item", "missing column tool.website",
      "missing index ix_account_tool_email on account"]),
])
def test_what_is_missing_is_named_and_the_database_is_refused(
        db_url: str, statements: tuple[str, ...], gaps: list[str]) -> None:
    _break(db_url, *statements)
    assert _gaps(db_url) == gaps
    with pytest.raises(DatabaseDamagedError, match="lacks parts of stackadmin's schema") as err:
        open_database(resolve_target(db_url))
    assert gaps[0] in str(err.value)
    engine = make_engine(resolve_target(db_url))
    try:
        report = check_database(engine)
    finally:
        engine.dispose()
    assert report.schema_gaps == gaps and not report.ok


def test_a_dropped_unique_key_is_a_gap(db_url: str, db_kind: str) -> None:
    if db_kind == "sqlite":  # SQLite keeps a table's unique keys in its CREATE statement
        _break(db_url, "PRAGMA foreign_keys=OFF",
               "CREATE TABLE vendor2 (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL, "
               "website VARCHAR(500), notes TEXT, created_at DATETIME NOT NULL, "
               "updated_at DATETIME NOT NULL)",
               "INSERT INTO vendor2 SELECT id, name, website, notes, created_at, updated_at "
               "FROM vendor", "DROP TABLE vendor", "ALTER TABLE vendor2 RENAME TO vendor")
    else:
        _break(db_url, "ALTER TABLE vendor DROP CONSTRAINT uq_vendor_name")
    assert _gaps(db_url) == ["missing unique key on vendor (name)"]


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("damage", ["junk", "truncated"])
def test_an_unreadable_file_is_damaged_and_the_newest_backup_is_named(
        db_url: str, damage: str) -> None:
    path = Path(db_url)
    _break(db_url, "INSERT INTO setting (key, value) VALUES ('base_currency', 'EUR')")
    older = backup_sqlite(path, automatic_backup_path(path, "0001"))
    newer = backup_sqlite(path, automatic_backup_path(path, "0002"))
    os.utime(older, (2_000_000_000, 2_000_000_000))
    os.utime(newer, (2_000_000_100, 2_000_000_100))
    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        companion.unlink(missing_ok=True)
    if damage == "junk":
        path.write_bytes(os.urandom(8192))
    else:
        with path.open("r+b") as fh:
            fh.truncate(path.stat().st_size // 3)
    with pytest.raises(DatabaseDamagedError) as err:
        engine = open_database(resolve_target(db_url))
        engine.dispose()
    assert str(err.value) == f"the database file is damaged; restore a backup (newest: {newer})"
    assert damaged_message(path) == str(err.value)


def test_no_backup_is_said_too(tmp_path: Path) -> None:
    assert damaged_message(tmp_path / "x.sqlite") == (
        f"the database file is damaged; restore a backup (newest: none found beside "
        f"{tmp_path / 'x.sqlite'})")
