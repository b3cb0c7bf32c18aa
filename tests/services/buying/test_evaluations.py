"""Evaluations: candidates, quotes, weights, scores and the comparison; the decision that
creates exactly one tool and its first term from the quote, in one transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.audit import list_events
from stackadmin.services.buying import evaluations, purchase, requests
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.store.models import (
    EvaluationScore,
    SubscriptionTerm,
    Tool,
    ToolRequest,
    ToolTag,
)
from tests.conftest import TODAY
from tests.services.buying.helpers import email, whiteboards


@pytest.fixture
def request_id(ctx: ServiceContext) -> int:
    whiteboards(ctx)
    row = requests.create_request(ctx, "A whiteboard for remote workshops", email("ada"),
                                  category="whiteboard")
    evaluations.add_candidates(ctx, row.id, ["miro", "Excalidraw+"], vendor=None)
    evaluations.add_candidates(ctx, row.id, ["Tldraw Pro"], vendor="tldraw Inc.")
    return row.id


def _counts(ctx: ServiceContext) -> tuple[int, int, int]:
    with ctx.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (Tool, SubscriptionTerm, EvaluationScore))


def test_candidates_existing_tools_and_new_names(ctx: ServiceContext, request_id: int) -> None:
    rep = evaluations.report(ctx, request_id)
    names = {c.name: c for c in rep.candidates}
    assert set(names) == {"Miro", "Excalidraw+", "Tldraw Pro"}  # as the inventory spells it
    assert names["Miro"].tool_id is not None and names["Excalidraw+"].tool_id is None
    assert names["Tldraw Pro"].vendor == "tldraw Inc."
    assert rep.status == "evaluating"  # adding candidates moved the request on
    assert [c.key for c in rep.criteria] == ["fit", "adoption", "integrations", "security",
                                             "price", "viability"]
    with pytest.raises(ValidationError, match="MIRO is a candidate already"):
        evaluations.add_candidates(ctx, request_id, ["MIRO"])
    with pytest.raises(ValidationError, match="named twice"):
        evaluations.add_candidates(ctx, request_id, ["A", "a"])


def test_scores_are_checked_before_anything_is_written(ctx: ServiceContext,
                                                       request_id: int) -> None:
    before = _counts(ctx)
    with pytest.raises(ValidationError) as info:
        evaluations.score(ctx, request_id, "Miro", email("bob"),
                          {"fit": "4", "security": "7", "speed": "3", "price": "x"})
    assert info.value.problems == [
        "security: a score must be from 1 to 5, got 7",
        "'speed' is not a criterion of this evaluation (criteria: fit, adoption, "
        "integrations, security, price, viability)",
        "price: a score must be a whole number from 1 to 5, got 'x'",
    ]
    with pytest.raises(ValidationError, match="no one in the people list"):
        evaluations.score(ctx, request_id, "Miro", "stranger@example.com", {"fit": "4"})
    with pytest.raises(NotFoundError, match="'Mural' is not a candidate"):
        evaluations.score(ctx, request_id, "Mural", email("bob"), {"fit": "4"})
    assert _counts(ctx) == before


def test_the_comparison_matches_hand_computed_figures(ctx: ServiceContext,
                                                      request_id: int) -> None:
    evaluations.score(ctx, request_id, "Miro", email("ada"), dict(
        fit=4, adoption=5, integrations=3, price=2, viability=5), note="first look")
    evaluations.score(ctx, request_id, "Miro", email("bob"), dict(
        fit=2, adoption=3, integrations=3, price=4, viability=3))
    evaluations.score(ctx, request_id, "Excalidraw+", email("bob"), {"fit": 5, "security": 3})
    # Re-scoring replaces Bob's earlier score, it does not add one.
    assert evaluations.score(ctx, request_id, "Excalidraw+", email("bob"), {"fit": 4}) == 1
    assert evaluations.score(ctx, request_id, "Excalidraw+", email("bob"), {"fit": 4}) == 0
    evaluations.set_quote(ctx, request_id, "Excalidraw+", unit_price="6.00", currency="EUR",
                          seats=20, billing_period="monthly")
    evaluations.set_quote(ctx, request_id, "Tldraw Pro", unit_price="100000", currency="JPY",
                          pricing="flat", billing_period="annual")
    rep = evaluations.report(ctx, request_id)
    miro, excal, tldraw = (rep.candidate(n) for n in ("Miro", "Excalidraw+", "Tldraw Pro"))
    # Security unscored for Miro: 280 / 85; Ada 320/85 and Bob 240/85, 80/85 apart.
    assert miro.result.weighted_total == Decimal(280) / Decimal(85)
    assert miro.result.left_out == ("security",)
    assert miro.result.spread == Decimal(80) / Decimal(85)
    assert miro.result.mean("fit") == 3
    # Excalidraw+: (30 × 4 + 15 × 3) / 45; one evaluator, no spread.
    assert excal.result.weighted_total == Decimal(165) / Decimal(45)
    assert excal.result.spread == 0
    assert [c.name for c in rep.candidates] == ["Excalidraw+", "Miro", "Tldraw Pro"]
    # EUR 6.00 × 20 seats × 12 months × 1.10 = 1,584 USD a year.
    assert excal.quote is not None and excal.quote.annual_cost.plain() == "1440.00"
    assert excal.annual_cost_base == Decimal("1584.0000")
    # No JPY rate: unknown, not zero.
    assert tldraw.annual_cost_base is None and tldraw.missing_rate == "JPY"
    assert miro.quote is None and miro.annual_cost_base is None
    assert rep.evaluators == ("ada@example.com", "bob@example.com")
    assert any(s.note == "first look" for s in miro.scores)


def test_quotes_follow_the_money_rules(ctx: ServiceContext, request_id: int) -> None:
    with pytest.raises(ValidationError, match="more decimals than JPY"):
        evaluations.set_quote(ctx, request_id, "Miro", unit_price="10.5", currency="JPY",
                              seats=3)
    with pytest.raises(ValidationError, match="needs its seat count"):
        evaluations.set_quote(ctx, request_id, "Miro", unit_price="10", currency="USD")
    with pytest.raises(ValidationError) as info:
        evaluations.set_quote(ctx, request_id, "Miro", unit_price="-1", currency="EURO",
                              seats="-3", billing_period="fortnightly")
    assert len(info.value.problems) == 3


def test_weights_can_change_and_must_still_add_up_to_100(ctx: ServiceContext,
                                                         request_id: int) -> None:
    with pytest.raises(ValidationError, match="add up to 100, not 110"):
        evaluations.set_weights(ctx, request_id, {"fit": "40"})
    criteria = evaluations.set_weights(ctx, request_id, {
        "fit": "25", "support_quality": "5"})
    assert [(c.key, c.weight) for c in criteria][-1] == ("support_quality", 5)
    assert sum(c.weight for c in criteria) == 100
    evaluations.score(ctx, request_id, "Miro", email("ada"), {"support_quality": 2})


def _decide_ready(ctx: ServiceContext, request_id: int) -> None:
    evaluations.set_quote(ctx, request_id, "Excalidraw+", unit_price="6.50", currency="EUR",
                          seats=25, billing_period="monthly", plan="Team",
                          vendor="Excalidraw GmbH")
    evaluations.score(ctx, request_id, "Excalidraw+", email("ada"), {"fit": 5})


def test_a_decision_creates_exactly_one_tool_and_its_first_term_from_the_quote(
        ctx: ServiceContext, request_id: int) -> None:
    _decide_ready(ctx, request_id)
    tools, terms, _ = _counts(ctx)
    done = purchase.decide(ctx, request_id, "excalidraw+", "Best fit; cheapest per seat")
    assert _counts(ctx)[:2] == (tools + 1, terms + 1)
    assert done.created_tool and done.tool == "Excalidraw+" and done.term_id is not None
    with ctx.read() as s:
        tool = s.get(Tool, done.tool_id)
        term = s.get(SubscriptionTerm, done.term_id)
        req = s.get(ToolRequest, request_id)
        tag = s.scalars(select(ToolTag.tag).where(ToolTag.tool_id == done.tool_id)).all()
        assert tool is not None and term is not None and req is not None
        assert tool.vendor is not None and tool.vendor.name == "Excalidraw GmbH"
        assert tool.category is None and tag == ["whiteboard"]  # the request named a tag
        assert (term.pricing, term.unit_price_minor, term.currency, term.seats,
                term.billing_months, term.plan) == ("per_seat", 650, "EUR", 25, 1, "Team")
        assert (term.term_start, term.renewal_date) == (TODAY, date(2027, 11, 25))
        assert (req.status, req.purchased_tool_id, req.purchased_term_id) == (
            "purchased", done.tool_id, done.term_id)
        assert req.status_reason == "Best fit; cheapest per seat"
    rep = evaluations.report(ctx, request_id)
    assert rep.decision is not None and rep.decision.candidate == "Excalidraw+"
    assert rep.candidate("Excalidraw+").chosen
    actions = [(e.entity, e.action) for e in list_events(ctx, limit=6)]
    assert ("tool", "create") in actions and ("subscription_term", "create") in actions
    assert ("evaluation", "decide") in actions and ("tool_request", "status") in actions
    with pytest.raises(ValidationError, match="was decided"):
        purchase.decide(ctx, request_id, "Miro", "changed our mind")
    with pytest.raises(ValidationError, match="was decided"):
        evaluations.score(ctx, request_id, "Miro", email("ada"), {"fit": 1})


def test_choosing_a_tool_already_in_the_inventory_adds_a_term_not_a_tool(
        ctx: ServiceContext, request_id: int) -> None:
    evaluations.set_quote(ctx, request_id, "Miro", unit_price="9.00", currency="USD",
                          seats=5, billing_period="monthly", plan="Workshops")
    tools, terms, _ = _counts(ctx)
    done = purchase.decide(ctx, request_id, "Miro", "Five more seats on the plan we have",
                           term={"term_start": date(2026, 12, 1),
                                 "renewal_date": date(2027, 12, 1)})
    assert not done.created_tool and done.tool == "Miro"
    assert _counts(ctx)[:2] == (tools, terms + 1)


def test_a_new_name_without_a_quote_cannot_be_bought_and_nothing_changes(
        ctx: ServiceContext, request_id: int) -> None:
    before = _counts(ctx)
    with pytest.raises(ValidationError, match="Tldraw Pro has no quote"):
        purchase.decide(ctx, request_id, "Tldraw Pro", "looks nice")
    assert _counts(ctx) == before
    assert requests.get_request(ctx, request_id).status == "evaluating"


def test_a_failure_half_way_leaves_no_tool_behind(ctx: ServiceContext, request_id: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _decide_ready(ctx, request_id)
    before = _counts(ctx)

    def broken_term(*_args: Any, **_kwargs: Any) -> None:
        raise ValidationError("the disk is full")

    monkeypatch.setattr(purchase, "add_term", broken_term)
    with pytest.raises(ValidationError, match="disk is full"):
        purchase.decide(ctx, request_id, "Excalidraw+", "go")
    assert _counts(ctx) == before
    assert requests.get_request(ctx, request_id).status == "evaluating"
    assert evaluations.report(ctx, request_id).decision is None


def test_the_draft_shows_what_a_decision_would_create(ctx: ServiceContext,
                                                      request_id: int) -> None:
    _decide_ready(ctx, request_id)
    draft = purchase.purchase_draft(ctx, request_id, "Excalidraw+")
    assert draft.existing_tool_id is None and draft.tool is not None and draft.term is not None
    assert draft.tool["name"] == "Excalidraw+" and draft.tag == "whiteboard"
    assert draft.term["unit_price"] == Decimal("6.50") and draft.term["seats"] == 25
    miro = purchase.purchase_draft(ctx, request_id, "Miro")
    assert miro.tool is None and miro.term is None and miro.existing_tool_id is not None


def test_a_category_spelled_two_ways_is_picked_the_same_way_on_both_engines(
        ctx: ServiceContext, db_kind: str) -> None:
    """Two tools' categories differ only in case: the request's category takes the same
    spelling whatever the database's collation (en_US orders 'video' before 'Video', SQLite
    and the C collation the other way round)."""
    if db_kind == "postgresql":
        with ctx.transaction() as session:
            if session.scalar(select(func.count()).select_from(text(
                    "pg_collation")).where(text("collname = 'en-US-x-icu'"))):
                session.execute(text('ALTER TABLE tool ALTER COLUMN category TYPE '
                                     'varchar(120) COLLATE "en-US-x-icu"'))
    whiteboards(ctx)
    tools.create_tool(ctx, name="Zoom Rooms", category="video")
    tools.create_tool(ctx, name="Meet", category="Video")
    row = requests.create_request(ctx, "Calls", email("ada"), category="VIDEO")
    evaluations.add_candidates(ctx, row.id, ["Whereby"], vendor=None)
    evaluations.set_quote(ctx, row.id, "Whereby", unit_price="6.50", currency="EUR",
                          seats=5, billing_period="monthly")
    draft = purchase.purchase_draft(ctx, row.id, "Whereby")
    assert draft.tool is not None and draft.tool["category"] == "Video"
