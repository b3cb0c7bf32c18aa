"""Requests (what is already paid for, statuses and their history) and overlaps with the
consolidation saving, on the hand-built whiteboards inventory."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.buying import overlaps, requests, tags
from stackadmin.services.buying.paid import paid_tools
from stackadmin.services.context import ServiceContext
from stackadmin.services.seats import utilization
from tests.conftest import TODAY
from tests.services.buying.helpers import email, whiteboards


@pytest.fixture
def ids(ctx: ServiceContext) -> dict[str, int]:
    return whiteboards(ctx)


def test_paid_tools_use_the_seat_figures(ctx: ServiceContext, ids: dict[str, int]) -> None:
    paid = {t.tool: t for t in paid_tools(ctx).tools}
    assert set(paid) == {"Miro", "FigJam", "Mural", "Zoom"}  # Whimsical's term ended
    figures = {f.tool: f for f in utilization.compute(ctx).tools}
    miro = paid["Miro"]
    assert (miro.seats_purchased, miro.seats_active) == (10, 4)
    # Gus's inactive seat plus the five seats nobody holds.
    assert miro.seats_unused == figures["Miro"].seats_unused + figures["Miro"].seats_unassigned
    assert miro.seats_unused == 6
    assert miro.annual_cost_base == Decimal(1200) and miro.price_per_seat_base == 120
    assert paid["Mural"].annual_cost_base == Decimal("528.00")
    assert miro.sentence() == "Miro (Design) is paid for: 10 seats, 6 unused"
    # Hank left: his recent FigJam use does not make him active.
    assert paid["FigJam"].seats_active == 3


def test_a_request_shows_what_is_already_paid_for(ctx: ServiceContext,
                                                 ids: dict[str, int]) -> None:
    by_tag = requests.create_request(ctx, "A whiteboard for workshops", email("ada"),
                                     category="Whiteboard", urgency="high", team="Growth")
    shown = requests.get_request(ctx, by_tag.id)
    assert shown.status == "new" and shown.urgency == "high"
    assert [t.tool for t in shown.already_paid] == ["Miro", "FigJam", "Mural"]  # most unused
    by_category = requests.create_request(ctx, "Design tooling", email("bob"),
                                          category="design")
    assert {t.tool for t in requests.get_request(ctx, by_category.id).already_paid} == {
        "Miro", "FigJam"}
    named = requests.create_request(ctx, "Zoom for the sales team", email("bob"), tool="zoom")
    assert named.tool_name == "Zoom" and named.tool_id == ids["Zoom"]
    assert requests.get_request(ctx, named.id).paid_sentences() == [
        "Zoom (Communication) is paid for: 4 seats, 3 unused"]
    new_name = requests.create_request(ctx, "Loom for async demos", email("bob"), tool="Loom")
    assert new_name.tool_id is None and not requests.get_request(ctx, new_name.id).already_paid
    # Whimsical is tagged whiteboard but nothing is paid for it any more.
    assert "Whimsical" not in {t.tool for r in requests.list_requests(ctx)
                               for t in r.already_paid}


def test_a_request_needs_a_known_requester_and_a_title(ctx: ServiceContext,
                                                       ids: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match="no one in the people list has the email zed@"):
        requests.create_request(ctx, "Something", "zed@example.com")
    with pytest.raises(ValidationError) as info:
        requests.create_request(ctx, " ", "not-an-email", urgency="asap")
    assert len(info.value.problems) == 3
    assert requests.list_requests(ctx) == []


def test_statuses_move_as_allowed_and_the_history_is_the_audit_trail(
        ctx: ServiceContext, ids: dict[str, int]) -> None:
    first = requests.create_request(ctx, "Whiteboard", email("ada"), category="whiteboard")
    second = requests.create_request(ctx, "Whiteboard too", email("bob"))
    requests.set_status(ctx, first.id, "triaged")
    with pytest.raises(ValidationError, match="rejection needs a reason"):
        requests.set_status(ctx, first.id, "rejected")
    with pytest.raises(ValidationError, match="not purchased"):
        requests.set_status(ctx, second.id, "purchased", tool="Miro")
    with pytest.raises(ValidationError, match="--duplicate-of"):
        requests.set_status(ctx, second.id, "duplicate")
    with pytest.raises(NotFoundError, match="no request with id 99"):
        requests.set_status(ctx, second.id, "duplicate", duplicate_of=99)
    dup = requests.set_status(ctx, second.id, "duplicate", duplicate_of=first.id)
    assert dup.status == "duplicate" and dup.duplicate_of_id == first.id
    third = requests.create_request(ctx, "Whiteboard again", email("chloe"))
    with pytest.raises(ValidationError, match="itself a duplicate of request"):
        requests.set_status(ctx, third.id, "duplicate", duplicate_of=second.id)
    rejected = requests.set_status(ctx, first.id, "rejected", reason="Miro has 6 unused seats")
    assert rejected.status_reason == "Miro has 6 unused seats"
    reopened = requests.set_status(ctx, first.id, "triaged")
    assert reopened.status_reason is None
    requests.set_status(ctx, first.id, "approved")
    with pytest.raises(NotFoundError, match="no tool named 'Mirro'"):
        requests.set_status(ctx, first.id, "purchased", tool="Mirro")
    done = requests.set_status(ctx, first.id, "purchased", tool="miro")
    assert done.purchased_tool == "Miro" and done.purchased_term_id is not None
    with pytest.raises(ValidationError, match="final"):
        requests.set_status(ctx, first.id, "new")
    view = requests.request_view(ctx, first.id)
    assert [e.summary for e in view.history] == [
        f"request {first.id} raised by ada@example.com: Whiteboard",
        f"request {first.id}: new → triaged",
        f"request {first.id}: triaged → rejected (Miro has 6 unused seats)",
        f"request {first.id}: rejected → triaged",
        f"request {first.id}: triaged → approved",
        f"request {first.id}: approved → purchased",
    ]
    assert view.history[2].changes == {"status": ["triaged", "rejected"],
                                       "status_reason": [None, "Miro has 6 unused seats"]}
    assert [d.id for d in view.duplicates] == [second.id]
    assert [r.id for r in requests.list_requests(ctx, statuses=["duplicate"])] == [second.id]
    assert requests.count_open(ctx) == {"new": 1}


def test_overlaps_and_the_consolidation_saving(ctx: ServiceContext, ids: dict[str, int]) -> None:
    rep = overlaps.overlaps(ctx)
    found = {tuple(o.names): o for o in rep.overlaps}
    assert set(found) == {("Miro", "FigJam", "Mural"), ("Miro", "FigJam")}
    boards = found[("Miro", "FigJam", "Mural")]
    assert boards.shared == ["whiteboard"]
    assert boards.annual_cost_base == Decimal(1200) + Decimal(480) + Decimal("528")
    assert boards.people_in_several == ("Chloe", "Dmitri")
    # Elif (FigJam) and Farah (Mural) move to Miro, which pays for 6 seats nobody uses
    # (Gus's, idle 100 days, and 5 unassigned): no seat to buy, 480 + 528 saved.
    assert boards.target == "Miro" and (boards.movers, boards.extra_seats) == (2, 0)
    assert boards.saving_base == Decimal("1008.00")
    design = found[("Miro", "FigJam")]
    assert design.shared == ["Design", "whiteboard"]
    assert design.saving_base == Decimal(480)
    assert rep.overlaps[0] is boards  # the bigger saving first


def test_an_overlap_with_a_missing_rate_has_no_saving_and_says_why(
        ctx: ServiceContext, ids: dict[str, int]) -> None:
    as_of = TODAY - timedelta(days=40)  # before the EUR rate was recorded
    boards = next(o for o in overlaps.overlaps(ctx, as_of).overlaps if "Mural" in o.names)
    assert boards.annual_cost_base is None and boards.saving_base is None
    assert boards.missing_rates == ("EUR",)


def test_tags_are_clean_and_set_exactly(ctx: ServiceContext, ids: dict[str, int]) -> None:
    row = tags.set_tags(ctx, "zoom", ["Video  Calls", "video calls, Webinars"])
    assert row.tags == ("video calls", "webinars")
    assert tags.set_tags(ctx, "Zoom", []).tags == ()
    with pytest.raises(ValidationError, match="formula"):
        tags.set_tags(ctx, "Zoom", ["=cmd"])
    with pytest.raises(NotFoundError):
        tags.set_tags(ctx, "Nope", ["x"])
    listed = {t.tool: t.tags for t in tags.list_tags(ctx)}
    assert listed["Miro"] == ("whiteboard",) and listed["Zoom"] == ()


def test_the_brief_sentence_for_a_term_in_an_overlap(ctx: ServiceContext,
                                                    ids: dict[str, int]) -> None:
    from stackadmin.services.inventory.terms import list_terms

    term = {t.tool: t.id for t in list_terms(ctx)}
    assert overlaps.overlap_sentence(ctx, term["Miro"]) == (
        "Miro renews in 265 days; 2 of its 4 active users also use FigJam")
    assert overlaps.overlap_sentence(ctx, term["FigJam"]) == (
        "FigJam renews in 265 days; 2 of its 3 active users also use Miro")
    assert overlaps.overlap_sentence(ctx, term["Mural"]) == (
        "Mural renews in 265 days; it overlaps FigJam, Miro, but none of its 1 active users "
        "uses them")
    assert overlaps.overlap_sentence(ctx, term["Zoom"]) is None
    assert overlaps.overlap_sentence(ctx, term["Whimsical"]) is None


def test_the_brief_sentence_names_the_three_closest_overlaps() -> None:
    from stackadmin.services.buying.paid import PaidTool

    def tool(name: str, *people: str) -> PaidTool:
        return PaidTool(0, name, "Design", (), 10, len(people), 0, Decimal(0), Decimal(0), (),
                        frozenset(people))

    mine = tool("Miro", "a", "b", "c", "d")
    others = [tool("A", "a", "b", "c"), tool("B", "a", "b"), tool("C", "a"), tool("D", "d"),
              tool("E", "x")]
    assert overlaps.sentence(mine, others, 40) == (
        "Miro renews in 40 days; 3 of its 4 active users also use A, 2 also use B, 1 also "
        "uses C (and 1 more tool it overlaps)")
    assert overlaps.sentence(mine, others[:1], 1).startswith("Miro renews tomorrow; 3 of")
    assert overlaps.sentence(mine, others[:1], None).startswith("Miro has no renewal date")
