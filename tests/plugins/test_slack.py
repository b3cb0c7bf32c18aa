"""`slack` against a loopback Slack serving the documented bodies: members told apart (owners,
admins, members, guests, bots, Slackbot, deactivated, invited), who Slack bills, last sign-in
from the access logs and their paging, and Slack's errors that come with HTTP 200."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from stackadmin.plugins.api import (
    AccountKind,
    AccountStatus,
    Activity,
    AuthRejected,
    MissingPermission,
    RequestRefused,
    RetryPolicy,
    Role,
    SeatCount,
    Throttled,
    VendorUnavailable,
)
from stackadmin.plugins.builtin.slack import SlackPlugin
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

LIST = "/api/users.list"
BILLING = "/api/team.billableInfo"
LOGS = "/api/team.accessLogs"
AUTH = "/api/auth.test"
DAY = 86400
NOW = 1_790_000_000  # 2026-09-21


def options(vendor: FakeVendor) -> dict[str, str]:
    return {"base_url": vendor.url + "/api"}


def member(user_id: str, **changes: Any) -> dict[str, Any]:
    """The documented first member, as another user."""
    made = copy.deepcopy(body("slack_users.list.json")["members"][0])
    made.update(id=user_id, name=user_id.lower(), is_admin=False)
    made["profile"]["email"] = f"{user_id.lower()}@example.com"
    made["profile"]["real_name"] = f"User {user_id}"
    made.update(changes)
    return made


def login(user_id: str, last: int, first: int | None = None,
          ip: str = "192.0.2.1") -> dict[str, Any]:
    """One row of team.accessLogs, with the documented fields."""
    return {"user_id": user_id, "username": user_id.lower(), "date_first": first or last - DAY,
            "date_last": last, "count": 3, "ip": ip, "user_agent": "SlackWeb Mozilla/5.0",
            "isp": "Example ISP", "country": "US", "region": "CA"}


def serve_users(vendor: FakeVendor, users: list[dict[str, Any]], per_page: int = 2) -> None:
    vendor.cursor_pages(LIST, users, per_page=per_page, param="cursor",
                        wrap=lambda page, cursor: {"ok": True, "members": page,
                                                   "cache_ts": NOW,
                                                   "response_metadata": {
                                                       "next_cursor": cursor or ""}})


def serve_logs(vendor: FakeVendor, rows: list[dict[str, Any]], *, per_page: int = 1000,
               pages: int | None = None) -> None:
    """team.accessLogs by page number; `pages` overrides the page count Slack announces."""
    chunks = [rows[i:i + per_page] for i in range(0, len(rows), per_page)] or [[]]

    def answer(request: RecordedRequest) -> Any:
        number = int(request.param("page") or 1)
        chunk = chunks[number - 1] if number <= len(chunks) else []
        return {"ok": True, "logins": chunk,
                "paging": {"count": per_page, "total": len(rows), "page": number,
                           "pages": pages or len(chunks)}}

    vendor.add(LOGS, answer)


def serve(vendor: FakeVendor, users: list[dict[str, Any]], *,
          billing: dict[str, bool] | None = None,
          rows: list[dict[str, Any]] | None = None) -> dict[str, str]:
    serve_users(vendor, users)
    vendor.add(BILLING, {"ok": True, "billable_info": {
        k: {"billing_active": v} for k, v in (billing or {}).items()}})
    serve_logs(vendor, rows or [])
    vendor.add(AUTH, {"ok": True, "url": "https://acme.slack.com/", "team": "Acme",
                      "user": "admin", "team_id": "T012AB3C4", "user_id": "W012A3CDE"})
    return options(vendor)


def test_the_documented_bodies() -> None:
    documented = body("slack_users.list.json")
    with FakeVendor() as vendor:
        # The documented page carries a next cursor: the page after it ends the list.
        vendor.add(LIST, documented)
        vendor.add(LIST, {"ok": True, "members": [], "response_metadata": {"next_cursor": ""}},
                   query={"cursor": documented["response_metadata"]["next_cursor"]})
        vendor.add(BILLING, body("slack_team.billableInfo.json"))
        serve_logs(vendor, [login("W012A3CDE", NOW - 3 * DAY)])
        vendor.add(AUTH, {"ok": True, "team": "Ghostbusters", "user": "spengler"})
        result = verify_plugin(SlackPlugin, vendor, options=options(vendor), secret=SECRET)
        spengler, glinda = result.accounts
        assert (spengler.external_id, spengler.email, spengler.display_name) == (
            "W012A3CDE", "spengler@ghostbusters.example.com", "Egon Spengler")
        assert (spengler.role, spengler.vendor_role, spengler.kind) == (
            Role.ADMIN, "admin", AccountKind.USER)
        assert spengler.activity is Activity.REPORTED
        assert spengler.last_activity == datetime.fromtimestamp(NOW - 3 * DAY, tz=UTC)
        # The logs were read whole and Glinda has no row in them: she never signed in.
        assert glinda.activity is Activity.NEVER and glinda.title == "Glinda the Good"
        # Neither is in the documented billableInfo (its ids are other users'): not known.
        assert spengler.billable is None and glinda.billable is None
        assert result.seat_counts == (SeatCount(consumed=2),)
        # The check's users.list asks for one member; the fetch's for the most Slack serves.
        listing = [r for r in vendor.requests_to(LIST) if r.param("limit") == "1000"]
        assert listing[0].headers["authorization"] == f"Bearer {SECRET}"
        assert listing[0].param("cursor") is None
        assert listing[1].param("cursor") == "dXNlcjpVMEc5V0ZYTlo="
        assert not vendor.unmatched


def test_every_kind_of_member_is_told_apart(vendor: FakeVendor) -> None:
    users = [
        member("U1", is_primary_owner=True, is_owner=True, is_admin=True),
        member("U2", is_owner=True, is_admin=True),
        member("U3", is_admin=True),
        member("U4"),
        member("U5", is_restricted=True),
        member("U6", is_restricted=True, is_ultra_restricted=True),
        member("B1", is_bot=True, profile={"real_name": "Deploy bot", "bot_id": "B01"}),
        member("USLACKBOT", is_bot=False, profile={"real_name": "Slackbot"}),
        member("U7", deleted=True),
        member("U8", deleted=True),
        member("U9", is_invited_user=True),
    ]
    billing = {"U1": True, "U2": True, "U3": True, "U4": True, "U5": True, "U6": False,
               "U7": False, "U8": True, "U9": True}
    rows = [login(u["id"], NOW - n * DAY) for n, u in enumerate(users[:6], start=1)]
    result = run_fetch(SlackPlugin, options=serve(vendor, users, billing=billing, rows=rows),
                       secret=SECRET)
    got = {a.external_id: a for a in result.accounts}
    assert [(got[i].vendor_role, got[i].role) for i in ("U1", "U2", "U3", "U4", "U5", "U6")] == [
        ("primary_owner", Role.OWNER), ("owner", Role.OWNER), ("admin", Role.ADMIN),
        ("member", Role.MEMBER), ("multi_channel_guest", Role.GUEST),
        ("single_channel_guest", Role.GUEST)]
    assert got["U5"].kind is AccountKind.GUEST and got["U5"].holds_seat
    # A single-channel guest Slack does not bill holds no paid seat.
    assert got["U6"].billable is False and not got["U6"].holds_seat
    for bot in ("B1", "USLACKBOT"):
        assert got[bot].kind is AccountKind.BOT and got[bot].is_bot
        assert got[bot].billable is False and got[bot].activity is Activity.UNKNOWN
    assert got["U7"].status is AccountStatus.DEPROVISIONED and not got["U7"].holds_seat
    # Deactivated, yet still billed: a seat nobody can use.
    assert got["U8"].status is AccountStatus.SUSPENDED and got["U8"].holds_seat
    assert got["U9"].status is AccountStatus.INVITED
    assert got["U9"].activity is Activity.NEVER
    assert result.seat_counts == (SeatCount(consumed=7),)
    assert vendor.requests_to(LIST)[-1].param("cursor") == "cursor-5"


def test_the_newest_sign_in_of_each_member_across_pages_of_logs(vendor: FakeVendor) -> None:
    users = [member("U1"), member("U2"), member("U3")]
    rows = [login("U1", NOW - 40 * DAY, ip="192.0.2.1"),
            login("U2", NOW - 9 * DAY),
            login("U1", NOW - 2 * DAY, ip="198.51.100.7"),  # newest, another IP, later page
            login("U1", NOW - 20 * DAY, ip="203.0.113.9")]
    opts = serve(vendor, users, billing={"U1": True, "U2": True, "U3": True})
    serve_logs(vendor, rows, per_page=2)
    clock = FakeClock()
    started = clock.wallclock()
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET, clock=clock)
    got = {a.external_id: a for a in result.accounts}
    assert got["U1"].last_activity == datetime.fromtimestamp(NOW - 2 * DAY, tz=UTC)
    assert got["U2"].last_activity == datetime.fromtimestamp(NOW - 9 * DAY, tz=UTC)
    assert got["U3"].activity is Activity.NEVER
    asked = vendor.requests_to(LOGS)
    assert [r.param("page") for r in asked] == ["1", "2"]
    # One `before` for the whole read, the run's start: new sign-ins cannot shift the pages.
    befores = {r.param("before") for r in asked}
    assert len(befores) == 1 and abs(int(befores.pop()) - started) < 5
    assert {r.param("count") for r in asked} == {"1000"}


def test_access_logs_are_read_for_100_pages_at_most(vendor: FakeVendor) -> None:
    users = [member("U1"), member("U2")]
    opts = serve(vendor, users, billing={"U1": True, "U2": True})
    serve_logs(vendor, [login("U1", NOW - n * DAY) for n in range(1, 151)], per_page=1)
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    assert len(vendor.requests_to(LOGS)) == 100
    got = {a.external_id: a for a in result.accounts}
    assert got["U1"].last_activity == datetime.fromtimestamp(NOW - DAY, tz=UTC)
    # U2 may have signed in before the rows Slack serves: no date, never "never".
    assert got["U2"].activity is Activity.NO_DATE
    assert [n.code for n in result.notices] == ["access_logs_capped"]
    assert "150 pages" in result.notices[0].text


def test_a_free_plan_without_access_logs_is_activity_unknown(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1"), member("U2")], billing={"U1": True, "U2": True})
    vendor.add(LOGS, {"ok": False, "error": "paid_only"})
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    assert len(result.accounts) == 2
    assert all(a.activity is Activity.UNKNOWN for a in result.accounts)
    assert [n.code for n in result.notices] == ["activity_unknown"]
    assert "only kept on Slack's paid plans" in result.notices[0].text


def test_a_token_without_the_admin_scope_still_syncs_the_members(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1"), member("U2", is_ultra_restricted=True,
                                                 is_restricted=True)])
    missing = {"ok": False, "error": "missing_scope", "needed": "admin",
               "provided": "users:read,users:read.email"}
    vendor.add(BILLING, missing)
    vendor.add(LOGS, missing)
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    assert [a.billable for a in result.accounts] == [None, None]
    assert all(a.activity is Activity.UNKNOWN for a in result.accounts)
    assert result.seat_counts == ()
    codes = {n.code: n.text for n in result.notices}
    assert set(codes) == {"billing_unknown", "activity_unknown"}
    assert ("the token lacks the scope admin that team.billableInfo needs (the token has: "
            "users:read,users:read.email)") in codes["billing_unknown"]


@pytest.mark.parametrize(("answer", "kind", "text"), [
    ({"error": "invalid_auth"}, AuthRejected,
     "Slack rejected the token (users.list: invalid_auth, the token is not valid)"),
    ({"error": "token_revoked"}, AuthRejected,
     "Slack rejected the token (users.list: token_revoked, the token was revoked)"),
    ({"error": "missing_scope", "needed": "users:read", "provided": "identify"},
     MissingPermission,
     "the token lacks the scope users:read that users.list needs (the token has: identify)"),
    ({"error": "not_allowed_token_type"}, MissingPermission,
     "Slack refused users.list: it does not take this kind of token"),
    ({"error": "invalid_cursor"}, RequestRefused, "Slack refused users.list (invalid_cursor)"),
])
def test_errors_sent_with_http_200_are_said_in_words(vendor: FakeVendor, answer: dict[str, Any],
                                                     kind: type[Exception], text: str) -> None:
    opts = serve(vendor, [member("U1")])
    vendor.add(LIST, {"ok": False, **answer})
    error = fetch_error(SlackPlugin, options=opts, secret=SECRET)
    assert isinstance(error, kind) and str(error).startswith(text)
    assert getattr(error, "status", None) == 200
    if answer["error"] == "missing_scope":
        assert isinstance(error, MissingPermission) and error.scopes == ("users:read",)


def test_ratelimited_in_a_200_is_waited_out(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1"), member("U2"), member("U3")])
    vendor.add(LIST, Reply.json({"ok": False, "error": "ratelimited"},
                                headers={"Retry-After": "20"}),
               query={"cursor": "cursor-1"}, times=1)
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    assert len(result.accounts) == 3
    assert result.stats.retries == 1 and result.stats.waited == pytest.approx(20)
    vendor.add(LIST, Reply.json({"ok": False, "error": "ratelimited"},
                                headers={"Retry-After": "20"}))
    error = fetch_error(SlackPlugin, options=opts, secret=SECRET)
    assert isinstance(error, Throttled)
    assert str(error).startswith("Slack is throttling requests (users.list: ratelimited)")


def test_a_slack_server_error_in_a_200_is_retried_then_said(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1")])
    vendor.add(LIST, {"ok": False, "error": "fatal_error"})
    error = fetch_error(SlackPlugin, options=opts, secret=SECRET,
                        retry=RetryPolicy(max_attempts=3))
    assert isinstance(error, VendorUnavailable)
    assert str(error).startswith("Slack failed (users.list: fatal_error); gave up after 3")


def test_a_guest_and_a_member_with_one_address_count_once(vendor: FakeVendor) -> None:
    guest = member("U1", is_restricted=True)
    staff = member("U2")
    staff["profile"]["email"] = guest["profile"]["email"] = "Dana@Example.com"
    opts = serve(vendor, [guest, staff, member("U3")], billing={"U1": False, "U2": True},
                 rows=[login("U1", NOW - DAY), login("U2", NOW - 30 * DAY)])
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    dana = [a for a in result.accounts if a.email == "dana@example.com"]
    assert len(dana) == 1 and len(result.accounts) == 2
    assert (dana[0].external_id, dana[0].role, dana[0].billable) == ("U2", Role.MEMBER, True)
    assert dana[0].last_activity == datetime.fromtimestamp(NOW - DAY, tz=UTC)  # the newest
    assert "accounts_merged" in [n.code for n in result.notices]


def test_without_the_email_scope_it_says_accounts_cannot_be_matched(vendor: FakeVendor) -> None:
    users = [member("U1"), member("U2")]
    for user in users:
        del user["profile"]["email"]
    result = run_fetch(SlackPlugin, options=serve(vendor, users), secret=SECRET)
    assert all(a.email is None for a in result.accounts)
    assert "emails_missing" in [n.code for n in result.notices]


def test_check_names_the_workspace_and_the_scopes_it_lacks(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1")])
    vendor.add(AUTH, Reply.json({"ok": True, "team": "Acme", "user": "admin"},
                                headers={"X-OAuth-Scopes": "users:read,users:read.email"}))
    summary = run_check(SlackPlugin, options=opts, secret=SECRET).summary
    assert summary == ("token accepted for the workspace Acme; it can list the members; "
                       "without the scope admin, billing and last activity are not read")
    assert [r.path for r in vendor.requests] == [AUTH, LIST]
    vendor.add(AUTH, {"ok": False, "error": "invalid_auth"})
    with pytest.raises(AuthRejected, match=r"auth\.test: invalid_auth"):
        run_check(SlackPlugin, options=opts, secret=SECRET)


def test_access_logs_without_a_single_row_are_read_as_none(vendor: FakeVendor) -> None:
    opts = serve(vendor, [member("U1")], billing={"U1": True})
    vendor.add(LOGS, {"ok": True, "paging": {"count": 1000, "total": 0, "page": 1, "pages": 0}})
    result = run_fetch(SlackPlugin, options=opts, secret=SECRET)
    assert result.accounts[0].activity is Activity.NEVER and result.notices == ()
