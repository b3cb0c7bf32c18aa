"""`microsoft365` against a loopback Microsoft: a client-credentials token endpoint and a
Graph serving the documented bodies (subscribedSkus, users with signInActivity) and their
edge cases: the 0001 "never" sentinel, the newest of three sign-in dates, disabled, guest,
pending and deleted users, `@odata.nextLink` paging, the SKU filter, and the 403 a tenant
without Entra ID P1/P2 answers for sign-in activity."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from stackadmin.plugins.api import (
    AccountKind,
    AccountStatus,
    Activity,
    AuthRejected,
    ConfigError,
    MissingPermission,
    Role,
    SeatCount,
)
from stackadmin.plugins.builtin.microsoft365 import Microsoft365Plugin
from stackadmin.plugins.host import PluginRun
from stackadmin.plugins.testing import (
    FakeVendor,
    RecordedRequest,
    Reply,
    fetch_error,
    run_check,
    run_fetch,
    verify_plugin,
)
from tests.plugins.conftest import SECRET, body

TOKEN = "/tenant-1/oauth2/v2.0/token"
USERS = "/v1.0/users"
SKUS = "/v1.0/subscribedSkus"
DELETED = "/v1.0/directory/deletedItems/microsoft.graph.user"
E5 = "c7df2760-2c81-4ef7-b578-5b5392b571df"  # ENTERPRISEPREMIUM in the documented SKUs
CRM = "d17b27af-3f49-4822-99f9-56a661538792"  # CRMSTANDARD
NEVER = "0001-01-01T00:00:00Z"
NO_PREMIUM = {"error": {"code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                        "message": "Neither tenant is B2C or tenant doesn't have premium "
                                   "license",
                        "innerError": {"date": "2026-09-21T10:00:00",
                                       "request-id": "5a2b6f1e-0000-4000-8000-000000000000"}}}


def options(vendor: FakeVendor, **changes: str) -> dict[str, str]:
    return {"tenant_id": "tenant-1", "client_id": "app-1", "base_url": vendor.url,
            "token_url": vendor.url + TOKEN, **changes}


def user(n: int, *licences: str, **changes: Any) -> dict[str, Any]:
    """A Graph user with the selected fields (the documented one's, and the rest)."""
    made: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{n:012d}", "displayName": f"User {n}",
        "userPrincipalName": f"User{n}@contoso.com", "mail": f"user{n}@contoso.com",
        "accountEnabled": True, "userType": "Member", "createdDateTime": "2023-02-01T09:00:00Z",
        "department": "Sales", "jobTitle": "Account manager",
        "employeeOrgData": {"division": "EMEA", "costCenter": "CC-7"},
        "externalUserState": None, "externalUserStateChangeDateTime": None,
        "assignedLicenses": [{"disabledPlans": [], "skuId": sku} for sku in licences],
        "signInActivity": {"lastSignInDateTime": "2026-09-10T08:00:00Z",
                           "lastSignInRequestId": "r1",
                           "lastNonInteractiveSignInDateTime": NEVER,
                           "lastNonInteractiveSignInRequestId": "",
                           "lastSuccessfulSignInDateTime": "2026-09-10T08:00:00Z",
                           "lastSuccessfulSignInRequestId": "r1"},
    }
    made.update(changes)
    return made


class Graph:
    """The fake tenant: its token endpoint, its SKUs, its users (paged by @odata.nextLink),
    its deleted users. Without `premium`, selecting signInActivity is refused with 403."""

    def __init__(self, vendor: FakeVendor, *, premium: bool = True) -> None:
        self.vendor = vendor
        self.premium = premium
        self.tokens = 0
        vendor.add(TOKEN, self._token, method="POST")
        vendor.add(SKUS, body("msgraph_subscribedSkus.json"))
        vendor.add(DELETED, {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata"
                                               "#directory/deletedItems/microsoft.graph.user",
                             "value": []})

    def _token(self, request: RecordedRequest) -> Reply:
        form = request.form()
        if form.get("client_secret") != SECRET:
            return Reply.error(401, body={"error": "invalid_client", "error_description":
                                          "AADSTS7000215: Invalid client secret provided."})
        assert (form["grant_type"], form["client_id"], form["scope"]) == (
            "client_credentials", "app-1", f"{self.vendor.url}/.default")
        self.tokens += 1
        return Reply.json({"token_type": "Bearer", "expires_in": 3599,
                           "access_token": f"eyJ0eXAi.graph-{self.tokens}"})

    def serve(self, users: list[dict[str, Any]], *, per_page: int = 2) -> None:
        chunks = [users[i:i + per_page] for i in range(0, len(users), per_page)] or [[]]

        def listing(request: RecordedRequest) -> Any:
            if request.headers.get("authorization") != f"Bearer eyJ0eXAi.graph-{self.tokens}":
                return Reply.error(401, body={"error": {"code": "InvalidAuthenticationToken",
                                                        "message": "Access token has expired "
                                                                   "or is not yet valid."}})
            selected = (request.param("$select") or "").split(",")
            top = int(request.param("$top") or 100)
            if "signInActivity" in selected:
                if not self.premium:
                    return Reply.error(403, body=NO_PREMIUM)
                if top > 120:
                    return Reply.error(400, body={"error": {"code": "Request_UnsupportedQuery",
                                                            "message": "$top is limited to 120"}})
            number = int(request.param("page") or 1)
            page = [{k: v for k, v in u.items() if k in selected or k == "id"}
                    for u in chunks[number - 1]]
            answer: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/"
                                                        "$metadata#users", "value": page}
            if number < len(chunks):
                query = {k: v[-1] for k, v in request.query.items()}
                answer["@odata.nextLink"] = self.vendor.url_for(USERS, **{**query,
                                                                         "page": number + 1})
            return answer

        self.vendor.add(USERS, listing)


