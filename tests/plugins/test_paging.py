"""Pagination in every vendor's style against a real loopback server, with the guard
against a page that repeats, the cancel check between pages and errors that say which
page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stackadmin.plugins.api import (
    BadResponse,
    Cancelled,
    Cursor,
    LinkHeader,
    NextUrl,
    PageNumber,
    Progress,
    RepeatedPage,
    RequestRefused,
    RetryPolicy,
    ScimIndex,
    TimedOut,
    VendorHttp,
)
from stackadmin.plugins.paging import PageRequest
from stackadmin.plugins.testing import FakeClock, FakeVendor, RecordedRequest, Reply

USERS = [{"id": n, "login": f"user{n}"} for n in range(1, 251)]


def make(**settings: Any) -> VendorHttp:
    clock = FakeClock()
    return VendorHttp(sleep=clock.sleep, monotonic=clock.monotonic, wallclock=clock.wallclock,
                      **settings)


def ids(items: list[Any]) -> list[int]:
    return [item["id"] for item in items]


def test_link_header_pages_are_followed_as_given(vendor: FakeVendor) -> None:
    vendor.link_pages("/orgs/acme/members", USERS, per_page=100)
    steps: list[Progress] = []
    with make(progress=steps.append) as http:
        items = list(http.items(vendor.url_for("/orgs/acme/members"), LinkHeader(),
                                params={"per_page": 100}, what="the members"))
        assert ids(items) == list(range(1, 251))
        assert http.stats.pages == 3 and http.stats.requests == 3
    assert [r.query.get("page") for r in vendor.requests] == [None, ["2"], ["3"]]
    assert all(r.param("per_page") == "100" for r in vendor.requests)
    assert [s.text for s in steps] == ["the members: page 1, 100 so far",
                                       "the members: page 2, 200 so far",
                                       "the members: page 3, 250 so far"]


def test_a_short_page_with_a_next_link_is_not_the_end(vendor: FakeVendor) -> None:
    vendor.pages("/users", [[USERS[0]], [], USERS[1:3]], link=True)
    with make() as http:
        assert ids(list(http.items(vendor.url_for("/users"), LinkHeader()))) == [1, 2, 3]


@pytest.mark.parametrize("params", [
    '; title="Members, page 2"; rel="next"',
    '; title="next; then more"; rel="next"',
    ' ;rel = next',
    '; anchor; rel="prev next"',
])
def test_a_link_s_quoted_parameters_do_not_hide_its_rel(vendor: FakeVendor, params: str) -> None:
    # RFC 8288 lets a parameter's quoted value hold "," and ";": the rel after it is read.
    second = vendor.url_for("/users", page=2)
    vendor.add("/users", Reply.json(USERS[:1], headers={
        "Link": f"<{second}>{params}, <{vendor.url_for('/users', page=9)}>; rel=\"last\""}))
    vendor.add("/users", Reply.json(USERS[1:3]), query={"page": "2"})
    with make() as http:
        assert ids(list(http.items(vendor.url_for("/users"), LinkHeader()))) == [1, 2, 3]


def test_slack_cursors_end_with_an_empty_cursor(vendor: FakeVendor) -> None:
    vendor.cursor_pages("/api/users.list", USERS[:25], per_page=10, param="cursor",
                        wrap=lambda members, cursor: {
                            "ok": True, "members": members,
                            "response_metadata": {"next_cursor": cursor or ""}})
    with make() as http:
        items = list(http.items(vendor.url_for("/api/users.list"),
                                Cursor("cursor", "response_metadata", "next_cursor"),
                                params={"limit": 10}, items="members"))
    assert ids(items) == list(range(1, 26))
    assert [r.param("cursor") for r in vendor.requests] == [None, "cursor-1", "cursor-2"]
    assert all(r.param("limit") == "10" for r in vendor.requests)


@pytest.mark.parametrize(("param", "key"), [("pageToken", "nextPageToken"),
                                            ("next_page_token", "next_page_token")])
def test_page_tokens(vendor: FakeVendor, param: str, key: str) -> None:
    vendor.cursor_pages("/users", USERS[:7], per_page=3, param=param,
                        wrap=lambda users, token: {"users": users, **({key: token} if token
                                                                       else {})})
    with make() as http:
        assert ids(list(http.items(vendor.url_for("/users"), Cursor(param, key),
                                   items="users"))) == list(range(1, 8))


@pytest.mark.parametrize("path", [("@odata.nextLink",), ("links", "next")])
def test_next_links_inside_the_body(vendor: FakeVendor, path: tuple[str, ...]) -> None:
    def wrap(users: list[Any], following: str | None) -> Any:
        body: dict[str, Any] = {"value": users}
        if following is not None:
            if len(path) == 1:
                body[path[0]] = following
            else:
                body[path[0]] = {path[1]: following}
        return body

    vendor.next_link_pages("/v1.0/users", USERS[:5], per_page=2, wrap=wrap)
    with make() as http:
        assert ids(list(http.items(vendor.url_for("/v1.0/users"), NextUrl(*path),
                                   items="value"))) == [1, 2, 3, 4, 5]


def test_scim_start_index_follows_what_the_server_returned(vendor: FakeVendor) -> None:
    vendor.scim_users("/scim/v2/Users", USERS[:23], max_count=7)  # the server caps count
    with make() as http:
        pages = list(http.paginate(vendor.url_for("/scim/v2/Users"), ScimIndex(10),
                                   items="Resources"))
    assert ids(pages[0].items) == list(range(1, 8))
    assert [x for p in pages for x in ids(p.items)] == list(range(1, 24))
    assert [r.param("startIndex") for r in vendor.requests] == ["1", "8", "15", "22"]
    assert pages[0].total == 23


def test_scim_stopping_short_of_its_total_is_an_error(vendor: FakeVendor) -> None:
    vendor.add("/Users", {"totalResults": 5, "startIndex": 1, "Resources": USERS[:2]})
    vendor.add("/Users", {"totalResults": 5, "startIndex": 3, "Resources": []},
               query={"startIndex": "3"})
    with make() as http, pytest.raises(BadResponse, match="stopped at 2 of the 5 users"):
        list(http.items(vendor.url_for("/Users"), ScimIndex(2), items="Resources"))


def test_numbered_pages_end_at_the_page_count(vendor: FakeVendor) -> None:
    """Slack's team.accessLogs: `page` 1, 2, 3 with the count in `paging.pages`."""
    logins = [{"user_id": f"U{n}", "date_last": 1700000000 + n} for n in range(1, 8)]

    def answer(request: RecordedRequest) -> Any:
        page = int(request.param("page") or 1)
        return {"ok": True, "logins": logins[(page - 1) * 3: page * 3],
                "paging": {"count": 3, "total": 7, "page": page, "pages": 3}}

    vendor.add("/api/team.accessLogs", answer)
    with make() as http:
        items = list(http.items(vendor.url_for("/api/team.accessLogs"),
                                PageNumber("page", "paging", "pages"), items="logins",
                                params={"count": 3}))
    assert [i["user_id"] for i in items] == [f"U{n}" for n in range(1, 8)]
    assert [r.param("page") for r in vendor.requests] == ["1", "2", "3"]


