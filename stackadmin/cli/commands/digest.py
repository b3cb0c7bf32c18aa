"""`stackadmin digest [--to ADDRESS ...] [--as-of DATE] [--dry-run] [--if-due]`: the digest
e-mail, for cron when the app is not open."""

from __future__ import annotations

import argparse
import sys

from stackadmin.cli._common import iso_date, opened
from stackadmin.services.digest import run


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("digest", parents=[common],
                         help="send the digest e-mail (renewals, unused seats, failed syncs, "
                              "connections, leavers holding seats)")
    cmd.add_argument("--to", nargs="+", action="extend", metavar="ADDRESS",
                     help="send to these addresses instead of digest_recipients")
    cmd.add_argument("--as-of", type=iso_date, metavar="DATE",
                     help="the day the digest is for (default today)")
    cmd.add_argument("--dry-run", action="store_true",
                     help="print the message instead of sending it")
    cmd.add_argument("--if-due", action="store_true",
                     help="send only when due by digest_frequency (for a daily cron line)")
    cmd.set_defaults(func=_digest)


def _digest(args: argparse.Namespace) -> int:
    with opened(args, today=args.as_of) as ctx:
        if args.dry_run:
            digest = run.compose(ctx)
            conf = run.digest_settings(ctx)
            to = args.to or conf.recipients
            print(f"From: {conf.sender or '(smtp_from not set)'}")
            print(f"To: {', '.join(to) or '(digest_recipients not set)'}")
            print(f"Subject: {digest.subject}")
            print()
            sys.stdout.write(digest.text())
            return 0
        if args.if_due and not run.is_due(ctx):
            last = run.last_sent(ctx)
            print("the digest is not due"
                  + (f" (last sent {last.as_of.isoformat()})" if last else
                     " (digest_recipients or smtp_host not set)"))
            return 0
        result = run.send_digest(ctx, to=args.to)
    print(f"digest {result.digest.as_of.isoformat()} sent to {', '.join(result.recipients)}: "
          f"{len(result.digest.sections)} sections")
    return 0
