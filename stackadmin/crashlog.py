"""Bug reports: what a crash leaves in `<data folder>/logs/crash.log`, and the one line a
user sees instead of a traceback.

A report keeps what a developer needs (the exception types, the stack, the SQL text) and
none of the user's data: the engines never put SQL parameters into messages
(`hide_parameters`), a database driver's message is cut to its first line (PostgreSQL's
DETAIL quotes the row's values), and anything shaped like an email address is masked. The
log folder is private (0700) and the file 0600: stack frames name the user's files.

Nothing here imports SQLAlchemy or Qt: the CLI and the GUI both use it at any point.
"""

from __future__ import annotations

import os
import re
import traceback
from datetime import UTC, datetime
from pathlib import Path

from stackadmin import __version__, paths

ONE_LINE_LIMIT = 240
UNWRITTEN = "(the log could not be written)"  # what `write` returns instead of a path
_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
_DRIVERS = ("sqlite3", "psycopg", "psycopg2")
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def scrub(text: str) -> str:
    """The text with email addresses masked."""
    return _EMAIL.sub("<email>", text)


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] in _DRIVERS


def message(exc: BaseException) -> str:
    """The exception's message without the user's data (see the module)."""
    statement = getattr(exc, "statement", None)
    orig = getattr(exc, "orig", None)
    if orig is not None and type(exc).__module__.startswith("sqlalchemy"):
        # An SQLAlchemy statement error: the driver's first line and the SQL text (its
        # parameters are hidden by the engine; its "Background" link is left out).
        text = f"({type(orig).__module__}.{type(orig).__name__}) {_first_line(orig)}"
        if statement:
            text += f"\n[SQL: {statement}]"
        return scrub(text)
    if _is_driver_error(exc):
        return scrub(_first_line(exc))
    return scrub(str(exc))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def one_line(exc: BaseException) -> str:
    """`Type: first line of the message`, cut to a terminal line: what a user is shown."""
    first = message(exc).splitlines()
    text = f"{type(exc).__name__}: {first[0]}" if first and first[0] else type(exc).__name__
    return text if len(text) <= ONE_LINE_LIMIT else text[:ONE_LINE_LIMIT - 1] + "…"


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exception and the ones it came from, oldest first, each with the words that tie
    it to the one printed before it (as Python prints a chain)."""
    newest_first: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        older: BaseException | None = None
        joint = ""
        if current.__cause__ is not None:
            older, joint = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            older, joint = current.__context__, _CONTEXT
        newest_first.append((current, joint if older is not None and id(older) not in seen
                             else ""))
        current = older
    return newest_first[::-1]


def format_report(exc: BaseException) -> str:
    """The whole report for one exception: each exception in the chain with its stack."""
    parts: list[str] = []
    for item, joint in _chain(exc):
        parts.append(joint)
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(scrub(line) for line in traceback.format_tb(item.__traceback__))
        kind = type(item)
        name = kind.__qualname__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__qualname__}"
        text = message(item)
        parts.append(f"{name}: {text}\n" if text else f"{name}\n")
    return "".join(parts)


def log_folder() -> Path:
    return paths.data_dir() / "logs"


def write(exc: BaseException) -> str:
    """Appends the report to crash.log; returns its path, or a note when it cannot be
    written (a read-only home: the user still gets the one line)."""
    return _append(f"--- {datetime.now(UTC).isoformat()} stackadmin {__version__}\n"
                   f"{format_report(exc)}")


def write_details(what: str, details: str) -> str:
    """Appends a report made elsewhere — what happened, and its details (a plugin's
    traceback, already without its secret) — with email addresses masked. Returns as
    `write` does."""
    text = details if details.endswith("\n") else details + "\n"
    return _append(f"--- {datetime.now(UTC).isoformat()} stackadmin {__version__}: "
                   f"{scrub(what)}\n{scrub(text)}")


def _append(entry: str) -> str:
    """Appends `entry` to crash.log in the private log folder (the file 0600 whoever made
    it); its path, or a note when it cannot be written."""
    try:
        folder = log_folder()
        paths.make_private_folder(folder)
        path = folder / "crash.log"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, paths.PRIVATE_FILE)
        try:
            os.fchmod(fd, paths.PRIVATE_FILE)
            os.write(fd, entry.encode("utf-8", "replace"))
        finally:
            os.close(fd)
        return str(path)
    except OSError:
        return UNWRITTEN
