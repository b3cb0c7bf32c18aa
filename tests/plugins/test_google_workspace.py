"""`google-workspace` against a loopback Google: a token endpoint that verifies the service
account's signed JWT with the key's public half, and a Directory API serving users built from
the documented schema (the 1970 "never" sentinel, administrators, suspended, archived and
deleted users, directory fields, page tokens)."""

from __future__ import annotations

import base64
import functools
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from stackadmin.plugins.api import (
    AccountStatus,
    Activity,
    AuthRejected,
    ConfigError,
    MissingPermission,
    Role,
)
from stackadmin.plugins.builtin.google_workspace import SCOPE, GoogleWorkspacePlugin
from stackadmin.plugins.testing import (
    FakeClock,
    FakeVendor,
    RecordedRequest,
    Reply,
    assert_no_secret,
    fetch_error,
    run_check,
    run_fetch,
    verify_plugin,
)

USERS = "/admin/directory/v1/users"
TOKEN = "/token"
CLIENT_EMAIL = "stackadmin@acme-admin.iam.gserviceaccount.com"


@functools.lru_cache(maxsize=1)
def _keypair() -> tuple[str, rsa.RSAPublicKey]:
    """A service account's key, made for this test run (never committed)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return pem, private.public_key()


def key_file(**changes: Any) -> str:
    """A service-account key file as Google's console downloads it."""
    key = {"type": "service_account", "project_id": "acme-admin", "private_key_id": "k-1",
           "private_key": _keypair()[0], "client_email": CLIENT_EMAIL,
           "client_id": "104567890123456789012",
           "auth_uri": "https://accounts.google.com/o/oauth2/auth",
           "token_uri": "https://oauth2.googleapis.com/token"}
    key.update(changes)
    return json.dumps(key)


def person(n: int, **changes: Any) -> dict[str, Any]:
    """A Directory API user resource with the documented fields."""
    email = f"user{n}@acme.example"
    made: dict[str, Any] = {
        "kind": "admin#directory#user", "id": f"10{n:04d}", "etag": f'"etag-{n}"',
        "primaryEmail": email,
        "name": {"givenName": "User", "familyName": str(n), "fullName": f"User {n}"},
        "isAdmin": False, "isDelegatedAdmin": False,
        "lastLoginTime": "2026-09-01T08:30:00.000Z", "creationTime": "2024-01-10T09:00:00.000Z",
        "agreedToTerms": True, "suspended": False, "archived": False,
        "changePasswordAtNextLogin": False, "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}],
        "aliases": [f"u{n}@acme.example"], "nonEditableAliases": [f"{email}.test-google-a.com"],
        "customerId": "C03az79cb", "orgUnitPath": "/", "isMailboxSetup": True,
        "isEnrolledIn2Sv": True, "isEnforcedIn2Sv": False, "includeInGlobalAddressList": True,
        "organizations": [{"title": "Engineer", "department": "Engineering",
                           "costCenter": "CC-100", "primary": True, "customType": ""}],
        "relations": [{"value": "boss@acme.example", "type": "manager"}],
    }
    made.update(changes)
    return made


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class Google:
    """The fake's token endpoint: it checks the JWT's signature against the key's public half
    and its claims, and hands out numbered tokens the Directory routes then require."""

    def __init__(self, vendor: FakeVendor, clock: FakeClock | None = None) -> None:
        self.vendor = vendor
        self.clock = clock
        self.claims: list[dict[str, Any]] = []
        self.headers: list[dict[str, Any]] = []
        vendor.add(TOKEN, self._token, method="POST")

    @property
    def current(self) -> str:
        return f"ya29.token-{len(self.claims)}"

    def _token(self, request: RecordedRequest) -> Reply:
        form = request.form()
        assert form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
        head, payload, signature = form["assertion"].split(".")
        _keypair()[1].verify(_b64(signature), f"{head}.{payload}".encode(),
                             padding.PKCS1v15(), hashes.SHA256())
        self.headers.append(json.loads(_b64(head)))
        self.claims.append(json.loads(_b64(payload)))
        return Reply.json({"access_token": self.current, "expires_in": 3599,
                           "token_type": "Bearer"})

    def authorised(self, request: RecordedRequest) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.current}"

    def serve(self, users: list[dict[str, Any]], *, deleted: list[dict[str, Any]] | None = None,
              per_page: int = 2) -> None:
        chunks = [users[i:i + per_page] for i in range(0, len(users), per_page)] or [[]]

        def listing(request: RecordedRequest) -> Any:
            if not self.authorised(request):
                return Reply.error(401, body={"error": {"code": 401, "message": "Invalid "
                                              "Credentials", "status": "UNAUTHENTICATED"}})
            if request.param("showDeleted") == "true":
                return {"kind": "admin#directory#users", "users": deleted} if deleted else {
                    "kind": "admin#directory#users"}
            token = request.param("pageToken")
            index = int(token.split("-")[1]) if token else 0
            page: dict[str, Any] = {"kind": "admin#directory#users", "users": chunks[index]}
            if index + 1 < len(chunks):
                page["nextPageToken"] = f"page-{index + 1}"
            return page

        self.vendor.add(USERS, listing)


