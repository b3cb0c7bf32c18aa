"""`okta` against a loopback Okta serving the documented bodies: every user status, lastLogin
null as never, `created` as first seen and invitation, end dates from `statusChanged`, Link
paging, the rate-limit headers honoured before a 429, and with `app_id` the app's assignees
with their last single sign-on from the System Log."""

from __future__ import annotations

import copy
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from stackadmin.plugins.api import (
    AccountStatus,
    Activity,
    AuthRejected,
    NotFound,
    Role,
)
from stackadmin.plugins.builtin.okta import OktaPlugin
from stackadmin.plugins.testing import (
    FakeClock,
    FakeVendor,
    RecordedRequest,
    Reply,
    fetch_error,
    run_check,
    run_fetch,
    verify_plugin,
)
from tests.plugins.conftest import SECRET, body

USERS = "/api/v1/users"
APP = "0oajiqIRNXPPJBNZMGYL"
APP_USERS = f"/api/v1/apps/{APP}/users"
LOGS = "/api/v1/logs"
GONE = {"filter": 'status eq "DEPROVISIONED"'}


def options(vendor: FakeVendor, **changes: str) -> dict[str, str]:
    return {"base_url": vendor.url, **changes}


def okta_user(n: int, status: str = "ACTIVE", **changes: Any) -> dict[str, Any]:
    """The documented user, as user n."""
    made = copy.deepcopy(body("okta_users.json")[0])
    made["id"] = f"00u{n:017d}"
    made["status"] = status
    made["profile"].update(firstName="User", lastName=str(n), login=f"user{n}@example.com",
                           email=f"user{n}@example.com")
    made.update(changes)
    return made


def serve_users(vendor: FakeVendor, users: list[dict[str, Any]],
                gone: list[dict[str, Any]] | None = None, per_page: int = 2) -> None:
    vendor.link_pages(USERS, users, per_page=per_page)
    vendor.link_pages(USERS, gone or [], per_page=per_page, query=GONE)


def assignment(n: int, app_status: str = "PROVISIONED", user_status: str = "ACTIVE",
               **changes: Any) -> dict[str, Any]:
    """The documented app user, as user n's assignment with their Okta user embedded."""
    made = copy.deepcopy(body("okta_apps_appId_users.json")[0])
    user_id = f"00u{n:017d}"
    made.update(id=user_id, status=app_status)
    made["credentials"]["userName"] = f"user{n}@example.com"
    made["profile"]["email"] = f"user{n}@example.com"
    embedded = made["_embedded"]["user"]
    embedded.update(id=user_id, status=user_status)
    embedded["profile"].update(login=f"user{n}@example.com", email=f"user{n}@example.com",
                               firstName="User", lastName=str(n))
    made.update(changes)
    return made


def sso(user_id: str, when: str, result: str = "SUCCESS") -> dict[str, Any]:
    """A System Log event with the documented fields: a single sign-on to the app."""
    return {"uuid": f"ev-{user_id}-{when}", "published": when,
            "eventType": "user.authentication.sso", "version": "0", "severity": "INFO",
            "displayMessage": "User single sign on to app",
            "actor": {"id": user_id, "type": "User", "alternateId": f"{user_id}@example.com",
                      "displayName": user_id},
            "outcome": {"result": result, "reason": None},
            "target": [{"id": APP, "type": "AppInstance", "alternateId": "Salesforce",
                        "displayName": "Salesforce.com"}]}


def serve_logs(vendor: FakeVendor, events: list[dict[str, Any]], per_page: int = 2) -> None:
    """The System Log as a polling listing: every page, even an empty one, links a next."""
    chunks = [events[i:i + per_page] for i in range(0, len(events), per_page)]

    def answer(request: RecordedRequest) -> Reply:
        number = int(request.param("page") or 1)
        chunk = chunks[number - 1] if number <= len(chunks) else []
        query = {k: v[-1] for k, v in request.query.items()}
        following = vendor.url_for(LOGS, **{**query, "page": number + 1})
        return Reply.json(chunk, headers={"Link": f'<{following}>; rel="next"'})

    vendor.add(LOGS, answer)


def test_the_documented_user(vendor: FakeVendor) -> None:
    serve_users(vendor, body("okta_users.json"))
    result = verify_plugin(OktaPlugin, vendor, options=options(vendor), secret=SECRET)
    (alice,) = result.accounts
    assert (alice.external_id, alice.email, alice.username, alice.display_name) == (
        "00u118oQYT4TBTemp0g4", "alice.smith@example.com", "alice.smith@example.com",
        "Alice Smith")
    assert alice.status is AccountStatus.ACTIVE and alice.role is Role.MEMBER
    assert alice.last_activity == datetime(2022, 5, 4, 19, 50, 52, tzinfo=UTC)
    assert alice.first_seen == datetime(2022, 4, 4, 15, 56, 5, tzinfo=UTC)
    listing = [r for r in vendor.requests_to(USERS) if r.param("limit") == "200"]
    assert listing[0].headers["authorization"] == f"SSWS {SECRET}"
    assert listing[0].param("filter") is None
    assert listing[1].param("filter") == 'status eq "DEPROVISIONED"'


