"""Reading a SQLite database with the standard library alone, read-only: the first page at
start-up is read this way while SQLAlchemy (~0.5 s) is still being imported.

Only a database file at the head revision is read. Anything else (no file yet, an older or
newer schema, not SQLite, locked) gives None, and the caller goes the one safe way:
`migrate.open_database`. Nothing here writes, creates or upgrades.

Values come back as SQLite stores them through the models (dates as ISO text, booleans as
0/1, exact decimals as text): `services.first_look` turns them into the services' rows.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from stackadmin import paths

_REVISION_LINE = re.compile(
    r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w.-]+|None)['\"]?", re.MULTILINE)

# The same rows, in the same order, as services.terms.list_terms / services.tools.list_tools.
TERMS_SQL = """
SELECT t.id, t.tool_id, tool.name, t.plan, t.pricing, t.unit_price_minor, t.currency, t.seats,
       t.billing_months, t.term_start, t.renewal_date, t.auto_renew, t.notice_days,
       t.internal_lead_days, t.cost_center, t.po_reference, t.notes, t.status,
       t.previous_term_id, t.version
FROM subscription_term AS t JOIN tool ON tool.id = t.tool_id
ORDER BY t.renewal_date, t.id
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


class Snapshot:
    """One read-only connection on a SQLite file at the head revision; use as a context
    manager. Every query reads the same transaction (a consistent view)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    @classmethod
    def open(cls, path: Path) -> Snapshot | None:
        """The snapshot, or None when this file cannot be read this way (see the module)."""
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
        if head is None or row is None or row[0] != head:
            connection.close()
            return None
        return cls(connection)

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connection.close()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._connection.execute(sql, params).fetchall()

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
            " ORDER BY as_of", (as_of.isoformat(),))]

    def terms(self) -> list[tuple[Any, ...]]:
        return self._rows(TERMS_SQL)

    def tools(self) -> list[tuple[Any, ...]]:
        return self._rows(TOOLS_SQL)

    def decided_renewals(self) -> list[tuple[int, str]]:
        """(term id, renewal date text) of every renewal with a decision recorded."""
        return [(t, d) for t, d in self._rows("SELECT term_id, renewal_date FROM term_decision")]
