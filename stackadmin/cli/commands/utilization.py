"""`stackadmin unused`, `utilization`, `reconcile`, `rightsizing`, `exempt`, `reclaim`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from stackadmin.cli._common import (
    iso_date,
    opened,
    print_json,
    print_table,
    record_id,
)
from stackadmin.domain import limits
from stackadmin.domain.money import Money
from stackadmin.errors import UserError
from stackadmin.services.seats import utilization
from stackadmin.services.seats.seat_list import SeatList, UnusedValues, unused_seats, unused_values
from stackadmin.services.seats.utilization import SeatStatus, ToolFigures, UtilizationReport

if TYPE_CHECKING:
    from stackadmin.services.inventory.accounts import AccountRow
    from stackadmin.services.seats import reconcile

# The seat actions, the reconcile report and the rightsizing brief are imported by their
# commands only: `unused` and `utilization` run against limits (benchmarks/) that do not
# import what they do not use either.

_PCT = Decimal("0.1")
JSON_BATCH = 2000  # objects encoded and written at a time


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    # The options every report here takes: the date to judge on and JSON output.
    report = argparse.ArgumentParser(add_help=False)
    report.add_argument("--as-of", type=iso_date, help="the date to judge on (default today)")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    one_tool = argparse.ArgumentParser(add_help=False)
    one_tool.add_argument("--tool", metavar="NAME", help="only this tool")

    unused = sub.add_parser("unused", help="seats that are paid for but not used, and why",
                            parents=[common, report, one_tool])
    unused.set_defaults(func=_unused)

    util = sub.add_parser("utilization", help="seats purchased, held, active and unused per "
                                              "tool, with savings",
                          parents=[common, report, one_tool])
    util.set_defaults(func=_utilization)

    rec = sub.add_parser("reconcile", help="people list vs accounts: unknown users, departed "
                                           "people holding seats, duplicates",
                         parents=[common, report])
    rec.set_defaults(func=_reconcile)

    brief = sub.add_parser("rightsizing", help="the rightsizing brief of a term",
                           parents=[common, report])
    brief.add_argument("term_id", type=record_id, help="the term's id")
    brief.set_defaults(func=_rightsizing)

    exempt = sub.add_parser("exempt", help="exempt a seat from the unused rules (or --clear)",
                            parents=[common])
    _seat_args(exempt)
    exempt.add_argument("--reason", help="why the seat is kept (required unless --clear)")
    exempt.add_argument("--clear", action="store_true", help="remove the exemption")
    exempt.set_defaults(func=_exempt)

    reclaim = sub.add_parser("reclaim", help="mark a seat reclaimed (account deprovisioned)",
                             parents=[common])
    _seat_args(reclaim)
    reclaim.set_defaults(func=_reclaim)


def _seat_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tool", nargs="?", help="the tool's name")
    parser.add_argument("who", nargs="?", help="the account's email or vendor id")
    parser.add_argument("--account-id", type=record_id,
                        help="the account's id, instead of TOOL WHO")


def _money(amount: Decimal | None, currency: str) -> str | None:
    """Rounded once, here at the edge, to the currency's precision."""
    return None if amount is None else Money.rounded(amount, currency).plain()


def _pct(value: Decimal | None) -> float | None:
    # A percentage, not money: a JSON number with one decimal.
    return None if value is None else float(value.quantize(_PCT))


def _print_json_lines(rows: Iterable[dict[str, Any]]) -> None:
    """A JSON list with one object a line, written as the rows come (a batch at a time). The
    indented `print_json` runs the pure-Python encoder and took 6.9 s for 30,000 unused
    seats; this takes a fraction of a second."""
    out = sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one a row
    out.write("[\n")
    rows = iter(rows)
    separator = ""
    while batch := list(islice(rows, JSON_BATCH)):
        # Escaped as `json_text` escapes (nothing a terminal acts on), in one pass a batch.
        out.write(separator + limits.json_escaped(",\n".join(encode(r) for r in batch)))
        separator = ",\n"
    out.write("\n]\n" if separator else "]\n")


