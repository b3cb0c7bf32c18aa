"""The start-up read (services.first_look, store.snapshot): the dashboard read with the
driver alone (sqlite3, psycopg) equals the one read through the services, and it declines
whenever it cannot answer, leaving the database as it was."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.services.inventory import people, rates, settings, terms, tools
from stackadmin.services.overview import dashboard, first_look
from stackadmin.services.renewals.reminders import decide
from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.migrate import run_upgrade
from stackadmin.store.snapshot import SERVER_TIMEOUT_S, Snapshot, server_conninfo
from tests.conftest import TODAY


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _edge_cases(ctx: ServiceContext) -> None:
    """What the dashboard must get right besides the demo: a currency without a rate, a
    rate recorded against the old base currency, a term without a renewal date, a tool
    without an owner, a flat fee, an ended term."""
    rates.set_rate(ctx, "GBP", "1.25", as_of=date(2026, 1, 1))  # GBP → USD
    settings.set_setting(ctx, "base_currency", "EUR")  # GBP now converts through USD
    rates.set_rate(ctx, "USD", "0.92", as_of=date(2026, 6, 1))
    tool = tools.create_tool(ctx, name="Edge Tool", category="Edge cases")
    terms.create_term(ctx, tool_id=tool.id, currency="CHF", plan="no rate", unit_price="12",
                      seats=3, term_start=date(2026, 1, 1), renewal_date=date(2027, 1, 1))
    terms.create_term(ctx, tool_id=tool.id, currency="GBP", plan="open", pricing="flat",
                      unit_price="999.99", billing_period="quarterly",
                      term_start=date(2026, 2, 1), cost_center="R&D")
    terms.create_term(ctx, tool_id=tool.id, currency="JPY", plan="ended", unit_price="1500",
                      seats=4, term_start=date(2024, 1, 1), renewal_date=date(2025, 1, 1),
                      auto_renew=False)
    # A missed cancel-by date decided on, and a tool owner who has left.
    missed = next(r for r in dashboard.renewal_lines(ctx)
                  if r.days_left is not None and r.days_left < 0)
    decide(ctx, missed.term.id, "renew", renewal_date=missed.renewal_date)
    owner = next(t for t in tools.list_tools(ctx) if t.owner_email)
    person = next(p for p in people.list_people(ctx) if p.email == owner.owner_email)
    people.mark_departed(ctx, person.id, date(2026, 10, 1))


def test_the_first_look_equals_the_dashboard_read_through_the_services(
        ctx: ServiceContext, db_url: str) -> None:
    load_demo(ctx, "small")
    _edge_cases(ctx)
    expected = dashboard.compute(ctx, with_seats=False)
    got = first_look.dashboard(db_url, TODAY)
    assert got is not None
    assert got == expected  # every figure, every row, in the same order
    assert got.missing_rates == ["CHF"] and "GBP" in got.rates
    assert any(t.plan == "open" for t in got.terms_without_renewal)
    assert got.owners_departed and any(r.decided for r in got.next_renewals) is False
    assert len(got.missed_renewals) == len([
        r for r in dashboard.renewal_lines(ctx)
        if r.days_left is not None and r.days_left < 0]) - 1  # the decided one is done


def test_it_reads_a_database_another_connection_is_writing(
        ctx: ServiceContext, db_url: str) -> None:
    load_demo(ctx, "small")
    with ctx.transaction() as session:  # a write transaction left open meanwhile
        tools.vendor_id_for(session, "A vendor being added")
        board = first_look.dashboard(db_url, TODAY)
    assert board is not None and board == dashboard.compute(ctx, with_seats=False)


def test_it_declines_an_empty_database(ctx: ServiceContext, db_url: str) -> None:
    assert first_look.dashboard(db_url, TODAY) is None  # the first-run choice instead


@pytest.mark.usefixtures("sqlite_only")
def test_it_declines_what_it_cannot_read_and_leaves_the_file_as_it_was(
        tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    assert first_look.dashboard(str(missing), TODAY) is None
    assert not missing.exists()  # nothing created

    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_text("a spreadsheet saved with the wrong name\n")
    assert first_look.dashboard(str(not_sqlite), TODAY) is None

    older = tmp_path / "older.sqlite"  # a schema the open will upgrade (after a backup)
    engine = make_engine(resolve_target(str(older)))
    try:
        run_upgrade(engine, "0001")
    finally:
        engine.dispose()
    before = _digest(older)
    assert first_look.dashboard(str(older), TODAY) is None
    assert _digest(older) == before

    assert first_look.dashboard("postgresql+psycopg://nobody@127.0.0.1:1/none", TODAY) is None
    assert first_look.dashboard(str(tmp_path), TODAY) is None  # a folder


@pytest.mark.usefixtures("sqlite_only")
def test_a_newer_database_is_declined_untouched(ctx: ServiceContext, db_url: str) -> None:
    load_demo(ctx, "small")
    ctx.close()
    import sqlite3

    with sqlite3.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.close()
    before = _digest(Path(db_url))
    assert Snapshot.open(Path(db_url)) is None
    assert first_look.dashboard(db_url, TODAY) is None
    assert _digest(Path(db_url)) == before


def test_the_first_look_imports_no_sqlalchemy(tmp_path: Path) -> None:
    code = ("import sys; import stackadmin.services.overview.first_look; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('sqlalchemy', 'alembic', 'PySide6')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"


@pytest.mark.usefixtures("sqlite_only")
def test_a_sqlite_url_is_read_as_its_file(ctx: ServiceContext, db_url: str) -> None:
    load_demo(ctx, "small")
    board = first_look.dashboard(f"sqlite:///{Path(db_url).resolve()}", TODAY)
    assert board is not None and board == dashboard.compute(ctx, with_seats=False)
    assert first_look.dashboard("sqlite:///:memory:", TODAY) is None


@pytest.mark.parametrize(("url", "conninfo"), [
    ("postgresql+psycopg://ops:s3cret@db.example.com:5433/stack?sslmode=require",
     "postgresql://ops:s3cret@db.example.com:5433/stack?sslmode=require"),
    ("postgresql://ops@db/stack", "postgresql://ops@db/stack"),
    ("postgres+psycopg2://ops@db/stack", "postgresql://ops@db/stack"),
    ("postgresql+asyncpg://ops@db/stack", None),  # another driver: the usual open
    ("mysql+pymysql://ops@db/stack", None),
    ("sqlite:////tmp/x.sqlite", None),
])
def test_the_server_connection_is_the_urls_own(url: str, conninfo: str | None) -> None:
    assert server_conninfo(url) == conninfo


def _other_database(db_url: str, name: str) -> Iterator[str]:
    admin = make_url(db_url)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def older_server(ctx: ServiceContext, db_url: str, db_kind: str) -> Iterator[str]:
    if db_kind != "postgresql":
        pytest.skip("a PostgreSQL database at an older revision")
    url = f"{db_url}_old"
    yield from _other_database(db_url, make_url(url).database or "")


def test_a_server_database_to_upgrade_or_unreachable_is_declined(
        older_server: str) -> None:
    engine = make_engine(resolve_target(older_server))
    try:
        run_upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO tool (id, name, created_at, updated_at) VALUES "
                              "(1, 'Figma', now(), now())"))
    finally:
        engine.dispose()
    assert first_look.dashboard(older_server, TODAY) is None  # the open upgrades it first
    engine = make_engine(resolve_target(older_server))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
                "0001"  # untouched
    finally:
        engine.dispose()
    unreachable = make_url(older_server).set(port=1).render_as_string(hide_password=False)
    assert first_look.dashboard(unreachable, TODAY) is None


def test_a_server_table_locked_by_a_migration_is_waited_on_a_few_seconds_at_most(
        ctx: ServiceContext, db_url: str, db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("a lock held on a server table")
    load_demo(ctx, "small")
    engine = make_engine(resolve_target(db_url))
    try:
        with engine.begin() as conn:
            conn.execute(text("LOCK TABLE subscription_term IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            assert first_look.dashboard(db_url, TODAY) is None
            waited = time.monotonic() - started
    finally:
        engine.dispose()
    assert waited < SERVER_TIMEOUT_S + 2
    assert first_look.dashboard(db_url, TODAY) == dashboard.compute(ctx, with_seats=False)
