"""`stackadmin db upgrade | check | backup [FILE]`."""

from __future__ import annotations

import argparse

from stackadmin.errors import DatabaseDamagedError, DatabaseError
from stackadmin.store.backups import MANUAL_LABEL, automatic_backup_path, backup_sqlite
from stackadmin.store.engine import ensure_sqlite_file, make_engine, resolve_target
from stackadmin.store.failures import damaged_message
from stackadmin.store.files import check_output_file, refuse_database_files
from stackadmin.store.migrate import (
    SchemaStatus,
    check_database,
    current_revision,
    refuse_unusable,
    schema_state,
    upgrade_database,
)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="create, upgrade, check or back up the database",
                        parents=[common])
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="create the database or bring its schema up to date "
                                            "(backs it up first)", parents=[common])
    up.set_defaults(func=_upgrade)
    check = actions.add_parser("check", help="integrity and foreign-key checks, schema revision",
                               parents=[common])
    check.set_defaults(func=_check)
    backup = actions.add_parser("backup", help="copy the database to FILE (SQLite)",
                                parents=[common])
    backup.add_argument("file", nargs="?",
                        help="where to write the copy (default: beside the database, timestamped)")
    backup.set_defaults(func=_backup)


def _upgrade(args: argparse.Namespace) -> int:
    target = resolve_target(getattr(args, "db", None))
    ensure_sqlite_file(target, create=True)
    engine = make_engine(target)
    try:
        result = upgrade_database(engine, target)
    finally:
        engine.dispose()
    if result.before is None:
        print(f"created {target.describe()} at schema revision {result.after}")
    elif result.changed:
        print(f"upgraded {target.describe()} from revision {result.before} to {result.after}")
        if result.backup:
            print(f"backup of the previous version: {result.backup}")
    else:
        print(f"{target.describe()} is up to date (schema revision {result.after})")
    return 0


def _check(args: argparse.Namespace) -> int:
    target = resolve_target(getattr(args, "db", None))
    ensure_sqlite_file(target, create=False)
    engine = make_engine(target)
    try:
        state = schema_state(engine)
        refuse_unusable(state, target)
        if state.status is SchemaStatus.EMPTY:
            raise DatabaseError(f"{target.describe()} holds no tables: it is not a stackadmin "
                                "database yet (create one with `stackadmin db upgrade`)")
        report = check_database(engine, state)
    finally:
        engine.dispose()
    print(f"database: {target.describe()}")
    behind = report.revision != report.head
    print(f"schema revision: {report.revision or 'none'} (current: {report.head})"
          + (" — run `stackadmin db upgrade`" if behind else ""))
    print("integrity: " + ("ok" if not report.integrity else "; ".join(report.integrity[:20])))
    print("foreign keys: " + ("ok" if not report.foreign_key_problems
                              else f"{len(report.foreign_key_problems)} problems"))
    for problem in report.foreign_key_problems[:20]:
        print(f"  {problem}")
    # An older schema lacks the newer tables by design: the upgrade adds them.
    gaps = [] if behind else report.schema_gaps
    print("schema: " + ("ok (every table, column and index the models need)" if not gaps
                        else f"{len(gaps)} missing"))
    for gap in gaps:
        print(f"  {gap}")
    if report.integrity:
        raise DatabaseDamagedError(damaged_message(target.sqlite_path))
    if report.foreign_key_problems or gaps:
        raise DatabaseError("the database check found problems (listed above)")
    if behind:
        raise DatabaseError(f"the schema is at {report.revision or 'none'}, not {report.head}: "
                            "run `stackadmin db upgrade`")
    return 0


def _backup(args: argparse.Namespace) -> int:
    target = resolve_target(getattr(args, "db", None))
    path = target.sqlite_path
    if path is None:
        raise DatabaseError("`db backup` copies SQLite files; back up PostgreSQL with pg_dump")
    ensure_sqlite_file(target, create=False)
    engine = make_engine(target)
    try:
        with engine.connect() as conn:
            revision = current_revision(conn)
    finally:
        engine.dispose()
    if args.file is not None:
        destination = check_output_file(args.file).resolve()
        refuse_database_files(path, destination)
    else:
        destination = automatic_backup_path(path, revision, label=MANUAL_LABEL)
    written = backup_sqlite(path, destination)
    print(f"backed up {path} to {written}")
    return 0