def _print_unused_json(found: UnusedValues) -> None:
    base = found.base_currency
    money: dict[Decimal | None, str | None] = {}  # a few hundred prices over 30,000 seats

    def cost(amount: Decimal | None) -> str | None:
        if amount not in money:
            money[amount] = _money(amount, base)
        return money[amount]

    _print_json_lines({
        "tool": tool, "email": email, "person": person, "reason": reason,
        "last_activity": last, "days_inactive": days, "annual_cost_base": cost(amount),
        "base_currency": base, "account_id": account_id, "tool_id": tool_id,
        "person_id": person_id, "display_name": display, "status": status, "role": role,
        "activity_known": known,
    } for (tool, email, person, reason, last, days, amount, account_id, tool_id, person_id,
           display, status, role, known) in found.rows)


def _warn_missing(report: UtilizationReport | SeatList | UnusedValues) -> None:
    if report.missing_rates:
        print(f"stackadmin: warning: no exchange rate to {report.base_currency} for "
              f"{', '.join(report.missing_rates)} as of {report.as_of.isoformat()}: those "
              "tools' costs and savings are unknown (null) and left out of the totals; set "
              "them with `stackadmin rates set CURRENCY RATE`", file=sys.stderr)


def _last_seen(seat: SeatStatus) -> str:
    """The last activity's UTC day; "never" when none was recorded, "unknown" when the
    source reports no activity (a departed person's seat in a member list)."""
    if seat.last_activity is not None:
        return seat.last_activity.date().isoformat()
    return "never" if seat.activity_known else "unknown"


def _unused(args: argparse.Namespace) -> int:
    if args.json:
        with opened(args) as ctx, unused_values(ctx, args.as_of, args.tool) as found:
            _print_unused_json(found)
        _warn_missing(found)
        return 0
    with opened(args) as ctx:
        report = unused_seats(ctx, args.as_of, args.tool)
    base = report.base_currency
    rows = report.seats  # by tool, email and account id
    if not rows:
        print(f"no unused seats as of {report.as_of.isoformat()}")
    else:
        print_table(
            ["tool", "email", "person", "reason", "last activity", "days", f"annual {base}"],
            [(s.tool, s.email, s.person, s.reason.value if s.reason else "",
              _last_seen(s), s.days_inactive, _money(s.annual_cost_base, base) or "unknown")
             for s in rows])
        total = sum((s.annual_cost_base or Decimal(0) for s in rows), Decimal(0))
        print(f"total: {len(rows)} unused seats, {_money(total, base)} {base} a year")
    _warn_missing(report)
    return 0


def _tool_json(t: ToolFigures, base: str) -> dict[str, Any]:
    return {
        "tool": t.tool, "seats_purchased": t.seats_purchased, "seats_held": t.seats_held,
        "seats_active": t.seats_active, "seats_unused": t.seats_unused,
        "seats_unassigned": t.seats_unassigned, "utilization_pct": _pct(t.utilization_pct),
        "annual_cost_base": _money(t.annual_cost_base, base),
        "potential_savings_base": _money(t.potential_savings_base, base),
        "recommended_seats": t.recommended_seats,
        "base_currency": base, "tool_id": t.tool_id, "threshold_days": t.threshold_days,
        "over_allocated": t.over_allocated,
        "seats_activity_unknown": t.seats_activity_unknown,
        "seats_exempt": t.seats_exempt, "seats_bots": t.seats_bots,
        "unused_by_reason": t.unused_by_reason,
        "annual_cost_per_seat_base": _money(t.annual_cost_per_seat_base, base),
        "annual_cost_per_active_seat_base": _money(t.annual_cost_per_active_seat_base, base),
        "missing_rates": list(t.missing_rates),
        "seat_data": t.seat_data, "activity_known": t.activity_known,
        "flat_priced": t.flat_priced,
        "vendor_seats_purchased": t.vendor_seats_purchased,
        "vendor_seats_consumed": t.vendor_seats_consumed,
        "vendor_seats_mismatch": t.vendor_mismatch,
        "seats_cancelling": t.seats_cancelling,
    }


def _pct_text(t: ToolFigures) -> str:
    if not t.seat_data:
        return "no seat data"
    if not t.activity_known:
        text = "activity unknown"
    elif t.utilization_pct is None:
        text = ""
    else:
        text = f"{t.utilization_pct.quantize(_PCT)}%"
    if t.over_allocated:
        text = f"{text} over-allocated (+{t.seats_over})".strip()
    return text


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _purchased(t: ToolFigures) -> str:
    return "flat" if t.flat_priced else str(t.seats_purchased)


