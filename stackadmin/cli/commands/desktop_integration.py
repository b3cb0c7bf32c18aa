"""`stackadmin desktop-integration install|remove`: the freedesktop entry that hands
stackadmin:// links (the digest e-mail's) to the app, and its registration with xdg-mime."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    desk = sub.add_parser(
        "desktop-integration", parents=[common],
        help="install or remove the desktop entry that opens stackadmin:// links in the app")
    actions = desk.add_subparsers(dest="desktop_command", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install", parents=[common],
        help="write stackadmin.desktop to $XDG_DATA_HOME/applications and make it the "
             "handler of stackadmin:// links (with --db, links open that database)")
    install.set_defaults(func=_install)
    remove = actions.add_parser("remove", parents=[common],
                                help="remove the entry and its registration")
    remove.set_defaults(func=_remove)


def _install(args: argparse.Namespace) -> int:
    from stackadmin import desktop

    outcome = desktop.install(getattr(args, "db", None))
    for sentence in outcome.said:
        print(sentence)
    return 0


def _remove(args: argparse.Namespace) -> int:
    from stackadmin import desktop

    for sentence in desktop.remove().said:
        print(sentence)
    return 0
