"""`stackadmin plugins list [--json]`: the installed vendor plugins, and the broken ones
with the reason."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import print_json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("plugins", help="the installed vendor plugins", parents=[common])
    actions = cmd.add_subparsers(dest="plugins_command", metavar="ACTION", required=True)
    list_ = actions.add_parser("list", help="installed plugins, their options and secret; "
                               "broken ones with the reason", parents=[common])
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)


def _list(args: argparse.Namespace) -> int:
    from stackadmin.plugins.registry import load_registry

    registry = load_registry()
    plugins, broken = registry.plugins(), registry.broken()
    if args.json:
        print_json([{**p.to_json(), "error": None} for p in plugins]
                   + [b.to_json() for b in broken])
        return 0
    if not plugins and not broken:
        print("no plugins are installed")
        return 0
    for p in plugins:
        print(f"{p.id}  ({p.name})")
        options = ", ".join(
            o.name + (" (required)" if o.required else f" (default {o.default})" if o.default
                      else " (optional)")
            for o in p.options)
        print(f"  options:  {options or 'none'}")
        print(f"  secret:   {p.secret.label if p.secret else 'none'}")
        print(f"  activity: {'reported' if p.reports_activity else 'not reported'}")
    for b in broken:
        print(f"{b.id}  BROKEN ({b.distribution or b.entry_point}): {b.reason}")
    return 0
