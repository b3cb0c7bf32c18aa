"""`stackadmin connections add|list|show|verify|incident|resolve`: the links between tools."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.domain.vocab import ConnectionMethod, ConnectionStatus
from stackadmin.services.running import connections


def _moment(text: str) -> datetime | date:
    """argparse type: an ISO date or date and time (UTC unless it says otherwise)."""
    try:
        if "T" in text or " " in text.strip():
            value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM)") from None


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("connections", parents=[common],
                         help="connections between the company's tools, and their incidents")
    actions = cmd.add_subparsers(dest="connections_command", metavar="ACTION", required=True)
    methods = [m.value for m in ConnectionMethod]
    statuses = [s.value for s in ConnectionStatus]

    add = actions.add_parser("add", parents=[common], help="record a connection")
    add.add_argument("from_tool", metavar="FROM_TOOL")
    add.add_argument("to_tool", metavar="TO_TOOL")
    add.add_argument("--what", required=True, help="what flows: 'Jira issues → Slack #eng'")
    add.add_argument("--method", required=True, choices=methods, metavar="METHOD",
                     help=", ".join(methods))
    add.add_argument("--owner", metavar="EMAIL", help="who owns it (in the people list)")
    add.add_argument("--status", default=ConnectionStatus.WORKING.value, choices=statuses,
                     metavar="S", help=", ".join(statuses) + " (default working)")
    add.set_defaults(func=_add)

    lst = actions.add_parser("list", parents=[common], help="every connection")
    lst.add_argument("--status", choices=statuses, metavar="S", help="only this status")
    lst.add_argument("--json", action="store_true", help="machine-readable output")
    lst.set_defaults(func=_list)

    show = actions.add_parser("show", parents=[common],
                              help="a connection and its incident history")
    show.add_argument("id", type=int, metavar="ID")
    show.set_defaults(func=_show)

    verify = actions.add_parser("verify", parents=[common],
                                help="record that the connection was checked today and works")
    verify.add_argument("id", type=int, metavar="ID")
    verify.set_defaults(func=_verify)

    inc = actions.add_parser("incident", parents=[common],
                             help="record an incident on a connection")
    inc.add_argument("id", type=int, metavar="ID", help="the connection's id")
    inc.add_argument("--symptom", required=True, help="what was seen")
    inc.add_argument("--cause", help="why it happened")
    inc.add_argument("--fix", help="what fixed it")
    inc.add_argument("--by", metavar="WHO", help="who handled it (default: you)")
    inc.add_argument("--started", type=_moment, metavar="WHEN",
                     help="when it started (default now): YYYY-MM-DD or YYYY-MM-DDTHH:MM")
    inc.add_argument("--resolved", action="store_true", help="it is resolved (now)")
    inc.set_defaults(func=_incident)

    res = actions.add_parser("resolve", parents=[common], help="close an open incident")
    res.add_argument("incident_id", type=int, metavar="INCIDENT_ID")
    res.add_argument("--cause", help="why it happened")
    res.add_argument("--fix", help="what fixed it")
    res.set_defaults(func=_resolve)


def _add(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = connections.add_connection(ctx, args.from_tool, args.to_tool, what=args.what,
                                         method=args.method, owner=args.owner,
                                         status=args.status)
    print(f"connection {row.id}: {row.label} ({row.method}, {row.status})")
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rows = connections.list_connections(ctx, status=args.status)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("no connections" + (f" with status {args.status}" if args.status else ""))
        return 0
    print_table(["id", "from", "to", "what", "method", "status", "owner", "verified",
                 "open incidents"],
                [(r.id, r.from_tool, r.to_tool, r.what, r.method, r.status, r.owner_email or "",
                  r.last_verified.isoformat() if r.last_verified else "never",
                  r.open_incidents or "") for r in rows])
    return 0


def _show(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        hist = connections.history(ctx, args.id)
    r = hist.connection
    print(f"connection {r.id}: {r.label}")
    print(f"  method {r.method} · status {r.status} · owner {r.owner_email or 'none'} · "
          f"verified {r.last_verified.isoformat() if r.last_verified else 'never'}")
    if not hist.incidents:
        print("  no incidents")
        return 0
    mean = connections.duration_text(hist.mean_time_to_fix)
    print(f"  {len(hist.incidents)} incidents" + (f", mean time to fix {mean}" if mean else ""))
    for i in hist.incidents:
        state = (f"fixed in {connections.duration_text(i.time_to_fix)}" if not i.open
                 else "OPEN")
        print(f"  #{i.id} {i.started_at:%Y-%m-%d %H:%M} UTC · {state} · {i.symptom}")
        if i.cause:
            print(f"      cause: {i.cause}")
        if i.fix:
            print(f"      fix: {i.fix}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = connections.verify(ctx, args.id)
    print(f"connection {row.id}: {row.label}; verified {row.last_verified}, {row.status}"
          + (f" ({row.open_incidents} incident{'s' if row.open_incidents != 1 else ''} "
             f"still open: close {'them' if row.open_incidents != 1 else 'it'} with "
             f"`stackadmin connections resolve INCIDENT_ID`)" if row.open_incidents else ""))
    return 0


def _incident(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = connections.record_incident(ctx, args.id, symptom=args.symptom, cause=args.cause,
                                          fix=args.fix, handled_by=args.by,
                                          started_at=args.started, resolved=args.resolved)
        status = connections.get_connection(ctx, args.id).status
    state = (f"resolved (time to fix {connections.duration_text(row.time_to_fix)})"
             if not row.open else "open")
    print(f"incident {row.id} on connection {args.id}: {state}; connection {status}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = connections.resolve_incident(ctx, args.incident_id, cause=args.cause,
                                           fix=args.fix)
        status = connections.get_connection(ctx, row.connection_id).status
    print(f"incident {row.id} resolved after {connections.duration_text(row.time_to_fix)}; "
          f"connection {row.connection_id} {status}")
    return 0
