"""`scim` against a loopback SCIM 2.0 server serving the documented ListResponse: users
with their primary email, roles and enterprise extension; `active: false` deprovisioned;
activity always unknown."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from stackadmin.plugins.api import AccountKind, AccountStatus, Activity, Role
from stackadmin.plugins.builtin.scim import ENTERPRISE, ScimPlugin
from stackadmin.plugins.testing import FakeVendor, run_check, run_fetch, verify_plugin
from tests.plugins.conftest import SECRET, body

USERS = "/scim/v2/enterprises/acme/Users"


def options(vendor: FakeVendor) -> dict[str, str]:
    return {"base_url": vendor.url + "/scim/v2/enterprises/acme"}


def user(n: int, **changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(body("scim_github_enterprise_Users.json")["Resources"][0])
    made.update({"id": f"7fce0092-0000-0000-0000-{n:012d}", "userName": f"E{n:06d}",
                 "externalId": f"E{n:06d}"})
    made["emails"][0]["value"] = f"user{n}@example.com"
    made.update(changes)
    return made


def test_the_documented_list_response(vendor: FakeVendor) -> None:
    vendor.add(USERS, body("scim_github_enterprise_Users.json"))
    result = verify_plugin(ScimPlugin, vendor, options=options(vendor), secret=SECRET)
    (mona,) = result.accounts
    assert mona.external_id == "7fce0092-d52e-4f76-b727-3955bd72c939"
    assert (mona.email, mona.username, mona.display_name) == ("mlisa@example.com", "E012345",
                                                             "Mona Lisa")
    assert (mona.role, mona.vendor_role, mona.status) == (Role.MEMBER, "User",
                                                          AccountStatus.ACTIVE)
    assert mona.activity is Activity.UNKNOWN and mona.last_activity is None
    request = vendor.requests_to(USERS)[-1]
    assert (request.param("startIndex"), request.param("count")) == ("1", "100")
    assert request.headers["authorization"] == f"Bearer {SECRET}"


def test_many_pages_of_users_of_every_kind(vendor: FakeVendor) -> None:
    users = [user(n) for n in range(1, 251)]
    users[1] = user(2, active=False)
    users[2] = user(3, roles=[{"value": "User"}, {"value": "Organization Administrator",
                                                  "primary": True}])
    users[3] = user(4, emails=[{"value": "old@example.com", "type": "home"},
                               {"value": "New@Example.com", "type": "work", "primary": True}])
    users[4] = user(5, emails=[], userName="Login.As.Email@Example.com")
    users[5] = user(6, userType="Guest")
    users[6] = user(7, **{ENTERPRISE: {"department": "Finance", "costCenter": "CC-7",
                                       "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d",
                                                   "displayName": "John Smith"}},
                          "title": "Controller",
                          "meta": {"resourceType": "User",
                                   "created": "2010-01-23T04:56:22Z"}})
    users[7] = user(8, displayName=None, name={"givenName": "Barbara", "familyName": "Jensen"},
                    meta={"created": "2011-08-01 18:29:49"})  # no offset: SCIM means UTC
    vendor.scim_users(USERS, users, max_count=100)
    result = verify_plugin(ScimPlugin, vendor, options=options(vendor), secret=SECRET)
    assert result.stats.pages == 3 and len(result.accounts) == 250
    by_name = {a.username: a for a in result.accounts}
    assert by_name["E000002"].status is AccountStatus.DEPROVISIONED
    assert not by_name["E000002"].holds_seat
    assert by_name["E000003"].role is Role.ADMIN
    assert by_name["E000003"].vendor_role == "Organization Administrator, User"
    assert by_name["E000004"].email == "new@example.com"
    assert by_name["Login.As.Email@Example.com"].email == "login.as.email@example.com"
    assert by_name["E000006"].kind is AccountKind.GUEST and by_name["E000006"].role is Role.GUEST
    finance = by_name["E000007"]
    assert (finance.department, finance.cost_center, finance.title, finance.manager) == (
        "Finance", "CC-7", "Controller", "26118915-6090-4610-87e4-49d8ca9f808d")
    assert finance.first_seen == datetime(2010, 1, 23, 4, 56, 22, tzinfo=UTC)
    assert by_name["E000008"].display_name == "Barbara Jensen"
    assert by_name["E000008"].first_seen == datetime(2011, 8, 1, 18, 29, 49, tzinfo=UTC)
    assert all(a.activity is Activity.UNKNOWN for a in result.accounts)


def test_a_server_that_caps_count_is_read_to_the_end(vendor: FakeVendor) -> None:
    vendor.scim_users(USERS, [user(n) for n in range(1, 46)], max_count=20)
    result = run_fetch(ScimPlugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 45
    assert [r.param("startIndex") for r in vendor.requests] == ["1", "21", "41"]


def test_a_user_listed_twice_while_the_list_shifts_counts_once(vendor: FakeVendor) -> None:
    first = [user(n) for n in range(1, 101)]
    vendor.add(USERS, {"totalResults": 150, "startIndex": 1, "Resources": first})
    vendor.add(USERS, {"totalResults": 150, "startIndex": 101,
                       "Resources": [user(100)] + [user(n) for n in range(101, 150)]},
               query={"startIndex": "101"})
    result = run_fetch(ScimPlugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 149


def test_an_empty_directory(vendor: FakeVendor) -> None:
    vendor.add(USERS, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                       "totalResults": 0, "startIndex": 1, "itemsPerPage": 0})
    assert run_fetch(ScimPlugin, options=options(vendor), secret=SECRET).accounts == ()


def test_check_counts_the_users(vendor: FakeVendor) -> None:
    vendor.scim_users(USERS, [user(n) for n in range(1, 4)])
    summary = run_check(ScimPlugin, options=options(vendor), secret=SECRET)
    assert summary.summary == "token accepted; the SCIM server lists 3 users"
    assert vendor.requests[0].param("count") == "1"
