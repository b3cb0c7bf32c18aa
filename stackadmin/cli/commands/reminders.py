"""`stackadmin reminders` (what is due, for cron), `decide`, `snooze`, `acknowledge`."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import bounded_int, iso_date, opened, print_json, print_table
from stackadmin.domain.limits import MAX_SNOOZE_DAYS, MAX_WITHIN_DAYS
from stackadmin.domain.vocab import Decision
from stackadmin.errors import UserError
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals import listing, reminders
from stackadmin.services.running import connections

DEFAULT_WITHIN = 30


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser(
        "reminders", parents=[common],
        help="terms whose cancel-by date is near, or missed and undecided (exit 0 either way)")
    cmd.add_argument("--as-of", type=iso_date, metavar="DATE", help="the date (default today)")
    cmd.add_argument("--within", type=bounded_int(0, MAX_WITHIN_DAYS), default=DEFAULT_WITHIN,
                     metavar="DAYS",
                     help=f"cancel-by dates up to DAYS after DATE (default {DEFAULT_WITHIN})")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.set_defaults(func=_reminders)

    decide = sub.add_parser("decide", parents=[common],
                            help="record the decision on a term's renewal (ends its reminders)")
    _term_args(decide)
    decide.add_argument("decision", choices=[d.value for d in Decision],
                        help="renew, renegotiate, cancel (or undecided to withdraw one)")
    decide.add_argument("--note", help="why, for whoever looks next year")
    decide.set_defaults(func=_decide)

    snooze = sub.add_parser("snooze", parents=[common],
                            help="hide a term's current reminder until a later day")
    _term_args(snooze)
    when = snooze.add_mutually_exclusive_group(required=True)
    when.add_argument("--days", type=bounded_int(1, MAX_SNOOZE_DAYS), metavar="N",
                      help="for N days (1 a day, 7 a week)")
    when.add_argument("--until", type=iso_date, metavar="DATE", help="until DATE")
    snooze.set_defaults(func=_snooze)

    ack = sub.add_parser("acknowledge", parents=[common],
                         help="dismiss a term's current reminder (later ones still come)")
    _term_args(ack)
    ack.set_defaults(func=_acknowledge)


def _term_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tool", metavar="TOOL", help="tool name (any case)")
    parser.add_argument("--plan", help="the plan, when the tool has several active terms")
    parser.add_argument("--as-of", type=iso_date, metavar="DATE",
                        help="act as if today were DATE (default today)")


def _reminders(args: argparse.Namespace) -> int:
    with opened(args, today=args.as_of) as ctx:
        rows = listing.list_renewals(ctx, within_days=args.within)
        day = ctx.today()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print(f"nothing due: no cancel-by date within {args.within} days of {day.isoformat()}")
        return 0
    print_table(
        ["cancel by", "days left", "tool", "plan", "renewal", "auto", "annual cost", "decision",
         "owner"],
        [(r.cancel_by.isoformat(), r.days_left if r.days_left >= 0 else f"{r.days_left} MISSED",
          r.tool, r.plan, r.renewal_date.isoformat(), "yes" if r.auto_renew else "no",
          (f"{r.annual_cost_base.plain()} {r.base_currency}" if r.annual_cost_base is not None
           else f"{r.annual_cost} (no {r.missing_rate} rate)"),
          r.decision.value, r.owner or "")
         for r in rows])
    return 0


def _decide(args: argparse.Namespace) -> int:
    with opened(args, today=args.as_of) as ctx:
        term_id = listing.find_term(ctx, args.tool, args.plan)
        row = reminders.decide(ctx, term_id, args.decision, note=args.note)
        impact = (connections.depending_on_name(ctx, row.tool)
                  if row.decision is Decision.CANCEL else [])
    name = f"{row.tool} {row.plan}".strip()
    if row.decision is Decision.UNDECIDED:
        print(f"{name}: renewal {row.renewal_date.isoformat()} is undecided again")
    else:
        print(f"{name}: {row.decision.value} at the renewal of {row.renewal_date.isoformat()}")
    if row.decision is Decision.CANCEL:
        if impact:
            print(f"cancelling {row.tool} breaks {len(impact)} connection"
                  f"{'s' if len(impact) > 1 else ''}; tell their owners:")
            for line in connections.impact_lines(impact):
                print(f"  {line}")
        else:
            print(f"no connection depends on {row.tool}")
    return 0


def _current(ctx: ServiceContext, args: argparse.Namespace) -> reminders.ReminderRow:
    term_id = listing.find_term(ctx, args.tool, args.plan)
    row = reminders.reminder_for_term(ctx, term_id)
    if row is None:
        raise UserError(f"no reminder is showing for {args.tool} on {ctx.today().isoformat()}")
    return row


def _snooze(args: argparse.Namespace) -> int:
    with opened(args, today=args.as_of) as ctx:
        row = _current(ctx, args)
        end = reminders.snooze(ctx, row.key, days=args.days, until=args.until)
    print(f"{row.renewal.tool}: {row.label}; snoozed until {end.isoformat()}")
    return 0


def _acknowledge(args: argparse.Namespace) -> int:
    with opened(args, today=args.as_of) as ctx:
        row = _current(ctx, args)
        reminders.acknowledge(ctx, row.key)
    print(f"{row.renewal.tool}: {row.label}; acknowledged")
    return 0
