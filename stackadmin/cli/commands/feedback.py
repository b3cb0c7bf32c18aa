"""`stackadmin feedback import|add|report`: satisfaction with the tools in use, by round."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import Any

from stackadmin.cli._common import iso_date, opened, print_json, print_table
from stackadmin.domain.money import Money
from stackadmin.domain.scorecard import rounded
from stackadmin.errors import UserError
from stackadmin.services.buying import feedback, feedback_import

LISTED = 50


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("feedback", help="satisfaction feedback on the tools in use",
                         parents=[common])
    actions = cmd.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)

    imp = actions.add_parser("import", help="import a round from a form's CSV export "
                                            "(Google Forms, Microsoft Forms, Typeform)",
                             parents=[common])
    imp.add_argument("round", metavar="ROUND", help='the round, e.g. "2027 H1 tool survey"')
    imp.add_argument("file", metavar="FILE.csv")
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and print what would be added and updated")
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help="read COLUMN as FIELD (email, tool, score, comment, score:TOOL, "
                          "comment:TOOL; COLUMN= ignores it); repeatable")
    imp.add_argument("--held-on", type=iso_date, metavar="DATE",
                     help="when a new round was held (default today)")
    imp.set_defaults(func=_import)

    add = actions.add_parser("add", help="type in one person's score of a tool",
                             parents=[common])
    add.add_argument("round", metavar="ROUND")
    add.add_argument("tool", metavar="TOOL")
    add.add_argument("--by", required=True, metavar="EMAIL")
    add.add_argument("--score", required=True, metavar="1-5")
    add.add_argument("--comment", metavar="TEXT")
    add.set_defaults(func=_add)

    rep = actions.add_parser("report", help="each tool's satisfaction in a round, with its "
                                            "trend and cost", parents=[common])
    rep.add_argument("--round", metavar="ROUND", help="default: the newest round")
    rep.add_argument("--json", action="store_true", help="machine-readable output")
    rep.set_defaults(func=_report)


def _import(args: argparse.Namespace) -> int:
    overrides = feedback_import.parse_map_options(args.map)
    with opened(args) as ctx:
        result = feedback_import.import_feedback(ctx, args.round, args.file,
                                                 overrides=overrides, dry_run=args.dry_run,
                                                 held_on=args.held_on)
    if not result.ok:
        for problem in result.problems:
            print(f"{result.file}: {problem}", file=sys.stderr)
        count = len(result.problems)
        raise UserError(f"{result.file}: {count} problem{'s' if count != 1 else ''}; nothing "
                        "was imported")
    if args.dry_run:
        for change in result.changes[:LISTED]:
            print(f"would {change}")
        if len(result.changes) > LISTED:
            print(f"... and {len(result.changes) - LISTED} more")
    print(result.summary() + (" (dry run: nothing written)" if args.dry_run else ""))
    return 0


def _add(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        feedback.add_feedback(ctx, args.round, args.tool, args.by, args.score, args.comment)
    print(f"{args.round}: {args.by} rated {args.tool} {args.score}/5")
    return 0


def _num(value: Decimal | None) -> float | None:
    shown = rounded(value)
    return None if shown is None else float(shown)


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money.rounded(amount, currency).plain()


def _tool_json(t: feedback.ToolSatisfaction) -> dict[str, Any]:
    return {
        "tool": t.tool, "tool_id": t.tool_id, "category": t.category, "round": t.round,
        "average": _num(t.average), "responses": t.responses, "low_scores": t.low_scores,
        "previous_average": _num(t.previous_average), "change": _num(t.change),
        "trend": [{"round": r.round, "average": _num(r.average), "responses": r.responses}
                  for r in t.trend],
        "annual_cost_base": _money(t.annual_cost_base, t.base_currency),
        "base_currency": t.base_currency,
        "comments": [{"email": c.email, "score": c.score, "comment": c.comment}
                     for c in t.comments],
    }


def _report(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rep = feedback.report(ctx, args.round)
    if args.json:
        print_json({
            "round": None if rep.round is None else rep.round.name,
            "held_on": None if rep.round is None else rep.round.held_on.isoformat(),
            "rounds": [{"name": r.name, "held_on": r.held_on.isoformat(),
                        "responses": r.responses} for r in rep.rounds],
            "base_currency": rep.base_currency,
            "tools": [_tool_json(t) for t in rep.tools],
        })
        return 0
    if rep.round is None:
        print("no feedback yet: import a round with `stackadmin feedback import ROUND "
              "FILE.csv`")
        return 0
    print(f"{rep.round.name} (held {rep.round.held_on.isoformat()}): "
          f"{rep.round.responses} answers from {rep.round.people} people on "
          f"{rep.round.tools} tools; lowest rated first")
    base = rep.base_currency
    print_table(["tool", "average", "answers", "1-2", "change", f"annual {base}"],
                [(t.tool, str(rounded(t.average)), t.responses, t.low_scores,
                  "" if t.change is None else f"{rounded(t.change):+}",
                  _money(t.annual_cost_base, base) or "unknown") for t in rep.tools])
    return 0
