"""The adoption revision on a database holding snapshots at the revision before it: every
row kept, each given the seats whose use can be judged as far as its own figures tell."""

from __future__ import annotations

from sqlalchemy import text

from stackadmin.store.migrate import run_downgrade, upgrade_database
from tests.store.test_migrations import before_revision

SNAPSHOTS = ("SELECT id, tool_id, day, seats_purchased, seats_held, seats_active, seats_unused, "
             "seats_activity_unknown, annual_cost_minor FROM adoption_snapshot ORDER BY id")


def test_upgrading_keeps_every_snapshot_and_fills_the_judged_seats(db_url: str) -> None:
    with before_revision(db_url, "0009") as (engine, target, previous):
        assert previous == "0008"
        with engine.begin() as conn:
            # (purchased, held, active, unknown): judged; all of unknown activity; no seat
            # data; a flat fee without a seat count.
            for n, (bought, held, active, unknown) in enumerate(
                    ((10, 3, 1, 1), (30, 25, 0, 25), (12, 0, 0, 0), (0, 20, 20, 0)), 1):
                conn.execute(text(
                    "INSERT INTO adoption_snapshot (id, tool_id, day, seats_purchased, "
                    "seats_held, seats_active, seats_unused, seats_activity_unknown, "
                    "annual_cost_minor, currency, taken_at) VALUES (:n, 1, :day, :bought, "
                    ":held, :active, 0, :unknown, 120000, 'USD', '2026-11-01 08:00:00')"),
                    {"n": n, "day": f"2026-11-0{n}", "bought": bought, "held": held,
                     "active": active, "unknown": unknown})
            before = conn.execute(text(SNAPSHOTS)).all()
        result = upgrade_database(engine, target)
        assert result.before == "0008"
        with engine.connect() as conn:
            assert conn.execute(text(SNAPSHOTS)).all() == before
            assert conn.execute(text("SELECT seats_judged FROM adoption_snapshot ORDER BY id")
                                ).scalars().all() == [9, None, None, None]
        run_downgrade(engine, previous)
        with engine.connect() as conn:
            assert conn.execute(text(SNAPSHOTS)).all() == before
