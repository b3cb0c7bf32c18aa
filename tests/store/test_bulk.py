"""The bulk writers store exactly what the ORM stores, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from stackadmin.store.bulk import insert_many, update_many
from stackadmin.store.models import Account

TABLE: Any = Account.__table__
MOMENTS = [
    datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 9, 30, 0, 123456, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-6))),
    datetime(1999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
]


def _stored(engine: Engine, column: str) -> dict[str | None, Any]:
    """The column as the database holds it (SQLite: the text), by external id."""
    with engine.connect() as conn:
        return dict(conn.execute(text(
            f"SELECT external_id, {column} FROM account ORDER BY id")).all())


def test_insert_many_stores_times_as_the_orm_does(engine: Engine, tool_id: int) -> None:
    with Session(engine) as s, s.begin():
        for n, moment in enumerate(MOMENTS):
            s.add(Account(tool_id=tool_id, external_id=f"orm-{n}", last_activity=moment,
                          first_seen=moment, licenses=["E3"],
                          pending_cancellation=date(2026, 12, 1)))
    with engine.begin() as conn:
        insert_many(conn, TABLE, [
            {"external_id": f"bulk-{n}", "last_activity": moment, "licenses": ["E3"],
             "pending_cancellation": date(2026, 12, 1)}
            for n, moment in enumerate(MOMENTS)],
            {"tool_id": tool_id, "first_seen": MOMENTS[2]})
    stored = _stored(engine, "last_activity")
    for n in range(len(MOMENTS)):
        assert stored[f"bulk-{n}"] == stored[f"orm-{n}"]
    with Session(engine) as s:
        back = {a.external_id: a for a in s.scalars(select(Account))}
        for n, moment in enumerate(MOMENTS):
            bulk = back[f"bulk-{n}"]
            assert bulk.last_activity == moment and bulk.last_activity.tzinfo is not None
            assert bulk.first_seen == MOMENTS[2]
            assert bulk.licenses == ["E3"]
            assert bulk.pending_cancellation == date(2026, 12, 1)


def test_insert_many_refuses_a_naive_time(engine: Engine, tool_id: int) -> None:
    with engine.connect() as conn, pytest.raises(ValueError, match="naive datetime"):
        insert_many(conn, TABLE, [{"external_id": "x", "last_activity": datetime(2026, 1, 1)}],
                    {"tool_id": tool_id})


def test_update_many_sets_each_rows_own_columns(engine: Engine, tool_id: int) -> None:
    with engine.begin() as conn:
        insert_many(conn, TABLE, [{"external_id": f"a{n}", "email": f"a{n}@example.com"}
                                  for n in range(4)], {"tool_id": tool_id})
    with Session(engine) as s:
        ids = {a.external_id: a.id for a in s.scalars(select(Account))}
    stamp = datetime(2026, 11, 2, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    with engine.begin() as conn:
        update_many(conn, TABLE, [
            {"id": ids["a0"], "status": "suspended"},
            {"id": ids["a1"], "last_activity": MOMENTS[1], "licenses": ["E5", "Visio"]},
            {"id": ids["a2"], "status": "deprovisioned", "last_activity": None},
        ], {"updated_at": stamp})
    with Session(engine) as s:
        back = {a.external_id: a for a in s.scalars(select(Account))}
    assert back["a0"].status == "suspended" and back["a0"].last_activity is None
    assert back["a1"].status == "active" and back["a1"].last_activity == MOMENTS[1]
    assert back["a1"].licenses == ["E5", "Visio"]
    assert back["a2"].status == "deprovisioned"
    assert back["a3"].status == "active" and back["a3"].updated_at != stamp
    for name in ("a0", "a1", "a2"):
        assert back[name].updated_at == stamp
        assert back[name].email == f"{name}@example.com"  # columns not given stay
    with Session(engine) as s, s.begin():
        s.add(Account(tool_id=tool_id, external_id="orm", updated_at=stamp))
    stored = _stored(engine, "updated_at")
    assert stored["a0"] == stored["orm"]


def test_update_many_with_nothing_to_set_changes_nothing(engine: Engine, tool_id: int) -> None:
    with engine.begin() as conn:
        insert_many(conn, TABLE, [{"external_id": "a", "email": "a@example.com"}],
                    {"tool_id": tool_id})
        update_many(conn, TABLE, [])
        update_many(conn, TABLE, [{"id": 1}])
    assert _stored(engine, "email") == {"a": "a@example.com"}
