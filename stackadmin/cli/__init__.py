"""The `stackadmin` command: no arguments opens the GUI; a subcommand runs headless (no Qt)."""

from __future__ import annotations

import codecs
import contextlib
import gc
import os
import signal
import sys
from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from stackadmin import __version__
from stackadmin.errors import UserError

if TYPE_CHECKING:
    import argparse

# argparse, logging, traceback, platformdirs and the command modules are imported where they
# are used: `stackadmin` alone opens the window, and every import before its first paint
# shows (`import sqlalchemy.orm` alone costs ~0.5 s; docs/platform-notes.md).

CLI_GC_THRESHOLDS = (50_000, 20, 20)
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_STOPPED = 128 + signal.SIGTERM


class Stopped(KeyboardInterrupt):
    """The system asked the command to stop (SIGTERM: `timeout`, a service manager, kill):
    it ends as Ctrl+C does, its transaction rolled back and its temporary files removed."""


def _stop(_signum: int, _frame: Any) -> None:
    raise Stopped


def _stopped_like_ctrl_c() -> Any:
    """SIGTERM raises Stopped for the length of a headless command; returns the handler it
    replaced (None when it cannot be set: not the main thread)."""
    try:
        return signal.signal(signal.SIGTERM, _stop)
    except ValueError:
        return None


