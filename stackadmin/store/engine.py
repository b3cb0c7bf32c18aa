"""Engines and sessions: SQLite by default in the data folder, PostgreSQL by URL.

Transactions and locks (the same rules on both engines):
- A read runs in a plain transaction; it never waits for writers (SQLite WAL, PostgreSQL MVCC).
- A write transaction (`WRITE_OPTIONS`, what `ServiceContext.transaction` uses) takes the
  database's write lock *before* its first read, so what it validates is what it writes on:
  SQLite `BEGIN IMMEDIATE`, PostgreSQL a transaction-level advisory lock that every
  stackadmin writer takes. A second writer waits up to `BUSY_TIMEOUT_MS`, then gets
  DatabaseBusyError in words.
- A schema upgrade (`UPGRADE_OPTIONS`) holds the lock exclusively for its whole length
  (SQLite `BEGIN EXCLUSIVE`) and waits longer for it: another process may be upgrading.
SQLite's driver is told to leave BEGIN to us (`isolation_level=None`): by default it
commits DDL on its own, which left half-upgraded schemas behind a killed process.
Driver errors a user can act on (busy, read-only, disk full, damaged file) are raised as
UserErrors (`store.failures`); SQL parameters never appear in error messages
(`hide_parameters`): they hold people's names and emails.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from stackadmin import paths
from stackadmin.errors import DatabaseError, NoDatabaseError
from stackadmin.paths import PRIVATE_FOLDER, create_private_file, make_private_folder
from stackadmin.store import failures

BUSY_TIMEOUT_MS = 5000
UPGRADE_WAIT_MS = 120_000  # another process's upgrade of a large file may take a while
LOCK_OPTION = "stackadmin_lock"
WRITE_OPTIONS: dict[str, Any] = {LOCK_OPTION: "write"}
UPGRADE_OPTIONS: dict[str, Any] = {LOCK_OPTION: "upgrade"}
# The advisory lock every stackadmin writer of a PostgreSQL database takes ("stackadmin"
# in ASCII, as a 64-bit key).
PG_WRITE_LOCK_KEY = 0x737461636B61646D
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True, slots=True)
class DatabaseTarget:
    """Where the data is: a SQLite file or a server URL, and how to say it to a user."""

    url: URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database)

    def describe(self) -> str:
        path = self.sqlite_path
        return str(path) if path else self.url.render_as_string(hide_password=True)


def resolve_target(db: str | None = None) -> DatabaseTarget:
    """`--db` value, else $STACKADMIN_DB, else the SQLite file in the data folder.

    A value with `://` is a SQLAlchemy URL (postgresql+psycopg://...); anything else a path.
    """
    value = paths.database_value(db)
    if isinstance(value, str):
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise DatabaseError(f"'{value}' is not a database URL: {exc}") from exc
        if url.get_backend_name() not in BACKENDS:
            shown = url.render_as_string(hide_password=True)
            raise DatabaseError(
                f"'{shown}' is not a database stackadmin can use: give a SQLite file's path "
                "or a PostgreSQL URL (postgresql+psycopg://user@host/name)")
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return DatabaseTarget(url)
    return DatabaseTarget(URL.create("sqlite", database=str(value)))


def ensure_sqlite_file(target: DatabaseTarget, *, create: bool) -> bool:
    """For a SQLite target: True when its file was created now (empty, private, in a
    private folder), False when it exists. Without `create`, a missing file is
    NoDatabaseError: a command that only reads must not leave an empty database behind."""
    path = target.sqlite_path
    if path is None:
        return False
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if path.exists():
        return False
    if not create:
        raise NoDatabaseError(f"there is no database at {path} (create one with "
                              "`stackadmin db upgrade`, or check --db)")
    try:
        make_private_folder(path.parent)
        if path.parent == paths.data_dir():
            _tighten_data_folder(path.parent)
        return create_private_file(path)
    except OSError as exc:  # a folder read-only for us, a path under /proc, a full disk
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(path) else ""
        raise DatabaseError(f"cannot create the database {path}: {exc.strerror or exc}{where}; "
                            "check --db and the folder's permissions") from None


def _tighten_data_folder(folder: Path) -> None:
    """stackadmin's own data folder (made 0755 by older versions) is made private."""
    try:
        if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
            os.chmod(folder, PRIVATE_FOLDER)
    except OSError:
        pass  # not ours to change: the files in it are private anyway


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # BEGIN is ours: see _sqlite_begin
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _sqlite_begin(conn: Any) -> None:
    lock = conn.get_execution_options().get(LOCK_OPTION)
    if lock == "upgrade":
        conn.exec_driver_sql(f"PRAGMA busy_timeout={UPGRADE_WAIT_MS}")
        # In WAL mode EXCLUSIVE still lets readers read (the backup is such a reader); in
        # a rollback journal it would shut them out, so IMMEDIATE there.
        wal = conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        conn.exec_driver_sql("BEGIN EXCLUSIVE" if wal else "BEGIN IMMEDIATE")
        conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    elif lock == "write":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _postgresql_begin(conn: Any) -> None:
    lock = conn.get_execution_options().get(LOCK_OPTION)
    if lock is None:
        return
    wait = UPGRADE_WAIT_MS if lock == "upgrade" else BUSY_TIMEOUT_MS
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait)}")
    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK_KEY})")
    if lock == "write":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")


def _error_listener(target: DatabaseTarget, dialect: str) -> Any:
    path, describe = target.sqlite_path, target.describe()

    def handle_error(context: ExceptionContext) -> None:
        original = context.original_exception
        explained = failures.explain(
            original, dialect=dialect, path=path, describe=describe,
            connecting=context.connection is None or context.is_disconnect)
        if explained is not None:
            raise explained

    return handle_error


def make_engine(target: DatabaseTarget) -> Engine:
    """An engine with stackadmin's connection settings (see the module). Creates nothing on
    disk by itself: `ensure_sqlite_file` decides whether a missing file may be made."""
    if target.is_sqlite:
        engine = create_engine(target.url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _error_listener(target, "sqlite"))
        return engine
    try:
        engine = create_engine(target.url, pool_pre_ping=True, hide_parameters=True)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {target.url.drivername} is not installed "
            "(pip install 'stackadmin[postgresql]')"
        ) from exc
    event.listen(engine, "begin", _postgresql_begin)
    event.listen(engine, "handle_error", _error_listener(target, "postgresql"))
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# Rows written at once past which the planner's statistics are refreshed (see below).
BULK_ROWS = 1000


def refresh_statistics(engine: Engine, rows: int, tables: tuple[str, ...] = ()) -> None:
    """After a bulk write of `rows` rows (a demo, an import, a first sync): PostgreSQL
    plans from statistics that its autovacuum gathers only a minute or more later, and
    until then a page's query over 100,000 new seats was planned blind (3.8 s instead of
    0.14 s, measured). ANALYZE those tables (every table when none are named) now; a few
    tenths of a second. SQLite plans well without: nothing to do. Never in the way: a
    failure is logged, not raised (the write itself is committed)."""
    if rows < BULK_ROWS or engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect() as conn:
            conn.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in tables)))
            conn.commit()
    except Exception:
        import logging

        logging.getLogger(__name__).warning("could not refresh the planner's statistics",
                                            exc_info=True)