def test_every_status_with_its_dates_and_directory_fields(vendor: FakeVendor) -> None:
    users = [
        okta_user(1, "STAGED", lastLogin=None),
        okta_user(2, "PROVISIONED", lastLogin=None, created="2026-09-01T10:00:00.000Z"),
        okta_user(3, "ACTIVE", lastLogin=None),
        okta_user(4, "RECOVERY"), okta_user(5, "PASSWORD_EXPIRED"), okta_user(6, "LOCKED_OUT"),
        okta_user(7, "SUSPENDED", statusChanged="2026-08-31T17:00:00.000Z"),
    ]
    users[2]["profile"].update(department="Finance", title="Controller", costCenter="CC-9",
                               managerId="00u00000000000000099", manager="Jo Boss")
    serve_users(vendor, users, gone=[okta_user(8, "DEPROVISIONED",
                                               statusChanged="2026-07-01T09:00:00.000Z")])
    result = verify_plugin(OktaPlugin, vendor, options=options(vendor), secret=SECRET)
    got = {a.display_name: a for a in result.accounts}
    assert [got[f"User {n}"].status for n in range(1, 9)] == [
        AccountStatus.INVITED, AccountStatus.INVITED, AccountStatus.ACTIVE,
        AccountStatus.ACTIVE, AccountStatus.ACTIVE, AccountStatus.ACTIVE,
        AccountStatus.SUSPENDED, AccountStatus.DEPROVISIONED]
    pending = got["User 2"]
    assert pending.invited_at == pending.first_seen == datetime(2026, 9, 1, 10, tzinfo=UTC)
    assert pending.activity is Activity.NEVER
    controller = got["User 3"]
    assert controller.activity is Activity.NEVER and controller.last_activity is None
    assert (controller.department, controller.title, controller.cost_center,
            controller.manager) == ("Finance", "Controller", "CC-9", "00u00000000000000099")
    assert got["User 7"].end_date == date(2026, 8, 31) and got["User 7"].holds_seat
    assert got["User 8"].end_date == date(2026, 7, 1) and not got["User 8"].holds_seat
    assert got["User 4"].end_date is None
    assert len(vendor.requests_to(USERS)) >= 5  # four pages of users, one of deactivated ones


def test_the_rate_limit_is_waited_for_before_a_429_happens(vendor: FakeVendor) -> None:
    users = [okta_user(n) for n in range(1, 5)]
    reset = int(time.time()) + 30

    vendor.link_pages(USERS, users, per_page=2,
                      headers={"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0",
                               "X-Rate-Limit-Reset": str(reset)})
    vendor.link_pages(USERS, [], per_page=2, query=GONE)
    clock = FakeClock()
    result = run_fetch(OktaPlugin, options=options(vendor), secret=SECRET, clock=clock)
    assert len(result.accounts) == 4 and result.stats.throttled == 0
    # Each answer said none were left: the next request waited for the window's reset.
    assert result.stats.waited == pytest.approx(31, abs=2)
    assert result.stats.retries == 0


