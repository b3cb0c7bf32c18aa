"""The sync revision on a database holding data at the revision before it: every row kept,
bots become kind 'bot', runs keep their counts, integrations get the default schedule."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from stackadmin.store.migrate import head_revision, run_downgrade, upgrade_database
from tests.store.test_migrations import before_revision

REVISION = "0007"


def test_upgrading_from_the_previous_revision_keeps_every_row(db_url: str) -> None:
    now = datetime(2026, 11, 1, 8, tzinfo=UTC).replace(tzinfo=None)
    with before_revision(db_url, REVISION) as (engine, target, previous):
        assert previous == "0006"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO account (id, tool_id, external_id, email, role, status, "
                "activity_known, first_seen, source, is_bot, exempt, updated_at) VALUES "
                "(2, 1, 'B-1', NULL, 'member', 'active', true, :now, 'csv', true, false, :now)"),
                {"now": now})
            for n, name in ((1, "GitHub"), (2, "GitHub")):
                conn.execute(text(
                    "INSERT INTO integration (id, plugin_id, tool_id, name, options, enabled, "
                    "is_directory_source, created_at, updated_at) VALUES (:id, 'github', 1, "
                    ":name, '{}', true, false, :now, :now)"), {"id": n, "name": name, "now": now})
            conn.execute(text(
                "INSERT INTO sync_run (id, integration_id, started_at, finished_at, status, "
                "added, changed, removed) VALUES (1, 1, :now, :now, 'ok', 3, 2, 1), "
                "(2, 2, :now, NULL, 'failed', 0, 0, 0)"), {"now": now})
        result = upgrade_database(engine, target)
        assert (result.before, result.after) == (previous, head_revision())
        tables = set(inspect(engine).get_table_names())
        assert {"account_listing", "vendor_seat_count"} <= tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, kind, billable FROM account ORDER BY id")
                                ).all() == [(1, "user", None), (2, "bot", None)]
            assert conn.execute(text(
                "SELECT id, added, changed, deprovisioned, unchanged, dry_run FROM sync_run "
                "ORDER BY id")).all() == [(1, 3, 2, 1, 0, False), (2, 0, 0, 0, 0, False)]
            rows = conn.execute(text(
                "SELECT name, interval_minutes, brake_pct, last_success_at IS NOT NULL "
                "FROM integration ORDER BY id")).all()
            assert rows == [("GitHub", 1440, 20, True), ("GitHub (2)", 1440, 20, False)]
            assert conn.execute(text("SELECT email FROM person")).scalar_one() == (
                "ada@example.com")
        # And back: every row of the older tables is still there.
        run_downgrade(engine, previous)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 2
            assert conn.execute(text("SELECT removed FROM sync_run WHERE id = 1")
                                ).scalar_one() == 1
            assert "account_listing" not in set(inspect(engine).get_table_names())
