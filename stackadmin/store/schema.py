"""Does the live schema hold what the models need? Tables, columns, indexes and unique keys.

A revision number says which migrations ran, not that their tables are still there: a table
dropped by hand, or a half-restored file, would let stackadmin start and fail later on
"no such table". `schema_gaps` names what is missing, in words; opening a database refuses
one with gaps and `db check` lists them. Extra tables and columns are not gaps (a newer
minor change, a user's own view): stackadmin only needs its own.
"""

from __future__ import annotations

from sqlalchemy import Connection, UniqueConstraint, inspect

from stackadmin.store.models import Base


def schema_gaps(conn: Connection) -> list[str]:
    """What the models need that the database lacks, one sentence each; [] when whole."""
    insp = inspect(conn)
    live = set(insp.get_table_names())
    wanted = list(Base.metadata.sorted_tables)
    present = [t.name for t in wanted if t.name in live]
    gaps = [f"missing table {t.name}" for t in wanted if t.name not in live]
    if not present:
        return gaps
    # One catalogue query per kind for all tables (PostgreSQL answers per query, not per row).
    columns = insp.get_multi_columns(filter_names=present)
    indexes = insp.get_multi_indexes(filter_names=present)
    uniques = insp.get_multi_unique_constraints(filter_names=present)
    for table in wanted:
        if table.name not in live:
            continue
        key = next(k for k in columns if k[1] == table.name)
        have_columns = {c["name"] for c in columns[key]}
        gaps.extend(f"missing column {table.name}.{c.name}" for c in table.columns
                    if c.name not in have_columns)
        live_indexes = indexes.get(key, [])
        have_indexes = {i["name"] for i in live_indexes}
        gaps.extend(f"missing index {i.name} on {table.name}" for i in table.indexes
                    if i.name not in have_indexes)
        unique_keys = {tuple(sorted(u["column_names"])) for u in uniques.get(key, [])}
        unique_keys |= {tuple(sorted(c for c in i["column_names"] if c is not None))
                        for i in live_indexes if i.get("unique")}
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                cols = tuple(sorted(c.name for c in constraint.columns))
                if cols not in unique_keys:
                    gaps.append(f"missing unique key on {table.name} ({', '.join(cols)})")
    return gaps
