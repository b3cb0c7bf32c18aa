"""File modes (secrets and privacy): the data folder is 0700 and everything stackadmin writes
in it 0600 (the database, its -wal and -shm, backups, logs/ and crash.log), whatever the
umask; exports are 0600 too. Run through the command line in child processes under the
common umask 022, which made them world-readable before."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stackadmin.store.engine import make_engine, resolve_target
from stackadmin.store.migrate import run_downgrade
from tests.reliability.conftest import Report
from tests.reliability.helpers import run_cli

SECTION = "file modes"
EMAIL = "ada.lovelace@example.com"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> object:
    old = os.umask(0o022)  # children inherit it
    yield None
    os.umask(old)


@pytest.mark.usefixtures("sqlite_only", "umask_022")
def test_everything_in_the_data_folder_is_private(tmp_path: Path, reliability: Report) -> None:
    section = reliability.section(SECTION, "sqlite")
    data = tmp_path / "fresh" / "stackadmin-data"  # neither folder exists yet
    env = {"STACKADMIN_DATA_DIR": str(data)}
    db = data / "stackadmin.sqlite"
    checks: dict[str, tuple[int, int]] = {}  # name: (mode found, mode wanted)

    def check(name: str, path: Path, wanted: int) -> None:
        checks[name] = (_mode(path), wanted)  # now: a -wal file goes when the last user does

    # The default database, created by the first command that writes; killed in the middle
    # of its write so that its -wal and -shm stay on disk as SQLite made them.
    first = run_cli(["demo"], db="", env=env, kill_after=0.02)
    assert first.killed_in_write or first.code == 0, first.err
    check("data folder", data, 0o700)
    check("database", db, 0o600)
    if Path(f"{db}-wal").exists():
        check("-wal", Path(f"{db}-wal"), 0o600)
        check("-shm", Path(f"{db}-shm"), 0o600)
    assert run_cli(["demo"], db="", env=env).code in (0, 1)  # fills it (or finds it filled)

    # An automatic backup (an upgrade of an older schema) and a manual one.
    engine = make_engine(resolve_target(str(db)))
    try:
        run_downgrade(engine, "0002")
    finally:
        engine.dispose()
    assert run_cli(["db", "upgrade"], db="", env=env).code == 0
    check("automatic backup", next(data.glob("stackadmin.backup-*")), 0o600)
    assert run_cli(["db", "backup"], db="", env=env).code == 0
    check("manual backup", next(data.glob("stackadmin.manual-backup-*")), 0o600)

    # A bug: the crash log and its folder.
    crash = run_cli(["settings", "list"], db="", env={**env, "RELIABILITY_CRASH": "1"})
    assert crash.code == 1 and "internal error" in crash.err and EMAIL not in crash.err
    log = data / "logs" / "crash.log"
    check("logs folder", log.parent, 0o700)
    check("crash.log", log, 0o600)
    assert EMAIL not in log.read_text() and "RuntimeError" in log.read_text()

    # Exports written elsewhere.
    out = tmp_path / "exports"
    out.mkdir()
    assert run_cli(["export", "people", str(out / "people.csv")], db="", env=env).code == 0
    assert run_cli(["export", "calendar", str(out / "r.ics")], db="", env=env).code == 0
    check("people export", out / "people.csv", 0o600)
    check("calendar", out / "r.ics", 0o600)

    wrong = {name: oct(found) for name, (found, wanted) in checks.items() if found != wanted}
    for name in checks:
        section.record(name not in wrong, what=f"{name}: {wrong.get(name)}")
    assert not wrong
    assert {"-wal", "-shm"} <= set(checks), "the kill came too late to see the -wal file"
