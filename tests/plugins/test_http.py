"""The HTTP layer against a real loopback server: retries within a budget, the vendors'
throttling headers, errors in words, HTTPS only, redirects, OAuth tokens, no secret in any
message or log line."""

from __future__ import annotations

import base64
import email.utils
import logging
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from stackadmin.plugins.api import (
    AuthRejected,
    BadResponse,
    BearerToken,
    Cancelled,
    ConfigError,
    ConnectionFailed,
    JsonResponse,
    MissingPermission,
    NotFound,
    OAuthClientCredentials,
    RequestRefused,
    RetryPolicy,
    Throttled,
    TimedOut,
    VendorHttp,
    VendorUnavailable,
)
from stackadmin.plugins.redact import Redactor
from stackadmin.plugins.testing import (
    FakeClock,
    FakeVendor,
    RecordedRequest,
    Reply,
    assert_no_secret,
)
from tests.plugins.conftest import SECRET

OK = {"ok": True}


class Client:
    """A VendorHttp on a FakeClock, bound to the secret as a bearer token."""

    def __init__(self, *, retry: RetryPolicy | None = None, timeout: float = 5.0,
                 cancelled: Any = None) -> None:
        self.clock = FakeClock()
        self.base = VendorHttp(redactor=Redactor([SECRET]), retry=retry,
                               timeout=httpx.Timeout(timeout), sleep=self.clock.sleep,
                               monotonic=self.clock.monotonic, wallclock=self.clock.wallclock,
                               cancelled=cancelled)
        self.http = self.base.bind(auth=BearerToken(SECRET))


@pytest.fixture
def client() -> Iterator[Client]:
    made = Client()
    yield made
    made.base.close()


