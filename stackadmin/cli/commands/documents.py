"""`stackadmin documents add|list|remove|path`: a tool's contract, order form, security
review... kept as copies in the data folder."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.domain.vocab import DocumentKind

if TYPE_CHECKING:
    Actions = argparse._SubParsersAction[argparse.ArgumentParser]

KINDS = [k.value for k in DocumentKind]


def register(sub: Actions, common: argparse.ArgumentParser) -> None:
    cmd = sub.add_parser("documents", parents=[common],
                         help="a tool's contract, order form, security review (copies kept "
                              "in the data folder)")
    actions = cmd.add_subparsers(dest="documents_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common],
                             help="copy a file into the data folder as a tool's document")
    add.add_argument("tool", metavar="TOOL", help="the tool's name")
    add.add_argument("file", metavar="FILE")
    add.add_argument("--kind", required=True, metavar="KIND",
                     help=f"one of {', '.join(KINDS)} (order-form works too)")
    add.add_argument("--title", help="what it is (default: the file name)")
    add.set_defaults(func=_add)
    list_ = actions.add_parser("list", parents=[common], help="every document, or a tool's")
    list_.add_argument("--tool", metavar="NAME", help="only this tool")
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)
    remove = actions.add_parser("remove", parents=[common],
                                help="forget a document and delete its copy (your own file "
                                     "stays where it is)")
    remove.add_argument("id", type=int, metavar="ID", help="the id `documents list` shows")
    remove.set_defaults(func=_remove)
    path = actions.add_parser("path", parents=[common],
                              help="where the copy of a document is on this computer")
    path.add_argument("id", type=int, metavar="ID")
    path.set_defaults(func=_path)


def _add(args: argparse.Namespace) -> int:
    from stackadmin.services.inventory.tools import tool_by_name
    from stackadmin.services.tools.documents import add_document

    with opened(args) as ctx:
        tool = tool_by_name(ctx, args.tool)
        row = add_document(ctx, tool.id, args.file, kind=args.kind, title=args.title)
    print(f"added {row.kind.replace('_', ' ')} '{row.title}' to {row.tool} "
          f"(document {row.id}, {row.size_bytes:,} bytes, kept at {row.path})")
    return 0


def _list(args: argparse.Namespace) -> int:
    from stackadmin.services.inventory.tools import tool_by_name
    from stackadmin.services.tools.documents import list_documents

    with opened(args) as ctx:
        tool_id = tool_by_name(ctx, args.tool).id if args.tool else None
        rows = list_documents(ctx, tool_id=tool_id)
    if args.json:
        print_json([{"id": r.id, "tool": r.tool, "kind": r.kind, "title": r.title,
                     "file_name": r.file_name, "size_bytes": r.size_bytes,
                     "sha256": r.sha256, "added_by": r.added_by,
                     "added_at": r.added_at.isoformat(), "path": str(r.path),
                     "present": r.present} for r in rows])
    elif not rows:
        print("no documents yet: add one with `stackadmin documents add TOOL FILE "
              "--kind contract`")
    else:
        print_table(["id", "tool", "kind", "title", "file", "bytes", "added"],
                    [(r.id, r.tool, r.kind, r.title,
                      r.file_name if r.present else f"{r.file_name} (not on this computer)",
                      f"{r.size_bytes:,}", r.added_at.date().isoformat()) for r in rows])
    return 0


def _remove(args: argparse.Namespace) -> int:
    from stackadmin.services.tools.documents import remove_document

    with opened(args) as ctx:
        row = remove_document(ctx, args.id)
    print(f"removed {row.kind.replace('_', ' ')} '{row.title}' of {row.tool}")
    return 0


def _path(args: argparse.Namespace) -> int:
    from stackadmin.services.tools.documents import document_file

    with opened(args) as ctx:
        print(document_file(ctx, args.id))
    return 0
