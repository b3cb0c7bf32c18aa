"""A tool's terms over time: price and seats of each term and the change at each renewal,
and the decisions taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stackadmin.domain.money import Money
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import terms, tools
from stackadmin.services.renewals.history import tool_decisions, tool_history
from stackadmin.services.renewals.reminders import decide


def test_each_renewal_shows_what_changed(ctx: ServiceContext) -> None:
    figma = tools.create_tool(ctx, name="Figma").id
    first = terms.create_term(ctx, tool_id=figma, plan="Org", currency="USD",
                              unit_price="40", seats=20, billing_period="monthly",
                              term_start=date(2024, 1, 1), renewal_date=date(2025, 1, 1))
    second = terms.renew_term(ctx, first.id, unit_price="45", seats=25)
    third = terms.renew_term(ctx, second.id, seats=22)
    undated = terms.create_term(ctx, tool_id=figma, plan="FigJam", currency="EUR",
                                unit_price="1200", pricing="flat")
    history = tool_history(ctx, figma)
    assert [s.term.id for s in history.terms] == [first.id, second.id, third.id, undated.id]
    one, two, three, flat = history.terms
    assert (one.previous_id, one.seat_change, one.price_change) == (None, None, None)
    assert one.annual_price == Money.from_decimal("480", "USD")  # 40 a month, a seat a year
    assert one.annual_cost == Money.from_decimal("9600", "USD")
    assert (two.previous_id, two.seat_change) == (first.id, 5)
    assert two.price_change == Money.from_decimal("60", "USD")
    assert two.price_change_pct == Decimal("12.5")
    assert (three.seat_change, three.price_change_pct) == (-3, Decimal("0.0"))
    assert flat.previous_id is None and flat.annual_price == Money.from_decimal("1200", "EUR")


def test_terms_imported_without_the_link_follow_the_same_plan(ctx: ServiceContext) -> None:
    slack = tools.create_tool(ctx, name="Slack").id
    terms.create_term(ctx, tool_id=slack, plan="Pro", currency="USD", unit_price="8",
                      seats=10, term_start=date(2025, 1, 1), renewal_date=date(2026, 1, 1),
                      status="renewed")
    terms.create_term(ctx, tool_id=slack, plan="Enterprise", currency="USD", unit_price="15",
                      seats=3, term_start=date(2025, 6, 1), renewal_date=date(2026, 6, 1))
    later = terms.create_term(ctx, tool_id=slack, plan="Pro", currency="GBP", unit_price="7",
                              seats=12, term_start=date(2026, 1, 1),
                              renewal_date=date(2027, 1, 1))
    step = next(s for s in tool_history(ctx, slack).terms if s.term.id == later.id)
    assert step.seat_change == 2
    assert step.price_change is None and step.price_change_pct is None  # another currency


def test_decisions_are_listed_latest_renewal_first(ctx: ServiceContext) -> None:
    zoom = tools.create_tool(ctx, name="Zoom").id
    term = terms.create_term(ctx, tool_id=zoom, plan="Business", currency="USD",
                             unit_price="13", seats=5, term_start=date(2026, 1, 1),
                             renewal_date=date(2027, 1, 1))
    decide(ctx, term.id, "renegotiate", note="ask for 20 % off")
    found = tool_decisions(ctx, zoom)
    assert [(d.term_id, d.plan, d.decision, d.note) for d in found] == [
        (term.id, "Business", "renegotiate", "ask for 20 % off")]
    assert found[0].renewal_date == date(2027, 1, 1) and found[0].decided_by
    assert tool_history(ctx, zoom).decisions == found


def test_a_term_that_renews_by_itself_shows_the_renewal_in_play(ctx: ServiceContext) -> None:
    """Recorded as renewing on 28 Feb 2025 (started on a leap day), it has renewed by itself
    since: its page says when it renews next, as the Renewals page does, not a date past."""
    from dataclasses import replace

    from stackadmin.services.renewals.listing import list_renewals

    day = date(2026, 11, 30)
    on_day = replace(ctx, today=lambda: day)
    tool = tools.create_tool(ctx, name="Miro").id
    rolling = terms.create_term(ctx, tool_id=tool, plan="Business", currency="USD",
                                unit_price="10", seats=5, term_start=date(2024, 2, 29),
                                renewal_date=date(2025, 2, 28), auto_renew=True)
    ended = terms.create_term(ctx, tool_id=tool, plan="Starter", currency="USD",
                              unit_price="5", seats=5, term_start=date(2024, 1, 1),
                              renewal_date=date(2025, 1, 1), auto_renew=False)
    steps = {s.term.id: s for s in tool_history(on_day, tool).terms}
    renewals = {r.term_id: r for r in list_renewals(on_day, with_seats=False)}
    assert steps[rolling.id].renews == renewals[rolling.id].renewal_date == date(2027, 2, 28)
    assert steps[rolling.id].rolled
    assert steps[ended.id].renews == date(2025, 1, 1) and not steps[ended.id].rolled