def test_the_documented_bodies(vendor: FakeVendor) -> None:
    graph = Graph(vendor)
    vendor.add(USERS, body("msgraph_users_signInActivity.json"))
    result = verify_plugin(Microsoft365Plugin, vendor, options=options(vendor), secret=SECRET)
    adele, alex = result.accounts
    assert (adele.email, adele.display_name) == ("adelev@contoso.com", "Adele Vance")
    # Her non-interactive date is Graph's "never" sentinel: the interactive one stands.
    assert adele.last_activity == datetime(2021, 6, 17, 16, 41, 33, tzinfo=UTC)
    assert alex.last_activity == datetime(2021, 7, 29, 17, 53, 42, tzinfo=UTC)  # the newest
    assert adele.licenses == () and adele.billable is False  # holds no licence
    assert result.seat_counts == (
        SeatCount(label="ENTERPRISEPREMIUM", purchased=25, consumed=14),
        SeatCount(label="CRMSTANDARD", purchased=0, consumed=14))
    listing = vendor.requests_to(USERS)[-1]
    assert "signInActivity" in listing.param("$select").split(",")
    assert listing.param("$top") == "120"
    assert listing.headers["authorization"] == f"Bearer eyJ0eXAi.graph-{graph.tokens}"


def test_every_kind_of_user_across_pages(vendor: FakeVendor) -> None:
    Graph(vendor).serve([
        user(1, E5),
        user(2, E5, CRM, accountEnabled=False),
        user(3, userType="Guest", mail="dana@fabrikam.com",
             userPrincipalName="dana_fabrikam.com#EXT#@contoso.onmicrosoft.com",
             externalUserState="Accepted"),
        user(4, userType="Guest", externalUserState="PendingAcceptance",
             externalUserStateChangeDateTime="2026-09-01T12:00:00Z",
             signInActivity={"lastSignInDateTime": NEVER,
                             "lastNonInteractiveSignInDateTime": NEVER,
                             "lastSuccessfulSignInDateTime": None}),
        user(5, E5, signInActivity={"lastSignInDateTime": "2026-08-01T00:00:00Z",
                                    "lastNonInteractiveSignInDateTime": "2026-08-20T00:00:00Z",
                                    "lastSuccessfulSignInDateTime": "2026-09-18T06:30:00Z"}),
        user(6, E5, signInActivity=None),
        user(7, E5, mail=None),
    ], per_page=3)
    vendor.add(DELETED, {"value": [{**user(8, E5), "deletedDateTime": "2026-09-19T15:00:00Z"}]})
    result = run_fetch(Microsoft365Plugin, options=options(vendor), secret=SECRET)
    got = {a.display_name: a for a in result.accounts}
    assert len(got) == 8 and len(vendor.requests_to(USERS)) == 3
    one = got["User 1"]
    assert (one.status, one.kind, one.role, one.licenses, one.billable) == (
        AccountStatus.ACTIVE, AccountKind.USER, Role.MEMBER, ("ENTERPRISEPREMIUM",), True)
    assert (one.department, one.title, one.cost_center) == ("Sales", "Account manager", "CC-7")
    assert one.first_seen == datetime(2023, 2, 1, 9, 0, tzinfo=UTC)
    assert one.username == "User1@contoso.com" and one.email == "user1@contoso.com"
    disabled = got["User 2"]
    assert disabled.status is AccountStatus.SUSPENDED and disabled.holds_seat
    assert disabled.licenses == ("ENTERPRISEPREMIUM", "CRMSTANDARD")
    guest = got["User 3"]
    assert (guest.kind, guest.role, guest.vendor_role) == (AccountKind.GUEST, Role.GUEST, "Guest")
    assert guest.email == "dana@fabrikam.com" and guest.billable is False
    pending = got["User 4"]
    assert pending.status is AccountStatus.INVITED
    assert pending.invited_at == datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    assert pending.activity is Activity.NEVER  # every date is the 0001 sentinel or null
    assert got["User 5"].last_activity == datetime(2026, 9, 18, 6, 30, tzinfo=UTC)
    assert got["User 6"].activity is Activity.NO_DATE  # no sign-in record at all
    assert got["User 7"].email == "user7@contoso.com"  # the UPN when there is no mail
    deleted = got["User 8"]
    assert deleted.status is AccountStatus.DEPROVISIONED and deleted.end_date == date(2026, 9, 19)
    assert Microsoft365Plugin.directory_capable