def test_a_429_waits_for_okta_s_reset_time(vendor: FakeVendor) -> None:
    serve_users(vendor, [okta_user(n) for n in range(1, 5)])
    vendor.add(USERS, Reply.error(429, body={
        "errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too "
                                                 "many requests."},
        headers={"X-Rate-Limit-Remaining": "0",
                 "X-Rate-Limit-Reset": str(int(time.time()) + 12)}),
        query={"page": "2"}, times=1)
    result = run_fetch(OktaPlugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 4
    assert result.stats.retries == 1 and result.stats.waited == pytest.approx(13, abs=2)


def test_a_revoked_token_is_said_with_okta_s_words(vendor: FakeVendor) -> None:
    vendor.add(USERS, Reply.error(401, body={"errorCode": "E0000011",
                                             "errorSummary": "Invalid token provided",
                                             "errorLink": "E0000011", "errorCauses": []}))
    error = fetch_error(OktaPlugin, options=options(vendor), secret=SECRET)
    assert isinstance(error, AuthRejected)
    assert str(error).startswith("the token was rejected (HTTP 401 on GET")
    assert str(error).endswith('"Invalid token provided"')


def test_an_app_s_assignees_with_their_last_single_sign_on(vendor: FakeVendor) -> None:
    documented = body("okta_apps_appId_users.json")[0]
    assignees = [documented, assignment(2), assignment(3), assignment(4, "STAGED"),
                 assignment(5, user_status="SUSPENDED",
                            _embedded={"user": {**assignment(5)["_embedded"]["user"],
                                                "status": "SUSPENDED",
                                                "statusChanged": "2026-09-02T08:00:00.000Z"}}),
                 assignment(6, "INACTIVE")]
    vendor.link_pages(APP_USERS, assignees, per_page=2)
    vendor.add(f"/api/v1/apps/{APP}", {"id": APP, "label": "Salesforce.com"})
    now = datetime.now(UTC)
    stamp = lambda days: (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731
    two, three = assignees[1]["id"], assignees[2]["id"]
    serve_logs(vendor, [sso(two, stamp(40)), sso(three, stamp(30)), sso(two, stamp(5)),
                        sso(three, stamp(1), result="FAILURE"), sso(two, stamp(20))])
    result = verify_plugin(OktaPlugin, vendor, options=options(vendor, app_id=APP),
                           secret=SECRET)
    got = {a.external_id: a for a in result.accounts}
    saml = got["00u1dnq5S0CfjlkpABCD"]
    assert (saml.email, saml.username, saml.display_name) == (
        "saml.test@example.com", "saml.test@example.com", "Saml Test")
    assert (saml.vendor_role, saml.role) == ("Tester", Role.MEMBER)
    assert saml.status is AccountStatus.ACTIVE
    assert saml.first_seen == datetime(2024, 1, 31, 18, 25, 1, tzinfo=UTC)  # assigned then
    assert saml.activity is Activity.NO_DATE  # no sign-on in the 90 days Okta keeps
    # The newest successful sign-on; the failed one later is not use.
    assert got[two].last_activity.date() == (now - timedelta(days=5)).date()  # type: ignore[union-attr]
    assert got[three].last_activity.date() == (now - timedelta(days=30)).date()  # type: ignore[union-attr]
    assert got[two].last_activity_via == "Okta single sign-on"
    assert got[assignees[3]["id"]].status is AccountStatus.INVITED
    suspended = got[assignees[4]["id"]]
    assert suspended.status is AccountStatus.SUSPENDED and suspended.end_date == date(2026, 9, 2)
    assert got[assignees[5]["id"]].status is AccountStatus.DEPROVISIONED
    notices = {n.code: n.text for n in result.notices}
    assert set(notices) == {"activity_window"}
    assert notices["activity_window"].startswith(f"3 account(s) of the Okta app '{APP}' did "
                                                 "not sign in to it through Okta since")
    asked = vendor.requests_to(APP_USERS)[0]
    assert (asked.param("expand"), asked.param("limit")) == ("user", "500")
    log = vendor.requests_to(LOGS)[0]
    assert log.param("filter") == f'eventType eq "user.authentication.sso" and target.id eq "{APP}"'
    since = datetime.fromisoformat(log.param("since").replace("Z", "+00:00"))  # type: ignore[union-attr]
    assert abs((now - since) - timedelta(days=90)) < timedelta(minutes=5)
    assert vendor.requests_to(USERS) == []  # the app's assignees only
    # The polling log always links a next page: its first empty page ends the read.
    assert len([r for r in vendor.requests_to(LOGS)]) <= 2 * 4


def test_a_token_that_may_not_read_the_system_log_syncs_activity_unknown(
        vendor: FakeVendor) -> None:
    vendor.link_pages(APP_USERS, [assignment(1), assignment(2)], per_page=2)
    vendor.add(LOGS, Reply.error(403, body={
        "errorCode": "E0000006",
        "errorSummary": "You do not have permission to perform the requested action"}))
    result = run_fetch(OktaPlugin, options=options(vendor, app_id=APP), secret=SECRET)
    assert all(a.activity is Activity.UNKNOWN for a in result.accounts)
    assert [n.code for n in result.notices] == ["activity_unknown"]


def test_an_unknown_app_is_not_found_by_name(vendor: FakeVendor) -> None:
    vendor.add(APP_USERS, Reply.error(404, body={
        "errorCode": "E0000007", "errorSummary": f"Not found: Resource not found: {APP} "
                                                 "(AppInstance)"}))
    error = fetch_error(OktaPlugin, options=options(vendor, app_id=APP), secret=SECRET)
    assert isinstance(error, NotFound)
    assert str(error).startswith(f"the users assigned the Okta app '{APP}' could not be found")


def test_check_with_and_without_an_app(vendor: FakeVendor) -> None:
    serve_users(vendor, [okta_user(1)])
    vendor.add(f"/api/v1/apps/{APP}", {"id": APP, "name": "salesforce", "label": "Salesforce.com",
                                       "status": "ACTIVE"})
    assert run_check(OktaPlugin, options=options(vendor), secret=SECRET).summary == (
        f"token accepted; it can read the users of {vendor.url}")
    assert run_check(OktaPlugin, options=options(vendor, app_id=APP), secret=SECRET).summary == (
        "token accepted; it can read who is assigned the app Salesforce.com")


def test_the_org_url_is_required() -> None:
    from stackadmin.errors import ValidationError
    from stackadmin.plugins.api import resolve_options

    with pytest.raises(ValidationError, match=r"option 'base_url' .* is required"):
        resolve_options(OktaPlugin.options, {})
