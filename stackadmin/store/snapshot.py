"""Reading the database with its driver alone, read-only: the first page at start-up is read
this way while SQLAlchemy (~0.3 s) is still being imported.

A SQLite file is read with `sqlite3`, a PostgreSQL database with `psycopg` (which SQLAlchemy
then opens it with: the import is not wasted). Only a database at the head revision is read.
Anything else (no file yet, an older or newer schema, another kind of database, a locked
file, a server that does not answer within a few seconds) gives None, and the caller goes the
one safe way: `migrate.open_database`, which says in words what is wrong. Nothing here writes,
creates or upgrades.

Values come back as the driver gives them (SQLite: dates as ISO text, booleans as 0/1;
PostgreSQL: dates and booleans; exact decimals as text on both): `services.first_look` turns
them into the services' rows.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from stackadmin import paths

# A server that takes longer than this to connect, or a query that waits this long on a lock
# (a migration holding one), is left to the usual open: the start does not hang on it.
SERVER_TIMEOUT_S = 3
_SERVER_SCHEMES = ("postgresql", "postgres")
_SERVER_DRIVERS = ("", "psycopg", "psycopg2")  # psycopg2 URLs are opened with psycopg too

_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w.-]+|None)['\"]?", re.MULTILINE)

# The same rows, in the same order, as services.terms.list_terms / services.tools.list_tools.
TERMS_SQL = """
SELECT t.id, t.tool_id, tool.name, t.plan, t.pricing, t.unit_price_minor, t.currency, t.seats,
       t.billing_months, t.term_start, t.renewal_date, t.auto_renew, t.notice_days,
       t.internal_lead_days, t.cost_center, t.po_reference, t.notes, t.status,
       t.previous_term_id, t.version
FROM subscription_term AS t JOIN tool ON tool.id = t.tool_id
ORDER BY t.renewal_date NULLS FIRST, t.id
"""
TOOLS_SQL = """
SELECT tool.id, tool.name, vendor.name, tool.category, person.email, person.name, tool.website,
       tool.notes, tool.inactivity_days, tool.reminder_leads, tool.version, person.status,
       person.end_date
FROM tool LEFT JOIN vendor ON vendor.id = tool.vendor_id
          LEFT JOIN person ON person.id = tool.owner_id
ORDER BY lower(tool.name)
"""


def quick_head_revision() -> str | None:
    """The head revision read from the migration files' text, without importing Alembic
    (~0.3 s of start-up); None when the files do not give one clear head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = list(paths.migrations_dir().joinpath("versions").glob("*.py"))
        for file in files:
            found: dict[str, str] = {
                m.group(1): m.group(2) for m in _REVISION_LINE.finditer(file.read_text("utf-8"))}
            if "revision" not in found:
                return None
            revisions.add(found["revision"])
            if found.get("down_revision", "None") != "None":
                parents.add(found["down_revision"])
    except (OSError, ValueError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def server_conninfo(url: str) -> str | None:
    """The libpq connection URI of a SQLAlchemy PostgreSQL URL (postgresql+psycopg://user@
    host/name?sslmode=require → postgresql://user@host/name?sslmode=require), or None for
    any other kind of URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme, _plus, driver = parts.scheme.lower().partition("+")
    if scheme not in _SERVER_SCHEMES or driver not in _SERVER_DRIVERS:
        return None
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, ""))


def _at_head(connection: Any, row: Any, head: str | None) -> bool:
    """Whether the revision read (`row`) is the head one; the connection is closed if not."""
    if head is not None and row is not None and row[0] == head:
        return True
    connection.close()
    return False


class Unreadable(Exception):
    """A query of the snapshot failed (a lock waited on too long, a connection lost): the
    caller leaves the reading to the usual open."""


class Snapshot:
    """One read-only transaction on a database at the head revision; use as a context
    manager. Every query reads that one transaction (a consistent view)."""

    def __init__(self, connection: Any, placeholder: str = "?", *,
                 text_dates: bool = True,
                 errors: tuple[type[Exception], ...] = (sqlite3.Error,)) -> None:
        self._connection = connection
        self._errors = errors  # the driver's own
        self._placeholder = placeholder  # the driver's parameter marker
        self._text_dates = text_dates  # SQLite compares ISO text; PostgreSQL dates

    @classmethod
    def open(cls, path: Path) -> Snapshot | None:
        """A SQLite file's snapshot, or None when it cannot be read this way (the module)."""
        if not path.is_file():
            return None
        head = quick_head_revision()
        try:
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                         timeout=0.5, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error:
            return None
        try:
            connection.execute("BEGIN")  # one read transaction for every query below
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            connection.close()
            return None
        return cls(connection) if _at_head(connection, row, head) else None

    @classmethod
    def open_server(cls, url: str) -> Snapshot | None:
        """A PostgreSQL database's snapshot (`url` as SQLAlchemy spells it), or None when
        it cannot be read this way (the module), psycopg missing included."""
        conninfo = server_conninfo(url)
        if conninfo is None:
            return None
        head = quick_head_revision()
        try:
            import psycopg
        except ImportError:
            return None
        try:
            connection = psycopg.connect(conninfo, connect_timeout=SERVER_TIMEOUT_S)
        except (psycopg.Error, ValueError, OSError):
            return None
        try:
            connection.read_only = True
            # One snapshot for every query below, as SQLite's one read transaction.
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            limit = int(SERVER_TIMEOUT_S * 1000)
            connection.execute(f"SET LOCAL statement_timeout = {limit}")
            connection.execute(f"SET LOCAL lock_timeout = {limit}")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except psycopg.Error:
            connection.close()
            return None
        if not _at_head(connection, row, head):
            return None
        return cls(connection, "%s", text_dates=False, errors=(psycopg.Error,))

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if params:
            sql = sql.replace("?", self._placeholder)
        try:
            return list(self._connection.execute(sql, params).fetchall())
        except self._errors as exc:
            raise Unreadable(str(exc)) from exc

    def has_inventory(self) -> bool:
        """False on an empty database (no people, tools, terms or accounts: first run)."""
        return any(self._rows(f"SELECT 1 FROM {table} LIMIT 1")
                   for table in ("person", "tool", "subscription_term", "account"))

    def settings(self) -> dict[str, str]:
        return dict(self._rows("SELECT key, value FROM setting"))

    def rate_history(self, as_of: date) -> list[tuple[str, str, str]]:
        """(currency, quote currency, rate text) recorded on or before the day, oldest first."""
        return [(c, q, r) for c, q, r in self._rows(
            "SELECT currency, base_currency, rate FROM exchange_rate WHERE as_of <= ?"
            " ORDER BY as_of", (as_of.isoformat() if self._text_dates else as_of,))]

    def terms(self) -> list[tuple[Any, ...]]:
        return self._rows(TERMS_SQL)

    def tools(self) -> list[tuple[Any, ...]]:
        return self._rows(TOOLS_SQL)

    def decided_renewals(self) -> list[tuple[int, str | date, str]]:
        """(term id, renewal date text, decision) of every renewal with a decision recorded."""
        return [(t, d, what) for t, d, what in self._rows(
            "SELECT term_id, renewal_date, decision FROM term_decision")]
