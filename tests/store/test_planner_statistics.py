"""After a bulk write (a demo, an import, a sync) PostgreSQL's planner statistics are
refreshed at once rather than a minute or more later by its autovacuum: until then queries
over the new seats were planned blind (3.8 s instead of 0.14 s on the large demo's
consolidation page). SQLite needs nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.services.spreadsheets import importer
from stackadmin.store.engine import BULK_ROWS, refresh_statistics


def _analyzed(ctx: ServiceContext, table: str) -> datetime | None:
    with ctx.engine.connect() as conn:
        value: datetime | None = conn.execute(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"),
            {"t": table}).scalar()
        return value


def _accounts_file(tmp_path: Path, rows: int) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text("email,external_id\r\n" + "".join(
        f"user{i}@example.com,U{i}\r\n" for i in range(rows)), encoding="utf-8")
    return path


def test_a_small_write_leaves_the_statistics_to_the_database(ctx: ServiceContext,
                                                             db_kind: str) -> None:
    refresh_statistics(ctx.engine, BULK_ROWS - 1, ("account",))
    if db_kind == "postgresql":
        assert _analyzed(ctx, "account") is None
    else:
        with ctx.engine.connect() as conn:  # SQLite: no ANALYZE ran, no statistics table
            assert conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 0


def test_a_bulk_import_refreshes_the_statistics_on_postgresql(
        ctx: ServiceContext, db_kind: str, tmp_path: Path) -> None:
    tools.create_tool(ctx, name="Figma")
    plan = importer.import_file(ctx, _accounts_file(tmp_path, BULK_ROWS + 200), "accounts",
                                options=importer.ImportOptions(tool="figma"))
    assert plan.added == BULK_ROWS + 200
    if db_kind == "postgresql":
        assert _analyzed(ctx, "account") is not None
        with ctx.engine.connect() as conn:
            estimate = conn.execute(text(
                "SELECT reltuples FROM pg_class WHERE relname = 'account'")).scalar()
        assert estimate == BULK_ROWS + 200  # the planner knows how many rows there are
    else:
        with ctx.engine.connect() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar() == 0


def test_a_small_import_does_not(ctx: ServiceContext, db_kind: str, tmp_path: Path) -> None:
    tools.create_tool(ctx, name="Figma")
    importer.import_file(ctx, _accounts_file(tmp_path, 20), "accounts",
                         options=importer.ImportOptions(tool="figma"))
    if db_kind == "postgresql":
        assert _analyzed(ctx, "account") is None
