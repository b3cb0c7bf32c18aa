"""`atlassian` against a loopback Atlassian serving managed accounts built from the
Organizations REST API's documented fields: account statuses and types, who is billed, last
active dates (overall and per product), `links.next` paging, and the `product` option that
makes one product's users the tool's accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import pytest

from stackadmin.plugins.api import AccountKind, AccountStatus, Activity, ConfigError, Role
from stackadmin.plugins.builtin.atlassian import AtlassianPlugin
from stackadmin.plugins.testing import (
    FakeVendor,
    RecordedRequest,
    fetch_error,
    run_check,
    run_fetch,
    verify_plugin,
)
from tests.plugins.conftest import SECRET

ORG = "/admin/v1/orgs/org-1"
USERS = ORG + "/users"
JIRA = {"key": "jira-software", "name": "Jira Software",
        "url": "acme.atlassian.net", "last_active": "2026-09-18T10:00:00.000Z"}
CONFLUENCE = {"key": "confluence", "name": "Confluence",
              "url": "acme.atlassian.net/wiki", "last_active": "2026-06-01T08:00:00.000Z"}


def options(vendor: FakeVendor, **changes: str) -> dict[str, str]:
    return {"org_id": "org-1", "base_url": vendor.url, **changes}


def account(n: int, *products: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A managed account with the documented fields."""
    made: dict[str, Any] = {
        "account_id": f"5b10ac8d82e05b22cc7d4e{n:02d}", "account_type": "atlassian",
        "account_status": "active", "name": f"User {n}", "nickname": f"user{n}",
        "picture": "https://avatar-management.example/avatar.png",
        "email": f"user{n}@acme.example", "access_billable": True,
        "last_active": "2026-09-18T10:00:00.000Z",
        "product_access": [dict(p) for p in products],
        "links": {"self": f"https://api.atlassian.com/users/5b10ac8d82e05b22cc7d4e{n:02d}"},
    }
    made.update(changes)
    return made


def serve(vendor: FakeVendor, accounts: list[dict[str, Any]], per_page: int = 2) -> None:
    vendor.next_link_pages(USERS, accounts, per_page=per_page,
                           wrap=lambda page, following: {
                               "data": page, "links": {"self": vendor.url + USERS,
                                                       "next": following}})
    vendor.add(ORG, {"data": {"id": "org-1", "type": "orgs", "attributes": {"name": "Acme"},
                              "links": {"self": vendor.url + ORG}}})


def test_managed_accounts_of_every_kind(vendor: FakeVendor) -> None:
    serve(vendor, [
        account(1, JIRA, CONFLUENCE),
        account(2, JIRA, account_status="inactive", access_billable=False),
        account(3, account_status="closed", access_billable=False, product_access=[]),
        account(4, JIRA, account_type="app", email=None, access_billable=False),
        account(5, CONFLUENCE, last_active=None),
        account(6, account_type="customer", access_billable=False),
    ])
    result = verify_plugin(AtlassianPlugin, vendor, options=options(vendor), secret=SECRET)
    got = {a.display_name: a for a in result.accounts}
    one = got["User 1"]
    assert (one.external_id, one.email, one.username) == (
        "5b10ac8d82e05b22cc7d4e01", "user1@acme.example", "user1")
    assert (one.status, one.kind, one.role, one.billable) == (
        AccountStatus.ACTIVE, AccountKind.USER, Role.MEMBER, True)
    assert one.last_activity == datetime(2026, 9, 18, 10, tzinfo=UTC)
    assert one.licenses == ("jira-software", "confluence")
    assert got["User 2"].status is AccountStatus.SUSPENDED and not got["User 2"].holds_seat
    assert got["User 3"].status is AccountStatus.DEPROVISIONED
    assert got["User 4"].kind is AccountKind.BOT and got["User 4"].is_bot
    assert got["User 5"].activity is Activity.NEVER and got["User 5"].last_activity is None
    assert got["User 6"].kind is AccountKind.GUEST
    assert vendor.requests_to(USERS)[0].headers["authorization"] == f"Bearer {SECRET}"
    assert len([r for r in vendor.requests_to(USERS) if r.param("page") is None]) >= 1


