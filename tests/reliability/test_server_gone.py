"""The PostgreSQL server ends a command's session mid-query (a fast shutdown, or an
administrator's pg_terminate_backend): one line in words, exit 1, nothing half-saved."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from tests.reliability.helpers import BAD_WORDS, cli, start_cli


def test_a_session_the_server_ends_is_told_in_words(db_kind: str, db_url: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("a server that ends a session is PostgreSQL's")
    assert cli("--db", db_url, "demo")[0] == 0
    holder = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with holder.connect() as lock, holder.connect() as admin:
            lock.execute(text("BEGIN"))
            lock.execute(text("LOCK TABLE account IN ACCESS EXCLUSIVE MODE"))
            child = start_cli(["unused", "--json"], db=db_url)
            waiting = None
            deadline = time.monotonic() + 60
            while waiting is None and time.monotonic() < deadline:
                waiting = admin.execute(text(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar()
                time.sleep(0.05)
            assert waiting is not None, "the command never waited on the lock"
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": waiting})
            out, err = child.communicate(timeout=60)
            lock.execute(text("ROLLBACK"))
    finally:
        holder.dispose()
    assert child.returncode == 1, (out, err)
    assert err.count("\n") == 1 and "the database server closed the connection" in err, err
    assert not any(word in err for word in BAD_WORDS), err
