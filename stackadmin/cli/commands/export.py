"""`stackadmin export WHAT FILE`: one subcommand per export; each one's work is a service."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import iso_date
from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import open_context


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("export", help="write inventory data to files", parents=[common])
    actions = cmd.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    _register_calendar(actions, common)


def _register_calendar(actions: argparse._SubParsersAction,  # type: ignore[type-arg]
                       common: argparse.ArgumentParser) -> None:
    calendar = actions.add_parser(
        "calendar", parents=[common],
        help="renewal and cancel-by dates as an .ics file, with alarms at the lead times")
    calendar.add_argument("file", metavar="FILE.ics")
    calendar.add_argument("--as-of", type=iso_date, metavar="DATE",
                          help="roll auto-renewing terms forward to DATE (default today)")
    calendar.set_defaults(func=_calendar)


def _calendar(args: argparse.Namespace) -> int:
    from stackadmin.services.calendar_export import export_calendar

    ctx = open_context(getattr(args, "db", None), source=AuditSource.CLI)
    try:
        result = export_calendar(ctx, args.file, as_of=args.as_of)
    finally:
        ctx.close()
    print(f"wrote {result.events} events for {result.terms} terms to {result.path}")
    return 0
