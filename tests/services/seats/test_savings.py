"""The Savings and Tools pages' data: groups add up to the savings, missing rates are said in
words, due briefs agree with rightsizing_brief, the directory lines match the reconciliation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.services.overview.tools import due_terms, tool_lines, with_utilization
from stackadmin.services.seats import savings, utilization
from stackadmin.services.seats.reconcile import reconcile
from stackadmin.services.seats.rightsizing import rightsizing_brief
from stackadmin.store.models import ExchangeRate, SubscriptionTerm


@pytest.fixture
def demo(ctx: ServiceContext) -> ServiceContext:
    load_demo(ctx, "small")
    return ctx


def test_the_groups_from_the_figures_are_the_groups_of_the_seats(demo: ServiceContext
                                                                 ) -> None:
    """The page shows the groups before the seats are read: the same lines, same order."""
    report = utilization.compute(demo)
    assert savings.groups_from_figures(report) == savings.groups_of(report, report.unused)
    summary = savings.savings_summary(demo, report=report)
    full = savings.savings_view(demo, report=report)
    assert summary.groups == full.groups and summary.seats == [] and len(full.seats) > 10
    assert (summary.seats_unused, summary.seats_unassigned, summary.seats_exempt,
            summary.total_savings_base) == (full.seats_unused, full.seats_unassigned,
                                            full.seats_exempt, full.total_savings_base)


def test_groups_add_up_to_each_tools_savings_and_the_total(demo: ServiceContext) -> None:
    view = savings.savings_view(demo)
    report = utilization.compute(demo)
    assert view.total_savings_base == report.total_savings_base > 0
    assert {s.account_id for s in view.unused} == {s.account_id for s in report.unused}
    for fig in report.tools:
        mine = [g for g in view.groups if g.tool_id == fig.tool_id]
        assert sum(g.seats for g in mine) == fig.seats_unused + (fig.seats_unassigned or 0)
        cost = sum((g.annual_cost_base or Decimal(0) for g in mine), Decimal(0))
        assert cost.quantize(Decimal("0.000001")) == (
            fig.potential_savings_base or Decimal(0)).quantize(Decimal("0.000001"))
    counts = Counter((s.tool_id, s.reason.value) for s in report.unused if s.reason)
    assert {(g.tool_id, g.reason): g.seats for g in view.groups
            if g.reason != savings.UNASSIGNED} == dict(counts)


def test_seats_are_grouped_by_tool_then_reason_in_the_rules_order(demo: ServiceContext) -> None:
    view = savings.savings_view(demo)
    keys = [(s.tool.casefold(), savings.REASON_ORDER.index(savings.seat_reason(s)))
            for s in view.unused]
    assert keys == sorted(keys)
    assert view.missing_notes == ()


def test_a_missing_rate_is_a_sentence_naming_the_tools(demo: ServiceContext) -> None:
    with demo.transaction() as session:
        session.execute(delete(ExchangeRate).where(ExchangeRate.currency == "GBP"))
    view = savings.savings_view(demo)
    report = utilization.compute(demo)
    gbp = sorted(t.tool for t in report.tools if "GBP" in t.missing_rates)
    assert gbp
    count = "1 tool" if len(gbp) == 1 else f"{len(gbp)} tools"
    assert view.missing_notes == (
        f"GBP has no rate to USD: the costs of {count} ({', '.join(gbp)}) are not counted "
        "in the savings. Add the rate in Settings.",)
    assert set(view.tool_missing.values()) == {("GBP",)}
    for g in view.groups:
        if g.tool in gbp:
            assert g.annual_cost_base is None and g.missing_rates == ("GBP",)


def test_due_terms_are_exactly_the_terms_whose_brief_is_due(demo: ServiceContext) -> None:
    report = utilization.compute(demo)
    due = due_terms(demo, report)
    flagged = {d.term_id for terms in due.values() for d in terms}
    with demo.read() as session:
        active = list(session.scalars(select(SubscriptionTerm.id).where(
            SubscriptionTerm.status == "active")))
    expected = {i for i in active if rightsizing_brief(demo, i).due}
    assert flagged == expected and flagged
    for terms in due.values():
        for d in terms:
            brief = rightsizing_brief(demo, d.term_id)
            assert (d.recommended_seats, d.seats_active, d.seats_purchased, d.cancel_by) == (
                brief.recommended_seats, brief.seats_active, brief.seats_purchased,
                brief.cancel_by)
            assert d.seat_change == brief.seat_change


def test_with_utilization_fills_each_tool_line(demo: ServiceContext) -> None:
    lines = with_utilization(demo, tool_lines(demo))
    report = utilization.compute(demo)
    figures = {t.tool_id: t for t in report.tools}
    assert [line.utilization for line in lines] == [figures[line.tool.id] for line in lines]
    assert any(line.rightsizing for line in lines)


def test_directory_lines_follow_the_reconciliation(demo: ServiceContext) -> None:
    view = savings.directory_view(demo)
    report = reconcile(demo)
    assert view.unknown_users == len(report.unknown_users)
    assert view.departed_people == len(report.departed_holders)
    assert view.departed_seats == sum(len(h.accounts) for h in report.departed_holders) > 0
    departed = [line for line in view.lines if line.finding == savings.DEPARTED_HOLDER]
    assert {line.account_id for line in departed} == {
        a.account_id for h in report.departed_holders for a in h.accounts}
    assert all(line.person_id is not None for line in departed)
