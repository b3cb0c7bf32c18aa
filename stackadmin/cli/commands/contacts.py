"""`stackadmin contacts add|list|remove`: the vendor's people for a tool."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from stackadmin.cli._common import opened, print_json, print_table

if TYPE_CHECKING:
    Actions = argparse._SubParsersAction[argparse.ArgumentParser]


def register(sub: Actions, common: argparse.ArgumentParser) -> None:
    cmd = sub.add_parser("contacts", parents=[common],
                         help="the vendor's people for a tool: account manager, support...")
    actions = cmd.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="add a contact to a tool")
    add.add_argument("tool", metavar="TOOL", help="the tool's name")
    add.add_argument("--name", required=True)
    add.add_argument("--role", help="account manager, support, billing, security...")
    add.add_argument("--email")
    add.add_argument("--phone")
    add.add_argument("--notes")
    add.set_defaults(func=_add)
    list_ = actions.add_parser("list", parents=[common], help="every contact, or a tool's")
    list_.add_argument("--tool", metavar="NAME", help="only this tool")
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)
    remove = actions.add_parser("remove", parents=[common], help="remove a contact")
    remove.add_argument("id", type=int, metavar="ID", help="the id `contacts list` shows")
    remove.set_defaults(func=_remove)


def _add(args: argparse.Namespace) -> int:
    from stackadmin.services.inventory.tools import tool_by_name
    from stackadmin.services.tools.contacts import create_contact

    with opened(args) as ctx:
        tool = tool_by_name(ctx, args.tool)
        row = create_contact(ctx, tool.id, name=args.name, role=args.role, email=args.email,
                             phone=args.phone, notes=args.notes)
    print(f"added contact {row.name} to {row.tool} (contact {row.id})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from stackadmin.services.inventory.tools import tool_by_name
    from stackadmin.services.tools.contacts import list_contacts

    with opened(args) as ctx:
        tool_id = tool_by_name(ctx, args.tool).id if args.tool else None
        rows = list_contacts(ctx, tool_id=tool_id)
    if args.json:
        print_json([{"id": r.id, "tool": r.tool, "name": r.name, "role": r.role,
                     "email": r.email, "phone": r.phone, "notes": r.notes} for r in rows])
    elif not rows:
        print("no contacts yet: add one with `stackadmin contacts add TOOL --name NAME`")
    else:
        print_table(["id", "tool", "name", "role", "email", "phone"],
                    [(r.id, r.tool, r.name, r.role, r.email, r.phone) for r in rows])
    return 0


def _remove(args: argparse.Namespace) -> int:
    from stackadmin.services.tools.contacts import delete_contact

    with opened(args) as ctx:
        row = delete_contact(ctx, args.id)
    print(f"removed contact {row.name} of {row.tool}")
    return 0
