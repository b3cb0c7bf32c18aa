"""Every built-in plugin against the same faults of a real loopback vendor: throttling and
outages (then success, or a storm past the cap), a rejected token, a missing scope, an
unknown organisation, JSON cut short, an HTML page with status 200, a timeout halfway
through, a page that repeats, a cancel between pages — each a clear error in words without
the secret, in the message or in any log line."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from stackadmin.plugins.api import (
    AuthRejected,
    BadResponse,
    MissingPermission,
    NotFound,
    Plugin,
    RepeatedPage,
    RetryPolicy,
    Throttled,
    TimedOut,
    VendorUnavailable,
)
from stackadmin.plugins.builtin.github import GitHubPlugin
from stackadmin.plugins.builtin.github_copilot import GitHubCopilotPlugin
from stackadmin.plugins.builtin.scim import ScimPlugin
from stackadmin.plugins.testing import (
    FakeVendor,
    Reply,
    assert_no_secret,
    captured_logs,
    check_cancel_between_pages,
    fetch_error,
    run_fetch,
)
from tests.plugins.conftest import SECRET, body

Route = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Case:
    plugin: type[Plugin]
    options: Callable[[FakeVendor], dict[str, str]]
    serve: Callable[[FakeVendor], None]  # the happy path: the main listing has 3 pages
    first: Route  # the fetch's first request
    listing: Route  # the main listing's first page
    page2: Route  # its second page
    accounts: int
    not_found: str
    repeat: Callable[[FakeVendor], None]  # makes the listing ask for a page twice

    def __str__(self) -> str:
        return self.plugin.id


def _github_serve(vendor: FakeVendor) -> None:
    template = body("github_org_members.json")[0]
    people = [{**copy.deepcopy(template), "login": f"user{n}", "id": n} for n in range(1, 251)]
    vendor.link_pages("/orgs/acme/members", people, per_page=100)
    vendor.link_pages("/orgs/acme/members", people, per_page=100, query={"role": "admin"})
    vendor.link_pages("/orgs/acme/members", [], per_page=100, query={"role": "member"})
    vendor.link_pages("/orgs/acme/invitations", [], per_page=100)


def _github_repeat(vendor: FakeVendor) -> None:
    vendor.add("/orgs/acme/members", Reply.json([], headers={
        "Link": f'<{vendor.url_for("/orgs/acme/members", role="admin", page=2)}>; rel="next"'}),
        query={"role": "admin", "page": "2"})


def _copilot_serve(vendor: FakeVendor) -> None:
    template = body("github_copilot_billing_seats.json")["seats"][0]
    seats = []
    for n in range(250):
        seat = copy.deepcopy(template)
        seat["assignee"].update(login=f"user{n}", id=1000 + n)
        seats.append(seat)
    vendor.add("/orgs/acme/copilot/billing", body("github_copilot_billing.json"))
    vendor.link_pages("/orgs/acme/copilot/billing/seats", seats, per_page=100,
                      wrap=lambda page: {"total_seats": 250, "seats": page})


def _copilot_repeat(vendor: FakeVendor) -> None:
    path = "/orgs/acme/copilot/billing/seats"
    again = vendor.url_for(path, per_page=100, page=2)
    vendor.add(path, Reply.json({"total_seats": 250, "seats": []},
                                headers={"Link": f'<{again}>; rel="next"'}), query={"page": "2"})


def _scim_serve(vendor: FakeVendor) -> None:
    template = body("scim_github_enterprise_Users.json")["Resources"][0]
    users = [{**copy.deepcopy(template), "id": f"u-{n}", "userName": f"E{n}"}
             for n in range(1, 251)]
    vendor.scim_users("/scim/v2/Users", users)


def _scim_repeat(vendor: FakeVendor) -> None:
    # A server that ignores startIndex and keeps answering with the first page.
    first = copy.deepcopy(body("scim_github_enterprise_Users.json"))
    first["totalResults"] = 250
    first["Resources"] = [{**first["Resources"][0], "id": f"u-{n}"} for n in range(1, 101)]
    vendor.add("/scim/v2/Users", first)


CASES = [
    Case(GitHubPlugin, lambda v: {"org": "acme", "base_url": v.url}, _github_serve,
         ("/orgs/acme/members", {"role": "admin"}), ("/orgs/acme/members", {"role": "admin"}),
         ("/orgs/acme/members", {"role": "admin", "page": "2"}), 250,
         "the owners of the organisation 'acme' could not be found", _github_repeat),
    Case(GitHubCopilotPlugin, lambda v: {"org": "acme", "base_url": v.url}, _copilot_serve,
         ("/orgs/acme/copilot/billing", {}), ("/orgs/acme/copilot/billing/seats", {}),
         ("/orgs/acme/copilot/billing/seats", {"page": "2"}), 250,
         "Copilot for the organisation 'acme' could not be found", _copilot_repeat),
    Case(ScimPlugin, lambda v: {"base_url": v.url + "/scim/v2"}, _scim_serve,
         ("/scim/v2/Users", {}), ("/scim/v2/Users", {}),
         ("/scim/v2/Users", {"startIndex": "101"}), 250,
         "the SCIM user list could not be found", _scim_repeat),
]


@pytest.fixture(params=CASES, ids=str)
def case(request: pytest.FixtureRequest, vendor: FakeVendor) -> Case:
    chosen: Case = request.param
    chosen.serve(vendor)
    return chosen


def fault(vendor: FakeVendor, route: Route, reply: Reply, times: int | None = None) -> None:
    vendor.add(route[0], reply, query=route[1], times=times)


def error(case: Case, vendor: FakeVendor, **settings: Any) -> Exception:
    with captured_logs() as logs:
        raised = fetch_error(case.plugin, options=case.options(vendor), secret=SECRET,
                             **settings)
    assert_no_secret(SECRET, raised, logs)
    return raised


def test_the_happy_path_reads_three_pages(case: Case, vendor: FakeVendor) -> None:
    result = run_fetch(case.plugin, options=case.options(vendor), secret=SECRET)
    assert len(result.accounts) == case.accounts
    assert result.stats.pages >= 3 and result.stats.retries == 0


def test_a_429_with_retry_after_then_success(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.throttle(retry_after=7), times=1)
    result = run_fetch(case.plugin, options=case.options(vendor), secret=SECRET)
    assert len(result.accounts) == case.accounts
    assert result.stats.retries == 1 and result.stats.waited == pytest.approx(7)


def test_a_503_then_success(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.listing, Reply.unavailable(), times=2)
    result = run_fetch(case.plugin, options=case.options(vendor), secret=SECRET)
    assert len(result.accounts) == case.accounts and result.stats.retries == 2


def test_a_throttling_storm_past_the_cap(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.throttle(retry_after=2))
    raised = error(case, vendor)
    assert isinstance(raised, Throttled)
    assert "HTTP 429" in str(raised) and "gave up after 6 attempts and 10 s of waiting" in \
        str(raised) and "(on page 2 of" in str(raised)


def test_an_outage_past_the_cap(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.listing, Reply.unavailable())
    raised = error(case, vendor, retry=RetryPolicy(max_attempts=3))
    assert isinstance(raised, VendorUnavailable)
    assert "HTTP 503" in str(raised) and "gave up after 3 attempts" in str(raised)


def test_a_rejected_token(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, Reply.error(401, "Bad credentials"))
    raised = error(case, vendor)
    assert isinstance(raised, AuthRejected)
    assert str(raised).startswith("the token was rejected (HTTP 401")


def test_a_missing_scope_is_named(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, Reply.error(
        403, "Resource not accessible by personal access token",
        headers={"X-Accepted-OAuth-Scopes": "read:org", "X-OAuth-Scopes": "repo"}))
    raised = error(case, vendor)
    assert isinstance(raised, MissingPermission) and raised.scopes == ("read:org",)
    assert "it needs the scope read:org (the token has: repo)" in str(raised)


def test_an_unknown_organisation_or_endpoint(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, Reply.error(404, "Not Found"))
    raised = error(case, vendor)
    assert isinstance(raised, NotFound)
    assert str(raised).startswith(case.not_found)


def test_json_cut_short_on_page_two(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.truncated({"seats": [{"id": n} for n in range(40)],
                                               "Resources": []}))
    raised = error(case, vendor)
    assert isinstance(raised, BadResponse)
    assert "not valid JSON" in str(raised) and "(on page 2 of" in str(raised)


def test_an_html_page_with_status_200(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.listing, Reply.html("Single sign-on"))
    raised = error(case, vendor)
    assert isinstance(raised, BadResponse)
    assert "HTML page titled 'Single sign-on' instead of JSON" in str(raised)


def test_a_timeout_halfway_through(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.json([]).after(1.0))
    raised = error(case, vendor, timeout=httpx.Timeout(0.2),
                   retry=RetryPolicy(max_attempts=2))
    assert isinstance(raised, TimedOut)
    assert "did not answer within 0.2 s" in str(raised) and "(on page 2 of" in str(raised)


def test_a_page_that_repeats(case: Case, vendor: FakeVendor) -> None:
    case.repeat(vendor)
    raised = error(case, vendor)
    assert isinstance(raised, RepeatedPage)
    assert "stopped rather than read the same pages forever" in str(raised)


def test_a_cancel_between_pages(case: Case, vendor: FakeVendor) -> None:
    raised = check_cancel_between_pages(case.plugin, vendor, options=case.options(vendor),
                                        secret=SECRET, after_pages=2)
    assert str(raised) == "cancelled"
