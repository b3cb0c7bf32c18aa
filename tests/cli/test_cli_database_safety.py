"""The command line never damages or invents a database: no output over the database or its
files, no database created by a command that only reads, a damaged or incomplete one said
in one line, a busy one waited for and then said. Run in-process through `main` (the same
code as the console script), on SQLite and, where it applies, PostgreSQL (--pg-url)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from stackadmin.cli import main
from stackadmin.store import engine as engine_module
from tests.cli.conftest import Result


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str):  # type: ignore[no-untyped-def]
    def _cli(*args: str, db: str | None = db_url) -> Result:
        code = main([*(["--db", db] if db else []), *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)
    return _cli


def _one_line_error(result: Result, words: str) -> None:
    assert result.code == 1, result
    assert result.err.startswith("stackadmin: error: ") and words in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "Traceback" not in result.err and "Background on this error" not in result.err


def _count_rates(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM exchange_rate").fetchone()[0])


EXPORTS = [("export", "people"), ("export", "finance"), ("export", "seats"),
           ("export", "access-review"), ("export", "calendar"), ("db", "backup")]


OUTPUTS = ["db", "-wal", "-shm", "hard link", "symlink", "backup"]
# Every kind of output onto every protected file, through one command; every command onto
# the database and its -wal file.
CASES = sorted({*((("export", "people"), o) for o in OUTPUTS),
                *((c, o) for c in EXPORTS for o in ("db", "-wal"))})


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize(("command", "output"), CASES,
                         ids=[f"{' '.join(c)} onto {o}" for c, o in CASES])
def test_no_output_is_written_onto_the_database_or_its_files(
        cli, db_url: str, tmp_path: Path, command: tuple[str, str], output: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("rates", "set", "EUR", "1.1").code == 0
    db = Path(db_url)
    backup = db.with_name(f"{db.stem}.backup-20260101T000000000000Z-rev0002{db.suffix}")
    backup.write_bytes(db.read_bytes())
    if output == "hard link":
        target = tmp_path / "finance.csv"
        os.link(db, target)
    elif output == "symlink":
        target = tmp_path / "finance.csv"
        target.symlink_to(db)
    elif output == "backup":
        target = backup
    else:
        target = db if output == "db" else Path(f"{db}{output}")
    before = {p: p.read_bytes() for p in (db, backup)}
    result = cli(*command, str(target))
    _one_line_error(result, "choose another file name")
    assert {p: p.read_bytes() for p in (db, backup)} == before
    assert _count_rates(db) == 1 and cli("db", "check").code == 0


READERS = [("reminders",), ("utilization",), ("unused",), ("reconcile",), ("rates", "list"),
           ("settings", "list"), ("db", "check"), ("db", "backup"),
           ("export", "people", "OUT"), ("export", "finance", "OUT"),
           ("export", "calendar", "OUT")]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_command_that_only_reads_never_creates_a_database(
        cli, db_url: str, db_kind: str, tmp_path: Path, command: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    if db_kind == "postgresql" and command == ("db", "backup"):
        pytest.skip("db backup copies SQLite files only")
    db = db_url if db_kind == "postgresql" else str(tmp_path / "typo" / "x.sqlite")
    args = [str(tmp_path / "out.csv") if a == "OUT" else a for a in command]
    result = cli(*args, db=db)
    words = "there is no database at" if command != ("db", "check") or db_kind == "sqlite" \
        else "holds no tables"
    _one_line_error(result, words)
    assert not (tmp_path / "typo").exists() and not (tmp_path / "out.csv").exists()
    if db_kind == "postgresql":  # the empty database stays empty
        from sqlalchemy import create_engine, inspect
        engine = create_engine(db_url)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


def test_commands_that_put_data_in_create_the_database(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "new" / "x.sqlite"
    assert cli("rates", "set", "EUR", "1.1", db=str(db)).code == 0
    assert db.exists() and cli("reminders", db=str(db)).code == 0


@pytest.mark.parametrize(("args", "words"), [
    (("export", "finance", ""), "give the name of the file to write"),
    (("export", "people", "."), "is a folder"),
    (("export", "calendar", "no/such/folder/x.ics"), "does not exist"),
    (("db", "backup", ""), "give the name of the file to write"),
])
def test_an_output_name_that_cannot_be_a_file_is_explained(
        cli, args: tuple[str, ...], words: str, tmp_path: Path,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch, db_kind: str) -> None:
    if db_kind == "postgresql" and args[0] == "db":
        pytest.skip("db backup copies SQLite files only")
    monkeypatch.chdir(tmp_path)
    assert cli("demo").code == 0
    _one_line_error(cli(*args), words)


@pytest.mark.parametrize("url", ["foo://", "mysql://me@host/db", "foo://x:secret@host/db"])
def test_a_url_stackadmin_cannot_use_is_one_line(cli, url: str) -> None:  # type: ignore[no-untyped-def]
    result = cli("reminders", db=url)
    _one_line_error(result, "is not a database stackadmin can use")
    assert "secret" not in result.err


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("damage", ["junk", "truncated", "zeroes"])
def test_a_damaged_file_is_one_line_naming_the_newest_backup(
        cli, db_url: str, damage: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("demo").code == 0
    assert cli("db", "backup").code == 0
    db = Path(db_url)
    newest = max(db.parent.glob("*.manual-backup-*"), key=lambda p: p.stat().st_mtime)
    data = db.read_bytes()
    db.write_bytes({"junk": os.urandom(len(data)), "truncated": data[: len(data) // 3],
                    "zeroes": data[:100] + bytes(len(data) - 100)}[damage])
    expected = f"the database file is damaged; restore a backup (newest: {newest})"
    for args in (("db", "check"), ("reminders",), ("export", "people", f"{db}.csv"),
                 ("rates", "set", "EUR", "1.2"), ("db", "upgrade")):
        result = cli(*args)
        _one_line_error(result, expected)
        assert result.err.strip() == f"stackadmin: error: {expected}"


def test_db_check_lists_what_the_schema_lacks(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from stackadmin.store.engine import make_engine, resolve_target

    assert cli("demo").code == 0
    engine = make_engine(resolve_target(db_url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE offboarding_item"))
        conn.execute(text("DROP INDEX ix_account_tool_email"))
    engine.dispose()
    check = cli("db", "check")
    assert check.code == 1
    assert "schema: 2 missing" in check.out
    assert "  missing table offboarding_item" in check.out
    assert "  missing index ix_account_tool_email on account" in check.out
    _one_line_error(check, "the database check found problems")
    _one_line_error(cli("reminders"), "lacks parts of stackadmin's schema (missing table "
                                      "offboarding_item; missing index")


def test_db_check_says_the_schema_is_whole(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("db", "upgrade").code == 0
    check = cli("db", "check")
    assert check.code == 0 and "schema: ok" in check.out


def test_a_busy_database_is_waited_for_then_said_in_one_line(
        cli, db_url: str, db_kind: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from stackadmin.services.context import open_context

    assert cli("demo").code == 0
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 400)
    holder = open_context(db_url)
    release = threading.Event()

    def hold() -> None:  # another stackadmin in the middle of a long import
        with holder.transaction() as session:
            session.connection().exec_driver_sql("SELECT 1")
            release.wait(20)

    writer = threading.Thread(target=hold)
    writer.start()
    try:
        time.sleep(0.2)
        started = time.monotonic()
        result = cli("decide", "Slack", "renew")
        waited = time.monotonic() - started
    finally:
        release.set()
        writer.join(20)
        holder.close()
    assert waited >= 0.35
    _one_line_error(result, "")
    assert result.err.strip() == ("stackadmin: error: the database is busy (another "
                                  "stackadmin is writing); try again")
    assert cli("decide", "Slack", "renew").code == 0  # once the other one is done


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("output", ["db", "-wal"])
def test_the_onboarding_checklist_is_not_written_onto_the_database(
        cli, db_url: str, tmp_path: Path, output: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("rates", "set", "EUR", "1.1").code == 0
    people = tmp_path / "people.csv"
    people.write_text("email,name,department\nnew@example.com,New Hire,Engineering\n")
    assert cli("import", "people", str(people)).code == 0
    db = Path(db_url)
    target = db if output == "db" else Path(f"{db}{output}")
    before = db.read_bytes()
    result = cli("onboarding", "new@example.com", "--csv", str(target))
    _one_line_error(result, "choose another file name")
    assert db.read_bytes() == before
    assert _count_rates(db) == 1 and cli("db", "check").code == 0
