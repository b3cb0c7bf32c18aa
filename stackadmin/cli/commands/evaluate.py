"""`stackadmin evaluate add|quote|weights|score|report|decide`: evaluations with weighted
scorecards, and the decision that makes the purchase."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from stackadmin.cli._common import iso_date, opened, print_json, print_table
from stackadmin.domain.money import Money
from stackadmin.domain.scorecard import rounded
from stackadmin.errors import UserError
from stackadmin.services.buying import evaluations, purchase
from stackadmin.services.buying.evaluations import CandidateScore, EvaluationReport


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    cmd = sub.add_parser("evaluate", help="evaluate candidates for a request",
                         parents=[common])
    actions = cmd.add_subparsers(dest="evaluate_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add candidates (existing tools or new names)",
                             parents=[common])
    add.add_argument("request_id", type=int, metavar="REQUEST_ID")
    add.add_argument("--candidate", action="extend", nargs="+", required=True,
                     metavar="NAME", help="a candidate; repeat or list several")
    add.add_argument("--vendor", metavar="NAME", help="the candidates' vendor")
    add.set_defaults(func=_add)

    quote = actions.add_parser("quote", help="record a candidate's quote", parents=[common])
    quote.add_argument("request_id", type=int, metavar="REQUEST_ID")
    quote.add_argument("candidate", metavar="CANDIDATE")
    quote.add_argument("--price", required=True, metavar="AMOUNT",
                       help="per seat per billing period (or the flat price per period)")
    quote.add_argument("--currency", required=True, metavar="CODE", help="ISO 4217, e.g. EUR")
    quote.add_argument("--seats", metavar="N", help="seats quoted (per-seat pricing)")
    quote.add_argument("--billing", default="annual", metavar="PERIOD",
                       help="monthly, quarterly, annual, every N months (default annual)")
    quote.add_argument("--pricing", default="per_seat", choices=("per_seat", "flat"))
    quote.add_argument("--plan", metavar="NAME")
    quote.add_argument("--vendor", metavar="NAME")
    quote.set_defaults(func=_quote)

    weights = actions.add_parser("weights", help="change the criteria's weights (sum 100)",
                                 parents=[common])
    weights.add_argument("request_id", type=int, metavar="REQUEST_ID")
    weights.add_argument("weights", nargs="+", metavar="CRITERION=WEIGHT",
                         help="e.g. fit=40 price=5; a new key adds a criterion")
    weights.set_defaults(func=_weights)

    score = actions.add_parser("score", help="an evaluator's 1–5 scores of a candidate",
                               parents=[common])
    score.add_argument("request_id", type=int, metavar="REQUEST_ID")
    score.add_argument("candidate", metavar="CANDIDATE")
    score.add_argument("scores", nargs="+", metavar="CRITERION=SCORE", help="e.g. fit=4")
    score.add_argument("--by", required=True, metavar="EMAIL", help="the evaluator")
    score.add_argument("--note", metavar="TEXT", help="a note with these scores")
    score.set_defaults(func=_score)

    report = actions.add_parser("report", help="the candidates side by side",
                                parents=[common])
    report.add_argument("request_id", type=int, metavar="REQUEST_ID")
    report.add_argument("--as-of", type=iso_date, help="exchange rates as of (default today)")
    report.add_argument("--json", action="store_true", help="machine-readable output")
    report.set_defaults(func=_report)

    decide = actions.add_parser("decide", help="choose a candidate: creates the tool and "
                                               "its first term from the quote",
                                parents=[common])
    decide.add_argument("request_id", type=int, metavar="REQUEST_ID")
    decide.add_argument("candidate", metavar="CANDIDATE")
    decide.add_argument("--rationale", required=True, metavar="TEXT")
    decide.add_argument("--start", type=iso_date, metavar="DATE",
                        help="the first term's start (default today)")
    decide.add_argument("--renewal", type=iso_date, metavar="DATE",
                        help="its renewal date (default a year after the start)")
    decide.add_argument("--owner", metavar="EMAIL", help="the new tool's owner")
    decide.set_defaults(func=_decide)


def _pairs(items: list[str], what: str) -> dict[str, str]:
    """KEY=VALUE arguments; a key given twice (in any case) is refused, never one of its
    values silently kept."""
    out: dict[str, str] = {}
    given: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"expected {what}, got '{item}'")
        first = given.get(key.strip().lower())
        if first is not None:
            raise UserError(f"{key.strip().lower()} is given twice ('{first}' and "
                            f"'{item}'): give each criterion once")
        given[key.strip().lower()] = item
        out[key.strip()] = value.strip()
    return out


def _add(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        names = evaluations.add_candidates(ctx, args.request_id, args.candidate,
                                           vendor=args.vendor)
    print(f"request {args.request_id}: added {', '.join(names)}")
    return 0


def _quote(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        quote = evaluations.set_quote(
            ctx, args.request_id, args.candidate, unit_price=args.price,
            currency=args.currency, seats=args.seats, billing_period=args.billing,
            pricing=args.pricing, plan=args.plan, vendor=args.vendor)
    print(f"{args.candidate}: {quote.describe()} = {quote.annual_cost} a year")
    return 0


def _weights(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        criteria = evaluations.set_weights(ctx, args.request_id,
                                           _pairs(args.weights, "CRITERION=WEIGHT"))
    print("weights: " + ", ".join(f"{c.key} {c.weight}" for c in criteria))
    return 0


def _score(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        written = evaluations.score(ctx, args.request_id, args.candidate, args.by,
                                    _pairs(args.scores, "CRITERION=SCORE"), note=args.note)
    print(f"{args.candidate}: {written} score{'s' if written != 1 else ''} by {args.by} "
          "recorded" if written else f"{args.candidate}: nothing changed")
    return 0


def _num(value: Decimal | None) -> float | None:
    # A score, not money: a JSON number with two decimals.
    shown = rounded(value)
    return None if shown is None else float(shown)


def _base(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else Money.rounded(amount, currency).plain()


def _candidate_json(c: CandidateScore, rep: EvaluationReport) -> dict[str, Any]:
    q = c.quote
    return {
        "name": c.name, "weighted_total": _num(c.result.weighted_total),
        "spread": _num(c.result.spread),
        "annual_cost_base": _base(c.annual_cost_base, rep.base_currency),
        "scores": {r.key: _num(r.mean) for r in c.result.criteria},
        "tool_id": c.tool_id, "vendor": c.vendor, "chosen": c.chosen,
        "left_out": list(c.result.left_out),
        "evaluators": {e: _num(v) for e, v in c.result.evaluator_totals.items()},
        "criteria": {r.key: {"mean": _num(r.mean), "count": r.count, "low": r.low,
                             "high": r.high, "spread": r.spread}
                     for r in c.result.criteria},
        "quote": None if q is None else {
            "plan": q.plan, "pricing": q.pricing, "unit_price": q.unit_price.plain(),
            "currency": q.unit_price.currency, "seats": q.seats,
            "billing_months": q.billing_months, "annual_cost": q.annual_cost.plain()},
        "missing_rate": c.missing_rate,
    }


def _report(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rep = evaluations.report(ctx, args.request_id, args.as_of)
    if args.json:
        d = rep.decision
        print_json({
            "request_id": rep.request_id, "title": rep.title, "status": rep.status,
            "as_of": rep.as_of.isoformat(), "base_currency": rep.base_currency,
            "criteria": [{"key": c.key, "label": c.label, "weight": c.weight}
                         for c in rep.criteria],
            "candidates": [_candidate_json(c, rep) for c in rep.candidates],
            "decision": None if d is None else {
                "candidate": d.candidate, "rationale": d.rationale,
                "decided_by": d.decided_by, "decided_at": d.decided_at.isoformat(),
                "tool_id": d.tool_id, "term_id": d.term_id},
        })
        return 0
    print(f"request {rep.request_id}: {rep.title} ({rep.status})")
    print("weights: " + ", ".join(f"{c.key} {c.weight}" for c in rep.criteria))
    if not rep.candidates:
        print(f"no candidates yet: `stackadmin evaluate add {rep.request_id} --candidate NAME`")
        return 0
    keys = [c.key for c in rep.criteria]
    base = rep.base_currency
    print_table(["candidate", *keys, "total", "spread", f"annual {base}"],
                [(c.name + (" *" if c.chosen else ""),
                  *[_text(c.result.mean(k)) for k in keys], _text(c.result.weighted_total),
                  _text(c.result.spread),
                  _base(c.annual_cost_base, base) or (
                      f"no {c.missing_rate} rate" if c.missing_rate else "no quote"))
                 for c in rep.candidates])
    for c in rep.candidates:
        if c.result.left_out and c.result.weighted_total is not None:
            print(f"{c.name}: nobody scored {', '.join(c.result.left_out)}; left out, the "
                  "other weights rescaled to make up the total")
    if rep.decision is not None:
        print(f"decided: {rep.decision.candidate} ({rep.decision.rationale})")
    return 0


def _text(value: Decimal | None) -> str:
    shown = rounded(value)
    return "-" if shown is None else str(shown)


def _decide(args: argparse.Namespace) -> int:
    term: dict[str, Any] = {}
    if args.start is not None:
        term["term_start"] = args.start
    if args.renewal is not None:
        term["renewal_date"] = args.renewal
    elif args.start is not None:
        from dateutil.relativedelta import relativedelta

        term["renewal_date"] = args.start + relativedelta(years=1)
    tool = {"owner_email": args.owner} if args.owner else None
    with opened(args) as ctx:
        done = purchase.decide(ctx, args.request_id, args.candidate, args.rationale,
                               tool=tool, term=term or None)
    made = "created tool" if done.created_tool else "tool"
    term_text = (f" and its first term (id {done.term_id})" if done.created_tool and
                 done.term_id else f", new term id {done.term_id}" if done.term_id else "")
    print(f"request {done.request_id}: chose {done.candidate}; {made} {done.tool} "
          f"(id {done.tool_id}){term_text}; the request is purchased")
    return 0