def test_the_token_is_sent_as_a_bearer_header(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK
    assert vendor.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert vendor.requests[0].headers["accept"] == "application/json"


def test_query_parameters_are_added_to_the_query_a_url_already_has(
        client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", OK)
    client.http.get_json(vendor.url_for("/x", page=2), params={"per_page": 100})
    assert vendor.requests[0].query == {"page": ["2"], "per_page": ["100"]}


def test_a_429_with_retry_after_seconds_waits_that_long_then_succeeds(
        client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.throttle(retry_after=2), times=1)
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK
    assert len(vendor.requests) == 2
    assert client.clock.slept == pytest.approx(2.0)
    stats = client.http.stats
    assert (stats.requests, stats.retries, stats.throttled) == (2, 1, 1)
    assert stats.waited == pytest.approx(2.0)


def test_a_retry_after_http_date_is_honoured(client: Client, vendor: FakeVendor) -> None:
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    vendor.add("/x", Reply.throttle(retry_after=when), times=1)
    vendor.add("/x", OK)
    client.http.get_json(vendor.url_for("/x"))
    assert 3.0 <= client.clock.slept <= 6.0


def test_a_503_then_success_backs_off_with_jitter(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.unavailable(), times=2)
    vendor.add("/x", OK)
    client.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 3
    # 1 s then 2 s, each ±25 %
    assert 0.75 + 1.5 <= client.clock.slept <= 1.25 + 2.5
    assert client.http.stats.retries == 2


@pytest.mark.parametrize("status", [502, 504])
def test_other_gateway_errors_are_retried(client: Client, vendor: FakeVendor,
                                          status: int) -> None:
    vendor.add("/x", Reply.unavailable(status), times=1)
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK


def test_a_throttling_storm_past_the_cap_fails_clearly(client: Client,
                                                       vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.throttle(retry_after=1))
    with pytest.raises(Throttled) as caught:
        client.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 6
    text = str(caught.value)
    assert text.startswith("the vendor is throttling requests (HTTP 429 on GET http://127.0.0.1")
    assert "gave up after 6 attempts and 5 s of waiting" in text


def test_a_503_storm_past_the_cap_fails_clearly(vendor: FakeVendor) -> None:
    made = Client(retry=RetryPolicy(max_attempts=3))
    vendor.add("/x", Reply.unavailable())
    with pytest.raises(VendorUnavailable, match=r"HTTP 503 .*Service Unavailable.*gave up "
                                                r"after 3 attempts"):
        made.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 3


def test_a_wait_longer_than_the_budget_is_not_waited(client: Client,
                                                     vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.throttle(retry_after=3600))
    with pytest.raises(Throttled, match="asked to wait 3600 s more, longer than stackadmin "
                                        "waits") as caught:
        client.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 1 and client.clock.slept == 0
    assert caught.value.retry_after == pytest.approx(3600)


def test_a_github_403_with_no_requests_left_is_throttling(client: Client,
                                                          vendor: FakeVendor) -> None:
    reset = int(time.time()) + 20
    vendor.add("/x", Reply.error(403, "API rate limit exceeded for user ID 1.", headers={
        "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}), times=1)
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK
    assert 18 <= client.clock.slept <= 22
    assert client.http.stats.throttled == 1


def test_a_google_403_rate_limit_reason_is_throttling(client: Client,
                                                      vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.error(403, body={"error": {"code": 403, "message": "Quota exceeded",
                                                      "errors": [{"reason":
                                                                  "userRateLimitExceeded"}]}}),
               times=1)
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK


def test_remaining_zero_waits_for_the_reset_before_the_next_request(
        client: Client, vendor: FakeVendor) -> None:
    """Okta: X-Rate-Limit-Remaining 0 with X-Rate-Limit-Reset: wait, do not run into 429."""
    reset = int(time.time()) + 30
    vendor.add("/x", Reply.json(OK, headers={"X-Rate-Limit-Remaining": "0",
                                             "X-Rate-Limit-Reset": str(reset)}), times=1)
    vendor.add("/x", OK)
    client.http.get_json(vendor.url_for("/x"))
    assert client.clock.slept == 0
    client.http.get_json(vendor.url_for("/x"))
    assert 28 <= client.clock.slept <= 32
    assert client.http.stats.retries == 0 and client.http.stats.throttled == 0


def test_a_403_names_the_missing_scope(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.error(403, "Resource not accessible by personal access token",
                                 headers={"X-Accepted-OAuth-Scopes": "manage_billing:copilot, "
                                          "read:org", "X-OAuth-Scopes": "repo"}))
    with pytest.raises(MissingPermission) as caught:
        client.http.get_json(vendor.url_for("/x"))
    error = caught.value
    assert error.scopes == ("manage_billing:copilot", "read:org")
    assert str(error).startswith("the token lacks a permission this needs: it needs the scope "
                                 "manage_billing:copilot or read:org (the token has: repo)")
    assert '"Resource not accessible by personal access token"' in str(error)
    assert len(vendor.requests) == 1


def test_a_401_says_the_token_was_rejected_and_is_not_retried(client: Client,
                                                              vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.error(401, "Bad credentials"))
    with pytest.raises(AuthRejected, match=r'^the token was rejected \(HTTP 401 on GET '
                                           r'.*/x\): "Bad credentials"$'):
        client.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 1


def test_a_404_names_what_was_not_found(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/orgs/acme", Reply.error(404, "Not Found"))
    with pytest.raises(NotFound, match=r"^the organisation 'acme' could not be found, or the "
                                       r"token cannot see it"):
        client.http.get_json(vendor.url_for("/orgs/acme"), what="the organisation 'acme'")


def test_another_4xx_is_refused_with_the_vendors_words(client: Client,
                                                       vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.error(400, "Invalid next_page_token"))
    with pytest.raises(RequestRefused, match="refused the request") as caught:
        client.http.get_json(vendor.url_for("/x"))
    assert caught.value.vendor_message == "Invalid next_page_token"


def test_an_html_page_with_status_200_is_not_json(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.html("Sign in - Okta"))
    with pytest.raises(BadResponse, match="HTML page titled 'Sign in - Okta' instead of JSON"):
        client.http.get_json(vendor.url_for("/x"))


def test_json_with_a_wrong_content_type_is_still_json(client: Client,
                                                      vendor: FakeVendor) -> None:
    vendor.add("/x", Reply(200, {"Content-Type": "text/html"}, b'{"ok": true}'))
    assert client.http.get_json(vendor.url_for("/x")) == OK


def test_json_cut_short_is_a_bad_response(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply.truncated({"users": [{"id": n} for n in range(50)]}))
    with pytest.raises(BadResponse, match=r"not valid JSON .*cut short"):
        client.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 1


def test_an_empty_body_is_a_bad_response(client: Client, vendor: FakeVendor) -> None:
    vendor.add("/x", Reply(200, {"Content-Type": "application/json"}, b""))
    with pytest.raises(BadResponse, match="empty"):
        client.http.get_json(vendor.url_for("/x"))


@pytest.mark.parametrize("fault", [Reply.reset(), Reply.cut({"users": list(range(500))})])
def test_a_dropped_connection_is_retried(client: Client, vendor: FakeVendor,
                                         fault: Reply) -> None:
    vendor.add("/x", fault, times=1)
    vendor.add("/x", OK)
    assert client.http.get_json(vendor.url_for("/x")) == OK
    assert client.http.stats.retries == 1


def test_a_connection_that_keeps_failing_says_so(vendor: FakeVendor) -> None:
    made = Client(retry=RetryPolicy(max_attempts=2))
    vendor.add("/x", Reply.reset())
    with pytest.raises(ConnectionFailed, match=r"could not reach the vendor .*gave up after 2"):
        made.http.get_json(vendor.url_for("/x"))


def test_a_slow_vendor_times_out_in_words(vendor: FakeVendor) -> None:
    made = Client(retry=RetryPolicy(max_attempts=2), timeout=0.2)
    vendor.add("/x", Reply.json(OK).after(1.0))
    started = time.monotonic()
    with pytest.raises(TimedOut, match=r"did not answer within 0.2 s .*gave up after 2 attempts"):
        made.http.get_json(vendor.url_for("/x"))
    assert time.monotonic() - started < 1.5
    assert len(vendor.requests) == 2


def test_credentials_go_over_https_or_to_loopback_only(client: Client) -> None:
    for url in ("http://api.example.com/x", "ftp://127.0.0.1/x", "not a url"):
        with pytest.raises(ConfigError):
            client.http.get_json(url)
    assert client.http.stats.requests == 0


def test_tls_certificates_are_verified() -> None:
    # The client's SSL context requires a valid certificate; nothing turns that off.
    made = Client()
    transport = made.base._shared.client._transport
    context = transport._pool._ssl_context  # type: ignore[attr-defined]
    import ssl

    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    made.base.close()


def test_runs_share_one_tls_context_so_starting_one_is_cheap() -> None:
    # Building a verified TLS context reads the CA bundle; each run used to build four.
    first, second = Client(), Client()
    contexts = {id(made.base._shared.client._transport._pool._ssl_context)  # type: ignore[attr-defined]
                for made in (first, second)}
    assert len(contexts) == 1
    started = time.perf_counter()
    for _ in range(10):
        Client().base.close()
    assert time.perf_counter() - started < 1.0  # was ~2 s for ten
    first.base.close()
    second.base.close()


def test_a_redirect_is_followed_on_the_same_host_only(client: Client,
                                                      vendor: FakeVendor) -> None:
    vendor.add("/old", Reply(301, {"Location": "/new"}))
    vendor.add("/new", OK)
    assert client.http.get_json(vendor.url_for("/old")) == OK
    assert vendor.requests[-1].headers["authorization"] == f"Bearer {SECRET}"
    vendor.add("/away", Reply(302, {"Location": "https://elsewhere.example.com/x"}))
    with pytest.raises(BadResponse, match=r"another host .*elsewhere\.example\.com.*not followed"):
        client.http.get_json(vendor.url_for("/away"))


def test_a_check_can_turn_an_http_200_into_an_error_or_a_retry(client: Client,
                                                               vendor: FakeVendor) -> None:
    """Slack answers errors with HTTP 200 and `ok: false`."""

    def slack(answer: JsonResponse) -> None:
        if answer.body.get("ok"):
            return
        if answer.body["error"] == "ratelimited":
            raise Throttled("Slack is throttling", retry_after=3)
        raise MissingPermission(f"Slack needs the scope {answer.body['needed']}",
                                scopes=(answer.body["needed"],))

    vendor.add("/users.list", {"ok": False, "error": "ratelimited"}, times=1)
    vendor.add("/users.list", OK)
    assert client.http.get_json(vendor.url_for("/users.list"), check=slack) == OK
    assert client.clock.slept == pytest.approx(3)
    vendor.add("/team.billableInfo", {"ok": False, "error": "missing_scope",
                                      "needed": "admin", "provided": "users:read"})
    with pytest.raises(MissingPermission, match="scope admin"):
        client.http.get_json(vendor.url_for("/team.billableInfo"), check=slack)


def test_a_server_error_told_in_an_http_200_is_retried_like_a_503(client: Client,
                                                                  vendor: FakeVendor) -> None:
    """Slack's `fatal_error` comes with HTTP 200: a check raising VendorUnavailable backs off
    and asks again, and gives up in words past the budget."""

    def slack(answer: JsonResponse) -> None:
        if not answer.body.get("ok"):
            raise VendorUnavailable(f"Slack failed ({answer.body['error']})")

    vendor.add("/users.list", {"ok": False, "error": "fatal_error"}, times=2)
    vendor.add("/users.list", OK)
    assert client.http.get_json(vendor.url_for("/users.list"), check=slack) == OK
    assert client.http.stats.retries == 2 and client.clock.slept > 0
    vendor.add("/team.info", {"ok": False, "error": "fatal_error"})
    with pytest.raises(VendorUnavailable, match=r"Slack failed \(fatal_error\); gave up after 6"):
        client.http.get_json(vendor.url_for("/team.info"), check=slack)


def test_cancel_between_retries_stops_at_once(vendor: FakeVendor) -> None:
    asked = {"stop": False}
    made = Client(cancelled=lambda: asked["stop"])
    vendor.add("/x", lambda request: (asked.update(stop=True), Reply.throttle(5))[1])
    with pytest.raises(Cancelled):
        made.http.get_json(vendor.url_for("/x"))
    assert len(vendor.requests) == 1
    assert made.clock.slept <= 0.25


# -- OAuth ---------------------------------------------------------------------------------

def _token_endpoint(vendor: FakeVendor, lifetime: int = 3600) -> list[str]:
    issued: list[str] = []

    def answer(request: RecordedRequest) -> Any:
        token = f"access-{len(issued) + 1}-abcdef0123456789"
        issued.append(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime}

    vendor.add("/oauth2/v2.0/token", answer, method="POST")
    return issued


def test_client_credentials_fetch_one_token_and_renew_it_when_it_expires(
        client: Client, vendor: FakeVendor) -> None:
    issued = _token_endpoint(vendor)
    vendor.add("/v1.0/users", {"value": []})
    oauth = OAuthClientCredentials(vendor.url_for("/oauth2/v2.0/token"), "client-id", SECRET,
                                   form={"scope": "https://graph.microsoft.com/.default"})
    api = client.base.bind(auth=oauth)
    api.get_json(vendor.url_for("/v1.0/users"))
    api.get_json(vendor.url_for("/v1.0/users"))
    assert len(issued) == 1
    token_request = vendor.requests_to("/oauth2/v2.0/token", "POST")[0]
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token_request.form() == {"grant_type": "client_credentials", "client_id": "client-id",
                                    "client_secret": SECRET,
                                    "scope": "https://graph.microsoft.com/.default"}
    assert vendor.requests_to("/v1.0/users")[0].headers["authorization"] == f"Bearer {issued[0]}"
    client.clock.sleep(3600)  # an hour later the token has expired: a new one is fetched
    api.get_json(vendor.url_for("/v1.0/users"))
    assert len(issued) == 2
    assert vendor.requests_to("/v1.0/users")[-1].headers["authorization"] == \
        f"Bearer {issued[1]}"


def test_a_401_with_an_oauth_token_renews_it_once(client: Client, vendor: FakeVendor) -> None:
    issued = _token_endpoint(vendor)
    vendor.add("/v2/users", Reply.error(401, "Access token is expired."), times=1)
    vendor.add("/v2/users", {"users": []})
    oauth = OAuthClientCredentials(vendor.url_for("/oauth2/v2.0/token"), "id", SECRET,
                                   client_auth="basic",
                                   query={"grant_type": "account_credentials",
                                          "account_id": "acct"})
    api = client.base.bind(auth=oauth)
    assert api.get_json(vendor.url_for("/v2/users")) == {"users": []}
    assert len(issued) == 2
    token_request = vendor.requests_to("/oauth2/v2.0/token", "POST")[0]
    assert token_request.query == {"grant_type": ["account_credentials"],
                                   "account_id": ["acct"]}
    assert token_request.headers["authorization"] == \
        "Basic " + base64.b64encode(f"id:{SECRET}".encode()).decode()
    vendor.add("/v2/other", Reply.error(401, "Invalid access token."))
    with pytest.raises(AuthRejected):
        api.get_json(vendor.url_for("/v2/other"))
    assert len(vendor.requests_to("/v2/other")) == 2  # renewed once, then final


def test_a_refused_client_secret_is_said_in_words_without_it(client: Client,
                                                             vendor: FakeVendor) -> None:
    vendor.add("/token", Reply.error(401, body={
        "error": "invalid_client",
        "error_description": f"AADSTS7000215: Invalid client secret provided: {SECRET}"}),
        method="POST")
    oauth = OAuthClientCredentials(vendor.url_for("/token"), "client-id", SECRET)
    with pytest.raises(AuthRejected) as caught:
        client.base.bind(auth=oauth).get_json(vendor.url_for("/v1.0/users"))
    assert str(caught.value).startswith("the token endpoint refused the client credentials "
                                        "(AADSTS7000215: Invalid client secret provided: "
                                        "[redacted])")
    assert_no_secret(SECRET, caught.value)


def test_zoom_token_endpoint_words_are_read_from_reason(client: Client,
                                                        vendor: FakeVendor) -> None:
    vendor.add("/oauth/token", Reply.error(400, body={
        "reason": "Invalid client_id or client_secret", "error": "invalid_client"}),
        method="POST")
    oauth = OAuthClientCredentials(vendor.url_for("/oauth/token"), "client-id", SECRET,
                                   client_auth="basic")
    with pytest.raises(AuthRejected, match=r"refused the client credentials \(Invalid "
                                           r"client_id or client_secret\)"):
        client.base.bind(auth=oauth).get_json(vendor.url_for("/v2/users"))


# -- secrets -------------------------------------------------------------------------------

def test_the_secret_is_in_no_error_and_no_log_line(client: Client, vendor: FakeVendor,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"token {SECRET} is not valid; header was Authorization: Bearer {SECRET}"
    vendor.add("/x", Reply.throttle(retry_after=1), times=1)
    vendor.add("/x", Reply.error(401, echo, headers={"X-Echo": SECRET}))  # httpcore logs it
    with pytest.raises(AuthRejected) as caught:
        client.http.get_json(vendor.url_for("/x", access_token=SECRET))
    assert "[redacted]" in str(caught.value)
    assert any(r.name == "httpcore.http11" for r in caplog.records)
    assert_no_secret(SECRET, caught.value, caplog.records, caplog.text)
    assert SECRET in vendor.requests[0].headers["authorization"]  # it did go to the vendor


@pytest.mark.parametrize("pasted", [f"{SECRET}\nsecond line", f"{SECRET[:-1]}\u2019"])
def test_a_secret_no_header_can_carry_is_said_in_words_without_it(
        vendor: FakeVendor, pasted: str) -> None:
    # A token pasted with a line break or a typographic quote: said at once as what it is,
    # not retried as an unreachable vendor, nor told as a crash of the plugin.
    from stackadmin.plugins.builtin.scim import ScimPlugin
    from stackadmin.plugins.testing import run_check

    vendor.scim_users("/Users", [])
    with pytest.raises(ConfigError) as caught:
        run_check(ScimPlugin, options={"base_url": vendor.url}, secret=pasted)
    assert "line break or a character other than plain ASCII" in str(caught.value)
    assert_no_secret(SECRET[:-1], caught.value)
    assert vendor.requests == []


def test_a_proxy_from_the_environment_is_not_used_for_loopback(
        vendor: FakeVendor, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://192.0.2.1:9")  # TEST-NET: nothing answers there
    vendor.add("/x", OK)
    made = Client(retry=RetryPolicy(max_attempts=1), timeout=2.0)
    assert made.http.get_json(vendor.url_for("/x")) == OK
    made.base.close()
