"""The vendor plugins through the whole sync: Okta (as the company directory) and Slack
against loopback servers answering with their documented bodies, into a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from stackadmin.plugins.testing import Reply
from stackadmin.services.sync import engine, integrations
from stackadmin.store.models import Account, AccountListing, Person, SyncRun, VendorSeatCount
from tests.plugins.test_okta import GONE, USERS, okta_user, serve_users
from tests.plugins.test_slack import AUTH, BILLING, LIST, NOW, login, member, serve
from tests.services.sync.conftest import SECRET, Kit, dump


def _accounts(kit: Kit, tool: str) -> dict[str, tuple[Any, ...]]:
    from stackadmin.store.models import Tool

    with kit.ctx.read() as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(
            select(Account.external_id, Account.email, Account.status, Account.source,
                   Account.last_activity, Account.person_id)
            .join(Tool, Tool.id == Account.tool_id).where(Tool.name == tool))}


def _okta(kit: Kit) -> engine.SyncResult:
    return engine.sync(kit.ctx, "Okta", **kit.settings(force=True))


def test_okta_as_the_company_directory(kit: Kit) -> None:
    users = [okta_user(1), okta_user(2), okta_user(3, "SUSPENDED",
                                                   statusChanged="2026-08-31T17:00:00.000Z")]
    users[0]["profile"].update(department="Finance", title="Controller")
    serve_users(kit.vendor, users)
    integrations.add_integration(kit.ctx, "okta", "Okta", "Okta",
                                 {"base_url": kit.vendor.url, "directory": "true"}, SECRET,
                                 secrets=kit.secrets)
    first = _okta(kit)
    assert first.ok, first.error
    assert (first.added, first.changed, first.deprovisioned) == (3, 0, 0)
    assert first.pages >= 3  # two pages of users, and the deprovisioned listing
    seats = _accounts(kit, "Okta")
    ids = {n: f"00u{n:017d}" for n in (1, 2, 3)}
    assert {k: v[:3] for k, v in seats.items()} == {
        ids[1]: ("user1@example.com", "active", "sync"),
        ids[2]: ("user2@example.com", "active", "sync"),
        ids[3]: ("user3@example.com", "suspended", "sync")}
    with kit.ctx.read() as session:
        people = {p.email: p for p in session.scalars(select(Person))}
        assert len(session.scalars(select(AccountListing.account_id)).all()) == 3
    assert (people["user1@example.com"].department, people["user1@example.com"].title) == (
        "Finance", "Controller")
    assert people["user3@example.com"].status == "departed"
    assert people["user3@example.com"].end_date == date(2026, 8, 31)
    assert seats[ids[1]][3] == datetime(2022, 5, 4, 19, 50, 52, tzinfo=UTC)  # lastLogin
    assert seats[ids[1]][4] == people["user1@example.com"].id

    before = dump(kit.ctx)
    again = _okta(kit)
    assert (again.added, again.changed, again.deprovisioned, again.unchanged) == (0, 0, 0, 3)
    assert dump(kit.ctx) == before

    # User 2 leaves: Okta lists them only under the deprovisioned filter.
    serve_users(kit.vendor, [users[0], users[2]],
                gone=[okta_user(2, "DEPROVISIONED", statusChanged="2026-11-20T09:00:00.000Z")])
    left = _okta(kit)
    assert left.ok and left.deprovisioned == 1
    assert _accounts(kit, "Okta")[ids[2]][1] == "deprovisioned"
    with kit.ctx.read() as session:
        gone = session.scalars(select(Person).where(
            Person.email == "user2@example.com")).one()
    assert (gone.status, gone.end_date, gone.left_via) == (
        "departed", date(2026, 11, 20), "directory")

    # A failure on the second page of users: every row stays as it was.
    before = dump(kit.ctx)
    serve_users(kit.vendor, [users[0], users[1], users[2]])
    kit.vendor.add(USERS, Reply.error(500, "Internal error"), query={"page": "2"})
    failed = _okta(kit)
    assert failed.status == "failed" and failed.error
    assert dump(kit.ctx) == before
    with kit.ctx.read() as session:
        run = session.get(SyncRun, failed.run_id)
        assert run is not None and run.status == "failed"
    asked = [r.param("filter") for r in kit.vendor.requests_to(USERS)]
    assert GONE["filter"] in asked  # leavers come from Okta's documented filter


def test_slack_seats_activity_and_billing(kit: Kit) -> None:
    users = [member("W1", is_admin=True), member("W2"), member("B1", is_bot=True),
             member("W3", deleted=True)]
    options = serve(kit.vendor, users, billing={"W1": True, "W2": False},
                    rows=[login("W1", NOW - 86400), login("W2", NOW - 40 * 86400)])
    integrations.add_integration(kit.ctx, "slack", "Slack acme", "Slack", options, SECRET,
                                 secrets=kit.secrets)
    first = engine.sync(kit.ctx, "Slack acme", **kit.settings())
    assert first.ok, first.error
    seats = _accounts(kit, "Slack")
    assert set(seats) == {"W1", "W2", "B1"}  # a user deleted before the first sync: no seat
    assert seats["W1"][1] == "active"
    assert seats["W1"][3] == datetime.fromtimestamp(NOW - 86400, UTC)
    with kit.ctx.read() as session:
        rows = {a.external_id: a for a in session.scalars(select(Account))}
        assert (rows["W1"].role, rows["W1"].billable) == ("admin", True)
        assert rows["W2"].billable is False
        assert rows["B1"].is_bot
        assert session.scalars(select(VendorSeatCount)).all() != []
    before = dump(kit.ctx)
    again = engine.sync(kit.ctx, "Slack acme", **kit.settings())
    assert (again.added, again.changed, again.deprovisioned, again.unchanged) == (0, 0, 0, 3)
    assert dump(kit.ctx) == before

    # Slack refuses the token: a failed run, nothing changed, the secret nowhere.
    kit.vendor.add(LIST, {"ok": False, "error": "invalid_auth"})
    kit.vendor.add(AUTH, {"ok": False, "error": "invalid_auth"})
    kit.vendor.add(BILLING, {"ok": False, "error": "invalid_auth"})
    refused = engine.sync(kit.ctx, "Slack acme", **kit.settings())
    assert refused.status == "failed" and refused.error and SECRET not in refused.error
    assert dump(kit.ctx) == before


def test_microsoft365_licences_and_the_vendors_seat_counts(kit: Kit) -> None:
    from tests.plugins.conftest import SECRET as CLIENT_SECRET  # the fake tenant's
    from tests.plugins.test_microsoft365 import CRM, E5, Graph, options, user

    graph = Graph(kit.vendor)
    graph.serve([user(1, E5), user(2, E5, CRM), user(3)])
    integrations.add_integration(kit.ctx, "microsoft365", "Contoso", "Microsoft 365",
                                 options(kit.vendor), CLIENT_SECRET, secrets=kit.secrets)
    first = engine.sync(kit.ctx, "Contoso", **kit.settings())
    assert first.ok, first.error
    assert first.added == 3

    def licences() -> dict[str, Any]:
        with kit.ctx.read() as session:
            return {a.email: (a.licenses, a.billable) for a in session.scalars(select(Account))}

    assert licences() == {"user1@contoso.com": (["ENTERPRISEPREMIUM"], True),
                          "user2@contoso.com": (["ENTERPRISEPREMIUM", "CRMSTANDARD"], True),
                          "user3@contoso.com": (None, False)}
    with kit.ctx.read() as session:
        counts = {c.label: (c.purchased, c.consumed)
                  for c in session.scalars(select(VendorSeatCount))}
    assert counts == {"ENTERPRISEPREMIUM": (25, 14), "CRMSTANDARD": (0, 14)}
    # User 2 gives back the CRM licence, user 3 gets E5: two accounts change, in place.
    graph.serve([user(1, E5), user(2, E5), user(3, E5)])
    second = engine.sync(kit.ctx, "Contoso", **kit.settings())
    assert (second.added, second.changed, second.unchanged) == (0, 2, 1)
    assert licences() == {"user1@contoso.com": (["ENTERPRISEPREMIUM"], True),
                          "user2@contoso.com": (["ENTERPRISEPREMIUM"], True),
                          "user3@contoso.com": (["ENTERPRISEPREMIUM"], True)}
