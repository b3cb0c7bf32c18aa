"""`stackadmin demo [--size small|large] [--seed N]`."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import opened, positive_int
from stackadmin.services.demo import SIZES, load_demo


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo", help="fill an empty database with a demo inventory",
                          parents=[common])
    demo.add_argument("--size", choices=list(SIZES), default="small",
                      help="small: ~40 people, 25 tools; medium: 200 people, 30 tools, "
                           "10,000 accounts; large: 2,000 people, 300 tools, 100,000 "
                           "accounts; huge: 20,000 people, 1,000 tools, 1,000,000 accounts")
    demo.add_argument("--seed", type=positive_int, default=7,
                      help="the same seed gives the same inventory (default 7)")
    demo.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    with opened(args, create=True) as ctx:
        summary = load_demo(ctx, args.size, args.seed)
    print(f"loaded the {args.size} demo into {ctx.target.describe()}: {summary.people} people, "
          f"{summary.tools} tools, {summary.terms} terms, {summary.accounts} accounts")
    return 0
