"""Engines and sessions: SQLite by default in the data folder, PostgreSQL by URL."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from stackadmin import paths
from stackadmin.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_MS = 5000


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
        if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return DatabaseTarget(url)
    return DatabaseTarget(URL.create("sqlite", database=str(value)))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_engine(target: DatabaseTarget, *, create_folder: bool = True) -> Engine:
    if target.is_sqlite:
        path = target.sqlite_path
        if path is not None and create_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(target.url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(target.url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {target.url.drivername} is not installed "
            "(pip install 'stackadmin[postgresql]')"
        ) from exc


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
