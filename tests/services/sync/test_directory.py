"""The company directory feeding the people list: new people, leavers marked departed with
the vendor's end date, returning users reactivated, HR's departures left alone."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import metadata
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.errors import ValidationError
from stackadmin.plugins.registry import GROUP, Registry
from stackadmin.services.inventory import people
from stackadmin.services.seats import utilization
from stackadmin.services.sync import engine, integrations
from stackadmin.store.models import Account, Integration, Person
from tests.conftest import TODAY
from tests.services.seats.helpers import account, tool_with_term
from tests.services.sync.conftest import SECRET, Kit


def registry() -> Registry:
    found = [e for e in metadata.entry_points(group=GROUP)]
    found.append(metadata.EntryPoint("test-directory",
                                     "tests.services.sync.fakedir:DirectoryPlugin", GROUP))
    return Registry(found)


def user(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"u{n}", "email": f"user{n}@example.com", "name": f"User {n}",
            "status": "active", "last_login": "2026-11-20T08:00:00Z", **fields}


class Directory:
    def __init__(self, kit: Kit) -> None:
        self.kit = kit
        self.registry = registry()

    def serve(self, users: list[dict[str, Any]]) -> None:
        self.kit.vendor.link_pages("/users", users, per_page=2)

    def add(self, directory: bool = True) -> None:
        integrations.add_integration(
            self.kit.ctx, "test-directory", "Directory", "Google Workspace",
            {"base_url": self.kit.vendor.url, "directory": str(directory).lower()}, SECRET,
            secrets=self.kit.secrets, registry=self.registry)

    def sync(self, **kwargs: Any) -> engine.SyncResult:
        result = engine.sync(self.kit.ctx, "Directory", registry=self.registry,
                             **self.kit.settings(**kwargs))
        assert result.ok or kwargs.get("expect_failure"), result.error
        return result


@pytest.fixture
def directory(kit: Kit) -> Directory:
    return Directory(kit)


def person_of(kit: Kit, email: str) -> Person:
    with kit.ctx.read() as session:
        return session.scalars(select(Person).where(Person.email == email)).one()


def test_only_a_directory_plugin_can_be_the_company_directory(kit: Kit) -> None:
    with pytest.raises(ValidationError, match="cannot be the company directory"):
        kit.add(directory="true")


def test_new_users_become_people_and_meet_their_accounts(kit: Kit,
                                                         directory: Directory) -> None:
    slack = tool_with_term(kit.ctx, "Slack")
    account(kit.ctx, slack, "user1@example.com")
    directory.serve([user(1, department="Design", title="Designer"), user(2),
                     user(3, kind="bot"), user(4, kind="guest")])
    directory.add()
    result = directory.sync()
    assert "company directory: people 2 added" in " ".join(result.notices)
    ada = person_of(kit, "user1@example.com")
    assert (ada.name, ada.department, ada.title, ada.status, ada.source) == (
        "User 1", "Design", "Designer", "active", "directory")
    with kit.ctx.read() as session:
        assert session.scalar(select(Account.person_id).where(Account.tool_id == slack)) == ada.id
        assert {p.email for p in session.scalars(select(Person))} == {
            "user1@example.com", "user2@example.com"}  # no bot, no guest


def test_a_suspended_user_becomes_a_departed_person_with_the_vendors_end_date(
        kit: Kit, directory: Directory) -> None:
    slack = tool_with_term(kit.ctx, "Slack")
    account(kit.ctx, slack, "user1@example.com", last_days=3)
    directory.serve([user(1), user(2)])
    directory.add()
    directory.sync()
    left = (TODAY - timedelta(days=5)).isoformat()
    directory.serve([user(1, status="suspended", suspended_at=f"{left}T17:30:00Z"), user(2)])
    result = directory.sync()
    assert "1 marked departed" in " ".join(result.notices)
    ada = person_of(kit, "user1@example.com")
    assert (ada.status, ada.end_date, ada.left_via) == ("departed", date.fromisoformat(left),
                                                        "directory")
    # The departed rule now works on the other tools: her Slack seat is unused.
    report = utilization.compute(kit.ctx)
    slack_seat = next(s for s in report.seats if s.tool == "Slack")
    assert slack_seat.reason is not None and slack_seat.reason.value == "departed"
    assert slack_seat.active_after_leaving  # used three days ago, after her last day


def test_a_returning_user_is_reactivated(kit: Kit, directory: Directory) -> None:
    directory.serve([user(1, status="suspended", suspended_at="2026-10-01")])
    directory.add()
    directory.sync()
    assert person_of(kit, "user1@example.com").status == "departed"  # added as a leaver
    directory.serve([user(1)])
    result = directory.sync()
    assert "1 returned" in " ".join(result.notices)
    back = person_of(kit, "user1@example.com")
    assert (back.status, back.end_date, back.left_via) == ("active", None, None)


def test_a_departure_recorded_by_hr_is_not_undone(kit: Kit, directory: Directory) -> None:
    hr = people.create_person(kit.ctx, email="user1@example.com", name="Ada")
    people.mark_departed(kit.ctx, hr.id, TODAY + timedelta(days=10))  # leaves next week
    directory.serve([user(1)])  # still active in the directory until then
    directory.add()
    directory.sync()
    kept = person_of(kit, "user1@example.com")
    assert (kept.status, kept.end_date) == ("departed", TODAY + timedelta(days=10))


def test_a_user_deleted_upstream_is_marked_departed(kit: Kit, directory: Directory) -> None:
    directory.serve([user(n) for n in range(1, 7)])
    directory.add()
    directory.sync()
    directory.serve([user(n) for n in range(1, 6)])
    directory.sync()
    gone = person_of(kit, "user6@example.com")
    assert (gone.status, gone.end_date, gone.left_via) == ("departed", None, "directory")


def test_a_dry_run_shows_the_people_changes_and_writes_none(kit: Kit,
                                                          directory: Directory) -> None:
    directory.serve([user(1)])
    directory.add()
    result = directory.sync(dry_run=True)
    assert [(line.action, line.account) for line in result.lines] == [
        ("add", "user1@example.com"), ("add person", "user1@example.com")]
    with kit.ctx.read() as session:
        assert session.scalars(select(Person)).all() == []


def test_people_changes_are_audited_as_from_sync(kit: Kit, directory: Directory) -> None:
    from stackadmin.services.audit import list_events

    directory.serve([user(1)])
    directory.add()
    directory.sync()
    events = [e for e in list_events(kit.ctx) if e.entity == "person"]
    assert [(e.source, e.action) for e in events] == [("sync", "create")]


def test_a_listing_of_part_of_the_users_cannot_be_the_directory(kit: Kit,
                                                                directory: Directory) -> None:
    """With an option that lists one group, one licence or one app, the users it leaves
    out have not left: such an integration is refused as the directory, on adding it and
    on editing it."""
    with pytest.raises(ValidationError, match="with group it reads part of the users"):
        integrations.add_integration(
            kit.ctx, "test-directory", "Directory", "Google Workspace",
            {"base_url": kit.vendor.url, "directory": "true", "group": "sales"}, SECRET,
            secrets=kit.secrets, registry=directory.registry)
    directory.add()
    with pytest.raises(ValidationError, match="cannot be the company directory"):
        integrations.edit_integration(kit.ctx, "Directory", given={"group": "sales"},
                                      secrets=kit.secrets, registry=directory.registry)
    # As the directory it lists everyone; without it, a group is fine.
    integrations.edit_integration(kit.ctx, "Directory", given={"directory": "false",
                                                               "group": "sales"},
                                  secrets=kit.secrets, registry=directory.registry)
    with kit.ctx.read() as session:
        row = session.scalars(select(Integration)).one()
        assert (row.is_directory_source, row.options) == (False, {
            "base_url": kit.vendor.url, "group": "sales"})


def test_a_stored_directory_listing_part_of_the_users_marks_nobody_departed(
        kit: Kit, directory: Directory) -> None:
    """A directory integration stored with such an option (before it was refused) syncs
    its accounts and leaves the people list alone, saying why."""
    directory.serve([user(n, group="sales" if n < 4 else "support") for n in range(1, 7)])
    directory.add()
    directory.sync()
    with kit.ctx.transaction() as session:
        row = session.scalars(select(Integration)).one()
        row.options = {**row.options, "group": "sales"}
    result = directory.sync(force=True)
    assert any(n.startswith("the people list was not updated: with group it reads part")
               for n in result.notices), result.notices
    for n in range(1, 7):
        assert person_of(kit, f"user{n}@example.com").status == "active"
    assert result.deprovisioned == 3  # the tool's accounts follow the listing, as for any tool


def test_the_built_in_directories_say_which_options_list_part_of_the_users() -> None:
    from stackadmin.plugins.api import partial_options
    from stackadmin.plugins.registry import load_registry

    found = {info.id: info for info in load_registry().plugins()}
    assert partial_options(found["microsoft365"].options, {"sku": "SPE_E5"}) == ["sku"]
    assert partial_options(found["okta"].options, {"app_id": "0oa1"}) == ["app_id"]
    assert partial_options(found["okta"].options, {"app_id": " "}) == []
    assert partial_options(found["google-workspace"].options,
                           {"customer": "C01", "admin_email": "a@example.com"}) == []