def _utilization(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        report = utilization.compute(ctx, args.as_of, args.tool)
    base = report.base_currency
    if args.json:
        print_json([_tool_json(t, base) for t in report.tools])
        _warn_missing(report)
        return 0
    print_table(
        ["tool", "purchased", "held", "active", "unused", "unassigned", "utilization",
         f"annual {base}", f"savings {base}", "recommended"],
        [(t.tool, _purchased(t), _count(t.seats_held), t.seats_active, t.seats_unused,
          _count(t.seats_unassigned), _pct_text(t),
          _money(t.annual_cost_base, base) or "unknown",
          _money(t.potential_savings_base, base) or ("-" if not t.seat_data else "unknown"),
          _count(t.recommended_seats))
         for t in report.tools])
    total = report.total
    if total is not None:
        pct = ("n/a" if total.utilization_pct is None
               else f"{total.utilization_pct.quantize(_PCT)}%")
        over = sum(1 for t in report.tools if t.over_allocated)
        print(f"total: {total.seats_purchased} purchased, {total.seats_held} held, "
              f"{total.seats_active} active, {total.seats_unused} unused, "
              f"{total.seats_unassigned} unassigned; utilization {pct}; "
              f"{_money(total.annual_cost_base, base)} {base} a year, potential savings "
              f"{_money(total.potential_savings_base, base)} {base}"
              + (f" ({total.tools_counted} of {len(report.tools)} tools priced)"
                 if total.missing_rates else ""))
        for t in report.tools:
            if t.vendor_mismatch:
                print(f"{t.tool}: the vendor reports {t.vendor_seats_purchased} seats "
                      f"purchased ({_count(t.vendor_seats_consumed)} consumed), the terms "
                      f"in force {t.seats_purchased}: check the contract")
        notes = [f"{n} {what}" for n, what in (
            (over, "over-allocated (more seats held than purchased)"),
            (sum(1 for t in report.tools if t.seat_data and not t.activity_known),
             "with activity unknown (no utilization, no recommendation)"),
            (sum(1 for t in report.tools if not t.seat_data),
             "without seat data (no account recorded: no unassigned seats, no savings)"),
        ) if n]
        if notes:
            print("tools: " + "; ".join(notes))
    _warn_missing(report)
    return 0


def _acc(a: reconcile.ReconAccount) -> dict[str, Any]:
    return {"account_id": a.account_id, "tool": a.tool, "email": a.email,
            "display_name": a.display_name, "external_id": a.external_id, "status": a.status,
            "last_activity": None if a.last_activity is None else a.last_activity.isoformat(),
            "source": a.source}


def _reconcile(args: argparse.Namespace) -> int:
    from stackadmin.services.seats import reconcile

    with opened(args) as ctx:
        rep = reconcile.reconcile(ctx, args.as_of)
    if args.json:
        print_json({
            "as_of": rep.as_of.isoformat(), "directory_sources": list(rep.directory_sources),
            "unknown_users": [{**_acc(u.account), "suggested_person_id": u.suggested_person_id,
                               "suggested_person": u.suggested_person}
                              for u in rep.unknown_users],
            "departed_holders": [{"person_id": h.person_id, "person": h.person,
                                  "email": h.email, "end_date": h.end_date,
                                  "accounts": [_acc(a) for a in h.accounts]}
                                 for h in rep.departed_holders],
            "duplicates": [{"tool": d.tool, "person_id": d.person_id, "person": d.person,
                            "email": d.email, "accounts": [_acc(a) for a in d.accounts]}
                           for d in rep.duplicates],
            "active_after_leaving": [_after(a) for a in rep.active_after_leaving],
        })
        return 0
    print(f"unknown users ({len(rep.unknown_users)}): accounts matched to no person")
    if rep.unknown_users:
        print_table(["tool", "email", "name", "status", "same email as"],
                    [(u.account.tool, u.account.email or u.account.external_id,
                      u.account.display_name, u.account.status, u.suggested_person)
                     for u in rep.unknown_users])
    print(f"\ndeparted people holding seats ({len(rep.departed_holders)})")
    if rep.departed_holders:
        print_table(["person", "email", "left", "seats"],
                    [(h.person, h.email, h.end_date, ", ".join(a.tool for a in h.accounts))
                     for h in rep.departed_holders])
    print(f"\nseveral accounts in one tool ({len(rep.duplicates)})")
    if rep.duplicates:
        print_table(["tool", "person", "accounts"],
                    [(d.tool, d.person or d.email,
                      ", ".join(a.email or a.external_id or str(a.account_id)
                                for a in d.accounts)) for d in rep.duplicates])
    after = rep.active_after_leaving
    print(f"\nRED FLAG: activity after the person's last day ({len(after)})")
    if after:
        print_table(["person", "email", "tool", "last day", "last activity", "days after",
                     "status"],
                    [(a.person, a.email, a.account.tool, a.end_date.isoformat(),
                      _last_activity(a), a.days_after, a.account.status) for a in after])
    return 0


def _last_activity(a: reconcile.ActiveAfterLeaving) -> str | None:
    last = a.account.last_activity
    return None if last is None else last.isoformat()


def _after(a: reconcile.ActiveAfterLeaving) -> dict[str, Any]:
    """One account used after its person's last day (the keys are a contract)."""
    return {"email": a.email, "tool": a.account.tool, "end_date": a.end_date.isoformat(),
            "last_activity": _last_activity(a), "person": a.person,
            "person_id": a.person_id, "account_id": a.account.account_id,
            "tool_id": a.account.tool_id, "status": a.account.status,
            "days_after": a.days_after}


def _rightsizing(args: argparse.Namespace) -> int:
    from stackadmin.services.seats import rightsizing

    with opened(args) as ctx:
        b = rightsizing.rightsizing_brief(ctx, args.term_id, args.as_of)
        from stackadmin.services.buying.overlaps import brief_notes

        overlaps = brief_notes(ctx, args.term_id, args.as_of)
    cur, base = b.currency, b.base_currency
    data = {
        "term_id": b.term_id, "tool": b.tool, "plan": b.plan, "as_of": b.as_of,
        "renewal_date": b.renewal_date, "cancel_by": b.cancel_by,
        "days_to_cancel_by": b.days_to_cancel_by, "due": b.due, "currency": cur,
        "seats_purchased": b.seats_purchased, "seats_held": b.seats_held,
        "seats_active": b.seats_active, "seats_unused": b.seats_unused,
        "recommended_seats": b.recommended_seats, "seat_change": b.seat_change,
        "no_recommendation": b.no_recommendation, "seat_data": b.seat_data,
        "activity_known": b.activity_known, "other_terms_seats": b.other_terms_seats,
        "annual_cost": _money(b.annual_cost, cur),
        "projected_annual_cost": _money(b.projected_annual_cost, cur),
        "projected_savings": _money(b.projected_savings, cur),
        "projected_savings_base": _money(b.projected_savings_base, base),
        "base_currency": base, "previous_term_id": b.previous_term_id,
        "price_change": _money(b.price_change, cur),
        "price_change_pct": _pct(b.price_change_pct), "missing_rates": list(b.missing_rates),
        "overlaps": overlaps,
    }
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            if key == "overlaps":
                value = "; ".join(overlaps) or None
            elif key == "no_recommendation" and value is None:
                continue
            print(f"{key.replace('_', ' ')}: {'' if value is None else value}")
    return 0


def _account_id(args: argparse.Namespace, ctx: Any) -> int:
    if args.account_id is not None:
        if args.tool or args.who:
            raise UserError("give either --account-id or TOOL WHO, not both")
        return int(args.account_id)
    if not (args.tool and args.who):
        raise UserError("say which seat: TOOL and the account's email (or --account-id N)")
    from stackadmin.services.seats import actions

    return actions.find_account(ctx, args.tool, args.who)


def _done(verb: str, row: AccountRow) -> None:
    print(f"{verb} {row.email or row.external_id} in {row.tool} (account {row.id})")


def _exempt(args: argparse.Namespace) -> int:
    from stackadmin.services.seats import actions

    with opened(args) as ctx:
        account_id = _account_id(args, ctx)
        if args.clear:
            if args.reason:
                raise UserError("--clear takes no --reason")
            _done("cleared the exemption of", actions.clear_exemption(ctx, account_id))
        else:
            if not (args.reason or "").strip():
                raise UserError("an exemption needs --reason TEXT (for example: on-call admin)")
            row = actions.exempt_seat(ctx, account_id, args.reason)
            _done(f"exempted ({row.exempt_reason})", row)
    return 0


def _reclaim(args: argparse.Namespace) -> int:
    from stackadmin.services.seats import actions

    with opened(args) as ctx:
        _done("reclaimed the seat of", actions.reclaim_seat(ctx, _account_id(args, ctx)))
    return 0
