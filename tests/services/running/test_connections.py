"""Connections between tools: recording them, incidents and their times, what a cancel breaks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import people, settings, tools
from stackadmin.services.running import connections
from stackadmin.store.models import AuditEvent
from tests.conftest import TODAY


@pytest.fixture
def stack(ctx: ServiceContext) -> ServiceContext:
    """A hand-built map: Jira → Slack, HubSpot → Salesforce, Okta → Jira (provisioning),
    Salesforce → Slack (retired), Zapier-style Jira → HubSpot (planned)."""
    for name in ("Jira", "Slack", "HubSpot", "Salesforce", "Okta"):
        tools.create_tool(ctx, name=name, category="Engineering" if name == "Jira" else None)
    people.create_person(ctx, email="ada@example.com", name="Ada Okafor")
    people.create_person(ctx, email="ben@example.com", name="Ben Nakamura")
    connections.add_connection(ctx, "Jira", "Slack", what="Jira issues → Slack #eng-alerts",
                               method="native", owner="ada@example.com")
    connections.add_connection(ctx, "HubSpot", "Salesforce", what="HubSpot deals",
                               method="automation", owner="ben@example.com")
    connections.add_connection(ctx, "okta", "JIRA", what="users and groups",
                               method="provisioning", status="degraded")
    connections.add_connection(ctx, "Salesforce", "Slack", what="won deals", method="webhook",
                               status="retired")
    connections.add_connection(ctx, "Jira", "HubSpot", what="support tickets",
                               method="script", status="planned")
    return ctx


def _by_what(ctx: ServiceContext) -> dict[str, connections.ConnectionRow]:
    return {r.what: r for r in connections.list_connections(ctx)}


def test_cancelling_a_tool_lists_every_live_or_planned_connection_and_owner(
        stack: ServiceContext) -> None:
    jira = tools.tool_by_name(stack, "Jira").id
    rows = connections.depending_on(stack, jira)
    assert [r.what for r in rows] == ["users and groups", "Jira issues → Slack #eng-alerts",
                                      "support tickets"]  # degraded first, planned last
    assert rows[1].owner_email == "ada@example.com"
    lines = connections.impact_lines(rows)
    assert lines[1] == ("Jira → Slack: Jira issues → Slack #eng-alerts (native, working); "
                        "owner Ada Okafor <ada@example.com>")
    assert "no owner" in lines[0]
    slack = tools.tool_by_name(stack, "Slack").id
    # The retired Salesforce → Slack webhook breaks nothing.
    assert [r.what for r in connections.depending_on(stack, slack)] == [
        "Jira issues → Slack #eng-alerts"]
    hubspot = connections.depending_on_name(stack, "hubspot")
    assert {r.what for r in hubspot} == {"HubSpot deals", "support tickets"}


def test_contract_json_keys(stack: ServiceContext) -> None:
    row = _by_what(stack)["Jira issues → Slack #eng-alerts"]
    assert row.to_json() == {
        "id": row.id, "from_tool": "Jira", "to_tool": "Slack",
        "what": "Jira issues → Slack #eng-alerts", "method": "native", "status": "working",
        "owner": "ada@example.com", "last_verified": None, "open_incidents": 0}


def test_bad_input_is_refused_in_words_and_changes_nothing(stack: ServiceContext) -> None:
    before = len(connections.list_connections(stack))
    with pytest.raises(ValidationError) as bad:
        connections.add_connection(stack, "Jira", "Slack", what=" ", method="carrier pigeon",
                                   owner="nobody@example.com", status="fine")
    text = str(bad.value)
    assert "what flows is required" in text
    assert "method must be one of native, automation, webhook, script, provisioning" in text
    assert "status must be one of working, degraded, broken, planned, retired" in text
    assert "nobody@example.com is not in the people list" in text
    with pytest.raises(NotFoundError, match="no tool named 'Teams'"):
        connections.add_connection(stack, "Jira", "Teams", what="x", method="native")
    with pytest.raises(ValidationError, match="two different tools"):
        connections.add_connection(stack, "Jira", "jira", what="x", method="native")
    assert len(connections.list_connections(stack)) == before


def test_the_same_flow_twice_is_refused_unless_the_first_is_retired(
        stack: ServiceContext) -> None:
    first = _by_what(stack)["Jira issues → Slack #eng-alerts"]
    before = connections.list_connections(stack)
    with pytest.raises(ValidationError, match=(
            f"connection {first.id} records Jira → Slack: jira issues  → slack #ENG-alerts "
            "already")):
        connections.add_connection(stack, "jira", "SLACK", what="jira issues  → slack "
                                   "#ENG-alerts", method="webhook")
    assert connections.list_connections(stack) == before
    # Another flow between the same tools, the reverse direction, or a retired flow again.
    connections.add_connection(stack, "Jira", "Slack", what="deploys", method="webhook")
    connections.add_connection(stack, "Slack", "Jira", what="Jira issues → Slack #eng-alerts",
                               method="native")
    connections.add_connection(stack, "Salesforce", "Slack", what="won deals",
                               method="native")
    assert len(connections.list_connections(stack)) == len(before) + 3


def test_incident_times_and_status(stack: ServiceContext) -> None:
    row = _by_what(stack)["Jira issues → Slack #eng-alerts"]
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    open_one = connections.record_incident(stack, row.id, symptom="no alerts since Monday",
                                           started_at=start)
    assert open_one.open and open_one.time_to_fix is None
    after = connections.get_connection(stack, row.id)
    assert after.status == "broken" and after.open_incidents == 1
    closed = connections.resolve_incident(stack, open_one.id, cause="token expired",
                                          fix="re-authorised the app",
                                          resolved_at=start + timedelta(hours=26, minutes=30))
    assert closed.time_to_fix == timedelta(hours=26, minutes=30)
    assert connections.duration_text(closed.time_to_fix) == "1 d 2 h"
    again = connections.get_connection(stack, row.id)
    assert again.status == "working" and again.open_incidents == 0
    # A second, already-resolved incident: the mean time to fix is over both.
    connections.record_incident(stack, row.id, symptom="duplicates",
                                started_at=datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
                                resolved_at=datetime(2026, 11, 22, 10, 30, tzinfo=UTC))
    hist = connections.history(stack, row.id)
    assert [i.symptom for i in hist.incidents] == ["duplicates", "no alerts since Monday"]
    assert hist.mean_time_to_fix == timedelta(hours=13, minutes=30)
    assert connections.get_connection(stack, row.id).status == "working"
    with pytest.raises(ValidationError, match="resolved on 2026-11-21 already"):
        connections.resolve_incident(stack, open_one.id)


def test_incident_that_ends_before_it_starts_is_refused(stack: ServiceContext) -> None:
    row = _by_what(stack)["HubSpot deals"]
    with pytest.raises(ValidationError, match="before the start"):
        connections.record_incident(stack, row.id, symptom="x",
                                    started_at=datetime(2026, 11, 20, tzinfo=UTC),
                                    resolved_at=datetime(2026, 11, 19, tzinfo=UTC))
    with pytest.raises(ValidationError, match="symptom: say what was seen"):
        connections.record_incident(stack, row.id, symptom="  ")
    with pytest.raises(ValidationError, match="started: must be between 1900 and now, got "
                                              "0001-01-01"):
        connections.record_incident(stack, row.id, symptom="x", started_at=date(1, 1, 1))
    assert connections.history(stack, row.id).incidents == []


def test_verify_and_the_unverified_threshold(stack: ServiceContext) -> None:
    rows = _by_what(stack)
    later = replace(stack, today=lambda: TODAY + timedelta(days=91))
    health = connections.health(later)
    # Added today and never verified: unverified once 90 days have passed (retired and
    # planned connections carry nothing to verify).
    assert {r.what for r in health.unverified} == {"Jira issues → Slack #eng-alerts",
                                                   "HubSpot deals", "users and groups"}
    verified = connections.verify(later, rows["users and groups"].id)
    assert verified.status == "working" and verified.last_verified == later.today()
    assert {r.what for r in connections.health(later).unverified} == {
        "Jira issues → Slack #eng-alerts", "HubSpot deals"}
    settings.set_setting(stack, "unverified_days", "120")
    assert connections.health(later).unverified == []
    with pytest.raises(ValidationError, match="retired"):
        connections.verify(stack, rows["won deals"].id)
    broken = connections.record_incident(stack, rows["HubSpot deals"].id, symptom="stalled")
    assert [r.what for r in connections.health(stack).broken] == ["HubSpot deals"]
    assert broken.open


def test_every_change_is_audited(stack: ServiceContext) -> None:
    row = _by_what(stack)["HubSpot deals"]
    connections.verify(stack, row.id)
    incident = connections.record_incident(stack, row.id, symptom="stalled")
    connections.resolve_incident(stack, incident.id, fix="restarted the zap")
    kinds = [(e.entity, e.action) for e in audit.list_events(stack, limit=20)]
    assert ("connection", "create") in kinds
    assert ("connection_incident", "create") in kinds
    assert ("connection_incident", "update") in kinds
    with stack.read() as session:
        summaries = list(session.scalars(select(AuditEvent.summary)))
    assert any("verified" in s for s in summaries)


def test_deleting_a_tool_takes_its_connections(stack: ServiceContext) -> None:
    tools.delete_tool(stack, tools.tool_by_name(stack, "HubSpot").id)
    assert "HubSpot deals" not in _by_what(stack)
