"""`stackadmin rates set CURRENCY RATE [--as-of DATE]`, `stackadmin rates list`."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import iso_date, opened, print_json, print_table
from stackadmin.services.inventory import rates


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("rates", help="exchange rates into the base currency", parents=[common])
    actions = cmd.add_subparsers(dest="rates_command", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help="1 CURRENCY = RATE units of the base currency",
                              parents=[common])
    set_.add_argument("currency", help="ISO 4217 code, e.g. EUR")
    set_.add_argument("rate", help="units of the base currency for one CURRENCY, e.g. 1.10")
    set_.add_argument("--as-of", type=iso_date, help="date the rate applies from (default today)")
    set_.set_defaults(func=_set)
    list_ = actions.add_parser("list", help="every rate recorded", parents=[common])
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)


def _set(args: argparse.Namespace) -> int:
    with opened(args, create=True) as ctx:
        row = rates.set_rate(ctx, args.currency, args.rate, args.as_of)
    print(f"1 {row.currency} = {row.rate} {row.base_currency} as of {row.as_of.isoformat()}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rows = rates.list_rates(ctx)
    if args.json:
        print_json([{"currency": r.currency, "base_currency": r.base_currency,
                     "rate": str(r.rate), "as_of": r.as_of.isoformat()} for r in rows])
    elif not rows:
        print("no exchange rates yet: add one with `stackadmin rates set EUR 1.10`")
    else:
        print_table(["currency", "rate", "base", "as of"],
                    [(r.currency, r.rate, r.base_currency, r.as_of.isoformat()) for r in rows])
    return 0
