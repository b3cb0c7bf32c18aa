"""`stackadmin export finance|seats|access-review|people FILE.csv` and `export calendar FILE.ics`.

Thin parsers over services: each action is added by its own `_add_*` function."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from stackadmin.cli._common import iso_date, opened
from stackadmin.services.spreadsheets import exports

if TYPE_CHECKING:
    Actions = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Actions, common: argparse.ArgumentParser) -> None:
    cmd = sub.add_parser("export", help="write CSV files for finance, seat owners, auditors, "
                                        "and an .ics calendar of renewals", parents=[common])
    actions = cmd.add_subparsers(dest="export_command", metavar="ACTION", required=True)
    _add_finance(actions, common)
    _add_seats(actions, common)
    _add_access_review(actions, common)
    _add_people(actions, common)
    _add_calendar(actions, common)


def _file_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.csv")
    parser.add_argument("--no-bom", action="store_true",
                        help="UTF-8 without the byte-order mark Excel needs to read UTF-8")


def _add_finance(actions: Actions, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser("finance", parents=[common],
                           help="one row per term in force: costs, renewal, cancel-by, seats")
    _file_options(p)
    p.add_argument("--as-of", type=iso_date, help="the date the figures are for (default today)")
    p.set_defaults(func=_finance)


def _add_seats(actions: Actions, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser("seats", parents=[common],
                           help="every account: person, role, status, activity, unused reason")
    _file_options(p)
    p.add_argument("--as-of", type=iso_date, help="the date the rules apply on (default today)")
    p.add_argument("--tool", metavar="NAME", help="only this tool")
    p.set_defaults(func=_seats)


def _add_access_review(actions: Actions, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser("access-review", parents=[common],
                           help="per tool, everyone with access and their role, admins first")
    _file_options(p)
    p.add_argument("--tool", metavar="NAME", help="only this tool")
    p.set_defaults(func=_access_review)


def _add_people(actions: Actions, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser("people", parents=[common],
                           help="everyone, with the people import's columns (it imports back)")
    _file_options(p)
    p.add_argument("--status", choices=("active", "departed"), help="only these people")
    p.set_defaults(func=_people)


def _add_calendar(actions: Actions, common: argparse.ArgumentParser) -> None:
    p = actions.add_parser(
        "calendar", parents=[common],
        help="renewal and cancel-by dates as an .ics file, with alarms at the lead times")
    p.add_argument("file", metavar="FILE.ics")
    p.add_argument("--as-of", type=iso_date, metavar="DATE",
                   help="roll auto-renewing terms forward to DATE (default today)")
    p.set_defaults(func=_calendar)


def _finance(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        result, report = exports.export_finance(ctx, args.file, as_of=args.as_of,
                                                   bom=not args.no_bom)
    print(f"wrote {result.rows} terms in force on {report.as_of.isoformat()} to {result.path}")
    for money in report.annual_by_currency.values():
        print(f"annual cost {money.currency}: {money.plain()}")
    if report.annual_total_base is not None:
        print(f"annual cost total in {report.base_currency}: {report.annual_total_base.plain()}")
    else:
        print(f"annual cost total in {report.base_currency}: unknown (no exchange rate for "
              f"{', '.join(report.missing_rates)}; set one with `stackadmin rates set`)")
    return 0


def _write(args: argparse.Namespace, export: Callable[..., exports.ExportResult],
           what: str, **options: object) -> int:
    """Runs one CSV export with the command's options and says what it wrote."""
    with opened(args) as ctx:
        result = export(ctx, args.file, bom=not args.no_bom, **options)
    print(f"wrote {result.rows} {what} to {result.path}")
    return 0


def _seats(args: argparse.Namespace) -> int:
    return _write(args, exports.export_seats, "accounts", as_of=args.as_of, tool=args.tool)


def _access_review(args: argparse.Namespace) -> int:
    return _write(args, exports.export_access_review, "accounts with access",
                  tool=args.tool)


def _people(args: argparse.Namespace) -> int:
    return _write(args, exports.export_people, "people", status=args.status)


def _calendar(args: argparse.Namespace) -> int:
    from stackadmin.services.renewals.calendar import export_calendar

    with opened(args) as ctx:
        result = export_calendar(ctx, args.file, as_of=args.as_of)
    print(f"wrote {result.events} events for {result.terms} terms to {result.path}")
    return 0
