"""Child processes of the stackadmin CLI that the reliability tests watch and kill, and the
checks they share."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import closing, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from stackadmin.cli import main
from tests.reliability.launcher import MARK_FD_ENV

LAUNCHER = Path(__file__).with_name("launcher.py")
# Words that must never reach a user: a traceback, a raw lock error, a raw constraint error.
BAD_WORDS = ("Traceback", "database is locked", "IntegrityError", "UniqueViolation",
             "internal error", "Background on this error", "sqlalche.me")


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    marks: int  # SQL statements started
    write_marks: int  # write transactions begun
    killed: bool
    killed_in_write: bool  # the kill came after a write transaction had begun
    write_seconds: float  # from the first write BEGIN to the last commit (0: not seen)

    def clean(self) -> bool:
        return not any(word in self.err + self.out for word in BAD_WORDS)


def _read_marks(fd: int, deadline: float, want_write: bool) -> tuple[bytes, bool]:
    """Reads marks until a write begins (want_write) or the child closes the pipe."""
    seen = bytearray()
    while time.monotonic() < deadline:
        chunk = os.read(fd, 4096)
        if not chunk:
            return bytes(seen), True
        seen += chunk
        if want_write and b"W" in chunk:
            return bytes(seen), False
    raise TimeoutError("the child did not get to its write in time")


def _db(db: str) -> list[str]:
    """`--db DB`, or nothing for "" (the default database of the data folder)."""
    return ["--db", db] if db else []


def run_cli(args: Sequence[str], *, db: str, kill_after: float | None = None,
            kill_before_write: float | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> Outcome:
    """Runs `stackadmin --db DB ARGS` in a child. `kill_after`: SIGKILL that many seconds
    after its first write transaction begins; `kill_before_write`: that many seconds after
    it starts, whatever it is doing. Neither: it runs to its end."""
    read_fd, write_fd = os.pipe()
    child_env = {**os.environ, **(env or {}), MARK_FD_ENV: str(write_fd)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, str(LAUNCHER), *_db(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            pass_fds=(write_fd,), env=child_env, stdin=subprocess.DEVNULL)
    os.close(write_fd)
    killed = in_write = False
    marks = bytearray()
    write_began: float | None = None
    last_commit: float | None = None
    try:
        if kill_before_write is not None:
            time.sleep(kill_before_write)
            proc.send_signal(signal.SIGKILL)
            killed = True
        else:
            seen, ended = _read_marks(read_fd, started + timeout, want_write=True)
            marks += seen
            if not ended:
                write_began = time.monotonic()
                if b"C" in seen[seen.index(b"W"):]:
                    last_commit = write_began
                if kill_after is not None:
                    time.sleep(kill_after)
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        killed = in_write = True
        # A complete run: when did its last commit come? (The kill plans aim inside.)
        while chunk := os.read(read_fd, 65536):
            marks += chunk
            if b"C" in chunk:
                last_commit = time.monotonic()
        out, err = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(read_fd)
    window = (last_commit - write_began if write_began is not None and last_commit is not None
              else 0.0)
    return Outcome(proc.returncode, out, err, marks.count(b".") + marks.count(b"W"),
                   marks.count(b"W"), killed, in_write, window)


def start_cli(args: Sequence[str], *, db: str, env: dict[str, str] | None = None
              ) -> subprocess.Popen[str]:
    """A child running to its end, for the concurrency tests (several at once)."""
    return subprocess.Popen([sys.executable, str(LAUNCHER), *_db(db), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def cli(*args: str) -> tuple[int, str, str]:
    """The CLI in this process (the same `main` as the console script)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def integrity_ok(path: Path) -> bool:
    with closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]


def copy_database(source: Path, destination: Path) -> None:
    """A consistent copy (the backup API), with nothing of the source's -wal left behind."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(destination)) as dst:
        src.backup(dst)
