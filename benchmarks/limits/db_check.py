"""Limit of `stackadmin db check`: the integrity and foreign-key checks, the revision, and the
tables, columns, indexes and unique keys the models need, read from the catalogue in one
query per kind."""

from __future__ import annotations

import sys
from collections import defaultdict

from sqlalchemy import UniqueConstraint

from benchmarks.limits._db import Db, arguments
from stackadmin.store.models import Base
from stackadmin.store.snapshot import quick_head_revision

_SQLITE_COLUMNS = ("SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c "
                   "WHERE m.type = 'table'")
_SQLITE_INDEXES = ('SELECT m.name, i.name, i."unique", c.name FROM sqlite_master m, '
                   "pragma_index_list(m.name) i, pragma_index_info(i.name) c "
                   "WHERE m.type = 'table'")
_PG_COLUMNS = ("SELECT table_name, column_name FROM information_schema.columns "
               "WHERE table_schema = current_schema()")
_PG_INDEXES = ("SELECT t.relname, i.relname, x.indisunique, a.attname FROM pg_index x "
               "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
               "JOIN pg_namespace n ON n.oid = t.relnamespace "
               "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
               "WHERE n.nspname = current_schema()")


def schema_gaps(db: Db) -> list[str]:
    columns: dict[str, set[str]] = defaultdict(set)
    for table, column in db.rows(_PG_COLUMNS if db.postgresql else _SQLITE_COLUMNS):
        columns[table].add(column)
    indexes: dict[str, set[str]] = defaultdict(set)
    unique: dict[tuple[str, str], set[str]] = defaultdict(set)
    for table, index, is_unique, column in db.rows(
            _PG_INDEXES if db.postgresql else _SQLITE_INDEXES):
        indexes[table].add(index)
        if is_unique:
            unique[(table, index)].add(column)
    unique_keys: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for (table, _index), names in unique.items():
        unique_keys[table].add(tuple(sorted(names)))
    wanted = list(Base.metadata.sorted_tables)
    gaps = [f"missing table {t.name}" for t in wanted if t.name not in columns]
    for t in wanted:
        if t.name not in columns:
            continue
        gaps.extend(f"missing column {t.name}.{c.name}" for c in t.columns
                    if c.name not in columns[t.name])
        gaps.extend(f"missing index {i.name} on {t.name}" for i in t.indexes
                    if i.name not in indexes[t.name])
        for constraint in t.constraints:
            if isinstance(constraint, UniqueConstraint):
                key = tuple(sorted(c.name for c in constraint.columns))
                if key not in unique_keys[t.name]:
                    gaps.append(f"missing unique key on {t.name} ({', '.join(key)})")
    return gaps


def main() -> None:
    args = arguments(__doc__)
    db = Db(args.db)
    head = quick_head_revision()
    (revision,) = db.rows("SELECT version_num FROM alembic_version").fetchone()
    integrity: list[str] = []
    problems: list[str] = []
    if not db.postgresql:
        integrity = [r[0] for r in db.rows("PRAGMA integrity_check") if r[0] != "ok"]
        problems = [f"table {r[0]} row {r[1]} refers to a missing row of {r[2]}"
                    for r in db.rows("PRAGMA foreign_key_check")]
    gaps = schema_gaps(db) if revision == head else []
    print(f"database: {args.db}")
    print(f"schema revision: {revision} (current: {head})")
    print("integrity: " + ("ok" if not integrity else "; ".join(integrity)))
    print("foreign keys: " + ("ok" if not problems else f"{len(problems)} problems"))
    print("schema: " + ("ok (every table, column and index the models need)" if not gaps
                        else f"{len(gaps)} missing"))
    for gap in gaps:
        print(f"  {gap}")
    sys.exit(1 if integrity or problems or gaps or revision != head else 0)


if __name__ == "__main__":
    main()
