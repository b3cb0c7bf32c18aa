"""`stackadmin sync [NAME ...] [--dry-run] [--force] [--json] [--due]`: reads seats and
activity from the vendors and reconciles them with the inventory. A progress line per page
on stderr, a summary per integration; exit 0 when every sync succeeded, else 1 with one line
per failure."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from stackadmin.cli._common import opened, print_json

_MARKS = {"add": "+", "change": "~", "deprovision": "-", "add person": "+ person",
          "change person": "~ person"}


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser(
        "sync", parents=[common],
        help="reads seats and activity from the vendors' APIs into the inventory",
        description="Syncs the named integrations (every enabled one when none is named).")
    cmd.add_argument("names", nargs="*", metavar="NAME", help="integrations to sync")
    cmd.add_argument("--dry-run", action="store_true",
                     help="print what would change; write nothing but the run record")
    cmd.add_argument("--force", action="store_true",
                     help="go past the brake (a sync that deprovisions many accounts)")
    cmd.add_argument("--json", action="store_true", help="machine-readable output")
    cmd.add_argument("--due", action="store_true",
                     help="only the integrations whose interval has passed (for cron or a "
                          "systemd timer)")
    cmd.set_defaults(func=_sync)


def _value(value: Any) -> str:
    from datetime import date, datetime

    if value is None:
        return "(none)"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ",".join(str(v) for v in value) or "(none)"
    return str(value)


def _print_result(result: Any) -> None:
    if not result.ok:
        return
    print(result.summary())
    for notice in result.notices:
        print(f"  note: {notice}")
    if result.brake:
        print(f"  a real sync would stop at the brake: {result.brake}")
    for line in result.lines:
        fields = "; ".join(f"{name} {_value(before)} → {_value(after)}"
                           for name, before, after in line.fields)
        mark = _MARKS.get(line.action, line.action)
        if line.action.startswith("add"):
            fields = ", ".join(f"{name} {_value(after)}" for name, _b, after in line.fields
                               if name in ("role", "status"))
        print(f"  {mark} {line.account}" + (f": {fields}" if fields and line.action not in (
            "deprovision",) else ""))


def _sync(args: argparse.Namespace) -> int:
    from stackadmin.services.sync import engine, schedule
    from stackadmin.services.sync.integrations import find_integration, list_integrations

    # A service manager's stop (SIGTERM) ends the run like Ctrl+C (stackadmin.cli.main):
    # recorded as cancelled.
    progress_shown = not args.due or sys.stderr.isatty()
    with opened(args) as ctx:
        if args.names:
            with ctx.read() as session:
                # Each once, in the order first given: `sync G G` is one run of G.
                names = list(dict.fromkeys(find_integration(session, n).name
                                           for n in args.names))
        else:
            rows = list_integrations(ctx)
            names = [r.name for r in rows if r.enabled]
            if not rows:
                if not args.json:
                    print("no integrations are set up: add one with `stackadmin integrations "
                          "add PLUGIN --name NAME --tool TOOL`")
                else:
                    print_json([])
                return 0
        if args.due:
            due = {d.name for d in schedule.due_integrations(ctx)}
            names = [n for n in names if n in due]
            if not names:
                if args.json:
                    print_json([])
                elif sys.stdout.isatty():
                    print("nothing is due")
                return 0
        results = []
        for name in names:
            def show(step: Any, name: str = name) -> None:
                if progress_shown:
                    print(f"{name}: {step.text}", file=sys.stderr, flush=True)

            result = engine.sync(ctx, name, dry_run=args.dry_run, force=args.force,
                                 progress=show, trigger="schedule" if args.due else "manual")
            results.append(result)
            if not args.json:
                _print_result(result)
    if args.json:
        print_json([r.to_json() for r in results])
    failures = [r for r in results if not r.ok]
    for result in failures:
        print(f"stackadmin: error: {result.summary()}", file=sys.stderr)
    if failures:
        return 1
    return 0


