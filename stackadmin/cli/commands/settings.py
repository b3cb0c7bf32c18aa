"""`stackadmin settings set KEY VALUE`, `settings get KEY`, `settings list`."""

from __future__ import annotations

import argparse
import getpass
import sys

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.errors import UserError
from stackadmin.services.inventory import settings


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("settings", help="base currency, thresholds, reminder lead times",
                         parents=[common])
    actions = cmd.add_subparsers(dest="settings_command", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help="change a setting", parents=[common])
    set_.add_argument("key", choices=sorted(settings.SPECS), metavar="KEY",
                      help="one of: " + ", ".join(sorted(settings.SPECS)))
    set_.add_argument("value")
    set_.set_defaults(func=_set)
    get = actions.add_parser("get", help="print one setting", parents=[common])
    get.add_argument("key", choices=sorted(settings.SPECS), metavar="KEY")
    get.set_defaults(func=_get)
    secret = actions.add_parser("set-secret", parents=[common],
                                help="store a secret setting in the OS keyring (never echoed)")
    secret.add_argument("key", choices=sorted(settings.SECRET_SPECS), metavar="KEY",
                        help="one of: " + ", ".join(sorted(settings.SECRET_SPECS)))
    secret.add_argument("--secret-stdin", action="store_true",
                        help="read the secret from standard input (else it is asked for)")
    secret.set_defaults(func=_set_secret)
    list_ = actions.add_parser("list", help="every setting with its value", parents=[common])
    list_.add_argument("--json", action="store_true")
    list_.set_defaults(func=_list)


def _set(args: argparse.Namespace) -> int:
    with opened(args, create=True) as ctx:
        value = settings.set_setting(ctx, args.key, args.value)
    print(f"{args.key} = {value}")
    return 0


def _set_secret(args: argparse.Namespace) -> int:
    if args.secret_stdin:
        value = sys.stdin.read().rstrip("\r\n")
    else:
        if not sys.stdin.isatty():
            raise UserError("no terminal to ask for the secret: pipe it in with --secret-stdin")
        value = getpass.getpass(f"{args.key}: ")
    if not value:
        raise UserError(f"{args.key}: the secret is empty; nothing was stored")
    with opened(args) as ctx:
        settings.set_secret(ctx, args.key, value)
    print(f"{args.key} stored in the OS keyring")
    return 0


def _get(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        print(settings.all_settings(ctx)[args.key])
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        values = settings.all_settings(ctx)
    if args.json:
        print_json(values)
    else:
        print_table(["setting", "value", "meaning"],
                    [(k, v, settings.SPECS[k].help) for k, v in values.items()])
    return 0
