"""Utilization figures from the database: per seat, per tool and in total, in the base currency."""

from __future__ import annotations

import dataclasses
import itertools
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from stackadmin.domain.utilization import SeatFacts, is_active, unused_reason
from stackadmin.domain.vocab import AccountStatus
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.services.inventory import rates, terms, tools
from stackadmin.services.inventory import settings as app_settings
from stackadmin.services.seats import actions, utilization
from stackadmin.services.seats.rightsizing import rightsizing_brief
from stackadmin.store.models import Account
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term


def _by_tool(report: utilization.UtilizationReport) -> dict[str, utilization.ToolFigures]:
    return {t.tool: t for t in report.tools}


@pytest.fixture
def two_currencies(ctx: ServiceContext) -> ServiceContext:
    """Design (EUR 10.00 a month a seat, 10 seats) and Chat (GBP 200.00 a year, 3 seats)."""
    rates.set_rate(ctx, "EUR", "1.10", TODAY - timedelta(days=30))
    rates.set_rate(ctx, "GBP", "1.25", TODAY - timedelta(days=30))
    design = tool_with_term(ctx, "Design", currency="EUR", unit_price="10.00", seats=10)
    ada = person(ctx, "ada@example.com")
    bob = person(ctx, "bob@example.com", departed_days_ago=10)
    account(ctx, design, "ada@example.com", person_id=ada, last_days=3)
    account(ctx, design, "old@example.com", last_days=61)  # inactive
    account(ctx, design, "bob@example.com", person_id=bob, last_days=2)  # departed
    account(ctx, design, "ceo@example.com", last_days=None, exempt=True,
            exempt_reason="board member")  # never active, exempt
    account(ctx, design, "gone@example.com", last_days=None, status="deprovisioned")
    chat = tool_with_term(ctx, "Chat", currency="GBP", unit_price="200.00", seats=3,
                          billing_period="annual")
    for n in range(3):
        account(ctx, chat, f"user{n}@example.com", last_days=n)
    account(ctx, chat, None, external_id="B1", is_bot=True, last_days=1)
    return ctx


def test_figures_per_tool_in_the_base_currency(two_currencies: ServiceContext) -> None:
    report = utilization.compute(two_currencies)
    design = _by_tool(report)["Design"]
    assert (design.seats_purchased, design.seats_held, design.seats_active) == (10, 4, 1)
    assert design.unused_by_reason == {"inactive": 1, "departed": 1}
    assert design.seats_unused == 2
    assert design.seats_unassigned == 6
    assert design.seats_exempt == 1
    # 10 seats × 10.00 EUR × 12 months = 1200 EUR = 1320 USD; a seat 132 USD.
    assert design.annual_cost_base == Decimal("1320")
    assert design.annual_cost_per_seat_base == Decimal("132")
    assert design.annual_cost_per_active_seat_base == Decimal("1320")
    assert design.potential_savings_base == Decimal("1056")  # (2 + 6) × 132
    assert design.utilization_pct == Decimal("10")
    assert not design.over_allocated


def test_over_allocation_is_flagged_not_capped(two_currencies: ServiceContext) -> None:
    chat = _by_tool(utilization.compute(two_currencies))["Chat"]
    # 3 people and an active bot on 3 seats: 4/3 of the seats are in use.
    assert (chat.seats_purchased, chat.seats_held, chat.seats_active) == (3, 4, 4)
    assert chat.over_allocated
    assert chat.utilization_pct is not None and chat.utilization_pct > 100
    assert chat.seats_unassigned == 0 and chat.seats_unused == 0
    assert chat.seats_bots == 1
    assert chat.annual_cost_base == Decimal("750.00")  # 3 × 200 GBP × 1.25


def test_totals_add_up_the_tools(two_currencies: ServiceContext) -> None:
    report = utilization.compute(two_currencies)
    total = report.total
    assert total is not None
    assert total.seats_purchased == 13 and total.seats_held == 8 and total.seats_active == 5
    assert total.annual_cost_base == Decimal("2070.00")
    assert total.potential_savings_base == Decimal("1056") == report.total_savings_base
    assert total.over_allocated