def test_numbered_pages_without_a_count_end_at_an_empty_page(vendor: FakeVendor) -> None:
    vendor.add("/items", lambda request: USERS[:2] if request.param("page") in ("1", "2")
               else [])
    with make() as http:
        assert len(list(http.items(vendor.url_for("/items"), PageNumber()))) == 4
    assert len(vendor.requests) == 3


def test_a_polling_listing_stops_at_its_first_empty_page(vendor: FakeVendor) -> None:
    """Okta's System Log always links to a next page, empty once the log is read."""
    vendor.add("/api/v1/logs", lambda request: Reply.json(
        USERS[:2] if not request.param("after") else [],
        headers={"Link": f'<{vendor.url_for("/api/v1/logs", after=len(vendor.requests))}>; '
                         'rel="next"'}))
    with make() as http:
        items = list(http.items(vendor.url_for("/api/v1/logs"), LinkHeader(),
                                stop_on_empty=True))
    assert len(items) == 2 and len(vendor.requests) == 2


def test_a_repeated_cursor_is_an_error_not_a_loop(vendor: FakeVendor) -> None:
    vendor.add("/users.list", {"members": USERS[:2],
                               "response_metadata": {"next_cursor": "dXNlcjpVMEc5V0ZYTlo="}})
    with make() as http, pytest.raises(RepeatedPage) as caught:
        list(http.items(vendor.url_for("/users.list"),
                        Cursor("cursor", "response_metadata", "next_cursor"),
                        items="members", what="the Slack users"))
    assert str(caught.value).startswith("the vendor sent the cursor 'dXNlcjpVMEc5V0ZYTlo=' "
                                        "again after page 2 of the Slack users")
    assert len(vendor.requests) == 2


