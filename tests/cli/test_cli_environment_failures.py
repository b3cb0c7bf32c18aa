"""What the machine refuses: a read-only database file, an unwritable export folder, a full
disk. Each is one line in words (exit 1) and leaves nothing half-written.

Permissions are checked in a child process. As root (CI containers) the child runs without
the capability to override file permissions (util-linux `setpriv`), as a user would. A full
disk is a real small tmpfs when this machine lets us mount one; otherwise it is injected at
the write boundary (SQLite's own page limit for the database; ENOSPC at the file write for
exports), and the tests say which in their names."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from stackadmin.errors import DatabaseError, UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets import exports, files, importer
from stackadmin.store.models import Person

pytestmark = pytest.mark.usefixtures("sqlite_only")


def _as_a_user() -> list[str]:
    """The command prefix that makes a root process obey file permissions."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without util-linux setpriv")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_as_a_user(), sys.executable, "-m", "stackadmin", "--db", str(db),
                           *args], capture_output=True, text=True, timeout=120)


def _one_line(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 1, result
    assert result.stderr.startswith("stackadmin: error: ") and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.fixture
def demo_db(ctx: ServiceContext, db_url: str) -> Path:
    from stackadmin.services.demo import load_demo

    load_demo(ctx, "small")
    ctx.close()
    return Path(db_url)


def test_a_read_only_database_file_reads_and_refuses_writes_in_words(demo_db: Path) -> None:
    before = demo_db.read_bytes()
    demo_db.chmod(0o444)
    try:
        assert _cli("reminders", db=demo_db).returncode == 0
        refused = _cli("decide", "Slack", "renew", db=demo_db)
        _one_line(refused, "is read-only for you, so nothing was changed")
    finally:
        demo_db.chmod(0o600)
    assert demo_db.read_bytes() == before


def test_a_read_only_folder_is_named_as_the_cause(demo_db: Path) -> None:
    for companion in (Path(f"{demo_db}-wal"), Path(f"{demo_db}-shm")):
        companion.unlink(missing_ok=True)
    demo_db.parent.chmod(0o555)
    try:
        _one_line(_cli("reminders", db=demo_db), "the folder of")
    finally:
        demo_db.parent.chmod(0o755)


def test_an_unwritable_export_folder_is_one_line_and_leaves_nothing(demo_db: Path,
                                                                  tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for args in (("export", "people", str(locked / "p.csv")),
                     ("export", "calendar", str(locked / "r.ics")),
                     ("db", "backup", str(locked / "copy.sqlite"))):
            result = _cli(*args, db=demo_db)
            assert result.returncode == 1 and "Permission denied" in result.stderr, result
            assert len(result.stderr.strip().splitlines()) == 1
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_a_database_that_cannot_be_created_is_one_line(tmp_path: Path) -> None:
    """A command that may create its database, pointed where no file can be made (a folder
    read-only for the user, a path under /proc): one line naming the database, no crash
    log, nothing left behind."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for db in (locked / "new.sqlite", locked / "sub" / "new.sqlite",
                   Path("/proc/no-such-folder/new.sqlite")):
            _one_line(_cli("rates", "set", "EUR", "1.1", db=db),
                      f"cannot create the database {db}")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (room for the small demo database), when this machine lets us mount
    one."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("cannot mount a tmpfs here (not root); the injected tests cover it")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _people_csv(path: Path, count: int) -> Path:
    lines = ["email,name,department"]
    lines += [f"someone{n}@example.com,Someone with a long name {n},Research and development"
              for n in range(count)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_really_full_disk_is_one_line_and_leaves_nothing_half_written(
        small_disk: Path, demo_db: Path, tmp_path: Path) -> None:
    db = small_disk / "full.sqlite"
    shutil.copyfile(demo_db, db)
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:  # fill the disk to the brim
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    people_file = _people_csv(tmp_path / "many.csv", 20_000)
    before = [p.name for p in small_disk.iterdir()]
    imported = _cli("import", "people", str(people_file), db=db)
    _one_line(imported, "is full; nothing was saved")
    _one_line(_cli("db", "backup", db=db), "is full")
    # From a database elsewhere onto the full disk: the file write itself fails.
    exported = _cli("export", "people", str(small_disk / "people.csv"), db=demo_db)
    _one_line(exported, "cannot be written: No space left on device")
    copied = _cli("db", "backup", str(small_disk / "copy.sqlite"), db=demo_db)
    _one_line(copied, "could not be written: the disk is full (nothing was left behind)")
    filler.unlink()
    assert sorted(p.name for p in small_disk.iterdir() if not p.name.startswith(
        f"{db.name}-")) == sorted(n for n in before if n != "filler")
    check = _cli("db", "check", db=db)
    assert check.returncode == 0 and "integrity: ok" in check.stdout
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT count(*) FROM person WHERE email LIKE 'someone%'"
                            ).fetchone()[0] == 0


def test_a_full_disk_during_an_import_injected_at_sqlite_page_limit(
        ctx: ServiceContext, tmp_path: Path) -> None:
    """SQLite refuses to grow the file past max_page_count with the very error a full disk
    gives (SQLITE_FULL): the import is rolled back and said in words."""
    @event.listens_for(ctx.engine, "connect")
    def limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA max_page_count=60")

    ctx.engine.dispose()  # new connections get the limit
    with pytest.raises(DatabaseError, match="is full; nothing was saved"):
        importer.import_file(ctx, _people_csv(tmp_path / "many.csv", 20_000), "people")
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_full_disk_during_an_export_injected_at_the_write(
        ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stackadmin.services.inventory.people import create_person

    for n in range(50):
        create_person(ctx, email=f"p{n}@example.com")

    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            if self.tell() > 200:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(text)

        def close(self) -> None:
            pass

    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        os.close(fd)
        return FullDisk()

    monkeypatch.setattr(files.os, "fdopen", fdopen)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UserError, match="cannot be written: No space left on device"):
        exports.export_people(ctx, out / "people.csv")
    monkeypatch.setattr(files.os, "fdopen", real_fdopen)
    assert list(out.iterdir()) == []  # neither the file nor its temporary file


# -- a terminal that is not UTF-8 --------------------------------------------------------------


@pytest.mark.parametrize("env", [{"LC_ALL": "C", "PYTHONIOENCODING": "ascii"},
                                 {"LC_ALL": "POSIX", "PYTHONUTF8": "0"},
                                 {"PYTHONIOENCODING": "latin-1"}],
                         ids=["ascii", "posix-locale", "latin-1"])
def test_names_a_terminal_cannot_show_are_escaped_and_json_stays_exact(
        ctx: ServiceContext, db_url: str, tmp_path: Path, env: dict[str, str]) -> None:
    """A cron job runs with LANG unset (or an ISO-8859 locale): names in other scripts are
    printed as \\uXXXX escapes, and `--json` still parses to exactly the stored names."""
    from stackadmin.services.inventory.people import create_person

    name = "Zoë Ångström 😀 李小龍"
    create_person(ctx, email="zoe@example.com", name=name)
    ctx.close()
    environ = {key: value for key, value in os.environ.items()
               if key not in ("LANG", "LC_ALL", "LC_CTYPE", "PYTHONUTF8", "PYTHONIOENCODING")}

    def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "stackadmin", "--db", db_url, *args],
                              capture_output=True, timeout=120, env={**environ, **env})

    as_json = cli("onboarding", "zoe@example.com", "--json")
    assert as_json.returncode == 0 and as_json.stderr == b"", as_json
    encoding = env.get("PYTHONIOENCODING", "ascii")
    assert json.loads(as_json.stdout.decode(encoding))["name"] == name
    table = cli("onboarding", "zoe@example.com")
    assert table.returncode == 0 and table.stderr == b"", table
    assert b"Zo" in table.stdout and b"\\ud83d\\ude00" in table.stdout


# -- stopped by the system ---------------------------------------------------------------------


def test_a_command_stopped_by_sigterm_says_so_and_leaves_no_half_file(
        ctx: ServiceContext, db_url: str, tmp_path: Path) -> None:
    """`timeout`, a service manager or `kill` stops a cron job's export half-way: one line,
    exit 143 (128 + SIGTERM), and neither the file nor its temporary file is left."""
    from stackadmin.services.inventory.people import create_person

    for n in range(5):
        create_person(ctx, email=f"p{n}@example.com")
    ctx.close()
    out = tmp_path / "out"
    out.mkdir()
    script = (
        "import os, signal, sys\n"
        "from stackadmin.cli import main\n"
        "from stackadmin.services.spreadsheets import exports\n"
        "real = exports.people_rows\n"
        "def rows(*args, **kwargs):\n"
        "    for n, row in enumerate(real(*args, **kwargs)):\n"
        "        if n == 2:\n"
        "            os.kill(os.getpid(), signal.SIGTERM)\n"
        "        yield row\n"
        "exports.people_rows = rows\n"
        f"sys.exit(main(['--db', {db_url!r}, 'export', 'people', {str(out / 'p.csv')!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 128 + 15, result
    assert result.stderr == "stackadmin: stopped (SIGTERM); nothing half-written was kept\n"
    assert list(out.iterdir()) == []


def test_a_file_name_the_locale_cannot_decode_imports(ctx: ServiceContext,
                                                       tmp_path: Path) -> None:
    """A spreadsheet named in Latin-1 (b'caf\\xe9.csv') on a UTF-8 system, or any non-ASCII
    name under LANG=C: the name holds a byte Python keeps as a half character. It is told
    and recorded as \\xNN, and the import runs; it was an internal error at the audit."""
    name = os.fsdecode(b"caf\xe9.csv")
    path = tmp_path / name
    path.write_text("email,name\nbyte@example.com,Byte\n")
    plan = importer.import_file(ctx, path, "people")
    assert plan.committed and plan.added == 1 and plan.file == "caf\\xe9.csv"
    assert importer.import_file(ctx, path, "people").unchanged == 1
