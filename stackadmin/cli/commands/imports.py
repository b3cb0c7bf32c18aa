"""`stackadmin import subscriptions|people|accounts FILE.csv [--dry-run] [--map C=F] ...`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from stackadmin.cli._common import opened
from stackadmin.errors import NoDatabaseError, UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.running import adoption
from stackadmin.services.spreadsheets import importer
from stackadmin.services.spreadsheets.fields import ImportKind, map_overrides, parse_map_option

# A dry run with no database yet checks the file against an empty one, in memory: it must
# not leave a database behind (a typo in --db), and an empty one is what the import would
# meet.
EMPTY_DATABASE = "sqlite://"

LISTED = 50  # changes listed by a dry run before "... and N more"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("import", help="import a spreadsheet (CSV): subscriptions, people, "
                                        "accounts", parents=[common])
    kinds = cmd.add_subparsers(dest="import_kind", metavar="WHAT", required=True)
    helps = {
        ImportKind.SUBSCRIPTIONS: "subscription terms (adds tools, vendors, owners when new)",
        ImportKind.PEOPLE: "people, by email",
        ImportKind.ACCOUNTS: "a tool's user list (seats), by external id or email",
    }
    for kind, text in helps.items():
        p = kinds.add_parser(kind.value, help=text, parents=[common])
        p.add_argument("file", metavar="FILE.csv")
        if kind is ImportKind.ACCOUNTS:
            p.add_argument("--tool", metavar="NAME",
                           help="the tool the file lists users of (else a tool column)")
        p.add_argument("--dry-run", action="store_true",
                       help="check the file and print what would be added and updated")
        p.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                       type=_map_option,
                       help="read COLUMN as FIELD (COLUMN= ignores the column); repeatable")
        p.add_argument("--date-format", metavar="FMT",
                       help="format of non-ISO dates, in strftime codes, e.g. %%d/%%m/%%Y")
        p.add_argument("--decimal-comma", action="store_true",
                       help="amounts use a decimal comma: 1.200,50 or 1 200,50 €")
        p.set_defaults(func=_import, kind=kind)


def _map_option(text: str) -> tuple[str, str | None]:
    """argparse type: a malformed --map is a usage error (exit 2), like any bad option."""
    try:
        return parse_map_option(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--map ")) from None

@contextmanager
def _database(args: argparse.Namespace) -> Iterator[tuple[ServiceContext, bool]]:
    """The database to import into, and whether it exists. A missing one is stood in for
    by an empty one in memory: a dry run checks against it, and an import checks against it
    before creating the real one, so a file that cannot be imported (a typo in --db, a bad
    row) leaves no new, empty database behind."""
    with ExitStack() as stack:
        exists = True
        try:
            ctx = stack.enter_context(opened(args))
        except NoDatabaseError as exc:
            exists = False
            if args.dry_run:
                print(f"stackadmin: {str(exc).split(' (')[0]} yet: the file is checked as if "
                      "it were empty", file=sys.stderr)
        if not exists:
            ctx = stack.enter_context(opened(args, create=True, db=EMPTY_DATABASE))
        yield ctx, exists


def _refresh_snapshot(ctx: ServiceContext) -> None:
    """Today's adoption snapshot after an import changed the seats, terms or people, as
    after a sync; a failure there is a warning, never the import's (it is committed)."""
    words = adoption.refresh_snapshot(ctx, "an import")
    if words is not None:
        print(f"stackadmin: warning: today's adoption snapshot was not refreshed ({words}); "
              "`stackadmin snapshot` takes it", file=sys.stderr)


def _import(args: argparse.Namespace) -> int:
    options = importer.ImportOptions(date_format=args.date_format,
                                       decimal_comma=args.decimal_comma,
                                       tool=getattr(args, "tool", None))
    overrides = map_overrides(args.map)

    def run(ctx: ServiceContext, dry_run: bool) -> importer.ImportPlan:
        plan = importer.import_file(ctx, args.file, args.kind, overrides=overrides,
                                      options=options, dry_run=dry_run)
        if plan.ok and plan.committed and plan.changes:
            _refresh_snapshot(ctx)
        return plan

    with _database(args) as (ctx, exists):
        plan = run(ctx, args.dry_run or not exists)
    if plan.ok and not args.dry_run and not exists:
        with opened(args, create=True) as ctx:
            plan = run(ctx, False)
    if not plan.ok:
        for problem in plan.problems:
            print(f"{plan.file}: {problem}", file=sys.stderr)
        count = len(plan.problems)
        raise UserError(f"{plan.file}: {count} problem{'s' if count != 1 else ''}; nothing "
                        "was imported")
    for warning in plan.warnings:
        print(f"stackadmin: warning: {plan.file}: {warning}", file=sys.stderr)
    if args.dry_run:
        for change in plan.changes[:LISTED]:
            print(f"would {change}")
        if len(plan.changes) > LISTED:
            print(f"... and {len(plan.changes) - LISTED} more")
    print(plan.summary() + (" (dry run: nothing written)" if args.dry_run else ""))
    return 0