def test_one_product_s_users_with_its_own_last_active_date(vendor: FakeVendor) -> None:
    never_in_jira = {**JIRA, "last_active": None}
    serve(vendor, [account(1, JIRA, CONFLUENCE), account(2, CONFLUENCE), account(3),
                   account(4, never_in_jira, CONFLUENCE)])
    result = run_fetch(AtlassianPlugin, options=options(vendor, product="confluence"),
                       secret=SECRET)
    assert [a.display_name for a in result.accounts] == ["User 1", "User 2", "User 4"]
    assert all(a.last_activity == datetime(2026, 6, 1, 8, tzinfo=UTC) and
               a.license_tier == "Confluence" for a in result.accounts)
    jira = run_fetch(AtlassianPlugin, options=options(vendor, product="jira-software"),
                     secret=SECRET)
    assert [a.display_name for a in jira.accounts] == ["User 1", "User 4"]
    assert jira.accounts[0].last_activity == datetime(2026, 9, 18, 10, tzinfo=UTC)
    # Access to Jira without a date there: never active in Jira, whatever Confluence says.
    assert jira.accounts[1].activity is Activity.NEVER


def test_a_last_active_day_without_a_time_is_that_day(vendor: FakeVendor) -> None:
    # Atlassian gives a product's last active date as a day, as its last-active-dates
    # tutorial shows: read as that day, not refused for want of a time zone.
    serve(vendor, [account(1, {**JIRA, "last_active": "2023-01-19"},
                           last_active="2023-01-20")])
    jira = run_fetch(AtlassianPlugin, options=options(vendor, product="jira-software"),
                     secret=SECRET)
    assert jira.accounts[0].activity is Activity.REPORTED
    assert jira.accounts[0].last_activity == datetime(2023, 1, 19, tzinfo=UTC)
    whole = run_fetch(AtlassianPlugin, options=options(vendor), secret=SECRET)
    assert whole.accounts[0].last_activity == datetime(2023, 1, 20, tzinfo=UTC)


def test_a_product_no_one_has_is_refused_with_the_products_seen(vendor: FakeVendor) -> None:
    serve(vendor, [account(1, JIRA), account(2, CONFLUENCE)])
    error = fetch_error(AtlassianPlugin, options=options(vendor, product="jira"),
                        secret=SECRET)
    assert isinstance(error, ConfigError)
    assert str(error) == ("no account of the Atlassian organisation 'org-1' has access to the "
                          "product 'jira' (option product); the products seen: confluence "
                          "(Confluence), jira-software (Jira Software)")


def test_a_next_cursor_instead_of_a_link_is_sent_back(vendor: FakeVendor) -> None:
    pages = {None: {"data": [account(1)], "links": {"next": "NTU3MDU4OmE4ZGVk"}},
             "NTU3MDU4OmE4ZGVk": {"data": [account(2)], "links": {}}}

    def answer(request: RecordedRequest) -> Any:
        return pages[request.param("cursor")]

    vendor.add(USERS, answer)
    result = run_fetch(AtlassianPlugin, options=options(vendor), secret=SECRET)
    assert [a.display_name for a in result.accounts] == ["User 1", "User 2"]
    assert vendor.requests_to(USERS)[1].param("cursor") == "NTU3MDU4OmE4ZGVk"


def test_check_names_the_organisation(vendor: FakeVendor) -> None:
    serve(vendor, [account(1)])
    assert run_check(AtlassianPlugin, options=options(vendor), secret=SECRET).summary == (
        "API key accepted; organisation Acme")


@pytest.mark.parametrize("org", ["org/../x", "org?x=1"])
def test_an_organisation_id_stays_one_path_segment(vendor: FakeVendor, org: str) -> None:
    error = fetch_error(AtlassianPlugin, options=options(vendor, org_id=org), secret=SECRET)
    assert "could not be found" in str(error)  # nothing answers there: it went nowhere else
    (request,) = vendor.unmatched
    assert request.path == f"/admin/v1/orgs/{quote(org, safe='')}/users"


def test_an_organisation_without_managed_accounts_is_empty(vendor: FakeVendor) -> None:
    vendor.add(USERS, {"links": {"self": vendor.url + USERS}})
    assert run_fetch(AtlassianPlugin, options=options(vendor), secret=SECRET).accounts == ()
