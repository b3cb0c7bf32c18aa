"""A sync that writes a thousand accounts or more refreshes PostgreSQL's planner statistics
at once (store.engine.refresh_statistics); one that writes a few leaves them to the
database's autovacuum."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from stackadmin.store.engine import BULK_ROWS
from tests.services.sync.conftest import Kit, seat


def _analyzed(kit: Kit, table: str) -> datetime | None:
    with kit.ctx.engine.connect() as conn:
        value: datetime | None = conn.execute(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"),
            {"t": table}).scalar()
        return value


def test_a_first_sync_of_many_seats_refreshes_the_statistics(kit: Kit, db_kind: str) -> None:
    kit.serve_copilot([seat(n) for n in range(3)], per_page=100)
    kit.add()
    assert kit.sync().ok
    if db_kind == "postgresql":
        assert _analyzed(kit, "account") is None  # three seats: left to autovacuum
    kit.serve_copilot([seat(n) for n in range(BULK_ROWS + 50)], per_page=100)
    result = kit.sync()
    assert result.ok and result.added == BULK_ROWS + 47
    if db_kind == "postgresql":
        assert _analyzed(kit, "account") is not None
        assert _analyzed(kit, "account_listing") is not None
