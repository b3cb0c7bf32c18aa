"""Does the live schema hold what the models need? Tables, columns, indexes and unique keys.

A revision number says which migrations ran, not that their tables are still there: a table
dropped by hand, or a half-restored file, would let stackadmin start and fail later on
"no such table". `schema_gaps` names what is missing, in words; opening a database refuses
one with gaps and `db check` lists them. Extra tables and columns are not gaps (a newer
minor change, a user's own view): stackadmin only needs its own.

Every open runs it, so it reads the catalogue the cheap way: on SQLite two statements over
the pragma functions (SQLAlchemy's reflection parses every column's type and every table's
CREATE statement: ~40 ms a start on this machine, against ~2 ms); on PostgreSQL one
reflection query per kind for all tables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, UniqueConstraint, inspect

from stackadmin.store.models import Base

# Every table's columns; every index with its uniqueness, origin and columns (an expression
# column has no name). Origin "pk" is the primary key's own index: not a unique key.
_SQLITE_COLUMNS = ("SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c"
                   " WHERE m.type = 'table'")
_SQLITE_INDEXES = ('SELECT m.name, i.name, i."unique", i.origin, c.name FROM sqlite_master AS m,'
                   " pragma_index_list(m.name) AS i, pragma_index_info(i.name) AS c"
                   " WHERE m.type = 'table'")


@dataclass
class _Live:
    """One table as the database has it."""

    columns: set[str] = field(default_factory=set)
    indexes: set[str] = field(default_factory=set)
    unique_keys: set[tuple[str, ...]] = field(default_factory=set)


def _sqlite(conn: Connection) -> dict[str, _Live]:
    live: dict[str, _Live] = defaultdict(_Live)
    for table, column in conn.exec_driver_sql(_SQLITE_COLUMNS):
        live[table].columns.add(column)
    unique: dict[tuple[str, str], list[str]] = defaultdict(list)
    for table, index, is_unique, origin, column in conn.exec_driver_sql(_SQLITE_INDEXES):
        live[table].indexes.add(index)
        if is_unique and origin != "pk":
            unique[(table, index)].extend([] if column is None else [column])
    for (table, _index), names in unique.items():
        live[table].unique_keys.add(tuple(sorted(names)))
    return dict(live)


def _reflected(conn: Connection, wanted: list[str]) -> dict[str, _Live]:
    insp = inspect(conn)
    present = [name for name in insp.get_table_names() if name in wanted]
    if not present:
        return {}
    # One catalogue query per kind for all tables (PostgreSQL answers per query, not per row).
    columns = insp.get_multi_columns(filter_names=present)
    indexes = insp.get_multi_indexes(filter_names=present)
    uniques = insp.get_multi_unique_constraints(filter_names=present)
    live: dict[str, _Live] = {}
    for key, table_columns in columns.items():
        table_indexes = indexes.get(key, [])
        keys = {tuple(sorted(u["column_names"])) for u in uniques.get(key, [])}
        keys |= {tuple(sorted(c for c in i["column_names"] if c is not None))
                 for i in table_indexes if i.get("unique")}
        live[key[1]] = _Live({c["name"] for c in table_columns},
                             {str(i["name"]) for i in table_indexes}, keys)
    return live


def schema_gaps(conn: Connection, *, reflect: bool = False) -> list[str]:
    """What the models need that the database lacks, one sentence each; [] when whole.
    `reflect`: through SQLAlchemy's reflection on SQLite too (what the fast read is
    tested against)."""
    wanted = list(Base.metadata.sorted_tables)
    live = (_sqlite(conn) if conn.dialect.name == "sqlite" and not reflect
            else _reflected(conn, [t.name for t in wanted]))
    gaps = [f"missing table {t.name}" for t in wanted if t.name not in live]
    for table in wanted:
        have = live.get(table.name)
        if have is None:
            continue
        gaps.extend(f"missing column {table.name}.{c.name}" for c in table.columns
                    if c.name not in have.columns)
        gaps.extend(f"missing index {i.name} on {table.name}" for i in table.indexes
                    if i.name not in have.indexes)
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                cols = tuple(sorted(c.name for c in constraint.columns))
                if cols not in have.unique_keys:
                    gaps.append(f"missing unique key on {table.name} ({', '.join(cols)})")
    return gaps
