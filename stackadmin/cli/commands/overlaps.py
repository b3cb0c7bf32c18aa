"""`stackadmin tags set|list` (capability tags on tools) and `stackadmin overlaps` (paid tools
sharing a category or tag, and what consolidating them would save)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from stackadmin.cli._common import iso_date, opened, print_json, print_table
from stackadmin.domain.money import Money
from stackadmin.services.buying import overlaps, tags


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("tags", help="capability tags on tools (whiteboard, video calls...)",
                         parents=[common])
    actions = cmd.add_subparsers(dest="tags_command", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help="a tool's tags become exactly these (none: clear)",
                              parents=[common])
    set_.add_argument("tool", metavar="TOOL")
    set_.add_argument("tags", nargs="*", metavar="TAG")
    set_.set_defaults(func=_set, trailing_into="tags")  # tags after --db too
    list_ = actions.add_parser("list", help="every tool's category and tags", parents=[common])
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)

    over = sub.add_parser("overlaps", help="paid tools sharing a category or tag, and the "
                                           "saving from consolidating them",
                          parents=[common])
    over.add_argument("--as-of", type=iso_date, help="the date to judge on (default today)")
    over.add_argument("--json", action="store_true", help="machine-readable output")
    over.set_defaults(func=_overlaps)


def _set(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = tags.set_tags(ctx, args.tool, args.tags)
    print(f"{row.tool}: {', '.join(row.tags) or 'no tags'}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rows = tags.list_tags(ctx)
    if args.json:
        print_json([{"tool": r.tool, "category": r.category, "tags": list(r.tags)}
                    for r in rows])
    else:
        print_table(["tool", "category", "tags"],
                    [(r.tool, r.category, ", ".join(r.tags)) for r in rows])
    return 0


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money.rounded(amount, currency).plain()


def _overlaps(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rep = overlaps.overlaps(ctx, args.as_of)
    base = rep.base_currency
    if args.json:
        print_json([{
            "tools": o.names, "shared": o.shared,
            "annual_cost_base": _money(o.annual_cost_base, base),
            "people_in_several": len(o.people_in_several),
            "saving_base": _money(o.saving_base, base),
            "shared_category": o.shared_category, "shared_tags": list(o.shared_tags),
            "target": o.target, "movers": o.movers, "extra_seats": o.extra_seats,
            "extra_cost_base": _money(o.extra_cost_base, base),
            "people_in_several_names": list(o.people_in_several),
            "members": [{"tool": t.tool, "annual_cost_base": _money(t.annual_cost_base, base),
                         "seats_purchased": t.seats_purchased,
                         "seats_active": t.seats_active,
                         "price_per_seat_base": _money(t.price_per_seat_base, base)}
                        for t in o.tools],
            "base_currency": base, "missing_rates": list(o.missing_rates),
        } for o in rep.overlaps])
    elif not rep.overlaps:
        print(f"no overlaps among the tools paid for on {rep.as_of.isoformat()}")
    else:
        print_table(["tools", "shared", f"annual {base}", "active", "in several",
                     "move to", f"saving {base}"],
                    [(", ".join(o.names), ", ".join(o.shared),
                      _money(o.annual_cost_base, base) or "unknown",
                      " / ".join(str(t.seats_active) for t in o.tools),
                      len(o.people_in_several), f"{o.target} (+{o.extra_seats} seats)",
                      _money(o.saving_base, base) or "unknown") for o in rep.overlaps])
    if rep.missing_rates:
        print(f"stackadmin: warning: no exchange rate to {base} for "
              f"{', '.join(rep.missing_rates)}: those overlaps' costs and savings are unknown "
              "(null); set them with `stackadmin rates set CURRENCY RATE`", file=sys.stderr)
    return 0
