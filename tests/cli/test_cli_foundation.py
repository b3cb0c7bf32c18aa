"""The CLI contract: commands, exit codes (0 ok, 1 user error, 2 usage), one-line errors."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stackadmin import __version__
from stackadmin.store.migrate import head_revision
from tests.cli.conftest import Run


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text


def test_version(run: Run) -> None:
    result = run("--version", db=None)
    assert result.code == 0 and result.out.strip() == f"stackadmin {__version__}"


def test_usage_errors_exit_2(run: Run) -> None:
    assert run("no-such-command").code == 2
    assert run("rates").code == 2
    assert run("demo", "--size", "gigantic").code == 2
    bad_date = run("rates", "set", "EUR", "1.1", "--as-of", "25/11/2026")
    assert bad_date.code == 2 and "YYYY-MM-DD" in bad_date.err


def test_db_upgrade_then_check(run: Run) -> None:
    first = run("db", "upgrade")
    assert first.code == 0 and "created" in first.out
    again = run("db", "upgrade")
    assert again.code == 0 and "up to date" in again.out
    check = run("db", "check")
    assert check.code == 0

    head = head_revision()
    assert f"schema revision: {head} (current: {head})" in check.out
    assert "integrity: ok" in check.out and "foreign keys: ok" in check.out


def test_db_check_reports_broken_references(run: Run, db_url: str, sqlite_only: None) -> None:
    assert run("db", "upgrade").code == 0
    with sqlite3.connect(db_url) as conn:  # foreign keys are off on this raw connection
        conn.execute("INSERT INTO tool (id, name, owner_id, created_at, updated_at) "
                     "VALUES (1, 'Ghost', 42, '2026-01-01', '2026-01-01')")
    result = run("db", "check")
    assert result.code == 1
    assert "table tool row 1 refers to a missing row of person" in result.out
    assert result.err.startswith("stackadmin: error:")
    _no_traceback(result.err)


def test_db_backup_copies_the_database(run: Run, db_url: str, tmp_path: Path,
                                       sqlite_only: None) -> None:
    assert run("demo").code == 0
    target = tmp_path / "copy.sqlite"
    result = run("db", "backup", str(target))
    assert result.code == 0 and str(target) in result.out
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM tool").fetchone()[0] == 25
    again = run("db", "backup", str(target))
    assert again.code == 1 and "exists already" in again.err


def test_db_backup_of_a_missing_database_is_explained(run: Run, tmp_path: Path) -> None:
    result = run("db", "backup", db=str(tmp_path / "nothing.sqlite"))
    assert result.code == 1 and "there is no database at" in result.err


def test_demo_fills_once_then_refuses(run: Run) -> None:
    first = run("demo", "--seed", "5")
    assert first.code == 0 and "40 people, 25 tools" in first.out
    second = run("demo")
    assert second.code == 1
    assert "already holds an inventory" in second.err
    assert len(second.err.strip().splitlines()) == 1
    _no_traceback(second.err)


def test_rates_set_and_list(run: Run) -> None:
    assert run("rates", "set", "eur", "1.10", "--as-of", "2026-11-01").code == 0
    listed = run("rates", "list", "--json")
    assert listed.code == 0
    assert json.loads(listed.out) == [
        {"currency": "EUR", "base_currency": "USD", "rate": "1.1", "as_of": "2026-11-01"}]


@pytest.mark.parametrize(("args", "message"), [
    (("rates", "set", "EURO", "1.1"), "not an ISO 4217 currency code"),
    (("rates", "set", "EUR", "abc"), "not a rate"),
    (("rates", "set", "EUR", "0"), "positive number"),
    (("settings", "set", "base_currency", "DOLLARS"), "ISO 4217"),
    (("settings", "set", "default_inactivity_days", "-5"), "at least 1"),
])
def test_bad_values_give_one_clear_line_and_exit_1(run: Run, args: tuple[str, ...],
                                                   message: str) -> None:
    result = run(*args)
    assert result.code == 1
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1
    _no_traceback(result.err)


def test_settings_set_and_list(run: Run) -> None:
    assert run("settings", "set", "base_currency", "eur").out.strip() == "base_currency = EUR"
    listed = json.loads(run("settings", "list", "--json").out)
    assert listed["base_currency"] == "EUR"
    assert listed["default_inactivity_days"] == "60"


def test_a_folder_given_as_database_is_explained(run: Run, tmp_path: Path) -> None:
    result = run("rates", "list", db=str(tmp_path))
    assert result.code == 1 and "is a folder" in result.err


def test_an_unreachable_server_is_explained(run: Run) -> None:
    result = run("rates", "list", db="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.code == 1
    assert "cannot open the database" in result.err
    _no_traceback(result.err)


def test_a_newer_database_is_refused_by_every_command(run: Run, db_url: str,
                                                      sqlite_only: None) -> None:
    assert run("db", "upgrade").code == 0
    with sqlite3.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = _dump(db_url)
    for args in (("db", "upgrade"), ("rates", "list"), ("db", "check")):
        result = run(*args)
        assert result.code == 1 and "newer stackadmin" in result.err
    assert _dump(db_url) == before
    assert not list(Path(db_url).parent.glob("*.backup-*"))


def _dump(path: str) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_headless_commands_never_import_qt(db_url: str) -> None:
    code = (
        "import sys\n"
        "from stackadmin.cli import main\n"
        f"assert main(['--db', {db_url!r}, 'db', 'upgrade']) == 0\n"
        f"rc = main(['--db', {db_url!r}, 'settings', 'list'])\n"
        "assert rc == 0, rc\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


def test_db_env_variable_selects_the_database(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "from-env.sqlite"
    result = run("db", "upgrade", db=None, env={"STACKADMIN_DB": str(path)})
    assert result.code == 0 and path.exists()


@pytest.mark.parametrize("args", [("--db", "", "rates", "set", "EUR", "1.1"),
                                  ("--db=", "reminders"), ("reminders", "--db", " "),
                                  ("gui", "--exit-when-ready", "--db", "")])
def test_an_empty_db_is_a_usage_error_not_the_default_database(
        run: Run, tmp_path: Path, args: tuple[str, ...]) -> None:
    """A cron job's `--db "$DB"` with DB unset: refused, and the data folder's database is
    neither created nor written."""
    data = tmp_path / "data"
    result = run(*args, db=None, env={"STACKADMIN_DATA_DIR": str(data),
                                      "STACKADMIN_DB": "", "QT_QPA_PLATFORM": "offscreen"})
    assert result.code == 2, result
    assert "argument --db: is empty" in result.err and "Traceback" not in result.err
    assert not data.exists()


def test_a_closed_pipe_is_not_an_error(db_url: str) -> None:
    """`stackadmin ... | head -1`: the reader leaves early; no error, no traceback. The command
    prints far more than a pipe buffer holds, so the write really fails."""
    script = (
        "import sys\n"
        "from stackadmin.cli import main\n"
        "from stackadmin.cli.commands import settings\n"
        "def flood(args):\n"
        "    for _ in range(20000):\n"
        "        print('x' * 100)\n"
        "    return 0\n"
        "settings._list = flood\n"
        f"sys.exit(main(['--db', {db_url!r}, 'settings', 'list']))\n"
    )
    proc = subprocess.run(f"{sys.executable} -c \"$SCRIPT\" | head -n 1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True,
                          timeout=120, env={**__import__("os").environ, "SCRIPT": script})
    assert proc.stdout == "x" * 100 + "\n"
    assert proc.stderr == ""
    assert proc.returncode == 0
