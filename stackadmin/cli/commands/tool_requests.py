"""`stackadmin requests add|list|set|show`: tool requests and what is already paid for."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from stackadmin.cli._common import iso_date, opened, print_json, print_table
from stackadmin.domain.money import Money
from stackadmin.domain.requests import RequestStatus, Urgency
from stackadmin.services.buying import requests
from stackadmin.services.buying.paid import PaidTool


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("requests", help="tool requests: what the team asks for",
                         parents=[common])
    actions = cmd.add_subparsers(dest="requests_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="raise a request (a need, or a named tool)",
                             parents=[common])
    add.add_argument("title", help='what is needed, e.g. "a whiteboard for remote workshops"')
    add.add_argument("--by", required=True, metavar="EMAIL",
                     help="who asks (someone in the people list)")
    add.add_argument("--team", metavar="T")
    add.add_argument("--category", metavar="C",
                     help="a category or capability (Design, whiteboard...)")
    add.add_argument("--tool", metavar="NAME", help="a tool asked for by name")
    add.add_argument("--urgency", choices=[u.value for u in Urgency], default="normal")
    add.add_argument("--problem", metavar="TEXT", help="the problem to solve")
    add.add_argument("--considered", metavar="TEXT", help="tools already considered")
    add.add_argument("--note", metavar="TEXT")
    add.set_defaults(func=_add)

    list_ = actions.add_parser("list", help="requests, with the tools already paid for",
                               parents=[common])
    list_.add_argument("--status", action="append", metavar="S",
                       help=f"only this status ({', '.join(s.value for s in RequestStatus)}; "
                            "repeatable)")
    list_.add_argument("--as-of", type=iso_date,
                       help="what is paid for as of this date (default today)")
    list_.add_argument("--json", action="store_true", help="machine-readable output")
    list_.set_defaults(func=_list)

    set_ = actions.add_parser("set", help="move a request to another status",
                              parents=[common])
    set_.add_argument("request_id", type=int, metavar="REQUEST_ID")
    set_.add_argument("status", metavar="STATUS",
                      help=", ".join(s.value for s in RequestStatus))
    set_.add_argument("--reason", metavar="TEXT", help="why (required to reject)")
    set_.add_argument("--duplicate-of", type=int, metavar="ID",
                      help="the request this one duplicates (with duplicate)")
    set_.add_argument("--tool", metavar="NAME", help="the tool it became (with purchased)")
    set_.set_defaults(func=_set)

    show = actions.add_parser("show", help="one request, with its status history",
                              parents=[common])
    show.add_argument("request_id", type=int, metavar="REQUEST_ID")
    show.add_argument("--as-of", type=iso_date,
                      help="what is paid for as of this date (default today)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(func=_show)


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money.rounded(amount, currency).plain()


def _paid(t: PaidTool, base: str) -> dict[str, Any]:
    return {"tool": t.tool, "seats_purchased": t.seats_purchased,
            "seats_unused": t.seats_unused, "tool_id": t.tool_id, "category": t.category,
            "tags": list(t.tags), "seats_active": t.seats_active,
            "annual_cost_base": _money(t.annual_cost_base, base), "sentence": t.sentence()}


def _json(r: requests.RequestRow, base: str) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "status": r.status, "requested_by": r.requested_by,
        "category": r.category,
        "already_paid": [_paid(t, base) for t in r.already_paid],
        "requested_by_name": r.requested_by_name, "team": r.team, "tool": r.tool_name,
        "urgency": r.urgency, "problem": r.problem, "considered": r.considered,
        "note": r.note, "reason": r.status_reason, "duplicate_of": r.duplicate_of_id,
        "purchased_tool": r.purchased_tool, "purchased_term_id": r.purchased_term_id,
        "candidates": r.candidates, "created_at": r.created_at.isoformat(),
        "base_currency": base,
    }


def _add(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = requests.create_request(
            ctx, args.title, args.by, team=args.team, category=args.category,
            tool=args.tool, urgency=args.urgency, problem=args.problem,
            considered=args.considered, note=args.note)
        shown = requests.get_request(ctx, row.id)
    print(f"request {row.id} added: {row.title} (new, {row.urgency})")
    for sentence in shown.paid_sentences():
        print(f"  already paid: {sentence}")
    return 0


def _list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        from stackadmin.services.buying.paid import paid_tools

        paid = paid_tools(ctx, args.as_of)
        rows = requests.list_requests(ctx, statuses=args.status, paid=paid)
    if args.json:
        print_json([_json(r, paid.base_currency) for r in rows])
        return 0
    if not rows:
        print("no requests" + (f" with status {', '.join(args.status)}" if args.status else ""))
        return 0
    print_table(["id", "status", "urgency", "title", "requested by", "category/tool",
                 "already paid"],
                [(r.id, r.status, r.urgency, r.title, r.requested_by,
                  " / ".join(x for x in (r.category, r.tool_name) if x),
                  "; ".join(t.brief() for t in r.already_paid)) for r in rows])
    return 0


def _set(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = requests.set_status(ctx, args.request_id, args.status, reason=args.reason,
                                  duplicate_of=args.duplicate_of, tool=args.tool)
    extra = (f" of request {row.duplicate_of_id}" if row.duplicate_of_id else
             f": {row.purchased_tool}" if row.purchased_tool else "")
    print(f"request {row.id} is {row.status}{extra}"
          + (f" ({row.status_reason})" if row.status_reason else ""))
    return 0


def _show(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        view = requests.request_view(ctx, args.request_id, args.as_of)
    r = view.request
    if args.json:
        data = _json(r, view.base_currency)
        data["history"] = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                            "summary": e.summary} for e in view.history]
        print_json(data)
        return 0
    print(f"request {r.id}: {r.title}")
    print(f"status: {r.status}" + (f" ({r.status_reason})" if r.status_reason else ""))
    print(f"requested by: {r.requested_by_name or ''} <{r.requested_by}>"
          + (f", team {r.team}" if r.team else ""))
    for label, value in (("category", r.category), ("tool", r.tool_name),
                         ("urgency", r.urgency), ("problem", r.problem),
                         ("considered", r.considered), ("note", r.note)):
        if value:
            print(f"{label}: {value}")
    for sentence in r.paid_sentences():
        print(f"already paid: {sentence}")
    print("history:")
    for e in view.history:
        print(f"  {e.at:%Y-%m-%d %H:%M} {e.actor}: {e.summary}")
    return 0
