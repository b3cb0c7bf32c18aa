"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL with --pg-url)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext, open_context

PG_ENV = "STACKADMIN_TEST_PG_URL"
TODAY = date(2026, 11, 25)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pg-url",
        default=os.environ.get(PG_ENV),
        help="run the database tests against this PostgreSQL server (an admin URL; "
        "each test gets a database of its own)",
    )


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the user's real data folder or database."""
    monkeypatch.setenv("STACKADMIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("STACKADMIN_DB", raising=False)


@pytest.fixture
def pg_admin_url(request: pytest.FixtureRequest) -> str | None:
    value: str | None = request.config.getoption("--pg-url")
    return value


@pytest.fixture
def db_kind(pg_admin_url: str | None) -> str:
    return "postgresql" if pg_admin_url else "sqlite"


@pytest.fixture
def db_url(tmp_path: Path, pg_admin_url: str | None) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database made for this test."""
    if not pg_admin_url:
        yield str(tmp_path / "stackadmin.sqlite")
        return
    name = f"sa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def ctx(db_url: str) -> Iterator[ServiceContext]:
    """A service context on a migrated, empty database, with a fixed today."""
    context = open_context(db_url, source=AuditSource.CLI, today=lambda: TODAY)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def sqlite_only(db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("this behaviour is specific to SQLite files")
