"""Opening a database safely: create it, or back it up and upgrade it, or refuse a newer one.

An upgrade is one transaction that holds the database's lock from start to end (SQLite
`BEGIN EXCLUSIVE`, PostgreSQL the writers' advisory lock; `store.engine`). Once the lock is
held the revision is read again: a process that waited while another one upgraded finds the
work done and leaves the database alone. A killed or failed upgrade is rolled back whole, so
the old schema stays intact and no backup is ever copied back over the file (which would
undo someone else's finished upgrade). The backup taken before an upgrade is a spare copy,
pruned with the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from stackadmin import paths
from stackadmin.errors import DatabaseDamagedError, DatabaseError, NoDatabaseError
from stackadmin.store.backups import (
    KEEP_AUTOMATIC_BACKUPS,
    automatic_backup_path,
    backup_sqlite,
    prune_backups,
)
from stackadmin.store.engine import (
    UPGRADE_OPTIONS,
    DatabaseTarget,
    ensure_sqlite_file,
    make_engine,
)
from stackadmin.store.failures import first_line
from stackadmin.store.snapshot import quick_head_revision

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

_VERSION_TABLE = "alembic_version"


class SchemaStatus(Enum):
    EMPTY = "empty"  # no tables: a new database
    CURRENT = "current"
    BEHIND = "behind"  # an older stackadmin wrote it: upgrade
    NEWER = "newer"  # a newer stackadmin wrote it: refuse
    FOREIGN = "foreign"  # tables, but not ours


@dataclass(frozen=True, slots=True)
class SchemaState:
    status: SchemaStatus
    revision: str | None
    head: str


def alembic_config() -> Config:
    # Alembic is imported only here, when a migration is looked at: it costs start-up time.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    return config


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    heads = _script().get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(_VERSION_TABLE):
        return None
    row = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


def _classify(conn: Connection, head: str) -> SchemaState:
    revision = current_revision(conn)
    if revision is None:
        tables = inspect(conn).get_table_names()
        return SchemaState(SchemaStatus.EMPTY if not tables else SchemaStatus.FOREIGN, None,
                           head)
    if revision == head:
        return SchemaState(SchemaStatus.CURRENT, revision, head)
    try:
        known = _script().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        known = False
    return SchemaState(SchemaStatus.BEHIND if known else SchemaStatus.NEWER, revision, head)


def schema_state(engine: Engine) -> SchemaState:
    """Where the schema stands, read without any lock (see upgrade_database). At the head
    the migration files name, Alembic (~0.3 s to import) is not needed."""
    quick = quick_head_revision()
    with engine.connect() as conn:
        if quick is not None and current_revision(conn) == quick:
            return SchemaState(SchemaStatus.CURRENT, quick, quick)
        return _classify(conn, head_revision())


# -- upgrading -------------------------------------------------------------------------------


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction that holds the upgrade lock until it commits (on
    leaving the block) or rolls back (on an exception). On SQLite, foreign keys are off
    while tables are rebuilt (a batch rebuild of a parent table would fire ON DELETE
    CASCADE) and every reference is checked before the commit."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as plain:
        raw = plain.connection.dbapi_connection if sqlite else None
        if raw is not None:
            # Outside any transaction: SQLite ignores this pragma inside one.
            raw.execute("PRAGMA foreign_keys=OFF")
            if raw.execute("PRAGMA foreign_keys").fetchone()[0] != 0:
                raise RuntimeError("could not turn SQLite foreign keys off for a migration")
        conn = plain.execution_options(**UPGRADE_OPTIONS)
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if problems:
                        raise DatabaseError(
                            f"the migration left {len(problems)} rows whose references are "
                            f"broken (first: table {problems[0][0]}, row {problems[0][1]}); "
                            "it was undone")
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


def _alembic(conn: Connection, action: str, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = conn
    getattr(command, action)(config, revision)


def run_upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrates to `revision` in one locked transaction (no backup, no checks: tests and
    `upgrade_database` use it)."""
    with migration_connection(engine) as conn:
        _alembic(conn, "upgrade", revision)


def run_downgrade(engine: Engine, revision: str) -> None:
    with migration_connection(engine) as conn:
        _alembic(conn, "downgrade", revision)


@dataclass(frozen=True, slots=True)
class UpgradeResult:
    before: str | None
    after: str
    backup: Path | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def refuse_unusable(state: SchemaState, target: DatabaseTarget) -> None:
    if state.status is SchemaStatus.NEWER:
        raise DatabaseError(
            f"{target.describe()} was written by a newer stackadmin (schema revision "
            f"{state.revision}; this version knows up to {state.head}). Upgrade stackadmin; "
            "the database was not touched."
        )
    if state.status is SchemaStatus.FOREIGN:
        raise DatabaseError(
            f"{target.describe()} holds tables but is not a stackadmin database; "
            "it was not touched"
        )


