"""Directory reconciliation: unknown users, departed people holding seats, duplicates."""

from __future__ import annotations

from datetime import timedelta

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import people
from stackadmin.services.seats.reconcile import reconcile
from stackadmin.store.models import Integration
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term


def test_a_tidy_inventory_is_clean(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Docs")
    ada = person(ctx, "ada@example.com")
    account(ctx, tool, "ada@example.com", person_id=ada)
    report = reconcile(ctx)
    assert report.clean and report.as_of == TODAY


def test_unknown_users_are_unmatched_seats_but_never_bots(ctx: ServiceContext) -> None:
    tool = tool_with_term(ctx, "Docs")
    ada = person(ctx, "ada@example.com")
    stranger = account(ctx, tool, "stranger@example.com")
    unlinked = account(ctx, tool, "ada@example.com")  # same email as Ada, not matched yet
    account(ctx, tool, None, external_id="ci-bot", is_bot=True)
    account(ctx, tool, "left@example.com", status="deprovisioned")
    unknown = {u.account.account_id: u for u in reconcile(ctx).unknown_users}
    assert set(unknown) == {stranger, unlinked}
    assert unknown[stranger].suggested_person_id is None
    assert unknown[unlinked].suggested_person_id == ada
    assert unknown[unlinked].suggested_person == "Ada"


def test_departed_people_who_still_hold_seats(ctx: ServiceContext) -> None:
    docs, chat = tool_with_term(ctx, "Docs"), tool_with_term(ctx, "Chat")
    bob = person(ctx, "bob@example.com", departed_days_ago=3)
    leaving = person(ctx, "eve@example.com")
    people.update_person(ctx, leaving, status="departed", end_date=TODAY + timedelta(days=5))
    account(ctx, docs, "bob@example.com", person_id=bob)
    account(ctx, chat, "bob@example.com", person_id=bob, status="suspended")
    account(ctx, chat, "bob2@example.com", person_id=bob, status="deprovisioned")
    account(ctx, docs, "eve@example.com", person_id=leaving)
    report = reconcile(ctx)
    assert [h.email for h in report.departed_holders] == ["bob@example.com"]
    holder = report.departed_holders[0]
    assert sorted(a.tool for a in holder.accounts) == ["Chat", "Docs"]
    assert holder.end_date == TODAY - timedelta(days=3)
    # Eve leaves in five days: as of then, she is a departed holder too.
    later = reconcile(ctx, TODAY + timedelta(days=5))
    assert {h.email for h in later.departed_holders} == {"bob@example.com", "eve@example.com"}


def test_one_person_with_several_accounts_in_one_tool(ctx: ServiceContext) -> None:
    docs, chat = tool_with_term(ctx, "Docs"), tool_with_term(ctx, "Chat")
    ada = person(ctx, "ada@example.com")
    first = account(ctx, docs, "ada@example.com", person_id=ada, external_id="u1")
    second = account(ctx, docs, "ada.l@example.com", person_id=ada, external_id="u2")
    account(ctx, chat, "ada@example.com", person_id=ada)  # another tool: fine
    account(ctx, docs, "old-ada@example.com", person_id=ada, status="deprovisioned")
    # Two unmatched records of one email in one tool are one identity twice as well.
    account(ctx, chat, "x@example.com", external_id="x1")
    account(ctx, chat, "x@example.com", external_id="x2")
    dups = {(d.tool, d.email): d for d in reconcile(ctx).duplicates}
    assert set(dups) == {("Docs", "ada@example.com"), ("Chat", "x@example.com")}
    assert {a.account_id for a in dups[("Docs", "ada@example.com")].accounts} == {first, second}
    assert dups[("Docs", "ada@example.com")].person == "Ada"
    assert dups[("Chat", "x@example.com")].person_id is None


def test_the_directory_source_is_named(ctx: ServiceContext) -> None:
    with ctx.transaction() as session:
        session.add(Integration(plugin_id="okta", name="Okta (HR)", options={},
                                is_directory_source=True))
        session.add(Integration(plugin_id="slack", name="Slack", options={}))
    assert reconcile(ctx).directory_sources == ("Okta (HR)",)


def test_activity_after_the_last_day_is_flagged_per_account(ctx: ServiceContext) -> None:
    docs, chat, wiki = (tool_with_term(ctx, n) for n in ("Docs", "Chat", "Wiki"))
    bob = person(ctx, "bob@example.com", departed_days_ago=30)
    account(ctx, docs, "bob@example.com", person_id=bob, last_days=5)  # after: flagged
    account(ctx, chat, "bob@example.com", person_id=bob, last_days=2,
            status="deprovisioned")  # reclaimed since, still used after his last day
    account(ctx, wiki, "bob@example.com", person_id=bob, last_days=30)  # on the last day
    account(ctx, wiki, "bob.old@example.com", person_id=bob, last_days=None,
            activity_known=False)  # no activity reported: nothing to flag
    ada = person(ctx, "ada@example.com")
    account(ctx, docs, "ada@example.com", person_id=ada, last_days=1)
    eve = person(ctx, "eve@example.com")
    people.update_person(ctx, eve, status="departed", end_date=TODAY + timedelta(days=5))
    account(ctx, docs, "eve@example.com", person_id=eve, last_days=1)  # not gone yet
    report = reconcile(ctx)
    after = report.active_after_leaving
    assert [(a.account.tool, a.email, a.end_date, a.days_after) for a in after] == [
        ("Chat", "bob@example.com", TODAY - timedelta(days=30), 28),
        ("Docs", "bob@example.com", TODAY - timedelta(days=30), 25)]
    assert not report.clean
    assert reconcile(ctx, TODAY - timedelta(days=40)).active_after_leaving == []
