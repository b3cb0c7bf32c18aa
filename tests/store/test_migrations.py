"""Migrations on a real SQLite file or PostgreSQL database (--pg-url)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from stackadmin.errors import DatabaseError
from stackadmin.store.engine import DatabaseTarget, make_engine, resolve_target
from stackadmin.store.migrate import (
    SchemaStatus,
    _script,
    current_revision,
    head_revision,
    open_database,
    run_downgrade,
    run_upgrade,
    schema_state,
    upgrade_database,
)
from stackadmin.store.models import Base


def test_there_is_a_single_head() -> None:
    assert len(_script().get_heads()) == 1


def test_upgrade_from_empty_creates_every_table(db_url: str) -> None:
    engine = open_database(resolve_target(db_url))
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert schema_state(engine).status is SchemaStatus.CURRENT
    finally:
        engine.dispose()


def test_models_and_migrated_schema_agree(db_url: str) -> None:
    engine = open_database(resolve_target(db_url))
    try:
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(mc, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    engine = open_database(resolve_target(db_url))
    try:
        run_downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        run_upgrade(engine, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@contextmanager
def before_revision(db_url: str, revision: str) -> Iterator[tuple[Engine, DatabaseTarget, str]]:
    """A database at the revision before `revision`, holding the first revision's rows:
    (its engine, its target, that revision), disposed of afterwards."""
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        previous = _script().get_revision(revision).down_revision
        assert isinstance(previous, str)
        run_upgrade(engine, previous)
        _fill_first_revision(engine)
        yield engine, target, previous
    finally:
        engine.dispose()


def _fill_first_revision(engine) -> None:  # type: ignore[no-untyped-def]
    """Rows as stackadmin's first schema revision wrote them (plain SQL, no models)."""
    now = datetime(2026, 1, 5, 9, 30, tzinfo=UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO person (id, email, name, status, source, created_at, updated_at) "
            "VALUES (1, 'ada@example.com', 'Ada', 'active', 'manual', :now, :now)"), {"now": now})
        conn.execute(text(
            "INSERT INTO tool (id, name, owner_id, created_at, updated_at) "
            "VALUES (1, 'Figma', 1, :now, :now)"), {"now": now})
        conn.execute(text(
            "INSERT INTO subscription_term (id, tool_id, plan, pricing, unit_price_minor, "
            "currency, seats, billing_months, term_start, renewal_date, auto_renew, notice_days, "
            "internal_lead_days, status, created_at, updated_at) VALUES (1, 1, 'Org', "
            "'per_seat', 4500, 'USD', 10, 12, :start, :renewal, true, 30, 0, 'active', "
            ":now, :now)"),
            {"now": now, "start": date(2026, 1, 1), "renewal": date(2027, 1, 1)})
        conn.execute(text(
            "INSERT INTO account (id, tool_id, person_id, external_id, email, role, status, "
            "activity_known, first_seen, source, is_bot, exempt, updated_at) VALUES "
            "(1, 1, 1, 'F-1', 'ada@example.com', 'admin', 'active', true, :now, 'manual', "
            "false, false, :now)"), {"now": now})


def test_data_survives_an_upgrade_from_the_first_revision(db_url: str, db_kind: str) -> None:
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, "0001")
        _fill_first_revision(engine)
        result = upgrade_database(engine, target)
        assert (result.before, result.after) == ("0001", head_revision())
        if db_kind == "sqlite":
            assert result.backup is not None and result.backup.exists()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM person")).scalar_one() == "ada@example.com"
            assert conn.execute(text("SELECT unit_price_minor FROM subscription_term")
                                ).scalar_one() == 4500
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
            assert conn.execute(text("SELECT owner_id FROM tool")).scalar_one() == 1
            for table in ("person", "tool", "subscription_term"):  # every saved row: version 1
                assert conn.execute(text(f"SELECT version FROM {table}")).scalar_one() == 1
    finally:
        engine.dispose()


def test_backup_is_taken_before_an_upgrade_and_holds_the_old_schema(
        db_url: str, sqlite_only: None) -> None:
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, "0001")
        _fill_first_revision(engine)
        result = upgrade_database(engine, target)
    finally:
        engine.dispose()
    assert result.backup is not None
    backup_engine = make_engine(resolve_target(str(result.backup)))
    try:
        state = schema_state(backup_engine)
        assert state.revision == "0001"
        with backup_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
    finally:
        backup_engine.dispose()


def test_a_database_from_a_newer_version_is_refused_and_untouched(
        db_url: str, db_kind: str) -> None:
    target = resolve_target(db_url)
    engine = open_database(target)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    before = _dump(db_url) if db_kind == "sqlite" else None
    with pytest.raises(DatabaseError, match="newer stackadmin"):
        open_database(target)
    if before is not None:
        assert _dump(db_url) == before


def _dump(path: str) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def test_a_foreign_database_is_refused(db_url: str) -> None:
    target = resolve_target(db_url)
    engine = make_engine(target)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id integer primary key)"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="not a stackadmin database"):
        open_database(target)