def test_a_link_back_to_a_page_already_read_is_an_error(vendor: FakeVendor) -> None:
    vendor.add("/users", Reply.json(USERS[:1], headers={
        "Link": f'<{vendor.url_for("/users", page=2)}>; rel="next"'}))
    vendor.add("/users", Reply.json(USERS[1:2], headers={
        "Link": f'<{vendor.url_for("/users", page=2)}>; rel="next"'}), query={"page": "2"})
    with make() as http, pytest.raises(RepeatedPage, match="again after page 2"):
        list(http.items(vendor.url_for("/users"), LinkHeader()))


def test_the_same_page_with_its_query_in_another_order_is_a_repeat(vendor: FakeVendor) -> None:
    vendor.add("/users", Reply.json(USERS[:1], headers={
        "Link": f'<{vendor.url}/users?page=2&per_page=1>; rel="next"'}), query={"page": "1"})
    vendor.add("/users", Reply.json(USERS[1:2], headers={
        "Link": f'<{vendor.url}/users?per_page=1&page=2>; rel="next"'}), query={"page": "2"})
    with make() as http, pytest.raises(RepeatedPage):
        list(http.items(vendor.url_for("/users"), LinkHeader(), params={"page": 1}))
    assert len(vendor.requests) == 2


def test_a_next_link_to_another_host_is_not_followed(vendor: FakeVendor) -> None:
    vendor.add("/users", Reply.json(USERS[:1], headers={
        "Link": '<https://evil.example.com/users?page=2>; rel="next"'}))
    with make() as http, pytest.raises(BadResponse, match=r"another host .*evil\.example\.com"):
        list(http.items(vendor.url_for("/users"), LinkHeader()))
    assert len(vendor.requests) == 1


def test_a_page_without_the_documented_list_is_a_bad_response(vendor: FakeVendor) -> None:
    vendor.add("/users", {"error": "oops"})
    with make() as http, pytest.raises(BadResponse, match="'members' is not a list"):
        list(http.items(vendor.url_for("/users"), LinkHeader(), items="members"))


def test_a_timeout_mid_listing_says_which_page(vendor: FakeVendor) -> None:
    vendor.link_pages("/users", USERS, per_page=100)
    vendor.add("/users", Reply.json([]).after(1.0), query={"page": "2"})
    with make(timeout=httpx.Timeout(0.2), retry=RetryPolicy(max_attempts=2)) as http, \
            pytest.raises(TimedOut) as caught:
        list(http.items(vendor.url_for("/users"), LinkHeader(), what="the members"))
    assert str(caught.value).endswith("(on page 2 of the members, after 100 items)")


def test_cancel_between_pages_sends_nothing_more(vendor: FakeVendor) -> None:
    vendor.link_pages("/users", USERS, per_page=100)
    state = {"stop": False}
    with make(cancelled=lambda: state["stop"]) as http:
        pages = http.paginate(vendor.url_for("/users"), LinkHeader())
        first = next(pages)
        assert len(first.items) == 100
        state["stop"] = True
        with pytest.raises(Cancelled):
            next(pages)
    assert len(vendor.requests) == 1


