"""`stackadmin gui --exit-when-ready`: exit 0 once the first page shows its data; exit 1 in
words (no traceback) when the database cannot be opened."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from stackadmin.services.context import ServiceContext


def _gui(db: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    return subprocess.run([sys.executable, "-m", "stackadmin", "gui", "--db", db,
                           "--exit-when-ready"], capture_output=True, text=True, timeout=120,
                          env=env)


@pytest.mark.usefixtures("sqlite_only")
def test_exits_0_when_the_first_page_is_ready(demo_ctx: ServiceContext, db_url: str,
                                              tmp_path: Path) -> None:
    demo_ctx.close()
    result = _gui(db_url, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.usefixtures("sqlite_only")
def test_exits_1_in_words_on_a_database_from_a_newer_version(
        ui_ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    ui_ctx.close()
    with sqlite3.connect(db_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    result = _gui(db_url, tmp_path)
    assert result.returncode == 1
    assert "stackadmin: error:" in result.stderr and "newer stackadmin" in result.stderr
    assert "Traceback" not in result.stderr


def test_exits_1_when_the_path_is_a_folder(tmp_path: Path) -> None:
    result = _gui(str(tmp_path), tmp_path)
    assert result.returncode == 1
    assert "is a folder" in result.stderr and "Traceback" not in result.stderr


def _events(stderr: str) -> list[str]:
    return [line.split()[1] for line in stderr.splitlines()
            if line.startswith("stackadmin-trace ")]


@pytest.mark.usefixtures("sqlite_only")
def test_the_first_page_shows_its_data_before_the_database_is_open(
        demo_ctx: ServiceContext, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """On a SQLite file at the head revision the dashboard is read with sqlite3 while the
    data stack is imported: the window is ready before the database is opened."""
    demo_ctx.close()
    monkeypatch.setenv("STACKADMIN_TRACE_STARTUP", "1")
    result = _gui(db_url, tmp_path)
    assert result.returncode == 0, result.stderr
    events = _events(result.stderr)
    assert events.index("painted") < events.index("first-look") < events.index("ready")
    assert events.index("ready") < events.index("opened")


@pytest.mark.usefixtures("sqlite_only")
def test_the_reminders_come_before_the_rest_of_the_page_and_the_menus_after_the_start(
        demo_ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    """A window left running (no --exit-when-ready): the reminder panel is filled as soon as
    the database is open, and the menus the start does not need come once it is over."""
    demo_ctx.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "STACKADMIN_TRACE_STARTUP": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "stackadmin", "gui", "--db", db_url],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=env)
    watchdog = threading.Timer(120, proc.kill)  # ends the read below should it never come
    watchdog.start()
    events: list[str] = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("stackadmin-trace "):
                events.append(line.split()[1])
            if "menus" in events:
                break
    finally:
        watchdog.cancel()
        proc.terminate()
        proc.wait(30)
    assert "menus" in events, events
    assert events.index("opened") < events.index("reminders") < events.index("menus")


_SLOW_LOOK = """
import sys, time
from stackadmin.services.overview import first_look
first_look.dashboard = lambda db, today=None: time.sleep(5)  # a server that barely answers
from stackadmin.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.usefixtures("sqlite_only")
def test_the_open_does_not_wait_for_a_first_look_that_is_slow_to_come(
        demo_ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    """The first page's read is waited for a moment only: the database is opened beside a
    read that hangs (a far server), and the page then loads the usual way."""
    demo_ctx.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "STACKADMIN_TRACE_STARTUP": "1"}
    result = subprocess.run([sys.executable, "-c", _SLOW_LOOK, "gui", "--db", db_url,
                             "--exit-when-ready"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    events = _events(result.stderr)
    assert "first-look" not in events  # still reading when the start was over
    assert events.index("painted") < events.index("open-start") < events.index("opened")
    assert events.index("opened") < events.index("ready") < events.index("reminders")


@pytest.mark.usefixtures("sqlite_only")
def test_a_database_to_upgrade_is_opened_before_its_first_page_is_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An older schema is never read by the start-up reader: it is backed up and upgraded
    first, and the page loads from the upgraded database."""
    from stackadmin.store.engine import make_engine, resolve_target
    from stackadmin.store.migrate import run_upgrade

    db = tmp_path / "older.sqlite"
    engine = make_engine(resolve_target(str(db)))
    try:
        run_upgrade(engine, "0001")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO tool (id, name, created_at, updated_at) "
                "VALUES (1, 'Figma', '2026-01-05 09:30:00', '2026-01-05 09:30:00')")
    finally:
        engine.dispose()
    monkeypatch.setenv("STACKADMIN_TRACE_STARTUP", "1")
    result = _gui(str(db), tmp_path)
    assert result.returncode == 0, result.stderr
    events = _events(result.stderr)
    assert "first-look" in events  # asked, and declined: the file is not at the head
    assert events.index("opened") < events.index("ready")
    assert list(tmp_path.glob("older*0001*")), "the upgrade's backup"


def test_without_a_display_it_exits_1_in_one_line_and_creates_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    db = tmp_path / "never.sqlite"
    result = subprocess.run([sys.executable, "-m", "stackadmin", "--db", str(db)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "stackadmin: error: no display: run it in a desktop session, or set "
        "QT_QPA_PLATFORM=offscreen for a headless check"]
    assert not db.exists()


@pytest.mark.parametrize(("environ", "platform", "ok"), [
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
    ({"QT_QPA_PLATFORM": "wayland"}, "linux", False),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({}, "linux", False),
    ({}, "darwin", True),
    ({}, "win32", True),
])
def test_the_display_check(environ: dict[str, str], platform: str, ok: bool) -> None:
    from stackadmin.app import check_display
    from stackadmin.errors import UserError

    if ok:
        check_display(environ, platform)
    else:
        with pytest.raises(UserError, match="no display"):
            check_display(environ, platform)


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.parametrize("damage", ["junk", "truncated", "dropped table"])
def test_a_damaged_database_is_the_same_one_line_as_in_the_cli(
        ui_ctx: ServiceContext, db_url: str, tmp_path: Path, damage: str) -> None:
    """`stackadmin --db junk.db gui`: no traceback, and the words the CLI uses."""
    ui_ctx.close()
    path = Path(db_url)
    if damage == "dropped table":
        with sqlite3.connect(db_url) as conn:
            conn.execute("DROP TABLE account")
    else:
        data = path.read_bytes()
        for companion in (Path(f"{db_url}-wal"), Path(f"{db_url}-shm")):
            companion.unlink(missing_ok=True)
        path.write_bytes(os.urandom(len(data)) if damage == "junk" else data[: len(data) // 3])
    gui = _gui(db_url, tmp_path)
    cli = subprocess.run([sys.executable, "-m", "stackadmin", "--db", db_url, "reminders"],
                         capture_output=True, text=True, timeout=120)
    assert gui.returncode == 1 and cli.returncode == 1
    assert "Traceback" not in gui.stderr
    assert gui.stderr.strip() == cli.stderr.strip()
    assert len(gui.stderr.strip().splitlines()) == 1
    words = ("lacks parts of stackadmin's schema (missing table account" if damage ==
             "dropped table" else "the database file is damaged; restore a backup (newest: ")
    assert words in gui.stderr


def test_a_bug_in_the_gui_is_one_sentence_and_goes_to_the_crash_log(qapp: object) -> None:
    from stackadmin import paths
    from stackadmin.ui.errors import describe_error

    try:
        raise RuntimeError("no row for ada.lovelace@example.com")
    except RuntimeError as exc:
        text = describe_error(exc)
    log = paths.data_dir() / "logs" / "crash.log"
    assert "\n" not in text and text.startswith("Something went wrong (RuntimeError: ")
    assert str(log) in text and "ada.lovelace" not in text
    assert "Traceback" in log.read_text() and "ada.lovelace" not in log.read_text()
