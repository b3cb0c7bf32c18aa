"""Every built-in plugin against the same faults of a real loopback vendor: throttling and
outages (then success, or a storm past the cap), a rejected credential, a missing scope or
permission in each vendor's own form, an unknown organisation or endpoint, JSON cut short, an
HTML page with status 200, a timeout halfway through, a page that repeats, a cancel between
pages — each a clear error in words without the secret, in the message or in any log line."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
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
from stackadmin.plugins.builtin.atlassian import AtlassianPlugin
from stackadmin.plugins.builtin.github import GitHubPlugin
from stackadmin.plugins.builtin.github_copilot import GitHubCopilotPlugin
from stackadmin.plugins.builtin.google_workspace import GoogleWorkspacePlugin
from stackadmin.plugins.builtin.microsoft365 import Microsoft365Plugin
from stackadmin.plugins.builtin.okta import OktaPlugin
from stackadmin.plugins.builtin.scim import ScimPlugin
from stackadmin.plugins.builtin.slack import SlackPlugin
from stackadmin.plugins.builtin.zoom import ZoomPlugin
from stackadmin.plugins.testing import (
    FakeVendor,
    Reply,
    assert_no_secret,
    captured_logs,
    check_cancel_between_pages,
    fetch_error,
    run_fetch,
)
from tests.plugins import test_atlassian as atlassian
from tests.plugins import test_google_workspace as gws
from tests.plugins import test_microsoft365 as microsoft
from tests.plugins import test_okta as okta
from tests.plugins import test_slack as slack
from tests.plugins import test_zoom as zoom
from tests.plugins.conftest import SECRET, body

Route = tuple[str, dict[str, str]]
COUNT = 250  # accounts in the main listing: three pages of 100


@dataclass(frozen=True)
class Case:
    plugin: type[Plugin]
    options: Callable[[FakeVendor], dict[str, str]]
    serve: Callable[[FakeVendor], None]  # the happy path: the main listing has 3 pages
    first: Route  # the fetch's first request to the API (after any token)
    listing: Route  # the main listing's first page
    page2: Route  # its second page
    rejected: Reply  # the vendor's "this credential is not valid"
    rejected_text: str
    forbidden: Reply  # the vendor's "this credential lacks a permission"
    forbidden_text: str
    not_found: str
    repeat: Callable[[FakeVendor], None]  # makes the listing ask for a page twice
    scopes: tuple[str, ...] = ()
    secret: str = SECRET
    also_secret: tuple[str, ...] = field(default=())  # forms of it that must not leak either

    def __str__(self) -> str:
        return self.plugin.id


# -- GitHub, Copilot and SCIM: a personal access token, its scopes in headers --------------------

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


TOKEN_REJECTED = Reply.error(401, "Bad credentials")
SCOPE_MISSING = Reply.error(403, "Resource not accessible by personal access token",
                            headers={"X-Accepted-OAuth-Scopes": "read:org",
                                     "X-OAuth-Scopes": "repo"})
SCOPE_MISSING_TEXT = ("the token lacks a permission this needs: it needs the scope read:org "
                      "(the token has: repo)")


# -- Slack: its errors come as HTTP 200 ---------------------------------------------------------

def _slack_serve(vendor: FakeVendor) -> None:
    users = [slack.member(f"U{n:04d}") for n in range(COUNT)]
    vendor.cursor_pages(slack.LIST, users, per_page=100, param="cursor",
                        wrap=lambda page, cursor: {"ok": True, "members": page,
                                                   "response_metadata": {
                                                       "next_cursor": cursor or ""}})
    vendor.add(slack.BILLING, {"ok": True, "billable_info": {}})
    slack.serve_logs(vendor, [])


def _slack_repeat(vendor: FakeVendor) -> None:
    vendor.add(slack.LIST, {"ok": True, "members": [],
                            "response_metadata": {"next_cursor": "cursor-1"}},
               query={"cursor": "cursor-1"})


# -- Google: a signed token first ---------------------------------------------------------------

def _google_serve(vendor: FakeVendor) -> None:
    gws.Google(vendor).serve([gws.person(n) for n in range(COUNT)], per_page=100)


def _google_repeat(vendor: FakeVendor) -> None:
    vendor.add(gws.USERS, {"users": [], "nextPageToken": "page-1"},
               query={"pageToken": "page-1"})


# -- Microsoft: the SKUs first, then the users --------------------------------------------------

def _graph_serve(vendor: FakeVendor) -> None:
    microsoft.Graph(vendor).serve([microsoft.user(n) for n in range(COUNT)], per_page=100)


def _graph_repeat(vendor: FakeVendor) -> None:
    def again(request: Any) -> Any:
        query = {k: v[-1] for k, v in request.query.items()}
        return {"value": [], "@odata.nextLink": vendor.url_for(microsoft.USERS, **query)}

    vendor.add(microsoft.USERS, again, query={"page": "2"})


def _okta_serve(vendor: FakeVendor) -> None:
    okta.serve_users(vendor, [okta.okta_user(n) for n in range(COUNT)], per_page=100)


def _okta_repeat(vendor: FakeVendor) -> None:
    vendor.add(okta.USERS, Reply.json([], headers={
        "Link": f'<{vendor.url_for(okta.USERS, limit=200, page=2)}>; rel="next"'}),
        query={"page": "2"})


def _atlassian_serve(vendor: FakeVendor) -> None:
    atlassian.serve(vendor, [atlassian.account(n) for n in range(COUNT)], per_page=100)


def _atlassian_repeat(vendor: FakeVendor) -> None:
    vendor.add(atlassian.USERS, {"data": [], "links": {
        "next": vendor.url_for(atlassian.USERS, page=2)}}, query={"page": "2"})


def _zoom_serve(vendor: FakeVendor) -> None:
    fake = zoom.Zoom(vendor)
    fake.per_page = 100
    fake.users["active"] = [zoom.zoom_user(n) for n in range(COUNT)]


def _zoom_repeat(vendor: FakeVendor) -> None:
    vendor.add(zoom.USERS, {"users": [], "next_page_token": "s-active-1"},
               query={"next_page_token": "s-active-1"})


GOOGLE_KEY = gws.key_file()

CASES = [
    Case(GitHubPlugin, lambda v: {"org": "acme", "base_url": v.url}, _github_serve,
         ("/orgs/acme/members", {"role": "admin"}), ("/orgs/acme/members", {"role": "admin"}),
         ("/orgs/acme/members", {"role": "admin", "page": "2"}), TOKEN_REJECTED,
         "the token was rejected (HTTP 401", SCOPE_MISSING, SCOPE_MISSING_TEXT,
         "the owners of the organisation 'acme' could not be found", _github_repeat,
         scopes=("read:org",)),
    Case(GitHubCopilotPlugin, lambda v: {"org": "acme", "base_url": v.url}, _copilot_serve,
         ("/orgs/acme/copilot/billing", {}), ("/orgs/acme/copilot/billing/seats", {}),
         ("/orgs/acme/copilot/billing/seats", {"page": "2"}), TOKEN_REJECTED,
         "the token was rejected (HTTP 401", SCOPE_MISSING, SCOPE_MISSING_TEXT,
         "Copilot for the organisation 'acme' could not be found", _copilot_repeat,
         scopes=("read:org",)),
    Case(ScimPlugin, lambda v: {"base_url": v.url + "/scim/v2"}, _scim_serve,
         ("/scim/v2/Users", {}), ("/scim/v2/Users", {}),
         ("/scim/v2/Users", {"startIndex": "101"}), TOKEN_REJECTED,
         "the token was rejected (HTTP 401", SCOPE_MISSING, SCOPE_MISSING_TEXT,
         "the SCIM user list could not be found", _scim_repeat, scopes=("read:org",)),
    Case(SlackPlugin, slack.options, _slack_serve, (slack.LIST, {}), (slack.LIST, {}),
         (slack.LIST, {"cursor": "cursor-1"}),
         Reply.json({"ok": False, "error": "invalid_auth"}),
         "Slack rejected the token (users.list: invalid_auth, the token is not valid)",
         Reply.json({"ok": False, "error": "missing_scope", "needed": "users:read",
                     "provided": "identify"}),
         "the token lacks the scope users:read that users.list needs (the token has: identify)",
         "the members of the Slack workspace could not be found", _slack_repeat,
         scopes=("users:read",)),
    Case(GoogleWorkspacePlugin, gws.options, _google_serve, (gws.USERS, {}),
         (gws.USERS, {}), (gws.USERS, {"pageToken": "page-1"}),
         Reply.error(401, body={"error": {"code": 401, "message": "Invalid Credentials"}}),
         "the token was rejected (HTTP 401",
         Reply.error(403, body={"error": {"code": 403, "message": "Not Authorized to access "
                                          "this resource/api", "errors": [
                                              {"reason": "forbidden", "domain": "global"}]}}),
         "admin@acme.example may not read the users of the Google Workspace",
         "the users of the Google Workspace could not be found", _google_repeat,
         secret=GOOGLE_KEY, also_secret=(gws._keypair()[0],)),
    Case(Microsoft365Plugin, microsoft.options, _graph_serve, (microsoft.SKUS, {}),
         (microsoft.USERS, {}), (microsoft.USERS, {"page": "2"}),
         Reply.error(401, body={"error": {"code": "InvalidAuthenticationToken",
                                          "message": "Access token validation failure."}}),
         "the token was rejected (HTTP 401",
         Reply.error(403, body={"error": {"code": "Authorization_RequestDenied",
                                          "message": "Insufficient privileges to complete "
                                                     "the operation."}}),
         "the app may not read the tenant's licences: grant it the application permission "
         "Organization.Read.All", "the tenant's licences could not be found", _graph_repeat,
         scopes=("Organization.Read.All",)),
    Case(OktaPlugin, okta.options, _okta_serve, (okta.USERS, {}), (okta.USERS, {}),
         (okta.USERS, {"page": "2"}),
         Reply.error(401, body={"errorCode": "E0000011", "errorSummary": "Invalid token "
                                                                        "provided"}),
         "the token was rejected (HTTP 401",
         Reply.error(403, body={"errorCode": "E0000006", "errorSummary": "You do not have "
                                "permission to perform the requested action"}),
         "the token lacks a permission this needs", "the Okta users could not be found",
         _okta_repeat),
    Case(AtlassianPlugin, atlassian.options, _atlassian_serve, (atlassian.USERS, {}),
         (atlassian.USERS, {}), (atlassian.USERS, {"page": "2"}),
         Reply.error(401, body={"code": 401, "message": "Unauthorized"}),
         "the token was rejected (HTTP 401",
         Reply.error(403, body={"code": 403, "message": "The API key does not have access "
                                                        "to this organization"}),
         "the token lacks a permission this needs",
         "the managed accounts of the Atlassian organisation 'org-1' could not be found",
         _atlassian_repeat),
    Case(ZoomPlugin, zoom.options, _zoom_serve, (zoom.USERS, {}),
         (zoom.USERS, {"status": "active"}), (zoom.USERS, {"next_page_token": "s-active-1"}),
         Reply.error(401, body={"code": 124, "message": "Invalid access token."}),
         "the token was rejected (HTTP 401",
         Reply.error(400, body={"code": 4711, "message": "Invalid access token, does not "
                                "contain scopes:[user:read:admin]"}),
         "the Server-to-Server OAuth app lacks the scope user:read:admin to list users",
         "the active users of the Zoom account could not be found", _zoom_repeat,
         scopes=("user:read:admin",)),
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
        raised = fetch_error(case.plugin, options=case.options(vendor), secret=case.secret,
                             **settings)
    assert_no_secret(case.secret, raised, logs)
    for form in case.also_secret:
        assert_no_secret(form, raised, logs)
    return raised


def test_the_happy_path_reads_three_pages(case: Case, vendor: FakeVendor) -> None:
    result = run_fetch(case.plugin, options=case.options(vendor), secret=case.secret)
    assert len(result.accounts) == COUNT
    assert result.stats.pages >= 3 and result.stats.retries == 0
    assert not vendor.unmatched


def test_a_429_with_retry_after_then_success(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.throttle(retry_after=7), times=1)
    result = run_fetch(case.plugin, options=case.options(vendor), secret=case.secret)
    assert len(result.accounts) == COUNT
    assert result.stats.retries == 1 and result.stats.waited == pytest.approx(7)


def test_a_503_then_success(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.listing, Reply.unavailable(), times=2)
    result = run_fetch(case.plugin, options=case.options(vendor), secret=case.secret)
    assert len(result.accounts) == COUNT and result.stats.retries == 2


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


def test_a_rejected_credential(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, case.rejected)
    raised = error(case, vendor)
    assert isinstance(raised, AuthRejected)
    assert str(raised).startswith(case.rejected_text)


def test_a_missing_permission_is_named(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, case.forbidden)
    raised = error(case, vendor)
    assert isinstance(raised, MissingPermission)
    assert str(raised).startswith(case.forbidden_text)
    assert raised.scopes == case.scopes


def test_an_unknown_endpoint(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.first, Reply.error(404, "Not Found"))
    raised = error(case, vendor)
    assert isinstance(raised, NotFound)
    assert str(raised).startswith(case.not_found)


def test_json_cut_short_on_page_two(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.truncated({"ok": True, "users": [{"id": n}
                                                                   for n in range(40)]}))
    raised = error(case, vendor)
    assert isinstance(raised, BadResponse)
    assert "not valid JSON" in str(raised) and "(on page 2 of" in str(raised)


def test_an_html_page_with_status_200(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.listing, Reply.html("Single sign-on"))
    raised = error(case, vendor)
    assert isinstance(raised, BadResponse)
    assert "HTML page titled 'Single sign-on' instead of JSON" in str(raised)


def test_a_timeout_halfway_through(case: Case, vendor: FakeVendor) -> None:
    fault(vendor, case.page2, Reply.json({}).after(1.0))
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
                                        secret=case.secret, after_pages=2)
    assert str(raised) == "cancelled"