def test_max_pages_stops_quietly(vendor: FakeVendor) -> None:
    vendor.link_pages("/logs", USERS, per_page=10)
    with make() as http:
        assert len(list(http.paginate(vendor.url_for("/logs"), LinkHeader(),
                                      max_pages=3))) == 3
    assert len(vendor.requests) == 3


def test_an_expired_page_token_restarts_the_listing(vendor: FakeVendor) -> None:
    """Zoom's next_page_token expires after 15 minutes: read the listing again."""
    vendor.cursor_pages("/v2/users", USERS[:6], per_page=2, param="next_page_token",
                        wrap=lambda users, token: {"users": users,
                                                   "next_page_token": token or ""})
    vendor.add("/v2/users", Reply.error(400, "Invalid next_page_token"), times=1,
               query={"next_page_token": "cursor-2"})
    with make() as http:
        pages = list(http.paginate(
            vendor.url_for("/v2/users"), Cursor("next_page_token", "next_page_token"),
            items="users", restart_on=lambda e: isinstance(e, RequestRefused)
            and "next_page_token" in (e.vendor_message or "")))
    assert [(p.number, p.restarts, ids(p.items)) for p in pages] == [
        (1, 0, [1, 2]), (2, 0, [3, 4]), (1, 1, [1, 2]), (2, 1, [3, 4]), (3, 1, [5, 6])]


def test_a_restart_is_not_repeated_forever(vendor: FakeVendor) -> None:
    vendor.cursor_pages("/v2/users", USERS[:6], per_page=2, param="next_page_token",
                        wrap=lambda users, token: {"users": users,
                                                   "next_page_token": token or ""})
    vendor.add("/v2/users", Reply.error(400, "Invalid next_page_token"),
               query={"next_page_token": "cursor-1"})

    def restart(error: Exception) -> bool:
        return isinstance(error, RequestRefused)

    with make() as http, pytest.raises(RequestRefused, match="on page 2"):
        list(http.paginate(vendor.url_for("/v2/users"),
                           Cursor("next_page_token", "next_page_token"), items="users",
                           restart_on=restart, max_restarts=2))


def test_recorded_requests_keep_their_headers(vendor: FakeVendor) -> None:
    seen: list[RecordedRequest] = []
    vendor.add("/x", lambda request: (seen.append(request), {"ok": True})[1])
    with make() as http:
        http.bind(headers={"X-GitHub-Api-Version": "2022-11-28"}).get_json(vendor.url_for("/x"))
    assert seen[0].headers["x-github-api-version"] == "2022-11-28"
    assert seen[0].headers["user-agent"].startswith("stackadmin/")


@pytest.mark.parametrize(("url", "params"), [
    ("https://api.example.com/Users", {"startIndex": 101, "count": 100}),
    ("https://API.example.com:443/v1/users", {"cursor": "a b+c/=", "limit": "200"}),
    ("https://api.example.com/v1/%7Eusers", {"page": 2, "empty": ""}),
    ("https://api.example.com/v1/users", {}),
])
def test_a_page_request_is_the_same_with_its_parameters_in_the_url_or_apart(
        url: str, params: dict[str, str | int]) -> None:
    apart = PageRequest(url, params)
    together = PageRequest(str(httpx.URL(url).copy_merge_params(
        {k: str(v) for k, v in params.items()})) + "#top" if params else url + "#top")
    assert apart.key() == together.key()
    assert apart.key() != PageRequest(url, {**params, "page": 99}).key()


@pytest.mark.parametrize(("body", "said"), [
    ([{"id": 1}], "the answer is a JSON list, not the object holding 'members' as documented"),
    ("members", "the answer is a JSON string, not the object holding 'members'"),
    ({"members": None}, "'members' is not a list as documented (got NoneType)"),
])
def test_an_answer_of_the_wrong_shape_says_which(vendor: FakeVendor, body: Any,
                                                 said: str) -> None:
    vendor.add("/api/users.list", body)
    with make() as http, pytest.raises(BadResponse, match=said.replace("(", r"\(").replace(
            ")", r"\)")):
        list(http.items(vendor.url_for("/api/users.list"),
                        Cursor("cursor", "response_metadata", "next_cursor"), items="members"))