def test_unused_seats_carry_their_reason_days_and_cost(two_currencies: ServiceContext) -> None:
    unused = {s.email: s for s in utilization.compute(two_currencies).unused}
    assert set(unused) == {"old@example.com", "bob@example.com"}
    assert unused["old@example.com"].days_inactive == 61
    assert unused["bob@example.com"].reason == "departed"
    assert unused["bob@example.com"].person == "Bob"
    assert unused["old@example.com"].annual_cost_base == Decimal("132")


def test_a_missing_rate_is_reported_not_counted_as_zero(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Alps", currency="CHF", unit_price="5.00", seats=4)
    account(ctx, tool, "a@example.com", last_days=90)
    report = utilization.compute(ctx)
    alps = _by_tool(report)["Alps"]
    assert alps.missing_rates == ("CHF",)
    assert alps.annual_cost_base is None and alps.potential_savings_base is None
    assert report.missing_rates == ("CHF",)
    assert report.unused[0].annual_cost_base is None
    assert report.total is not None and report.total.tools_counted == 0
    rates.set_rate(ctx, "CHF", "1.20", TODAY)
    alps = _by_tool(utilization.compute(ctx))["Alps"]
    assert alps.potential_savings_base == Decimal("288.00")  # (1 + 3) × 5 × 12 × 1.20


def test_recommended_is_active_plus_headroom_rounded_up(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Wiki", seats=20)
    for n in range(9):
        account(ctx, tool, f"u{n}@example.com", last_days=1)
    assert _by_tool(utilization.compute(ctx))["Wiki"].recommended_seats == 10  # ceil(9.9)
    app_settings.set_setting(ctx, "headroom_pct", "0")
    assert _by_tool(utilization.compute(ctx))["Wiki"].recommended_seats == 9


def test_recommended_never_below_the_seats_held_by_exempt_accounts(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Vault", seats=10)
    account(ctx, tool, "active@example.com", last_days=1)
    for n in range(3):
        account(ctx, tool, f"breakglass{n}@example.com", last_days=None, exempt=True,
                exempt_reason="break-glass admin")
    assert _by_tool(utilization.compute(ctx))["Vault"].recommended_seats == 3


def test_a_tool_threshold_overrides_the_default(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Chatty", inactivity_days=30)
    account(ctx, tool, "a@example.com", last_days=30)
    account(ctx, tool, "b@example.com", last_days=31)
    assert {s.email for s in utilization.compute(ctx).unused} == {"b@example.com"}


def test_unknown_activity_is_counted_apart(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Scim", seats=5)
    account(ctx, tool, "a@example.com", last_days=None, activity_known=False)
    fig = _by_tool(utilization.compute(ctx))["Scim"]
    assert (fig.seats_held, fig.seats_active, fig.seats_unused) == (1, 0, 0)
    assert fig.seats_activity_unknown == 1


def test_an_earlier_as_of_date_uses_the_terms_then_in_force(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Later", seats=5)
    account(ctx, tool, "a@example.com", last_days=1)
    before = utilization.compute(ctx, TODAY - timedelta(days=200))
    fig = _by_tool(before)["Later"]
    assert fig.seats_purchased == 0 and fig.utilization_pct is None
    assert before.as_of == TODAY - timedelta(days=200)


def test_one_tool_by_name_and_an_unknown_name_is_refused(two_currencies: ServiceContext
                                                         ) -> None:
    report = utilization.compute(two_currencies, tool="design")
    assert [t.tool for t in report.tools] == ["Design"]
    assert {s.tool for s in report.seats} == {"Design"}
    with pytest.raises(NotFoundError, match="no tool named 'Nope'"):
        utilization.compute(two_currencies, tool="Nope")


def test_flat_fees_save_nothing_per_seat(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Flat", pricing="flat", unit_price="1200.00", seats=10,
                          billing_period="annual")
    account(ctx, tool, "a@example.com", last_days=200)
    fig = _by_tool(utilization.compute(ctx))["Flat"]
    assert fig.seats_unused == 1 and fig.seats_unassigned == 9
    assert fig.annual_cost_per_seat_base == Decimal("120")
    assert fig.potential_savings_base == Decimal("0")


def test_exempting_a_seat_records_the_reason_and_who(two_currencies: ServiceContext) -> None:
    ctx = two_currencies
    old = next(s for s in utilization.compute(ctx).unused if s.email == "old@example.com")
    with pytest.raises(ValidationError, match="needs a reason"):
        actions.exempt_seat(ctx, old.account_id, "  ")
    row = actions.exempt_seat(ctx, old.account_id, "seasonal contractor")
    assert row.exempt and row.exempt_reason == "seasonal contractor"
    after = utilization.compute(ctx)
    assert old.account_id not in {s.account_id for s in after.unused}
    seat = next(s for s in after.seats if s.account_id == old.account_id)
    assert seat.exempt_by == ctx.actor
    event = audit.list_events(ctx, entity="account", entity_id=old.account_id)[0]
    assert event.changes is not None and event.changes["exempt_by"] == [None, ctx.actor]
    actions.clear_exemption(ctx, old.account_id)
    assert old.account_id in {s.account_id for s in utilization.compute(ctx).unused}


def test_reclaiming_a_seat_deprovisions_it_and_is_audited(two_currencies: ServiceContext
                                                          ) -> None:
    ctx = two_currencies
    account_id = actions.find_account(ctx, "DESIGN", "Old@example.com")
    actions.reclaim_seat(ctx, account_id)
    design = _by_tool(utilization.compute(ctx))["Design"]
    assert design.seats_held == 3 and design.unused_by_reason == {"departed": 1}
    event = audit.list_events(ctx, entity="account", entity_id=account_id)[0]
    assert event.changes == {"status": ["active", "deprovisioned"]}
    assert "reclaimed" in event.summary
    with pytest.raises(ValidationError, match="deprovisioned already"):
        actions.reclaim_seat(ctx, account_id)
    with pytest.raises(NotFoundError):
        actions.find_account(ctx, "Design", "nobody@example.com")


def test_rightsizing_brief_projects_savings_and_the_price_change(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Board").id
    old = terms.create_term(ctx, tool_id=tool, currency="USD", unit_price="9.00", seats=20,
                            billing_period="monthly", term_start=TODAY - timedelta(days=465),
                            renewal_date=TODAY - timedelta(days=100))
    new = terms.renew_term(ctx, old.id, unit_price="10.00",
                           renewal_date=TODAY + timedelta(days=120), notice_days=30)
    for n in range(9):
        account(ctx, tool, f"u{n}@example.com", last_days=1)
    day = TODAY
    brief = rightsizing_brief(ctx, new.id, day)
    assert brief.due and brief.days_to_cancel_by == 90
    assert brief.previous_term_id == old.id
    assert (brief.seats_purchased, brief.seats_active, brief.recommended_seats) == (20, 9, 10)
    assert brief.seat_change == -10
    assert brief.annual_cost == Decimal("2400.00")  # 20 × 10.00 × 12
    assert brief.projected_savings == Decimal("1200.00")  # 10 fewer seats × 120
    assert brief.projected_savings_base == Decimal("1200.00")
    assert brief.price_change == Decimal("12.00")  # (10.00 − 9.00) × 12 a seat a year
    assert brief.price_change_pct is not None
    assert round(brief.price_change_pct, 2) == Decimal("11.11")
    assert not rightsizing_brief(ctx, new.id, day - timedelta(days=1)).due


def test_a_tool_in_several_terms_sizes_each_term_for_what_the_others_do_not_hold(
        ctx: ServiceContext) -> None:
    """20 active users, a Basic term of 10 seats and a Pro term of 30: the tool needs 22
    (10 % headroom). Neither brief says to grow; each keeps the other term as it is."""
    tool = tools.create_tool(ctx, name="Two").id
    start, renewal = TODAY - timedelta(days=300), TODAY + timedelta(days=60)
    basic = terms.create_term(ctx, tool_id=tool, plan="Basic", currency="USD",
                              unit_price="5.00", seats=10, billing_period="monthly",
                              term_start=start, renewal_date=renewal)
    pro = terms.create_term(ctx, tool_id=tool, plan="Pro", currency="USD", unit_price="20.00",
                            seats=30, billing_period="monthly", term_start=start,
                            renewal_date=renewal)
    for n in range(20):
        account(ctx, tool, f"u{n}@example.com", last_days=1)
    assert utilization.compute(ctx, TODAY, "Two").tools[0].recommended_seats == 22
    small, big = rightsizing_brief(ctx, basic.id), rightsizing_brief(ctx, pro.id)
    assert (small.other_terms_seats, small.recommended_seats, small.seat_change) == (30, 0, -10)
    assert small.projected_savings == Decimal("600.00")  # 10 seats × 5.00 × 12
    assert (big.other_terms_seats, big.recommended_seats, big.seat_change) == (10, 12, -18)
    assert big.projected_annual_cost == Decimal("2880.00")  # 12 × 20.00 × 12
    # Alone, a term is sized for the whole need: the other one ended.
    terms.update_term(ctx, pro.id, expected_version=pro.version, status="ended")
    alone = rightsizing_brief(ctx, basic.id)
    assert (alone.other_terms_seats, alone.recommended_seats, alone.seat_change) == (0, 22, 12)
    assert alone.no_recommendation is None


_counter = itertools.count()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(purchased=st.integers(min_value=0, max_value=8),
       accounts_=st.lists(st.tuples(
           st.sampled_from(["active", "invited", "suspended", "deprovisioned"]),
           st.none() | st.integers(min_value=0, max_value=200),
           st.booleans(), st.booleans(), st.booleans()), max_size=12),
       price=st.integers(min_value=0, max_value=100_000))
def test_figures_stay_within_their_bounds(ctx: ServiceContext, purchased: int,
                                          accounts_: list[tuple[str, int | None, bool, bool,
                                                                bool]],
                                          price: int) -> None:
    name = f"Prop{next(_counter)}"
    tool = tool_with_term(ctx, name, seats=purchased, unit_price=str(Decimal(price) / 100))
    for n, (status, last, exempt, bot, known) in enumerate(accounts_):
        account(ctx, tool, f"p{n}@example.com", status=status, last_days=last,
                exempt=exempt, exempt_reason="kept" if exempt else None, is_bot=bot,
                activity_known=known, first_days=100)
    fig = utilization.compute(ctx, tool=name).tools[0]
    if not accounts_:  # no seat data: nothing is held, unassigned or saved, nor judged
        assert not fig.seat_data
        assert (fig.seats_held, fig.seats_unassigned, fig.potential_savings_base) == (
            None, None, None)
        assert fig.utilization_pct is None and fig.recommended_seats is None
        return
    assert fig.seat_data and fig.seats_held is not None
    assert 0 <= fig.seats_unused <= fig.seats_held
    assert fig.seats_active + fig.seats_unused + fig.seats_activity_unknown <= fig.seats_held
    assert fig.potential_savings_base is not None and fig.potential_savings_base >= 0
    assert fig.seats_unassigned == max(purchased - fig.seats_held, 0)
    if fig.utilization_pct is not None and not fig.over_allocated:
        assert 0 <= fig.utilization_pct <= 100
    if fig.utilization_pct is not None and fig.utilization_pct > 100:
        assert fig.over_allocated
    people_known = any(status != "deprovisioned" and known and not bot
                       for status, _last, _exempt, bot, known in accounts_)
    # Held seats kept out of the rules (exempt, bots') whose source reports no activity.
    kept_unknown = any(status != "deprovisioned" and not known and (exempt or bot)
                       for status, _last, exempt, bot, known in accounts_)
    if (fig.seats_activity_unknown or kept_unknown) and not people_known:
        # Activity unknown: never 0 %, never a cut to 0 seats.
        assert not fig.activity_known
        assert fig.utilization_pct is None and fig.recommended_seats is None
        return
    assert fig.recommended_seats is not None
    assert fig.recommended_seats >= (math.ceil(fig.seats_active * Decimal("1.1"))
                                     + fig.seats_activity_unknown)
    assert fig.recommended_seats >= fig.seats_exempt


def test_the_fast_path_agrees_with_the_rules_seat_by_seat(ctx: ServiceContext) -> None:
    """compute() classifies rows without building SeatFacts; it must give what the domain
    rules give for every seat of the demo inventory."""
    load_demo(ctx, "small", 7)
    report = utilization.compute(ctx)
    conf = app_settings.current(ctx)
    by_id = {s.account_id: s for s in report.seats}
    with ctx.read() as session:
        rows = session.scalars(select(Account).options(joinedload(Account.tool),
                                                       joinedload(Account.person))).all()
        assert len(rows) == len(by_id) > 100
        reasons = set()
        for a in rows:
            facts = SeatFacts(
                status=AccountStatus(a.status), last_activity=a.last_activity,
                activity_known=a.activity_known, first_seen=a.first_seen,
                invited_at=a.invited_at, exempt=a.exempt, is_bot=a.is_bot,
                person_departed=a.person is not None and a.person.status == "departed",
                person_end_date=a.person.end_date if a.person else None)
            threshold = a.tool.inactivity_days or conf.default_inactivity_days
            seat = by_id[a.id]
            assert seat.reason == unused_reason(facts, threshold, TODAY), a.id
            assert seat.active == is_active(facts, threshold, TODAY), a.id
            assert seat.last_activity == a.last_activity
            reasons.add(seat.reason)
    assert len(reasons) >= 4  # the demo exercises most rules


def test_rightsizing_price_change_across_currencies_and_missing_rates(ctx: ServiceContext
                                                                      ) -> None:
    tool = tools.create_tool(ctx, name="Swiss").id
    old = terms.create_term(ctx, tool_id=tool, currency="EUR", unit_price="100.00", seats=5,
                            billing_period="annual", term_start=TODAY - timedelta(days=465),
                            renewal_date=TODAY - timedelta(days=100))
    new = terms.renew_term(ctx, old.id, currency="CHF", unit_price="110.00",
                           renewal_date=TODAY + timedelta(days=60))
    brief = rightsizing_brief(ctx, new.id)
    assert brief.price_change is None and brief.projected_savings_base is None
    assert brief.missing_rates == ("CHF", "EUR")
    # No account recorded: nothing to judge by, so no cut (not "0 seats needed").
    assert not brief.seat_data and brief.recommended_seats is None
    assert brief.projected_savings == Decimal("0.00")
    rates.set_rate(ctx, "EUR", "1.10", TODAY)
    rates.set_rate(ctx, "CHF", "1.25", TODAY)
    account(ctx, tool, "idle@example.com", last_days=200)  # the one seat held, unused
    brief = rightsizing_brief(ctx, new.id)
    # 100 EUR = 110 USD = 88 CHF a seat before; 110 CHF now: +22 CHF, +25 %.
    assert brief.price_change == Decimal("22")
    assert brief.price_change_pct == Decimal("25")
    assert brief.recommended_seats == 0  # nobody active: 0 seats needed
    assert brief.projected_savings_base == Decimal("687.5")  # 5 × 110 CHF × 1.25
    assert brief.previous_currency == "EUR" and brief.missing_rates == ()
    with pytest.raises(NotFoundError):
        rightsizing_brief(ctx, 999_999)


def test_the_row_positions_match_the_seat_fields() -> None:
    names = [f.name for f in dataclasses.fields(utilization.SeatStatus)]
    assert [names[i] for i in (utilization._TOOL_ID, utilization._KNOWN, utilization._HOLDS,
                               utilization._ACTIVE, utilization._REASON, utilization._BOT,
                               utilization._EXEMPT)] == [
        "tool_id", "activity_known", "holds_seat", "active", "reason", "is_bot", "exempt"]


def test_seats_are_built_once_and_unused_agrees_with_them(two_currencies: ServiceContext
                                                          ) -> None:
    report = utilization.compute(two_currencies)
    lazily = [s.account_id for s in report.unused]
    assert report.seats is report.seats
    assert lazily == [s.account_id for s in report.seats if s.reason is not None]
    assert lazily == [s.account_id for s in report.unused]


def test_a_tool_whose_source_reports_no_activity_is_not_judged_unused(ctx: ServiceContext
                                                                      ) -> None:
    """19 seats bought, 16 held, activity not reported: no 0 %, no cut to 0 seats; the
    departed person's seat and the 3 idle seats are still savings."""
    tool = tool_with_term(ctx, "Sales", seats=19)
    gone = person(ctx, "gone@example.com", departed_days_ago=30)
    account(ctx, tool, "gone@example.com", person_id=gone, last_days=None,
            activity_known=False)
    for n in range(15):
        account(ctx, tool, f"rep{n}@example.com", last_days=None, activity_known=False)
    fig = _by_tool(utilization.compute(ctx))["Sales"]
    assert fig.seat_data and not fig.activity_known
    assert (fig.seats_held, fig.seats_active, fig.seats_unused) == (16, 0, 1)
    assert fig.seats_activity_unknown == 15 and fig.seats_unassigned == 3
    assert fig.utilization_pct is None and fig.recommended_seats is None
    assert fig.potential_savings_base == Decimal(4 * 120)
    assert {s.email for s in utilization.compute(ctx).unused} == {"gone@example.com"}
    brief = rightsizing_brief(ctx, terms.list_terms(ctx)[0].id)
    assert brief.recommended_seats is None and brief.seat_change is None
    assert brief.projected_savings == 0 and not brief.activity_known


def test_a_tool_with_no_account_recorded_has_no_seat_data_and_saves_nothing(
        ctx: ServiceContext) -> None:
    tool_with_term(ctx, "Design", seats=20)  # 20 × 120 a year: never counted as a saving
    used = tool_with_term(ctx, "Chat", seats=2)
    account(ctx, used, "a@example.com", last_days=1)
    report = utilization.compute(ctx)
    fig = _by_tool(report)["Design"]
    assert not fig.seat_data
    assert (fig.seats_held, fig.seats_unassigned, fig.potential_savings_base) == (
        None, None, None)
    assert fig.utilization_pct is None and fig.recommended_seats is None
    assert report.total is not None
    assert report.total.potential_savings_base == Decimal(120)  # Chat's one idle seat
    assert report.total.seats_unassigned == 1 and report.total.seats_held == 1


def test_a_flat_fee_without_a_seat_count_is_flat_priced_and_never_over_allocated(
        ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Monitor", pricing="flat", unit_price="4000.00", seats=None,
                          billing_period="annual")
    for n in range(3):
        account(ctx, tool, f"u{n}@example.com", last_days=1)
    fig = _by_tool(utilization.compute(ctx))["Monitor"]
    assert fig.flat_priced and fig.seats_purchased == 0
    assert not fig.over_allocated and fig.utilization_pct is None
    capped = tool_with_term(ctx, "Capped", seats=2)
    for n in range(3):
        account(ctx, capped, f"c{n}@example.com", last_days=1)
    fig = _by_tool(utilization.compute(ctx))["Capped"]
    assert fig.over_allocated and fig.seats_over == 1 and not fig.flat_priced
