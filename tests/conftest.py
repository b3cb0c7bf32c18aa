"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL with --pg-url)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext, open_context

PG_ENV = "STACKADMIN_TEST_PG_URL"
TODAY = date(2026, 11, 25)

# Every test runs with HOME and the XDG folders in a temporary folder: nothing a test does
# (Qt's settings and file dialogs, keyring configuration, platformdirs) may touch the real
# user's files. Set here, at import, so it holds before Qt reads them for the session.
REAL_HOME = Path(os.path.expanduser("~")).resolve()
_XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


def _point_home_at(folder: Path, setenv: Callable[[str, str], None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    setenv("HOME", str(folder))
    for name, sub in zip(_XDG, (".config", ".local/share", ".cache", ".local/state"),
                         strict=True):
        setenv(name, str(folder / sub))


SESSION_HOME = Path(tempfile.mkdtemp(prefix="stackadmin-tests-home-")).resolve()
_point_home_at(SESSION_HOME, os.environ.__setitem__)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pg-url",
        default=os.environ.get(PG_ENV),
        help="run the database tests against this PostgreSQL server (an admin URL; "
        "each test gets a database of its own)",
    )


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the user's real home, data folder or database: each test
    gets a home and XDG folders of its own, and the test fails if it is not so."""
    home = tmp_path_factory.mktemp("home")
    _point_home_at(home, monkeypatch.setenv)
    monkeypatch.setenv("STACKADMIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("STACKADMIN_DB", raising=False)
    assert Path.home() == home
    yield
    assert os.environ["HOME"] == str(home), "a test pointed HOME back at a real folder"


@pytest.fixture(scope="session")
def pg_admin_url(request: pytest.FixtureRequest) -> str | None:
    value: str | None = request.config.getoption("--pg-url")
    return value


@pytest.fixture
def db_kind(pg_admin_url: str | None) -> str:
    return "postgresql" if pg_admin_url else "sqlite"


@contextmanager
def new_database(sqlite_file: Path, pg_admin_url: str | None) -> Iterator[str]:
    """A new, empty database's URL: `sqlite_file`, or a PostgreSQL database made for the
    test and dropped after it."""
    if not pg_admin_url:
        yield str(sqlite_file)
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
def db_url(tmp_path: Path, pg_admin_url: str | None) -> Iterator[str]:
    """A new, empty database: a SQLite file, or a PostgreSQL database made for this test."""
    with new_database(tmp_path / "stackadmin.sqlite", pg_admin_url) as url:
        yield url


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory,
                      pg_admin_url: str | None) -> Iterator[str]:
    """An empty database at the head revision, made once per session by the migrations
    themselves: each `ctx` starts from a copy of it (a file copy, or PostgreSQL's CREATE
    DATABASE ... TEMPLATE) instead of running every migration again (~0.3 s a test)."""
    folder = tmp_path_factory.mktemp("template")
    with new_database(folder / "template.sqlite", pg_admin_url) as url:
        open_context(url, source=AuditSource.CLI).close()
        yield url


def _start_from(template: str, db_url: str, pg_admin_url: str | None) -> None:
    """Makes the new, untouched database at `db_url` a copy of the migrated `template`;
    leaves it alone when the test has already put something there."""
    if not pg_admin_url:
        target = Path(db_url)
        if not target.exists():
            shutil.copyfile(template, target)
            target.chmod(0o600)  # as stackadmin creates its databases
        return
    name, source = make_url(db_url).database, make_url(template).database
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :n"),
                            {"n": name}).scalar():
                return  # someone is connected: the test uses it already
            conn.execute(text(f'DROP DATABASE "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()


@pytest.fixture
def ctx(db_url: str, migrated_template: str,
        pg_admin_url: str | None) -> Iterator[ServiceContext]:
    """A service context on a migrated, empty database, with a fixed today."""
    _start_from(migrated_template, db_url, pg_admin_url)
    context = open_context(db_url, source=AuditSource.CLI, today=lambda: TODAY)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def sqlite_only(db_kind: str) -> None:
    if db_kind != "sqlite":
        pytest.skip("this behaviour is specific to SQLite files")


@pytest.fixture
def os_keyring() -> object:
    """keyring's default backend when it holds a real Secret Service (CI runs gnome-keyring in
    a D-Bus session); skipped elsewhere, and a failure in CI, where one must be present."""
    import keyring

    backend = keyring.get_keyring()  # with keyrings.alt installed: a chain holding a file too
    if not any(type(b).__module__.startswith("keyring.backends.SecretService")
               for b in getattr(backend, "backends", [backend])):
        if os.environ.get("CI"):
            pytest.fail("CI must provide a real keyring (gnome-keyring in a D-Bus session)")
        pytest.skip("no OS keyring in this session (CI runs one)")
    return backend