def _database_argument(text: str) -> str:
    """argparse type of --db: an empty value is a usage error, not the default database (a
    cron job's `--db "$DB"` with DB unset must not write into the data folder's file)."""
    if not text.strip():
        import argparse

        raise argparse.ArgumentTypeError(
            "is empty: give a SQLite file's path or a database URL, or leave --db out for "
            "the default database")
    return text


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `command`, only the module that defines it (when the
    modules' sources say which: `commands.modules_for`), as importing every command module
    imports every service (~0.5 s before a one-table report even starts)."""
    import argparse
    import importlib
    import pkgutil

    from stackadmin import paths
    from stackadmin.cli import commands

    parser = argparse.ArgumentParser(
        prog="stackadmin",
        description="Inventory of SaaS tools, seats, costs and renewals. "
        "Without a command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"stackadmin {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL", type=_database_argument,
        help="SQLite file or database URL (postgresql+psycopg://...); "
        f"default: ${paths.DB_ENV} or the data folder",
    )
    # `--db` is accepted after the command too (stackadmin demo --db x.sqlite).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS,
                        type=_database_argument, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Each module of stackadmin.cli.commands adds its own subcommands.
    names = commands.modules_for(command) if command is not None else []
    if not names:
        names = sorted(info.name for info in pkgutil.iter_modules(commands.__path__)
                       if not info.name.startswith("_"))
    for name in names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        module.register(sub, common)
    return parser


def _command_word(args_list: list[str]) -> str | None:
    """The subcommand named in the arguments (what follows the global `--db X`), if any."""
    tokens = iter(args_list)
    for token in tokens:
        if token == "--db":
            next(tokens, None)
        elif not token.startswith("-"):
            return token
        elif not token.startswith("--db="):
            return None  # --help, --version, an unknown option: the whole parser answers
    return None


def _report_bug(exc: BaseException) -> str:
    """Writes the report to the log folder (stackadmin.crashlog); the user gets one line
    that points to it."""
    from stackadmin import crashlog

    return crashlog.write(exc)


def _gui_fast_path(args_list: list[str]) -> Any:
    """`stackadmin [--db X] [LINK]` and `stackadmin gui [--db X] [--exit-when-ready] [LINK]`
    skip building the full parser: that imports every command module and with them the data
    stack (~0.6 s), and the window must be painted before that cost is paid. Anything else
    (help, other commands, unknown options) returns None and goes through the full parser."""
    args = SimpleNamespace(command=None, db=None, exit_when_ready=False, link=None)
    tokens = iter(args_list)
    for token in tokens:
        if token == "gui" and args.command is None:
            args.command = "gui"
        elif token.lower().startswith("stackadmin:") and args.link is None:
            args.link = token  # `stackadmin gui LINK`, or a bare link: the app opens it
        elif token == "--db":
            args.db = next(tokens, None)
            if args.db is None or not args.db.strip():
                return None  # the parser says what is wrong
        elif token.startswith("--db="):
            args.db = token.removeprefix("--db=")
            if not args.db.strip():
                return None
        elif token == "--exit-when-ready" and args.command == "gui":
            args.exit_when_ready = True
        else:
            return None
    return args


class TerminalText:
    """stdout or stderr for the length of a command: whatever is written goes out without
    control characters (domain.limits.printable), so a name holding a terminal escape is
    shown, never run. JSON output escapes them instead, before it gets here."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from stackadmin.domain.limits import printable

        self._stream.write(printable(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


UNENCODABLE = "stackadmin.escape"


def _escape_unencodable(exc: UnicodeError) -> tuple[bytes, int]:
    """Codec error handler: a character the terminal's encoding lacks is written as JSON
    writes it, \\uXXXX (a pair of them past U+FFFF). A name in Zoë's or 李's letters then
    shows as an escape under LANG=C or PYTHONIOENCODING=ascii instead of ending the
    command, and `--json` output stays valid JSON holding exactly the data (such
    characters only stand inside its strings). A byte of a file name that the locale could
    not decode (held as U+DC80..U+DCFF) goes out as that byte, as Python's own
    surrogateescape does."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    escaped = bytearray()
    for char in exc.object[exc.start:exc.end]:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            escaped.append(code - 0xDC00)
        elif code > 0xFFFF:
            code -= 0x10000
            escaped += b"\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
        else:
            escaped += b"\\u%04x" % code
    return bytes(escaped), exc.end


codecs.register_error(UNENCODABLE, _escape_unencodable)


def _escaping(stream: Any) -> str | None:
    """Makes `stream` escape what its encoding cannot write; returns the error handler it
    had (to put back), or None when it was left as it was."""
    before = getattr(stream, "errors", None)
    if before not in ("strict", "surrogateescape") or not hasattr(stream, "reconfigure"):
        return None  # stderr already writes \\xNN escapes; a test's stream is its own
    stream.reconfigure(errors=UNENCODABLE)
    return str(before)


TRAILING = "trailing_into"  # a command's list of names that also takes those after options


def _take_trailing(parser: argparse.ArgumentParser, args: Any, extra: list[str]) -> None:
    """Names given after an option (`bundles set R&D --title Engineer Jira Figma`) belong to
    the command's list of names, as before it: argparse ends a `*` list at the first option
    and calls the rest unrecognized. Anything else left over is the usage error it was."""
    if not extra:
        return
    into = getattr(args, TRAILING, None)
    if into is None or any(word.startswith("-") for word in extra):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    setattr(args, into, [*getattr(args, into), *extra])


def main(argv: Sequence[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    handlers: list[tuple[Any, str | None]] = [(s, _escaping(s)) for s in (out, err)]
    sys.stdout, sys.stderr = TerminalText(out), TerminalText(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err
        for stream, before in handlers:
            if before is not None:
                with contextlib.suppress(OSError, ValueError):  # closed, or its reader left
                    stream.reconfigure(errors=before)


def _main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args: Any = _gui_fast_path(args_list)
    if args is None:
        # A command runs for seconds over up to a million rows: the collector's default
        # thresholds ran full collections over every object the imports made, again and
        # again (a tenth of a short command's time). Rarer young collections, and the
        # imports' objects frozen out of the old generation; reference counting frees
        # everything else as always. (The GUI tunes its own: app.tune_gc.)
        gc.set_threshold(*CLI_GC_THRESHOLDS)
        parser = build_parser(_command_word(args_list))
        gc.freeze()
        try:
            args, extra = parser.parse_known_args(args_list)
            _take_trailing(parser, args, extra)
        except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
            return int(exc.code or 0)
    import logging

    logging.basicConfig(level=logging.WARNING, format="stackadmin: %(message)s")
    try:
        if args.command is None or not hasattr(args, "func"):
            from stackadmin.app import run_gui  # Qt is imported only for the GUI

            return int(run_gui(db=args.db,
                               exit_when_ready=bool(getattr(args, "exit_when_ready", False)),
                               link=getattr(args, "link", None)))
        previous = _stopped_like_ctrl_c()
        try:
            return int(args.func(args) or 0)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    except UserError as exc:
        from stackadmin.domain.limits import one_line  # ~5 ms: not before the window paints

        print(f"stackadmin: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`stackadmin unused | head`): not an error of ours. Point
        # stdout at /dev/null so the interpreter's final flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt as exc:
        stopped = isinstance(exc, Stopped)
        print(f"stackadmin: {'stopped (SIGTERM)' if stopped else 'interrupted'}; nothing "
              "half-written was kept", file=sys.stderr)
        return EXIT_STOPPED if stopped else EXIT_INTERRUPTED
    except Exception as exc:  # a bug: no traceback on the terminal, but kept for a report
        from stackadmin import crashlog

        where = _report_bug(exc)
        print(f"stackadmin: internal error ({crashlog.one_line(exc)}); details in {where}",
              file=sys.stderr)
        return EXIT_ERROR
