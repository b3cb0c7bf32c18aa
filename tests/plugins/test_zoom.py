"""`zoom` against a loopback Zoom: server-to-server OAuth (account credentials, HTTP Basic,
an hour's token fetched again when it expires mid-listing, never refreshed), users built from
the documented `GET /v2/users` fields for each status, licensed and basic types, roles,
`next_page_token` paging and the page token that expires after 15 minutes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from stackadmin.plugins.api import (
    AccountStatus,
    Activity,
    AuthRejected,
    MissingPermission,
    RequestRefused,
    Role,
)
from stackadmin.plugins.builtin.zoom import ZoomPlugin
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
from tests.plugins.conftest import SECRET

TOKEN = "/oauth/token"
USERS = "/v2/users"
EXPIRED_PAGE = {"code": 300, "message": "The next page token is invalid or expired."}


def options(vendor: FakeVendor, **changes: str) -> dict[str, str]:
    return {"account_id": "acct-1", "client_id": "client-1", "base_url": vendor.url,
            "token_url": vendor.url + TOKEN, **changes}


def zoom_user(n: int, kind: int = 2, role: str = "2", **changes: Any) -> dict[str, Any]:
    """A user with the fields Zoom documents for `GET /v2/users`."""
    made: dict[str, Any] = {
        "id": f"z8yCxjabcdef{n:04d}", "first_name": "User", "last_name": str(n),
        "display_name": f"User {n}", "email": f"user{n}@acme.example", "type": kind,
        "pmi": 3542471135 + n, "timezone": "Europe/Paris", "verified": 1, "dept": "Sales",
        "created_at": "2024-03-01T09:00:00Z", "user_created_at": "2024-03-01T09:00:00Z",
        "last_login_time": "2026-09-19T07:45:00Z", "last_client_version": "6.1.0.1234(mac)",
        "pic_url": "https://example.zoom.us/p/v2/pic.jpg", "language": "en-US",
        "phone_number": "", "status": "active", "role_id": role,
        "employee_unique_id": f"E{n}", "group_ids": [], "user_type": "Regular",
    }
    made.update(changes)
    return made


class Zoom:
    """The fake account: a token endpoint handing out numbered tokens, and users per status
    paged by next_page_token (the page tokens are `s-<status>-<page>`)."""

    def __init__(self, vendor: FakeVendor) -> None:
        self.vendor = vendor
        self.tokens = 0
        self.rejected: set[str] = set()  # tokens the API no longer takes
        self.users: dict[str, list[dict[str, Any]]] = {"active": [], "inactive": [],
                                                       "pending": []}
        self.per_page = 2
        vendor.add(TOKEN, self._token, method="POST")
        vendor.add(USERS, self._users)

    def _token(self, request: RecordedRequest) -> Reply:
        basic = base64.b64encode(f"client-1:{SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return Reply.error(400, body={"reason": "Invalid client_id or client_secret",
                                          "error": "invalid_client"})
        assert (request.param("grant_type"), request.param("account_id")) == (
            "account_credentials", "acct-1")
        self.tokens += 1
        return Reply.json({"access_token": f"zoom-{self.tokens}", "token_type": "bearer",
                           "expires_in": 3599, "scope": "user:read:admin",
                           "api_url": "https://api.zoom.us"})

    def _users(self, request: RecordedRequest) -> Reply:
        token = (request.headers.get("authorization") or "").removeprefix("Bearer ")
        if token in self.rejected or token != f"zoom-{self.tokens}":
            return Reply.error(401, body={"code": 124, "message": "Invalid access token."})
        status = request.param("status") or "active"
        users = self.users[status]
        chunks = [users[i:i + self.per_page] for i in range(0, len(users), self.per_page)] \
            or [[]]
        page_token = request.param("next_page_token")
        index = int(page_token.split("-")[2]) if page_token else 0
        following = f"s-{status}-{index + 1}" if index + 1 < len(chunks) else ""
        return Reply.json({"next_page_token": following, "page_count": len(chunks),
                           "page_number": index + 1, "page_size": 300,
                           "total_records": len(users), "users": chunks[index]})


def test_users_of_every_status_type_and_role(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [
        zoom_user(1, role="0"), zoom_user(2, kind=1), zoom_user(3, role="1"),
        zoom_user(4, last_login_time=None), zoom_user(5, kind=1, role="custom-7",
                                                      role_name="Helpdesk"),
    ]
    del zoom.users["active"][3]["last_login_time"]  # never signed in: Zoom leaves it out
    zoom.users["inactive"] = [zoom_user(6, status="inactive")]
    zoom.users["pending"] = [zoom_user(7, status="pending", created_at="2026-09-15T12:00:00Z",
                                       user_created_at=None, last_login_time=None)]
    result = verify_plugin(ZoomPlugin, vendor, options=options(vendor), secret=SECRET)
    got = {a.display_name: a for a in result.accounts}
    assert len(got) == 7
    owner = got["User 1"]
    assert (owner.role, owner.vendor_role, owner.license_tier, owner.billable) == (
        Role.OWNER, "owner", "licensed", True)
    assert owner.last_activity == datetime(2026, 9, 19, 7, 45, tzinfo=UTC)
    assert (owner.email, owner.department) == ("user1@acme.example", "Sales")
    basic = got["User 2"]
    assert (basic.license_tier, basic.billable, basic.holds_seat) == ("basic", False, False)
    assert (got["User 3"].role, got["User 3"].vendor_role) == (Role.ADMIN, "admin")
    assert got["User 4"].activity is Activity.NEVER
    assert (got["User 5"].role, got["User 5"].vendor_role) == (Role.MEMBER, "Helpdesk")
    assert got["User 6"].status is AccountStatus.SUSPENDED and got["User 6"].holds_seat
    pending = got["User 7"]
    assert pending.status is AccountStatus.INVITED
    assert pending.invited_at == datetime(2026, 9, 15, 12, tzinfo=UTC)
    fetched = [r for r in vendor.requests_to(USERS) if r.param("page_size") == "300"]
    assert [(r.param("status"), r.param("next_page_token")) for r in fetched[:5]] == [
        ("active", None), ("active", "s-active-1"), ("active", "s-active-2"),
        ("inactive", None), ("pending", None)]
    token = vendor.requests_to(TOKEN, method="POST")[0]
    assert token.param("grant_type") == "account_credentials"
    assert SECRET not in token.body.decode()  # the secret travels in the Basic header only
    assert fetched[0].headers["authorization"].startswith("Bearer zoom-")


def test_a_token_expiring_mid_listing_is_fetched_again_not_refreshed(
        vendor: FakeVendor) -> None:
    clock = FakeClock()
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(n) for n in range(1, 7)]
    original = zoom._users

    def slow(request: RecordedRequest) -> Reply:
        if request.param("next_page_token") == "s-active-1":
            clock.sleep(3600)  # the hour passes while this page is read
        return original(request)

    vendor.add(USERS, slow)
    result = run_fetch(ZoomPlugin, options=options(vendor), secret=SECRET, clock=clock)
    assert len(result.accounts) == 6
    tokens = vendor.requests_to(TOKEN, method="POST")
    assert len(tokens) == 2
    assert {t.param("grant_type") for t in tokens} == {"account_credentials"}
    third = next(r for r in vendor.requests_to(USERS)
                 if r.param("next_page_token") == "s-active-2")
    assert third.headers["authorization"] == "Bearer zoom-2"


def test_a_401_for_an_expired_token_fetches_a_new_one(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(n) for n in range(1, 5)]
    original = zoom._users

    def revoke_after_first_page(request: RecordedRequest) -> Reply:
        answer = original(request)
        zoom.rejected.add("zoom-1")  # Zoom expired it early
        return answer

    vendor.add(USERS, revoke_after_first_page)
    result = run_fetch(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 4
    assert len(vendor.requests_to(TOKEN, method="POST")) == 2


def test_an_expired_page_token_restarts_the_listing(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(n) for n in range(1, 6)]
    vendor.add(USERS, Reply.error(400, body=EXPIRED_PAGE),
               query={"next_page_token": "s-active-2"}, times=1)
    result = run_fetch(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert sorted(a.display_name or "" for a in result.accounts) == [
        f"User {n}" for n in range(1, 6)]
    active = [r.param("next_page_token") for r in vendor.requests_to(USERS)
              if r.param("status") == "active"]
    assert active == [None, "s-active-1", "s-active-2", None, "s-active-1", "s-active-2"]


def test_a_page_token_that_keeps_expiring_is_said_in_words(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(n) for n in range(1, 6)]
    vendor.add(USERS, Reply.error(400, body=EXPIRED_PAGE),
               query={"next_page_token": "s-active-1"})
    error = fetch_error(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert isinstance(error, RequestRefused)
    assert "The next page token is invalid or expired." in str(error)
    assert "(on page 2 of the active users of the Zoom account" in str(error)
    assert len([r for r in vendor.requests_to(USERS) if r.param("next_page_token") is None]) == 4


def test_a_missing_scope_is_named(vendor: FakeVendor) -> None:
    Zoom(vendor)
    vendor.add(USERS, Reply.error(400, body={
        "code": 4711, "message": "Invalid access token, does not contain scopes:"
                                 "[user:read:admin, user:read:list_users:admin]"}))
    error = fetch_error(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert isinstance(error, MissingPermission)
    assert error.scopes == ("user:read:admin", "user:read:list_users:admin")
    assert str(error).startswith("the Server-to-Server OAuth app lacks the scope "
                                 "user:read:admin or user:read:list_users:admin to list users")


def test_a_wrong_client_secret_is_said_in_zoom_s_words(vendor: FakeVendor) -> None:
    Zoom(vendor)
    error = fetch_error(ZoomPlugin, options=options(vendor), secret="not-the-secret-123")
    assert isinstance(error, AuthRejected)
    assert str(error) == ("the token endpoint refused the client credentials (Invalid "
                          "client_id or client_secret)")


def test_a_user_whose_status_changed_between_lists_counts_once(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(1), zoom_user(2)]
    zoom.users["inactive"] = [zoom_user(2, status="inactive")]
    result = run_fetch(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert [(a.display_name, a.status) for a in result.accounts] == [
        ("User 1", AccountStatus.ACTIVE), ("User 2", AccountStatus.SUSPENDED)]


def test_check_counts_the_active_users(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(1), zoom_user(2), zoom_user(3)]
    assert run_check(ZoomPlugin, options=options(vendor), secret=SECRET).summary == (
        "client secret accepted; it can read the users of the Zoom account acct-1 "
        "(3 active users)")


def test_a_status_without_users_may_leave_the_list_out(vendor: FakeVendor) -> None:
    zoom = Zoom(vendor)
    zoom.users["active"] = [zoom_user(1)]
    vendor.add(USERS, {"next_page_token": "", "page_size": 300, "total_records": 0},
               query={"status": "pending"})
    result = run_fetch(ZoomPlugin, options=options(vendor), secret=SECRET)
    assert [a.display_name for a in result.accounts] == ["User 1"]