def options(vendor: FakeVendor, **changes: str) -> dict[str, str]:
    return {"admin_email": "admin@acme.example", "base_url": vendor.url,
            "token_url": vendor.url + TOKEN, **changes}


def test_users_of_every_kind_with_their_directory_fields(vendor: FakeVendor) -> None:
    google = Google(vendor)
    users = [
        person(1, isAdmin=True),
        person(2, isDelegatedAdmin=True, lastLoginTime="2026-09-20T17:05:09.123+02:00"),
        person(3, lastLoginTime="1970-01-01T00:00:00.000Z", agreedToTerms=False),
        person(4, suspended=True, suspensionReason="ADMIN"),
        person(5, archived=True),
        person(6, organizations=[{"title": "Intern", "primary": False},
                                 {"title": "Analyst", "department": "Finance", "primary": True}],
               relations=[]),
    ]
    gone = person(7, deletionTime="2026-09-15T10:00:00.000Z")
    google.serve(users, deleted=[gone])
    secret = key_file()
    result = verify_plugin(GoogleWorkspacePlugin, vendor, options=options(vendor),
                           secret=secret)
    got = {a.external_id: a for a in result.accounts}
    assert list(got) == ["100001", "100002", "100003", "100004", "100005", "100006", "100007"]
    owner, delegated, never, suspended, archived, analyst, deleted = got.values()
    assert (owner.role, owner.vendor_role) == (Role.OWNER, "super_admin")
    assert (delegated.role, delegated.vendor_role) == (Role.ADMIN, "delegated_admin")
    assert delegated.last_activity == datetime(2026, 9, 20, 15, 5, 9, 123000, tzinfo=UTC)
    assert owner.activity is Activity.REPORTED and owner.email == "user1@acme.example"
    assert never.activity is Activity.NEVER and never.last_activity is None
    assert suspended.status is AccountStatus.SUSPENDED and suspended.holds_seat
    assert archived.status is AccountStatus.SUSPENDED
    assert archived.license_tier == "Archived User"
    assert (owner.department, owner.title, owner.cost_center, owner.manager) == (
        "Engineering", "Engineer", "CC-100", "boss@acme.example")
    assert (analyst.title, analyst.department, analyst.manager) == ("Analyst", "Finance", None)
    assert owner.first_seen == datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
    assert deleted.status is AccountStatus.DEPROVISIONED
    assert deleted.end_date == date(2026, 9, 15)
    assert all(a.end_date is None for a in (owner, suspended, archived))
    assert GoogleWorkspacePlugin.directory_capable
    # The signed assertion: the service account impersonating the admin, for the read scope.
    claims = google.claims[-1]
    assert (claims["iss"], claims["sub"], claims["scope"], claims["aud"]) == (
        CLIENT_EMAIL, "admin@acme.example", SCOPE, vendor.url + TOKEN)
    assert claims["exp"] - claims["iat"] == 3600
    assert google.headers[-1]["alg"] == "RS256" and google.headers[-1]["kid"] == "k-1"
    listing = [r for r in vendor.requests_to(USERS) if r.param("maxResults") == "500"]
    assert [(r.param("pageToken"), r.param("showDeleted")) for r in listing[:4]] == [
        (None, None), ("page-1", None), ("page-2", None), (None, "true")]
    assert {r.param("customer") for r in listing} == {"my_customer"}
    assert_no_secret(_keypair()[0], result)


def test_one_token_a_run_signed_again_before_it_expires(vendor: FakeVendor) -> None:
    clock = FakeClock()
    google = Google(vendor, clock)
    users = [person(n) for n in range(1, 7)]
    google.serve(users)

    def slow_page(request: RecordedRequest) -> Any:
        clock.sleep(3600)  # an hour passes while the second page is read
        return {"users": users[2:4], "nextPageToken": "page-2"}

    vendor.add(USERS, slow_page, query={"pageToken": "page-1"})
    result = run_fetch(GoogleWorkspacePlugin, options=options(vendor), secret=key_file(),
                       clock=clock)
    assert len(result.accounts) == 6
    assert len(google.claims) == 2  # the first, and one signed again an hour later
    assert google.claims[1]["iat"] - google.claims[0]["iat"] >= 3600
    third = vendor.requests_to(USERS)[2]
    assert third.param("pageToken") == "page-2"
    assert third.headers["authorization"] == "Bearer ya29.token-2"


def test_the_customer_option_is_sent(vendor: FakeVendor) -> None:
    Google(vendor).serve([person(1)])
    run_fetch(GoogleWorkspacePlugin, options=options(vendor, customer="C03az79cb"),
              secret=key_file())
    assert {r.param("customer") for r in vendor.requests_to(USERS)} == {"C03az79cb"}


