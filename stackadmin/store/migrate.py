"""Opening a database safely: create it, or back it up and upgrade it, or refuse a newer one."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from stackadmin import paths
from stackadmin.errors import DatabaseError
from stackadmin.store.engine import DatabaseTarget, make_engine
from stackadmin.store.snapshot import quick_head_revision

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)

KEEP_AUTOMATIC_BACKUPS = 5
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


def schema_state(engine: Engine) -> SchemaState:
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
            tables = [] if revision is not None else inspect(conn).get_table_names()
    except OperationalError as exc:
        raise DatabaseError(f"cannot open the database: {exc.orig}") from exc
    quick = quick_head_revision()
    if revision is not None and revision == quick:
        # At the head the migration files name: Alembic (~0.3 s to import) is not needed.
        return SchemaState(SchemaStatus.CURRENT, revision, quick)
    script = _script()
    head = head_revision()
    if revision is None:
        status = SchemaStatus.EMPTY if not tables else SchemaStatus.FOREIGN
    elif revision == head:
        status = SchemaStatus.CURRENT
    else:
        try:
            known = script.get_revision(revision) is not None
        except Exception:  # alembic raises several kinds for an unknown id
            known = False
        status = SchemaStatus.BEHIND if known else SchemaStatus.NEWER
    return SchemaState(status, revision, head)


# -- backups ---------------------------------------------------------------------------------


def backup_sqlite(source: Path, destination: Path) -> Path:
    """A consistent copy through SQLite's backup API (safe while others read or write)."""
    if not source.exists():
        raise DatabaseError(f"there is no database at {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.exists():
        raise DatabaseError(f"{destination} exists already; choose another file name")
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(destination)) as dst:
        src.backup(dst)
    return destination


def automatic_backup_path(source: Path, revision: str | None, label: str = "backup") -> Path:
    """`stackadmin.backup-<UTC time>-rev0001.sqlite` beside the database. Automatic backups
    are pruned to the newest few; other labels (manual backups) are kept."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{source.stem}.{label}-{stamp}-rev{revision or 'none'}{source.suffix}"
    return source.with_name(name)


def _prune_backups(source: Path, keep: int) -> None:
    backups = sorted(source.parent.glob(f"{source.stem}.backup-*{source.suffix}"))
    for old in backups[:-keep] if keep > 0 else backups:
        old.unlink(missing_ok=True)


def _restore_sqlite(backup: Path, target: Path) -> None:
    with closing(sqlite3.connect(backup)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


# -- upgrading -------------------------------------------------------------------------------


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for schema changes. On SQLite, foreign keys are off while tables are
    rebuilt (a batch rebuild of a parent table would fire ON DELETE CASCADE) and checked after.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
            if conn.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
                raise RuntimeError("could not turn SQLite foreign keys off for a migration")
        try:
            yield conn
            conn.commit()
            if engine.dialect.name == "sqlite":
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise DatabaseError(
                        f"the migration left {len(problems)} rows whose references are broken "
                        f"(first: table {problems[0][0]}, row {problems[0][1]})"
                    )
        finally:
            if engine.dialect.name == "sqlite":
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def run_upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config()
    with migration_connection(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def run_downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    with migration_connection(engine) as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


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
    """Brings the schema to head: new → created; behind → backed up, then upgraded."""
    state = schema_state(engine)
    refuse_unusable(state, target)
    if state.status is SchemaStatus.CURRENT:
        return UpgradeResult(state.revision, state.head, None)
    backup: Path | None = None
    path = target.sqlite_path
    if state.status is SchemaStatus.BEHIND and path is not None:
        engine.dispose()  # no pooled connection may hold the file during the copy
        backup = backup_sqlite(path, automatic_backup_path(path, state.revision))
        log.info("backed up %s to %s before upgrading", path, backup)
    try:
        run_upgrade(engine)
    except Exception as exc:
        if backup is not None and path is not None:
            engine.dispose()
            _restore_sqlite(backup, path)
            raise DatabaseError(
                f"the upgrade failed and the database was restored from {backup}: {exc}"
            ) from exc
        if isinstance(exc, SQLAlchemyError):
            raise DatabaseError(f"the upgrade failed: {exc}") from exc
        raise
    if path is not None and backup is not None:
        _prune_backups(path, keep_backups)
    return UpgradeResult(state.revision, state.head, backup)


def _at_quick_head(engine: Engine) -> bool:
    head = quick_head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            return current_revision(conn) == head
    except OperationalError:
        return False  # the full check below explains the problem in words


def open_database(target: DatabaseTarget, *, upgrade: bool = True) -> Engine:
    """An engine on a database whose schema is at head (created or upgraded as needed)."""
    path = target.sqlite_path
    if path is not None and path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    engine = make_engine(target)
    try:
        if _at_quick_head(engine):
            return engine  # the common case: no migration due, so Alembic is not imported
        if upgrade:
            upgrade_database(engine, target)
        else:
            state = schema_state(engine)
            refuse_unusable(state, target)
            if state.status is not SchemaStatus.CURRENT:
                raise DatabaseError(
                    f"{target.describe()} needs `stackadmin db upgrade` "
                    f"(schema {state.revision or 'empty'}, current {state.head})"
                )
    except BaseException:
        engine.dispose()
        raise
    return engine


@dataclass(frozen=True, slots=True)
class CheckReport:
    revision: str | None
    head: str
    integrity: list[str]
    foreign_key_problems: list[str]

    @property
    def ok(self) -> bool:
        return (
            self.revision == self.head and not self.integrity and not self.foreign_key_problems
        )


def check_database(engine: Engine, state: SchemaState | None = None) -> CheckReport:
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
        else:
            conn.execute(text("SELECT 1"))  # PostgreSQL enforces both at all times
    return CheckReport(state.revision, state.head, integrity, fk)
