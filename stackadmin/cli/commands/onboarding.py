"""`stackadmin bundles set|list` (the standard tools of a department's new hires) and
`stackadmin onboarding EMAIL` (a person's checklist, as text, JSON or a CSV for admins)."""

from __future__ import annotations

import argparse

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.services.running import onboarding


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("bundles", parents=[common],
                         help="onboarding bundles: the standard tools of a department")
    actions = cmd.add_subparsers(dest="bundles_command", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", parents=[common],
                              help="set a department's bundle (replaces it; no tools clears it)")
    set_.add_argument("department", metavar="DEPARTMENT")
    set_.add_argument("items", nargs="*", metavar="TOOL[:ROLE]",
                      help="a tool, with the role to grant (default member)")
    set_.add_argument("--title", help="only for new hires with this title")
    set_.set_defaults(func=_set, trailing_into="items")  # tools after --title too
    lst = actions.add_parser("list", parents=[common], help="every bundle")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    onb = sub.add_parser("onboarding", parents=[common],
                         help="a person's onboarding checklist: the bundle's tools, done or not")
    onb.add_argument("email", metavar="EMAIL")
    onb.add_argument("--json", action="store_true", help="machine-readable output")
    onb.add_argument("--csv", metavar="FILE.csv",
                     help="write the checklist as a CSV for the admins who grant access")
    onb.add_argument("--no-bom", action="store_true", help="the CSV without a byte-order mark")
    onb.set_defaults(func=_onboarding)


def _set(args: argparse.Namespace) -> int:
    items = [onboarding.parse_item(text) for text in args.items]
    with opened(args) as ctx:
        rows = onboarding.set_bundle(ctx, args.department, items, title=args.title)
    who = args.department + (f" / {args.title}" if args.title else "")
    if not rows:
        print(f"{who}: bundle cleared")
    else:
        print(f"{who}: " + ", ".join(f"{r.tool} ({r.role})" for r in rows))
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rows = onboarding.list_bundles(ctx)
    if args.json:
        print_json([{"department": r.department, "title": r.title or None, "tool": r.tool,
                     "role": r.role, "granted_by": r.granted_by_email} for r in rows])
        return 0
    print_table(["department", "title", "tool", "role", "granted by"],
                [(r.department, r.title, r.tool, r.role, r.granted_by or "no owner")
                 for r in rows])
    return 0


def _onboarding(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        view = onboarding.onboarding(ctx, args.email)
        written = (onboarding.export_checklist(ctx, args.email, args.csv, bom=not args.no_bom)
                   if args.csv else None)
    if args.json:
        print_json(view.to_json())
        return 0
    print(f"{view.name} <{view.email}> · {view.department or 'no department'}"
          + (f" · {view.title}" if view.title else ""))
    if not view.checklist:
        print("no onboarding bundle for this department"
              " (set one with `stackadmin bundles set DEPARTMENT TOOL[:ROLE] ...`)")
    else:
        print_table(["done", "tool", "role to grant", "granted by"],
                    [("yes" if i.done else "no", i.tool, i.role,
                      i.granted_by_email or "no owner") for i in view.checklist])
        print(f"{len(view.checklist) - len(view.lacking)} of {len(view.checklist)} done")
    if view.beyond:
        print("beyond the bundle: " + ", ".join(f"{h.tool} ({h.role})" for h in view.beyond))
    for r in view.training:
        print(f"training, {r.tool}: {r.text}")
    if written is not None:
        print(f"wrote {written} rows to {args.csv}")
    return 0
