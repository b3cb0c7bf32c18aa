"""What every use case needs: sessions on an opened database, who acts, from where, and today."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from stackadmin.domain.renewals import utc_today
from stackadmin.domain.vocab import AuditSource
from stackadmin.store.engine import (
    WRITE_OPTIONS,
    DatabaseTarget,
    resolve_target,
    session_factory,
)
from stackadmin.store.files import check_output_file, refuse_database_files
from stackadmin.store.migrate import open_database


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class ServiceContext:
    """Passed into every service call; tests build one with their own clock and database."""

    engine: Engine
    sessions: sessionmaker[Session]
    target: DatabaseTarget
    source: AuditSource = AuditSource.CLI
    actor: str = field(default_factory=default_actor)
    today: Callable[[], date] = utc_today

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on any error.

        It holds the database's write lock from its first statement (store.engine), so
        what it reads to validate is what it writes on, and a concurrent writer waits for
        it (then DatabaseBusyError in words, never "database is locked")."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options=WRITE_OPTIONS)
            yield session

    def read(self) -> Session:
        return self.sessions()

    def with_source(self, source: AuditSource) -> ServiceContext:
        return replace(self, source=source)

    def output_path(self, path: str | Path) -> Path:
        """Where an export, calendar or copy may be written: a file name in an existing
        folder, and never the open database, its -wal/-shm files or its backups."""
        target = check_output_file(path)
        refuse_database_files(self.target.sqlite_path, target)
        return target

    def close(self) -> None:
        self.engine.dispose()


def open_context(
    db: str | None = None,
    *,
    source: AuditSource = AuditSource.CLI,
    upgrade: bool = True,
    create: bool = True,
    today: Callable[[], date] | None = None,
) -> ServiceContext:
    """The context on the database `db` names (see store.engine.resolve_target). `create`:
    a missing SQLite file (or an empty database) may be created; commands that only read
    pass False and get NoDatabaseError instead."""
    target = resolve_target(db)
    engine = open_database(target, upgrade=upgrade, create=create)
    return ServiceContext(
        engine=engine,
        sessions=session_factory(engine),
        target=target,
        source=source,
        today=today or utc_today,
    )


def schema_revision(ctx: ServiceContext) -> str | None:
    """The database's schema revision (for About and bug reports)."""
    from stackadmin.store.migrate import schema_state

    return schema_state(ctx.engine).revision
