"""Onboarding bundles and a new hire's checklist (and its Excel-clean CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import people, tools
from stackadmin.services.running import onboarding
from tests.services.seats.helpers import account, person, tool_with_term


@pytest.fixture
def hire(ctx: ServiceContext) -> ServiceContext:
    owner = person(ctx, "it@example.com")
    people.update_person(ctx, owner, name="IT Desk")
    for name in ("Slack", "Jira", "GitHub", "Figma"):
        tool_with_term(ctx, name, owner_email="it@example.com")
    tools.create_tool(ctx, name="=cmd|calc", owner_email="it@example.com")
    new = people.create_person(ctx, email="nina@example.com", name="Nina", department="Engineering",
                               title="Backend developer")
    account(ctx, 1, "nina@example.com", person_id=new.id, last_days=1)  # Slack
    account(ctx, 4, "nina@example.com", person_id=new.id, last_days=1)  # Figma
    onboarding.set_bundle(ctx, "Engineering", [("slack", "member"), ("Jira", "member"),
                                               ("=cmd|calc", "member")])
    onboarding.set_bundle(ctx, "engineering", [("GitHub", "admin"), ("Jira", "admin")],
                          title="backend developer")
    return ctx


def test_the_checklist_combines_the_department_and_title_bundles(hire: ServiceContext) -> None:
    view = onboarding.onboarding(hire, "NINA@example.com")
    assert [(i.tool, i.role, i.done) for i in view.checklist] == [
        ("=cmd|calc", "member", False), ("GitHub", "admin", False), ("Jira", "admin", False),
        ("Slack", "member", True)]
    assert view.checklist[0].granted_by == "IT Desk"
    assert [i.tool for i in view.lacking] == ["=cmd|calc", "GitHub", "Jira"]
    assert [h.tool for h in view.beyond] == ["Figma"]


def test_set_bundle_replaces_and_an_empty_list_clears(hire: ServiceContext) -> None:
    rows = onboarding.set_bundle(hire, "ENGINEERING", [("Slack", "guest")])
    assert [(r.department, r.tool, r.role) for r in rows] == [("Engineering", "Slack", "guest")]
    assert onboarding.set_bundle(hire, "Engineering", []) == []
    assert {b.title for b in onboarding.list_bundles(hire)} == {"backend developer"}


def test_bad_bundles_change_nothing(hire: ServiceContext) -> None:
    before = onboarding.list_bundles(hire)
    with pytest.raises(ValidationError) as bad:
        onboarding.set_bundle(hire, "Engineering", [("Teams", "member"), ("Slack", "boss")])
    assert "no tool named 'Teams'" in str(bad.value)
    with pytest.raises(ValidationError, match="role of Slack must be one of"):
        onboarding.set_bundle(hire, "Engineering", [("Slack", "boss")])
    with pytest.raises(ValidationError, match="role of Jira must be one of"):
        onboarding.parse_item("Jira:boss")
    with pytest.raises(ValidationError, match=r"Slack is listed twice \(as member and as "
                                              r"admin\): list each tool once"):
        onboarding.set_bundle(hire, "Engineering", [("Slack", "member"), ("slack", "admin")])
    assert onboarding.list_bundles(hire) == before
    with pytest.raises(NotFoundError, match=r"no person with email x@example\.com"):
        onboarding.onboarding(hire, "x@example.com")


def test_checklist_csv_is_excel_clean(hire: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "nina.csv"
    assert onboarding.export_checklist(hire, "nina@example.com", path) == 4
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == onboarding.CHECKLIST_COLUMNS
    assert rows[1][4] == "'=cmd|calc"  # a formula-like tool name cannot run in Excel
    assert rows[4][4:9] == ["Slack", "member", "IT Desk", "it@example.com", "yes"]
