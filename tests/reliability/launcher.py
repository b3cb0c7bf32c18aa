"""Runs the stackadmin command line in a child process as a user would, and reports its
progress to the test on a pipe, so the test can kill it (SIGKILL) at a chosen point:

- one byte per SQL statement as it starts: `W` for the BEGIN of a write transaction or an
  upgrade (the write window opens), `.` for any other; `C` when a transaction commits;
- with RELIABILITY_CRASH=1, `settings list` fails with a bug (for the crash-log checks);
- with RELIABILITY_START_AT=<unix time>, it loads its modules first and then waits for that
  moment, so that several children start their work at the same instant (races).

Nothing here changes what stackadmin does; it only watches.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

MARK_FD_ENV = "RELIABILITY_MARK_FD"


def _install_marks(fd: int) -> None:
    @event.listens_for(Engine, "before_cursor_execute")
    def mark(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        begins_write = statement.startswith(("BEGIN IMMEDIATE", "BEGIN EXCLUSIVE",
                                             "SELECT pg_advisory_xact_lock"))
        with contextlib.suppress(OSError):  # the test stopped listening
            os.write(fd, b"W" if begins_write else b".")

    @event.listens_for(Engine, "commit")
    def committed(_conn: Any) -> None:
        with contextlib.suppress(OSError):
            os.write(fd, b"C")


def _install_crash() -> None:
    from stackadmin.cli.commands import settings

    def crash(_args: Any) -> int:
        raise RuntimeError("a bug, on purpose, for person ada.lovelace@example.com")

    settings._list = crash


def _wait_for_start(at: float) -> None:
    import time

    import alembic.command  # noqa: F401  (loaded before the start, like everything else)

    from stackadmin.cli import build_parser

    build_parser()  # imports every command module and the data stack
    time.sleep(max(0.0, at - time.time()))


if __name__ == "__main__":
    if os.environ.get("RELIABILITY_START_AT"):
        _wait_for_start(float(os.environ["RELIABILITY_START_AT"]))
    if os.environ.get(MARK_FD_ENV):
        _install_marks(int(os.environ[MARK_FD_ENV]))
    if os.environ.get("RELIABILITY_CRASH"):
        _install_crash()
    from stackadmin.cli import main

    sys.exit(main(sys.argv[1:]))
