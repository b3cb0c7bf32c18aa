"""Adoption snapshots (one per tool per day, idempotent, never rewritten after their day),
the trends read from them, targets and the training list, training resources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import accounts, people
from stackadmin.services.inventory.tools import tool_by_name
from stackadmin.services.running import adoption, training
from stackadmin.services.seats import utilization
from stackadmin.store.models import AdoptionSnapshot
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term


def on(ctx: ServiceContext, days: int) -> ServiceContext:
    return replace(ctx, today=lambda: TODAY + timedelta(days=days))


@pytest.fixture
def jira(ctx: ServiceContext) -> ServiceContext:
    """Jira: 10 seats at 10.00 USD a month; Ada active, Bob inactive, a SCIM seat whose
    activity is unknown; Engineering is Ada, Bob and Cy (no account)."""
    tool = tool_with_term(ctx, "Jira", unit_price="10.00", seats=10)
    for email in ("ada@example.com", "bob@example.com", "cy@example.com"):
        pid = person(ctx, email)
        people.update_person(ctx, pid, department="Engineering")
    person(ctx, "dee@example.com")  # another department
    account(ctx, tool, "ada@example.com", person_id=1, last_days=2)
    account(ctx, tool, "bob@example.com", person_id=2, last_days=200)
    account(ctx, tool, "scim@example.com", last_days=None, activity_known=False)
    return ctx


def _rows(ctx: ServiceContext) -> list[AdoptionSnapshot]:
    with ctx.read() as session:
        rows = list(session.scalars(select(AdoptionSnapshot).order_by(AdoptionSnapshot.day)))
        session.expunge_all()
        return rows


def test_snapshot_takes_the_utilization_services_figures(jira: ServiceContext) -> None:
    result = adoption.take_snapshot(jira)
    assert (result.day, result.added, result.refreshed) == (TODAY, 1, 0)
    (row,) = _rows(jira)
    figures = utilization.compute(jira).tools[0]
    assert (row.seats_purchased, row.seats_held, row.seats_active, row.seats_unused,
            row.seats_activity_unknown) == (
        figures.seats_purchased, figures.seats_held, figures.seats_active,
        figures.seats_unused, figures.seats_activity_unknown)
    assert (row.seats_purchased, row.seats_held, row.seats_active) == (10, 3, 1)
    assert row.seats_activity_unknown == 1
    assert (row.annual_cost_minor, row.currency) == (120000, "USD")


def test_snapshot_is_idempotent_and_refreshes_only_its_own_day(jira: ServiceContext) -> None:
    adoption.take_snapshot(jira)
    again = adoption.take_snapshot(jira)
    assert (again.added, again.refreshed, again.unchanged) == (0, 0, 1)
    assert len(_rows(jira)) == 1
    # Later the same day a sync finds Bob active: today's row follows.
    accounts.update_account(jira, 2, last_activity=datetime.combine(TODAY, time(8), tzinfo=UTC))
    assert adoption.take_snapshot(jira).refreshed == 1
    assert _rows(jira)[0].seats_active == 2
    # The next day: a new row; yesterday's is never rewritten.
    next_day = on(jira, 1)
    accounts.update_account(jira, 1, status="suspended")
    assert adoption.take_snapshot(next_day).added == 1
    first, second = _rows(jira)
    assert (first.day, first.seats_active) == (TODAY, 2)
    assert (second.day, second.seats_active) == (TODAY + timedelta(days=1), 1)
    adoption.take_snapshot(next_day)
    assert _rows(jira)[0].seats_active == 2


def test_one_snapshot_per_tool_per_day_is_enforced_by_the_database(
        jira: ServiceContext) -> None:
    adoption.take_snapshot(jira)
    with pytest.raises(IntegrityError), jira.transaction() as session:
        session.add(AdoptionSnapshot(tool_id=1, day=TODAY, seats_purchased=1, seats_held=1,
                                     seats_active=1, seats_unused=0, seats_activity_unknown=0,
                                     annual_cost_minor=0, currency="USD"))
    assert len(_rows(jira)) == 1


def test_trend_months_use_each_months_last_snapshot_and_invent_nothing(
        jira: ServiceContext) -> None:
    adoption.take_snapshot(jira)  # 2026-11-25: 1 active
    accounts.update_account(jira, 2, last_activity=datetime(2026, 12, 30, 8, tzinfo=UTC))
    adoption.take_snapshot(on(jira, 35))  # 2026-12-30: 2 active
    later = on(jira, 36)  # 2026-12-31
    trend = adoption.trend(later, tool="jira", months=3)
    assert trend.tool == "Jira"
    assert [m.month.isoformat() for m in trend.months] == ["2026-10-01", "2026-11-01",
                                                           "2026-12-01"]
    october, november, december = trend.months
    assert october.point is None  # before history began: nothing made up
    assert november.point is not None and november.point.seats_active == 1
    assert december.point is not None and december.point.seats_active == 2
    # 2 active of the 9 seats whose use can be judged (the SCIM seat's is unknown), as
    # the utilization report says on that day.
    assert december.point.active_pct == Decimal(2) * 100 / 9
    assert december.point.active_pct == utilization.compute(
        on(jira, 35), TODAY + timedelta(days=35), "Jira").tools[0].utilization_pct
    assert december.point.annual_cost_base == Decimal("1200.00")
    assert [p.day for p in trend.days] == [TODAY, TODAY + timedelta(days=35)]
    assert trend.first_day == TODAY
    with pytest.raises(ValidationError, match="months must be 1 to 120"):
        adoption.trend(jira, months=0)


def test_target_status_and_the_training_list(jira: ServiceContext) -> None:
    adoption.set_target(jira, "Jira", 80, "engineering")
    (status,) = adoption.target_statuses(jira)
    assert (status.group_size, status.active, status.target_pct) == (3, 1, 80)
    assert not status.met
    assert [(p.email, p.why) for p in status.not_active] == [
        ("bob@example.com", "inactive"), ("cy@example.com", "no account")]
    assert status.sentence() == ("target 80 % of engineering active in Jira: 1 of 3 (33 %), "
                                 "not met")
    adoption.set_target(jira, "Jira", 30, None)  # everyone: 4 people, 1 active = 25 %
    (everyone,) = adoption.target_statuses(jira)
    assert (everyone.group_size, everyone.met) == (4, False)
    adoption.set_target(jira, "Jira", 25)
    assert adoption.target_statuses(jira)[0].met
    with pytest.raises(ValidationError, match="outside 1 to 100"):
        adoption.set_target(jira, "Jira", 120)
    assert adoption.clear_target(jira, "Jira")
    assert adoption.target_statuses(jira) == []


def test_training_resources(jira: ServiceContext) -> None:
    training.add_resource(jira, "Jira", "link", title="Jira basics",
                          url="https://training.example/jira")
    training.add_resource(jira, "Jira", "guide", title="Jira at Acme",
                          url="https://wiki.example/jira")
    champ = training.add_resource(jira, "Jira", "champion", champion="ADA@example.com")
    rows = training.list_resources(jira)
    assert [r.kind for r in rows] == ["guide", "link", "champion"]
    assert champ.text == "Champion: Ada <ada@example.com>"
    with pytest.raises(ValidationError, match="not a web address"):
        training.add_resource(jira, "Jira", "link", title="x", url="javascript:alert(1)")
    with pytest.raises(ValidationError, match="not in the people list"):
        training.add_resource(jira, "Jira", "champion", champion="who@example.com")
    training.remove_resource(jira, champ.id)
    assert len(training.list_resources(jira)) == 2


def test_a_target_is_typed_as_a_percent_of_a_department_people_are_in(
        jira: ServiceContext) -> None:
    assert adoption.departments(jira) == ["Engineering"]  # dee has none
    assert adoption.parse_percent(" 80 % ") == 80 == adoption.parse_percent("80%")
    with pytest.raises(ValidationError) as refused:
        adoption.set_target(jira, "Jira", "eighty", "Enginering")
    assert refused.value.problems == [
        "target: 'eighty' is not a whole percent (1 to 100)",
        "department: nobody in the people list is in 'Enginering' (departments: Engineering)"]
    assert adoption.target_statuses(jira) == []  # nothing saved
    jira_id = tool_by_name(jira, "Jira").id  # by id, as the app gives it
    adoption.set_target(jira, jira_id, "75 %", "ENGINEERING")
    (status,) = adoption.target_statuses(jira)
    assert (status.target_pct, status.department) == (75, "ENGINEERING")
    assert adoption.clear_target(jira, jira_id) and not adoption.clear_target(jira, jira_id)


def test_a_training_resource_is_edited_by_the_rules_of_adding_it(jira: ServiceContext) -> None:
    row = training.add_resource(jira, "Jira", "link", title="Jira basics",
                                url="https://training.example/jira")
    with pytest.raises(ValidationError) as refused:
        training.update_resource(jira, row.id, "link", title=" ", url="wiki page")
    assert refused.value.problems == [
        "title is required", "link: 'wiki page' is not a web address (https://…) or a path"]
    with pytest.raises(ValidationError, match="champion is required"):
        training.update_resource(jira, row.id, "champion")
    assert training.get_resource(jira, row.id) == row  # nothing saved
    edited = training.update_resource(jira, row.id, "champion", champion="bob@example.com")
    assert (edited.kind, edited.title, edited.url, edited.champion_email) == (
        "champion", "Bob", None, "bob@example.com")
    assert edited.champion_id is not None
    back = training.update_resource(jira, row.id, "guide", title="Jira at Acme",
                                    url="/srv/guides/jira.pdf")
    assert (back.kind, back.url, back.champion_id) == ("guide", "/srv/guides/jira.pdf", None)
    assert [c[0] for c in training.champion_choices(jira)] == [
        "ada@example.com", "bob@example.com", "cy@example.com", "dee@example.com"]


def test_the_stacks_active_share_is_the_utilization_reports(jira: ServiceContext) -> None:
    """A flat fee's users, a tool of unknown activity and one without seat data count in
    the seats, not in the active share: the share over time is the utilization report's."""
    flat = tool_with_term(jira, "Datadog", pricing="flat", unit_price="900.00", seats=None)
    for n in range(20):
        account(jira, flat, f"dd{n}@example.com", last_days=1)
    scim = tool_with_term(jira, "Loom", seats=30)
    for n in range(25):
        account(jira, scim, f"loom{n}@example.com", last_days=None, activity_known=False)
    tool_with_term(jira, "Zendesk", seats=12)  # no account recorded
    adoption.take_snapshot(jira)
    stack = adoption.trend(jira, months=1).days[-1]
    report = utilization.compute(jira, TODAY)
    assert stack.active_pct == report.total.utilization_pct == Decimal(100) / 9
    assert stack.seats_active == 21 and stack.seats_purchased == 52
    loom = adoption.trend(jira, tool="Loom", months=1).days[-1]
    assert loom.active_pct is None  # activity unknown: no share, not 0 %