def upgrade_database(
    engine: Engine, target: DatabaseTarget, *, keep_backups: int = KEEP_AUTOMATIC_BACKUPS
) -> UpgradeResult:
    """Brings the schema to head: new → created; behind → backed up, then upgraded, all
    under the upgrade lock (see the module)."""
    state = schema_state(engine)  # no lock: refuse a newer or foreign database at once
    refuse_unusable(state, target)
    if state.status is SchemaStatus.CURRENT:
        return UpgradeResult(state.revision, state.head, None)
    path = target.sqlite_path
    backup: Path | None = None
    locked = state
    try:
        with migration_connection(engine) as conn:
            locked = _classify(conn, state.head)  # again, now that nobody else can change it
            refuse_unusable(locked, target)
            if locked.status is SchemaStatus.CURRENT:
                log.info("%s was upgraded by another process meanwhile", target.describe())
                return UpgradeResult(locked.revision, locked.head, None)
            if locked.status is SchemaStatus.BEHIND and path is not None:
                try:
                    backup = backup_sqlite(path, automatic_backup_path(path, locked.revision))
                finally:
                    prune_backups(path, keep_backups)  # with what failed attempts left
                log.info("backed up %s to %s before upgrading", path, backup)
            _alembic(conn, "upgrade", "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"the upgrade of {target.describe()} failed and was undone (the database is as it "
            f"was, at revision {locked.revision or 'none'}): {first_line(exc)}") from exc
    return UpgradeResult(locked.revision, locked.head, backup)


# -- opening ---------------------------------------------------------------------------------


def _at_quick_head(engine: Engine) -> bool:
    head = quick_head_revision()
    if head is None:
        return False
    with engine.connect() as conn:
        return current_revision(conn) == head


def require_whole_schema(engine: Engine, target: DatabaseTarget) -> None:
    """Refuses a database whose schema lacks tables, columns or indexes the models need."""
    from stackadmin.store.schema import schema_gaps

    with engine.connect() as conn:
        gaps = schema_gaps(conn)
    if gaps:
        more = f" and {len(gaps) - 3} more" if len(gaps) > 3 else ""
        raise DatabaseDamagedError(
            f"{target.describe()} lacks parts of stackadmin's schema ({'; '.join(gaps[:3])}"
            f"{more}); restore a backup, or see `stackadmin db check`")


def open_database(target: DatabaseTarget, *, upgrade: bool = True,
                  create: bool = True) -> Engine:
    """An engine on a database whose schema is at head and whole (created or upgraded as
    needed). Without `create`, a missing file or an empty database is NoDatabaseError."""
    ensure_sqlite_file(target, create=create)
    engine = make_engine(target)
    try:
        if not _at_quick_head(engine):  # the common case skips this: no Alembic import
            state = schema_state(engine)
            if state.status is SchemaStatus.EMPTY and not create:
                raise NoDatabaseError(f"there is no database at {target.describe()} (it holds "
                                      "no tables; create one with `stackadmin db upgrade`)")
            refuse_unusable(state, target)
            if upgrade:
                upgrade_database(engine, target)
            elif state.status is not SchemaStatus.CURRENT:
                raise DatabaseError(
                    f"{target.describe()} needs `stackadmin db upgrade` "
                    f"(schema {state.revision or 'empty'}, current {state.head})"
                )
        require_whole_schema(engine, target)
    except BaseException:
        engine.dispose()
        raise
    return engine


# -- checking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    revision: str | None
    head: str
    integrity: list[str]
    foreign_key_problems: list[str]
    schema_gaps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (self.revision == self.head and not self.integrity
                and not self.foreign_key_problems and not self.schema_gaps)


def check_database(engine: Engine, state: SchemaState | None = None) -> CheckReport:
    """Integrity (SQLite), references (SQLite) and the schema against the models (`state`:
    the schema's state when the caller has read it already)."""
    from stackadmin.store.schema import schema_gaps

    state = state or schema_state(engine)
    integrity: list[str] = []
    fk: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
            integrity = [str(r[0]) for r in rows if r[0] != "ok"]
            fk = [
                f"table {r[0]} row {r[1]} refers to a missing row of {r[2]}"
                for r in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            ]
        gaps = schema_gaps(conn)
    return CheckReport(state.revision, state.head, integrity, fk, gaps)
