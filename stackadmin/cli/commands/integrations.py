"""`stackadmin integrations add|edit|list|test|remove|history`: the configured vendor
integrations. Secrets are read from standard input (`--secret-stdin`) or asked for without
echo, never taken from an argument or the environment, and kept in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.errors import UserError, ValidationError


def _key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not KEY=VALUE")
    return key.strip(), value


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("integrations", help="vendor integrations: add, list, test, remove",
                         parents=[common])
    actions = cmd.add_subparsers(dest="integrations_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", parents=[common],
                             help="adds an integration (checks its options; does not call "
                                  "the vendor)")
    add.add_argument("plugin", metavar="PLUGIN", help="a plugin id (see `plugins list`)")
    add.add_argument("--name", required=True, help="what the integration is called")
    add.add_argument("--tool", required=True, help="the tool it feeds (added when new)")
    _settings_arguments(add)
    add.set_defaults(func=_add)

    edit = actions.add_parser("edit", parents=[common], help="changes an integration")
    edit.add_argument("name", metavar="NAME")
    edit.add_argument("--rename", metavar="NEW_NAME")
    edit.add_argument("--tool")
    _settings_arguments(edit)
    state = edit.add_mutually_exclusive_group()
    state.add_argument("--enable", action="store_true", help="scheduled syncs run it")
    state.add_argument("--disable", action="store_true",
                       help="scheduled syncs and `sync` without names skip it")
    edit.set_defaults(func=_edit)

    list_ = actions.add_parser("list", parents=[common],
                               help="integrations with their last run, and broken plugins")
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)

    test = actions.add_parser("test", parents=[common],
                              help="proves the credentials with one cheap call to the vendor")
    test.add_argument("name", metavar="NAME")
    test.set_defaults(func=_test)

    remove = actions.add_parser("remove", parents=[common],
                                help="removes an integration, its runs and its secret (its "
                                     "accounts are kept)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=_remove)

    history = actions.add_parser("history", parents=[common], help="an integration's runs")
    history.add_argument("name", metavar="NAME")
    history.add_argument("--limit", type=int, default=20)
    history.add_argument("--json", action="store_true")
    history.set_defaults(func=_history)


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="values", action="append", type=_key_value, default=[],
        metavar="KEY=VALUE",
        help="a plugin option (org=acme, base_url=...) or the integration's own: "
             "interval=daily|hourly|weekly|6h|manual, brake=20 (%% of the tool's accounts a "
             "sync may deprovision), directory=true (the company directory feeds the people "
             "list)")
    parser.add_argument("--secret-stdin", action="store_true",
                        help="read the secret from standard input (else it is asked for "
                             "without echo)")


def _given(args: argparse.Namespace) -> dict[str, str]:
    given: dict[str, str] = {}
    for key, value in args.values:
        if key in given:
            raise ValidationError(f"--set {key} is given twice")
        given[key] = value
    return given


def read_secret(label: str, from_stdin: bool, *, required: bool) -> str | None:
    """The secret from standard input or typed without echo; None when not needed."""
    if from_stdin:
        value = sys.stdin.read().rstrip("\r\n")
        value = value if "\n" in value else value.strip()
    elif required:
        if not sys.stdin.isatty():
            raise UserError(f"the secret ({label}) is needed: pipe it in with --secret-stdin")
        value = getpass.getpass(f"{label}: ")
    else:
        return None
    if not value:
        raise UserError("the secret is empty; nothing was stored")
    return value


def _add(args: argparse.Namespace) -> int:
    from stackadmin.plugins.registry import load_registry
    from stackadmin.services.sync.integrations import add_integration, check_settings

    registry = load_registry()
    info = registry.get(args.plugin)
    given = _given(args)
    check_settings(info, given)  # before a new database is made for it
    secret = read_secret(info.secret.label, args.secret_stdin, required=True) \
        if info.secret is not None else None
    with opened(args, create=True) as ctx:
        row = add_integration(ctx, args.plugin, args.name, args.tool, given, secret,
                              registry=registry)
    kept = "; its secret is in the OS keyring" if secret else ""
    print(f"added integration {row.name} ({row.plugin_id}) feeding {row.tool}{kept}")
    print(f"  test it: stackadmin integrations test \"{row.name}\"; sync it: "
          f"stackadmin sync \"{row.name}\"")
    return 0


def _edit(args: argparse.Namespace) -> int:
    from stackadmin.plugins.registry import load_registry
    from stackadmin.services.sync.integrations import edit_integration

    registry = load_registry()
    secret = read_secret("the new secret", args.secret_stdin, required=False)
    enabled = True if args.enable else False if args.disable else None
    with opened(args) as ctx:
        row = edit_integration(ctx, args.name, new_name=args.rename, tool=args.tool,
                               given=_given(args), secret=secret, enabled=enabled,
                               registry=registry)
    print(f"integration {row.name}: {row.plugin_id} feeding {row.tool}, {row.schedule}, "
          f"brake {row.brake_pct} %" + (", company directory" if row.is_directory_source
                                         else "") + ("; secret replaced" if secret else ""))
    return 0


def _when(value: object) -> str:
    from datetime import datetime

    return f"{value:%Y-%m-%d %H:%M} UTC" if isinstance(value, datetime) else ""


def _list(args: argparse.Namespace) -> int:
    from stackadmin.plugins.registry import load_registry
    from stackadmin.services.sync.integrations import list_integrations

    registry = load_registry()
    with opened(args) as ctx:
        rows = list_integrations(ctx, registry=registry)
    broken = registry.broken()
    if args.json:
        print_json({"integrations": [r.to_json() for r in rows],
                    "broken_plugins": [{"id": b.id, "error": b.reason,
                                        "entry_point": b.entry_point,
                                        "distribution": b.distribution} for b in broken]})
        return 0
    if not rows:
        print("no integrations yet: add one with `stackadmin integrations add PLUGIN --name "
              "NAME --tool TOOL --set KEY=VALUE --secret-stdin` (plugins: `stackadmin "
              "plugins list`)")
    else:
        print_table(
            ["name", "plugin", "tool", "schedule", "last run", "result", "last good sync"],
            [(r.name, r.plugin_id + (" (BROKEN)" if r.plugin_problem else ""), r.tool or "-",
              r.schedule + (", directory" if r.is_directory_source else ""),
              _when(r.last_sync_at),
              "never synced" if r.last_status is None
              else r.last_status + (" (dry run)" if r.last_dry_run else "")
              + (f": {r.last_error}" if r.last_error and r.last_status != "ok" else ""),
              _when(r.last_success_at))
             for r in rows])
    for b in broken:
        print(f"broken plugin {b.id} ({b.distribution or b.entry_point}): {b.reason}")
    return 0


def _test(args: argparse.Namespace) -> int:
    from stackadmin.plugins.api import PluginError
    from stackadmin.services.sync.integrations import test_integration

    with opened(args) as ctx:
        try:
            result = test_integration(ctx, args.name)
        except PluginError as exc:
            raise UserError(f"{args.name}: {exc}") from None
    print(f"{args.name}: {result.summary}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from stackadmin.services.sync.integrations import remove_integration

    with opened(args) as ctx:
        removed = remove_integration(ctx, args.name)
    print(f"removed integration {removed} and its secret (the accounts it synced are kept)")
    return 0


def _history(args: argparse.Namespace) -> int:
    from stackadmin.services.sync.history import runs
    from stackadmin.services.sync.integrations import find_integration

    with opened(args) as ctx:
        with ctx.read() as session:
            integration_id = find_integration(session, args.name).id
        rows = runs(ctx, integration_id, limit=args.limit)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print(f"{args.name} has never been synced")
        return 0
    print_table(["started", "result", "added", "changed", "deprov.", "unchanged", "pages",
                 "retries", "error"],
                [(_when(r.started_at), r.status + (" (dry run)" if r.dry_run else "")
                  + (" (forced)" if r.forced else ""), r.added, r.changed, r.deprovisioned,
                  r.unchanged, r.pages, r.retries, r.error or "") for r in rows])
    return 0