def test_a_table_rebuild_during_migration_does_not_cascade_deletes(
        db_url: str, sqlite_only: None) -> None:
    """A batch rebuild drops and recreates a parent table; with foreign keys on, SQLite
    would fire ON DELETE CASCADE and empty the child tables."""
    from alembic.operations import Operations

    from stackadmin.store.migrate import migration_connection

    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, "0001")
        _fill_first_revision(engine)
        with migration_connection(engine) as conn:
            ops = Operations(MigrationContext.configure(conn))
            with ops.batch_alter_table("tool", recreate="always") as batch:
                batch.alter_column("category", existing_type=None, nullable=True)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM subscription_term")).scalar_one() == 1
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(
        db_url: str, sqlite_only: None) -> None:
    engine = open_database(resolve_target(db_url))
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        engine.dispose()


def test_a_failed_upgrade_is_undone_whole(db_url: str, db_kind: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Every migration ran, then the upgrade failed before its commit: the new tables, the
    rebuilt ones and the revision are all rolled back (no backup is copied over the file)."""
    import stackadmin.store.migrate as migrate

    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, "0001")
        _fill_first_revision(engine)
        before = _dump(db_url) if db_kind == "sqlite" else None
        real = migrate._alembic

        def migrate_then_fail(conn, action, revision):  # type: ignore[no-untyped-def]
            real(conn, action, revision)
            assert current_revision(conn) == head_revision()  # done, but not committed
            conn.execute(text("DELETE FROM account"))
            conn.execute(text("SELECT * FROM no_such_table"))  # fails

        monkeypatch.setattr(migrate, "_alembic", migrate_then_fail)
        with pytest.raises(DatabaseError, match=r"failed and was undone .* revision 0001"):
            upgrade_database(engine, target)
        engine.dispose()
        if before is not None:
            assert _dump(db_url) == before
        with engine.connect() as conn:
            assert current_revision(conn) == "0001"
            assert not inspect(conn).has_table("offboarding_item")
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
    finally:
        engine.dispose()


def test_only_the_newest_automatic_backups_are_kept(tmp_path: Path, sqlite_only: None) -> None:
    from stackadmin.store.backups import automatic_backup_path, backup_sqlite, prune_backups

    db = tmp_path / "stackadmin.sqlite"
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE t (x)")
    made = [backup_sqlite(db, automatic_backup_path(db, f"000{i}")) for i in range(7)]
    manual = backup_sqlite(db, automatic_backup_path(db, "0001", label="manual-backup"))
    prune_backups(db, keep=5)
    left = sorted(tmp_path.glob("stackadmin.backup-*.sqlite"))
    assert left == sorted(made[-5:])
    assert manual.exists()


def test_the_documents_and_contacts_revision_keeps_every_row(db_url: str) -> None:
    """From the revision before it, with data in it: the upgrade adds the two tables and
    touches nothing else; the downgrade drops them and keeps the rest."""
    revision = "0006"
    previous = _script().get_revision(revision).down_revision
    assert isinstance(previous, str)
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, previous)
        _fill_first_revision(engine)
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO term_decision (term_id, renewal_date, decision, decided_by, "
                "decided_at) VALUES (1, :day, 'renew', 'ada', :now)"),
                {"day": date(2027, 1, 1), "now": datetime(2026, 5, 1, tzinfo=UTC)})
        run_upgrade(engine, revision)
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM term_decision")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
            conn.execute(text(
                "INSERT INTO tool_contact (tool_id, name, created_at, updated_at) "
                "VALUES (1, 'Jo', :now, :now)"), {"now": datetime(2026, 5, 1, tzinfo=UTC)})
            conn.execute(text(
                "INSERT INTO tool_document (tool_id, kind, title, file_name, stored_path, "
                "size_bytes, sha256, added_by, added_at) VALUES (1, 'contract', 'MSA', "
                "'msa.pdf', 'tool-1/msa.pdf', 10, :sha, 'ada', :now)"),
                {"sha": "0" * 64, "now": datetime(2026, 5, 1, tzinfo=UTC)})
        run_downgrade(engine, previous)
        tables = set(inspect(engine).get_table_names())
        assert "tool_document" not in tables and "tool_contact" not in tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM term_decision")).scalar_one() == 1
            assert conn.execute(text("SELECT name FROM tool")).scalar_one() == "Figma"
    finally:
        engine.dispose()


def test_running_tables_arrive_without_touching_saved_rows(db_url: str) -> None:
    """From the reminders revision, with data in it, to the running-the-stack tables."""
    target = resolve_target(db_url)
    engine = make_engine(target)
    try:
        run_upgrade(engine, "0002")
        _fill_first_revision(engine)
        upgrade_database(engine, target)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
            assert conn.execute(text("SELECT name FROM tool")).scalar_one() == "Figma"
            for table in ("connection", "connection_incident", "adoption_snapshot",
                          "adoption_target", "training_resource", "bundle_item",
                          "digest_send"):
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
        run_downgrade(engine, "0002")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM account")).scalar_one() == 1
        assert "connection" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
