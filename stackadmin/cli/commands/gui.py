"""`stackadmin gui [LINK] [--exit-when-ready]`: the desktop app (also what no command opens),
on a stackadmin:// link's page when one is given (the desktop's link handler passes it)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    gui = sub.add_parser("gui", help="open the desktop app", parents=[common])
    gui.add_argument("link", nargs="?", metavar="LINK",
                     help="a stackadmin:// link to open (stackadmin://renewals?term_id=3): "
                          "its page, with its row selected")
    gui.add_argument("--exit-when-ready", action="store_true",
                     help="exit 0 once the window is shown with its data (smoke tests)")
    gui.set_defaults(func=_gui)


def _gui(args: argparse.Namespace) -> int:
    from stackadmin.app import run_gui  # Qt is imported only here

    return int(run_gui(db=getattr(args, "db", None), exit_when_ready=args.exit_when_ready,
                       link=args.link))