def test_with_skus_only_their_holders_are_the_tools_accounts(vendor: FakeVendor) -> None:
    Graph(vendor).serve([user(1, E5), user(2, CRM), user(3), user(4, CRM, E5)])
    vendor.add(DELETED, {"value": [{**user(5, CRM), "deletedDateTime": "2026-09-19T15:00:00Z"}]})
    result = run_fetch(Microsoft365Plugin, options=options(vendor, sku="enterprisepremium"),
                       secret=SECRET)
    assert [a.display_name for a in result.accounts] == ["User 1", "User 4"]
    assert all(a.billable and a.license_tier == "ENTERPRISEPREMIUM" for a in result.accounts)
    assert result.accounts[1].licenses == ("CRMSTANDARD", "ENTERPRISEPREMIUM")
    assert result.seat_counts == (SeatCount(label="ENTERPRISEPREMIUM", purchased=25,
                                            consumed=14),)


def test_a_sku_the_tenant_does_not_have_is_refused_by_name(vendor: FakeVendor) -> None:
    Graph(vendor).serve([user(1, E5)])
    error = fetch_error(Microsoft365Plugin, options=options(vendor, sku="SPE_E3,CRMSTANDARD"),
                        secret=SECRET)
    assert isinstance(error, ConfigError)
    assert str(error) == ("the tenant does not subscribe to SPE_E3 (option sku); its licences "
                          "are: CRMSTANDARD, ENTERPRISEPREMIUM")
    assert vendor.requests_to(USERS) == []


def test_without_entra_premium_users_sync_with_activity_unknown(vendor: FakeVendor) -> None:
    Graph(vendor, premium=False).serve([user(1, E5), user(2, E5), user(3)])
    result = run_fetch(Microsoft365Plugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 3
    assert all(a.activity is Activity.UNKNOWN and a.last_activity is None
               for a in result.accounts)
    (notice,) = result.notices
    assert notice.code == "activity_unknown"
    assert "needs Microsoft Entra ID P1 or P2 and the AuditLog.Read.All permission" in notice.text
    assert "doesn't have premium license" in notice.text
    second = [r for r in vendor.requests_to(USERS)
              if "signInActivity" not in r.param("$select").split(",")]
    assert second and second[0].param("$top") == "999"


def test_an_app_that_may_not_read_users_is_told_which_permission(vendor: FakeVendor) -> None:
    Graph(vendor)
    vendor.add(USERS, Reply.error(403, body={"error": {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation."}}))
    error = fetch_error(Microsoft365Plugin, options=options(vendor), secret=SECRET)
    assert isinstance(error, MissingPermission) and error.scopes == ("User.Read.All",)
    assert str(error).startswith("the app may not read the tenant's users: grant it the "
                                 "application permission User.Read.All")


def test_deleted_users_it_may_not_read_are_a_notice(vendor: FakeVendor) -> None:
    Graph(vendor).serve([user(1, E5)])
    vendor.add(DELETED, Reply.error(403, body={"error": {
        "code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}))
    result = run_fetch(Microsoft365Plugin, options=options(vendor), secret=SECRET)
    assert len(result.accounts) == 1
    assert [n.code for n in result.notices] == ["deleted_users_unknown"]


def test_a_wrong_client_secret_is_said_in_words(vendor: FakeVendor) -> None:
    Graph(vendor).serve([user(1)])
    error = fetch_error(Microsoft365Plugin, options=options(vendor), secret="wrong-secret-1234")
    assert isinstance(error, AuthRejected)
    assert str(error) == ("the token endpoint refused the client credentials (AADSTS7000215: "
                          "Invalid client secret provided.)")


def test_the_token_comes_from_the_tenants_endpoint_by_default() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(400, json={"error": "invalid_request",
                                         "error_description": "AADSTS90002: Tenant not found."})

    with PluginRun(Microsoft365Plugin, {"tenant_id": "contoso.onmicrosoft.com",
                                        "client_id": "app-1"}, SECRET,
                   transport=httpx.MockTransport(answer)) as run, \
            pytest.raises(AuthRejected, match="AADSTS90002: Tenant not found"):
        run.fetch()
    assert asked == ["https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/"
                     "token"]


def test_check_names_the_tenant_and_its_licences(vendor: FakeVendor) -> None:
    Graph(vendor).serve([user(1)])
    assert run_check(Microsoft365Plugin, options=options(vendor), secret=SECRET).summary == (
        "client secret accepted; it can read the users and licences of the tenant tenant-1 "
        "(2 licence SKUs)")
    assert run_check(Microsoft365Plugin, options=options(vendor, sku="CRMSTANDARD"),
                     secret=SECRET).summary.endswith("(counting CRMSTANDARD)")


def test_a_user_listed_twice_is_one_account(vendor: FakeVendor) -> None:
    twice = user(1, E5)
    Graph(vendor).serve([twice, user(2), copy.deepcopy(twice)])
    result = run_fetch(Microsoft365Plugin, options=options(vendor), secret=SECRET)
    assert [a.display_name for a in result.accounts] == ["User 1", "User 2"]