def test_a_domain_without_users_or_deleted_users_is_empty_not_an_error(
        vendor: FakeVendor) -> None:
    Google(vendor).serve([])
    result = run_fetch(GoogleWorkspacePlugin, options=options(vendor), secret=key_file())
    assert result.accounts == ()


def test_a_user_listed_twice_is_one_account(vendor: FakeVendor) -> None:
    Google(vendor).serve([person(1), person(2), person(2), person(3)],
                         deleted=[person(3, deletionTime="2026-09-01T00:00:00Z")])
    result = run_fetch(GoogleWorkspacePlugin, options=options(vendor), secret=key_file())
    assert [a.external_id for a in result.accounts] == ["100001", "100002", "100003"]
    assert result.accounts[2].status is AccountStatus.ACTIVE  # restored: the live user stands


def test_delegation_not_granted_is_said_in_words(vendor: FakeVendor) -> None:
    vendor.add(TOKEN, Reply.error(401, body={
        "error": "unauthorized_client",
        "error_description": "Client is unauthorized to retrieve access tokens using this "
                             "method, or client not authorized for any of the scopes "
                             "requested."}), method="POST")
    secret = key_file()
    error = fetch_error(GoogleWorkspacePlugin, options=options(vendor), secret=secret)
    assert isinstance(error, AuthRejected)
    assert str(error).startswith(f"Google refused the service account {CLIENT_EMAIL} (Client "
                                 "is unauthorized")
    assert "grant its client id 104567890123456789012 domain-wide delegation" in str(error)
    assert_no_secret(_keypair()[0], error)


def test_an_unknown_admin_email_is_said_in_words(vendor: FakeVendor) -> None:
    vendor.add(TOKEN, Reply.error(400, body={"error": "invalid_grant",
                                             "error_description": "Invalid email or User ID"}),
               method="POST")
    error = fetch_error(GoogleWorkspacePlugin,
                        options=options(vendor, admin_email="x@acme.example"), secret=key_file())
    assert isinstance(error, AuthRejected)
    assert str(error).startswith("Google does not know the admin_email 'x@acme.example'")


@pytest.mark.parametrize(("secret", "words"), [
    ("not a key", "it is not JSON"),
    (json.dumps({"type": "authorized_user", "client_id": "x"}), "of type 'authorized_user'"),
    (json.dumps({"type": "service_account", "client_email": CLIENT_EMAIL}), "no private_key"),
    (key_file(private_key="-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n"),
     "not a usable RSA private key"),
])
def test_a_secret_that_is_not_a_usable_key_is_said_without_quoting_it(
        vendor: FakeVendor, secret: str, words: str) -> None:
    error = fetch_error(GoogleWorkspacePlugin, options=options(vendor), secret=secret)
    assert isinstance(error, ConfigError) and words in str(error)
    assert "bm90IGEga2V5" not in str(error)
    assert vendor.requests == []


def test_an_admin_who_may_not_read_users_is_told_so(vendor: FakeVendor) -> None:
    Google(vendor).serve([person(1)])
    vendor.add(USERS, Reply.error(403, body={"error": {
        "code": 403, "message": "Not Authorized to access this resource/api",
        "errors": [{"reason": "forbidden", "domain": "global"}]}}))
    error = fetch_error(GoogleWorkspacePlugin, options=options(vendor), secret=key_file())
    assert isinstance(error, MissingPermission)
    assert str(error).startswith("admin@acme.example may not read the users of the Google "
                                 "Workspace: impersonate an administrator")
    assert "Not Authorized to access this resource/api" in str(error)


def test_a_google_rate_limit_403_is_waited_out(vendor: FakeVendor) -> None:
    Google(vendor).serve([person(1), person(2), person(3)])
    vendor.add(USERS, Reply.error(403, body={"error": {
        "code": 403, "message": "Quota exceeded",
        "errors": [{"reason": "rateLimitExceeded", "domain": "usageLimits"}]}}),
        query={"pageToken": "page-1"}, times=2)
    result = run_fetch(GoogleWorkspacePlugin, options=options(vendor), secret=key_file())
    assert len(result.accounts) == 3 and result.stats.retries == 2


def test_check_says_who_it_acts_as(vendor: FakeVendor) -> None:
    Google(vendor).serve([person(1)])
    summary = run_check(GoogleWorkspacePlugin, options=options(vendor), secret=key_file())
    assert summary.summary == ("service account accepted; acting as admin@acme.example it can "
                               "read the users of the Google Workspace (acme.example)")
    assert vendor.requests_to(USERS)[0].param("maxResults") == "1"


def test_the_documented_defaults() -> None:
    declared = {o.name: o.default for o in GoogleWorkspacePlugin.options}
    assert declared == {"customer": "my_customer", "admin_email": None,
                        "base_url": "https://admin.googleapis.com",
                        "token_url": "https://oauth2.googleapis.com/token"}
    assert GoogleWorkspacePlugin.secret is not None and GoogleWorkspacePlugin.secret.multiline
