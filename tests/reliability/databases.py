"""Databases for the reliability cases: a base prepared once, then a fresh copy per case (a
SQLite file copy, or a PostgreSQL database made from the base as a template), and what a
case compares: the rows of the tables it touches."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from stackadmin.store.engine import make_engine, resolve_target
from tests.reliability.helpers import copy_database

Rows = dict[str, list[tuple[Any, ...]]]


class Databases:
    """Copies of one base database. `kind` is "sqlite" or "postgresql"."""

    def __init__(self, kind: str, folder: Path, pg_admin_url: str | None) -> None:
        self.kind = kind
        self.folder = folder
        self.admin_url = pg_admin_url
        self.made: list[str] = []
        self.base = self._new_name("base")

    def _new_name(self, label: str) -> str:
        if self.kind == "sqlite":
            return str(self.folder / f"{label}-{uuid.uuid4().hex[:8]}.sqlite")
        assert self.admin_url is not None
        name = f"sa_rel_{label}_{uuid.uuid4().hex[:8]}"
        self.made.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def create_base(self, prepare: Callable[[str], None]) -> None:
        if self.kind == "postgresql":
            self._admin(f'CREATE DATABASE "{make_url(self.base).database}"')
        prepare(self.base)

    def copy(self, label: str) -> str:
        url = self._new_name(label)
        if self.kind == "sqlite":
            copy_database(Path(self.base), Path(url))
        else:
            self._admin(f'CREATE DATABASE "{make_url(url).database}" TEMPLATE '
                        f'"{make_url(self.base).database}"')
        return url

    def _admin(self, statement: str) -> None:
        assert self.admin_url is not None
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(statement))
        finally:
            admin.dispose()

    def drop_all(self) -> None:
        for name in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def databases(kind: str, folder: Path, pg_admin_url: str | None) -> Iterator[Databases]:
    dbs = Databases(kind, folder, pg_admin_url)
    try:
        yield dbs
    finally:
        if kind == "postgresql":
            dbs.drop_all()


def read_rows(url: str, queries: dict[str, str]) -> Rows:
    """{name: rows} for each query (the first column is the row's key). A missing table
    reads as None rows, not an error: a half-made schema must show, not crash the check."""
    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            out: Rows = {}
            for name, sql in queries.items():
                table = name.split(":")[0]
                out[name] = ([tuple(r) for r in conn.execute(text(sql))]
                             if table in tables else [("<missing table>",)])
            return out
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> int:
    engine = make_engine(resolve_target(url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def rows_lost(before: Rows, after: Rows, keyed: Sequence[str]) -> int:
    """Rows of `before` (by their key, the first column) that `after` no longer has."""
    lost = 0
    for name in keyed:
        have = {row[0] for row in after.get(name, [])}
        lost += sum(1 for row in before.get(name, []) if row[0] not in have)
    return lost
