"""Feedback typed in and reported: averages per round, the trend across rounds, the cost."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.buying import feedback
from stackadmin.services.context import ServiceContext
from tests.conftest import TODAY
from tests.services.buying.helpers import email, rated_tools


@pytest.fixture
def two_rounds(ctx: ServiceContext) -> ServiceContext:
    rated_tools(ctx)
    h1 = TODAY - timedelta(days=180)
    for who, tool, score in (("ada", "Jira", 4), ("bob", "Jira", 3), ("ada", "Slack", 5),
                             ("chloe", "Figma", 4)):
        feedback.add_feedback(ctx, "2026 H1", tool, email(who), score, held_on=h1)
    for who, tool, score, note in (("ada", "Jira", 2, "slow"), ("bob", "Jira", 1, None),
                                   ("chloe", "Jira", 3, None), ("ada", "Slack", 4, None),
                                   ("dmitri", "Zoom", 5, "great")):
        feedback.add_feedback(ctx, "2026 H2", tool, email(who), score, note)
    return ctx


def test_the_report_gives_each_tools_average_trend_and_cost(two_rounds: ServiceContext
                                                            ) -> None:
    rep = feedback.report(two_rounds)
    assert rep.round is not None and rep.round.name == "2026 H2"  # the newest by default
    assert [r.name for r in rep.rounds] == ["2026 H1", "2026 H2"]
    assert [t.tool for t in rep.tools] == ["Jira", "Slack", "Zoom"]  # lowest first
    jira = rep.tools[0]
    assert jira.average == Decimal(2) and jira.responses == 3 and jira.low_scores == 2
    assert [(r.round, r.average) for r in jira.trend] == [("2026 H1", Decimal("3.5")),
                                                          ("2026 H2", Decimal(2))]
    assert jira.change == Decimal("-1.5") and jira.previous_average == Decimal("3.5")
    # 8.15 a seat a month × 12 seats × 12.
    assert jira.annual_cost_base == Decimal("1173.60")
    assert [c.comment for c in jira.comments] == [None, "slow", None]  # lowest scores first
    zoom = rep.tools[2]
    assert zoom.change is None and len(zoom.trend) == 1
    h1 = feedback.report(two_rounds, "2026 h1")
    figma = next(t for t in h1.tools if t.tool == "Figma")
    assert figma.annual_cost_base is None  # EUR without a rate: unknown, not zero
    assert [t.tool for t in feedback.lowest_rated(two_rounds, limit=1).tools] == ["Jira"]


def test_typed_in_feedback_replaces_the_persons_earlier_answer(two_rounds: ServiceContext
                                                               ) -> None:
    feedback.add_feedback(two_rounds, "2026 H2", "jira", email("bob"), "4", "better now")
    jira = feedback.report(two_rounds).tools[0]
    assert jira.responses == 3 and jira.average == Decimal(3)
    with pytest.raises(ValidationError, match="from 1 to 5, got 6"):
        feedback.add_feedback(two_rounds, "2026 H2", "Jira", email("bob"), 6)
    with pytest.raises(NotFoundError, match="no tool named"):
        feedback.add_feedback(two_rounds, "2026 H2", "Jiraa", email("bob"), 3)
    with pytest.raises(NotFoundError, match="no feedback round named 'H3'"):
        feedback.report(two_rounds, "H3")


def test_a_tools_own_feedback_for_its_page(two_rounds: ServiceContext) -> None:
    from stackadmin.services.inventory.tools import tool_by_name

    jira = feedback.tool_feedback(two_rounds, tool_by_name(two_rounds, "Jira").id)
    assert [r.average for r in jira.trend] == [Decimal("3.5"), Decimal(2)]
    assert jira.latest is not None and jira.latest.responses == 3 and jira.rounds == 2
    figma = feedback.tool_feedback(two_rounds, tool_by_name(two_rounds, "Figma").id)
    assert figma.latest is not None and figma.latest.round == "2026 H1"


def test_no_feedback_yet(ctx: ServiceContext) -> None:
    rep = feedback.report(ctx)
    assert rep.round is None and rep.tools == [] and rep.rounds == []
