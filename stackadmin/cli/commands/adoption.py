"""`stackadmin snapshot` (for cron), `adoption` (trends and targets), `target` (set one),
`training` (resources per tool)."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from stackadmin.cli._common import opened, print_json, print_table
from stackadmin.domain.money import Money
from stackadmin.domain.vocab import TrainingKind
from stackadmin.services.running import adoption, training


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    snap = sub.add_parser("snapshot", parents=[common],
                          help="take today's adoption snapshot of every tool (once a day, cron)")
    snap.set_defaults(func=_snapshot)

    trend = sub.add_parser("adoption", parents=[common],
                           help="adoption over time (monthly, from the daily snapshots) and "
                                "adoption targets")
    trend.add_argument("--tool", metavar="T", help="only this tool")
    trend.add_argument("--months", type=int, default=12, metavar="N",
                       help="how many months back (default 12)")
    trend.add_argument("--json", action="store_true", help="machine-readable output")
    trend.set_defaults(func=_adoption)

    target = sub.add_parser("target", parents=[common],
                            help="set a tool's adoption target: PERCENT of a department active")
    target.add_argument("tool", metavar="TOOL")
    target.add_argument("percent", type=int, nargs="?", metavar="PERCENT")
    target.add_argument("--department", metavar="D", help="the target group (default everyone)")
    target.add_argument("--clear", action="store_true", help="remove the tool's target")
    target.set_defaults(func=_target)

    train = sub.add_parser("training", parents=[common],
                           help="training resources per tool: links, guides, champions")
    actions = train.add_subparsers(dest="training_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", parents=[common], help="add a link, guide or champion")
    add.add_argument("tool", metavar="TOOL")
    add.add_argument("kind", choices=[k.value for k in TrainingKind])
    add.add_argument("--title", help="what it is (links and guides)")
    add.add_argument("--url", help="where it is: https://… or a path (links and guides)")
    add.add_argument("--champion", metavar="EMAIL", help="the champion (in the people list)")
    add.set_defaults(func=_training_add)
    lst = actions.add_parser("list", parents=[common], help="the resources")
    lst.add_argument("--tool", metavar="T", help="only this tool")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_training_list)
    edit = actions.add_parser(
        "edit", parents=[common], help="change a resource (what is not given stays, unless "
        "--kind changes it: then give what the new kind needs)")
    edit.add_argument("id", type=int, metavar="ID")
    edit.add_argument("--kind", choices=[k.value for k in TrainingKind])
    edit.add_argument("--title", help="what it is")
    edit.add_argument("--url", help="where it is: https://… or a path (links and guides)")
    edit.add_argument("--champion", metavar="EMAIL", help="the champion (in the people list)")
    edit.set_defaults(func=_training_edit)
    rm = actions.add_parser("remove", parents=[common], help="remove a resource")
    rm.add_argument("id", type=int, metavar="ID")
    rm.set_defaults(func=_training_remove)


def _snapshot(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        result = adoption.take_snapshot(ctx)
    print(f"adoption snapshot {result.day.isoformat()}: {result.added} tools added, "
          f"{result.refreshed} refreshed, {result.unchanged} unchanged")
    return 0


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money.rounded(amount, currency).plain()


def _pct(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.1")))


def _adoption(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        trend = adoption.trend(ctx, tool=args.tool, months=args.months)
        targets = adoption.target_statuses(ctx, trend.tool_id)
    base = trend.base_currency
    months: list[dict[str, Any]] = []
    for m in trend.months:
        p = m.point
        months.append({
            "month": m.month.strftime("%Y-%m"),
            "day": None if p is None else p.day.isoformat(),
            "seats_purchased": None if p is None else p.seats_purchased,
            "seats_held": None if p is None else p.seats_held,
            "seats_active": None if p is None else p.seats_active,
            "seats_unused": None if p is None else p.seats_unused,
            "seats_activity_unknown": None if p is None else p.seats_activity_unknown,
            "active_pct": None if p is None else _pct(p.active_pct),
            "annual_cost_base": None if p is None else _money(p.annual_cost_base, base),
        })
    target_json = [{
        "tool": t.tool, "department": t.department, "target_pct": t.target_pct,
        "group_size": t.group_size, "active": t.active, "actual_pct": _pct(t.actual_pct),
        "met": t.met,
        "not_active": [{"email": who.email, "name": who.name, "why": who.why}
                       for who in t.not_active],
    } for t in targets]
    if args.json:
        print_json({"tool": trend.tool, "as_of": trend.as_of.isoformat(),
                    "base_currency": base,
                    "first_snapshot": None if trend.first_day is None
                    else trend.first_day.isoformat(),
                    "months": months, "targets": target_json})
        return 0
    who = trend.tool or "all tools"
    if trend.first_day is None:
        print(f"{who}: no snapshot yet (history starts with the first `stackadmin snapshot`)")
    else:
        print(f"{who}: snapshots since {trend.first_day.isoformat()}, amounts in {base}")
        print_table(["month", "purchased", "held", "active", "active %", "unused",
                     "activity unknown", "annual cost"],
                    [(m["month"], m["seats_purchased"], m["seats_held"], m["seats_active"],
                      "" if m["active_pct"] is None else f"{m['active_pct']}",
                      m["seats_unused"], m["seats_activity_unknown"],
                      m["annual_cost_base"] or ("" if m["day"] is None else "unknown"))
                     for m in months if m["day"] is not None])
    for t in targets:
        print()
        print(t.sentence())
        for person in t.not_active:
            print(f"  to train: {person.name} <{person.email}> ({person.why})")
    return 0


def _target(args: argparse.Namespace) -> int:
    from stackadmin.errors import UserError

    with opened(args) as ctx:
        if args.clear:
            gone = adoption.clear_target(ctx, args.tool)
            print(f"{args.tool}: target cleared" if gone else f"{args.tool}: had no target")
            return 0
        if args.percent is None:
            raise UserError("give the target PERCENT (or --clear)")
        adoption.set_target(ctx, args.tool, args.percent, args.department)
        status = [t for t in adoption.target_statuses(ctx)
                  if t.tool.lower() == args.tool.strip().lower()]
    if status:
        print(status[0].sentence())
    return 0


def _training_add(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = training.add_resource(ctx, args.tool, args.kind, title=args.title, url=args.url,
                                    champion=args.champion)
    print(f"resource {row.id} for {row.tool}: {row.text}")
    return 0


def _training_list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        tool_id = None
        if args.tool:
            from stackadmin.services.inventory.tools import tool_by_name

            tool_id = tool_by_name(ctx, args.tool).id
        rows = training.list_resources(ctx, tool_id)
    if args.json:
        print_json([{"id": r.id, "tool": r.tool, "kind": r.kind, "title": r.title,
                     "url": r.url, "champion": r.champion_email} for r in rows])
        return 0
    print_table(["id", "tool", "resource"], [(r.id, r.tool, r.text) for r in rows])
    return 0


def _training_edit(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        row = training.change_resource(ctx, args.id, kind=args.kind, title=args.title,
                                       url=args.url, champion=args.champion)
    print(f"resource {row.id} for {row.tool}: {row.text}")
    return 0


def _training_remove(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        training.remove_resource(ctx, args.id)
    print(f"resource {args.id} removed")
    return 0
