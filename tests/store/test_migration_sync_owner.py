"""The sync-run owner revision on a database holding runs at the revision before it: every
run kept as it was, with no owner (the heartbeat alone decides when such a run stopped)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from stackadmin.store.migrate import run_downgrade, upgrade_database
from tests.store.test_migrations import before_revision

REVISION = "0008"
RUNS = ("SELECT id, integration_id, status, added, changed, deprovisioned, unchanged, "
        "heartbeat_at IS NOT NULL, error_kind, actor FROM sync_run ORDER BY id")


def _columns(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {column["name"] for column in inspect(engine).get_columns(table)}


def test_upgrading_from_the_previous_revision_keeps_every_run(db_url: str) -> None:
    now = datetime(2026, 11, 29, 8, tzinfo=UTC).replace(tzinfo=None)
    with before_revision(db_url, REVISION) as (engine, target, previous):
        assert previous == "0007"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO integration (id, plugin_id, tool_id, name, options, enabled, "
                "is_directory_source, brake_pct, created_at, updated_at) VALUES (1, "
                "'github', 1, 'GitHub acme', '{}', true, false, 20, :now, :now)"),
                {"now": now})
            conn.execute(text(
                "INSERT INTO sync_run (id, integration_id, started_at, finished_at, "
                "heartbeat_at, status, added, changed, deprovisioned, unchanged, error_kind, "
                "actor) VALUES "
                "(1, 1, :now, :now, :now, 'ok', 3, 2, 1, 40, NULL, 'ada'), "
                "(2, 1, :now, :now, :now, 'failed', 0, 0, 0, 0, 'auth', 'ada'), "
                "(3, 1, :now, NULL, :now, 'running', 0, 0, 0, 0, NULL, 'cron')"),
                {"now": now})
        with engine.connect() as conn:
            before = conn.execute(text(RUNS)).all()
        assert "owner" not in _columns(engine, "sync_run")

        result = upgrade_database(engine, target)
        assert result.before == previous
        assert "owner" in _columns(engine, "sync_run")
        with engine.connect() as conn:
            assert conn.execute(text(RUNS)).all() == before
            assert conn.execute(text("SELECT owner FROM sync_run")).scalars().all() == [
                None, None, None]
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1

        # And back: the column goes, every run stays.
        with engine.begin() as conn:
            conn.execute(text("UPDATE sync_run SET owner = 'laptop:4242:99' WHERE id = 3"))
        run_downgrade(engine, previous)
        assert "owner" not in _columns(engine, "sync_run")
        with engine.connect() as conn:
            assert conn.execute(text(RUNS)).all() == before
