"""Write transactions take the database's write lock before their first read: a second writer
waits for the first and then sees its rows; one that waits too long is told the database is
busy, in words. On a SQLite file and on PostgreSQL (--pg-url)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from stackadmin.errors import DatabaseBusyError
from stackadmin.services.context import ServiceContext, open_context
from stackadmin.services.inventory.people import create_person
from stackadmin.store import engine as engine_module
from stackadmin.store.models import Person


@pytest.fixture
def other(ctx: ServiceContext, db_url: str) -> Iterator[ServiceContext]:
    """A second stackadmin on the same database (another window, a cron job)."""
    second = open_context(db_url)
    yield second
    second.close()


def _people(ctx: ServiceContext) -> int:
    with ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def test_a_second_writer_waits_and_then_reads_what_the_first_wrote(
        ctx: ServiceContext, other: ServiceContext) -> None:
    """The check-then-insert race of two imports: the second one's check runs after the
    first one's commit, so it sees the row instead of inserting it again."""
    seen: list[int] = []
    entered = threading.Event()

    def second_writer() -> None:
        entered.set()
        with other.transaction() as session:  # waits here for the first transaction
            seen.append(int(session.scalar(select(func.count()).select_from(Person)) or 0))

    with ctx.transaction() as session:
        session.add(Person(email="ada@example.com", name="Ada"))
        session.flush()
        racer = threading.Thread(target=second_writer)
        racer.start()
        entered.wait(5)
        time.sleep(0.3)
        assert seen == []  # still waiting for our lock
    racer.join(10)
    assert seen == [1]


def test_reads_do_not_wait_for_a_writer(ctx: ServiceContext, other: ServiceContext) -> None:
    create_person(ctx, email="ada@example.com")
    with ctx.transaction() as session:
        session.add(Person(email="ben@example.com", name="Ben"))
        session.flush()
        started = time.monotonic()
        assert _people(other) == 1  # the committed state, at once
        assert time.monotonic() - started < 1


def test_a_writer_that_waits_too_long_is_told_the_database_is_busy(
        ctx: ServiceContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 300)
    impatient = open_context(db_url)
    try:
        with ctx.transaction() as session:
            session.add(Person(email="ada@example.com", name="Ada"))
            session.flush()
            started = time.monotonic()
            with pytest.raises(DatabaseBusyError) as raised:
                create_person(impatient, email="ben@example.com")
            assert 0.2 < time.monotonic() - started < 5
        assert str(raised.value) == ("the database is busy (another stackadmin is writing); "
                                     "try again")
        create_person(impatient, email="ben@example.com")  # once the lock is free: works
    finally:
        impatient.close()
    assert _people(ctx) == 2
