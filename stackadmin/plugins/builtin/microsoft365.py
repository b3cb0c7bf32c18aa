"""`microsoft365`: a Microsoft 365 tenant's users (Entra ID, through Microsoft Graph v1.0),
their licences, their last sign-in, and the tenant's licence counts; a directory source.

Endpoints: `GET {base_url}/v1.0/subscribedSkus` (each SKU's `prepaidUnits.enabled` as seats
purchased, `consumedUnits` as seats assigned), `GET {base_url}/v1.0/users` with `$select`
(including `signInActivity`, which caps `$top` at 120) and `@odata.nextLink` paging, and
`GET {base_url}/v1.0/directory/deletedItems/microsoft.graph.user` (users deleted in the last
30 days, with `deletedDateTime`: the end date a directory needs). The token comes from
`token_url` by OAuth client credentials, scope `{base_url}/.default`.

Last activity is the newest of `lastSignInDateTime`, `lastNonInteractiveSignInDateTime` and
`lastSuccessfulSignInDateTime`; `0001-01-01T00:00:00Z` means never. Sign-in activity needs
Entra ID P1 or P2 and `AuditLog.Read.All`: without them Graph answers 403, and the users are
read again without it, with activity unknown and a Notice. With the `sku` option, only the
users holding one of those SKUs are the tool's accounts, and only those SKUs' counts are
reported; without it, every user is an account and holds a paid seat if it holds a licence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    CheckResult,
    ConfigError,
    MissingPermission,
    NextUrl,
    NotFound,
    Notice,
    OAuthClientCredentials,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    Record,
    Role,
    SeatCount,
    Secret,
    VendorHttp,
    email_or_none,
    is_never,
    join_url,
    parse_timestamp,
    segment,
)
from stackadmin.plugins.builtin._common import listed, need_id, newest, obj, text

API_ROOT = "https://graph.microsoft.com"
TOKEN_URL = "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"
# With signInActivity Graph serves at most 120 users a page; without it, 999.
PAGE_WITH_ACTIVITY = 120
PAGE = 999
_FIELDS = ("id", "userPrincipalName", "mail", "displayName", "accountEnabled",
           "assignedLicenses", "userType", "createdDateTime", "department", "jobTitle",
           "employeeOrgData", "externalUserState", "externalUserStateChangeDateTime")
_DELETED_FIELDS = ("id", "userPrincipalName", "mail", "displayName", "assignedLicenses",
                   "userType", "createdDateTime", "department", "jobTitle", "employeeOrgData",
                   "deletedDateTime")
_SIGN_INS = ("lastSignInDateTime", "lastNonInteractiveSignInDateTime",
             "lastSuccessfulSignInDateTime")


class Microsoft365Plugin(Plugin):
    id = "microsoft365"
    name = "Microsoft 365"
    description = ("Users of a Microsoft 365 tenant (Entra ID): licences held, last sign-in "
                   "(Entra ID P1/P2), disabled, guest and deleted users, department and "
                   "title; the tenant's licence counts. Can be the company directory.")
    options = (
        Option("tenant_id", "Tenant", required=True,
               help="the directory (tenant) id, or its domain (contoso.onmicrosoft.com)"),
        Option("client_id", "Application (client) id", required=True,
               help="of the app registration holding the client secret"),
        Option("sku", "Licences (SKU part numbers)", kind=OptionKind.LIST,
               help="e.g. SPE_E3,SPE_E5: only users holding one are this tool's accounts; "
                    "empty: every user", partial=True),
        Option("base_url", "Graph root", default=API_ROOT, kind=OptionKind.URL,
               help="https://graph.microsoft.com (national clouds: their Graph root)"),
        Option("token_url", "Token endpoint", kind=OptionKind.URL,
               help="default https://login.microsoftonline.com/TENANT/oauth2/v2.0/token"),
    )
    secret = Secret("client secret of an app registration with the application permissions "
                    "User.Read.All, AuditLog.Read.All (sign-ins) and Organization.Read.All "
                    "(licences), admin-consented")
    reports_activity = True
    reports_seat_counts = True
    directory_capable = True

    def check(self, ctx: PluginContext) -> CheckResult:
        api = _client(ctx)
        skus = _subscribed(api, ctx)
        chosen = _chosen(ctx, skus)
        api.get_json(_url(ctx, "/users"), params={"$select": "id", "$top": 1},
                     what="the users of the tenant")
        counted = (f"counting {', '.join(s['skuPartNumber'] for s in chosen)}" if ctx.values("sku")
                   else f"{len(skus)} licence SKU{'s' if len(skus) != 1 else ''}")
        return CheckResult(f"client secret accepted; it can read the users and licences of "
                           f"the tenant {ctx.option('tenant_id')} ({counted})")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = _client(ctx)
        skus = _subscribed(api, ctx)
        chosen = _chosen(ctx, skus)
        names = {str(s.get("skuId")): str(s.get("skuPartNumber")) for s in skus}
        wanted = {str(s.get("skuId")) for s in chosen} if ctx.values("sku") else None
        for sku in chosen:
            prepaid = obj(sku.get("prepaidUnits"))
            yield SeatCount(label=str(sku.get("skuPartNumber")),
                            purchased=_count(prepaid.get("enabled")),
                            consumed=_count(sku.get("consumedUnits")), raw=sku)
        try:
            users = _users(api, ctx, with_activity=True)
            activity_known = True
        except MissingPermission as exc:
            users = _users(api, ctx, with_activity=False)
            activity_known = False
            yield Notice("activity_unknown", (
                "Microsoft did not give sign-in activity, which needs Microsoft Entra ID P1 "
                f"or P2 and the AuditLog.Read.All permission ({exc.vendor_message or exc.message}):"
                " the Microsoft 365 accounts were synced with activity unknown"))
        seen: set[str] = set()
        for user in users:
            record = _account(user, names, wanted, activity_known, deleted=False)
            if record is not None and record.external_id not in seen:
                seen.add(record.external_id)
                yield record
        try:
            for user in api.items(_url(ctx, "/directory/deletedItems/microsoft.graph.user"),
                                  NextUrl("@odata.nextLink"),
                                  params={"$select": ",".join(_DELETED_FIELDS), "$top": PAGE},
                                  items=listed("value"),
                                  what="the users deleted from the tenant"):
                record = _account(user, names, wanted, activity_known, deleted=True)
                if record is not None and record.external_id not in seen:
                    seen.add(record.external_id)
                    yield record
        except (MissingPermission, NotFound) as exc:
            yield Notice("deleted_users_unknown", (
                f"the users deleted from the tenant could not be read ({exc.message}): users "
                "deleted since the last sync leave without an end date"))


def _client(ctx: PluginContext) -> VendorHttp:
    base = ctx.option("base_url")
    token_url = ctx.option_or_none("token_url") or TOKEN_URL.format(
        tenant_id=segment(ctx.option("tenant_id")))
    return ctx.http.bind(auth=OAuthClientCredentials(
        token_url, ctx.option("client_id"), ctx.reveal_secret(),
        form={"scope": f"{base}/.default"}))


def _url(ctx: PluginContext, path: str) -> str:
    return join_url(ctx.option("base_url"), f"/v1.0{path}")


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def _subscribed(api: VendorHttp, ctx: PluginContext) -> list[dict[str, Any]]:
    try:
        body = api.get_json(_url(ctx, "/subscribedSkus"), what="the tenant's licences")
    except MissingPermission as exc:
        raise MissingPermission(
            "the app may not read the tenant's licences: grant it the application permission "
            f"Organization.Read.All, with admin consent ({exc.message})",
            scopes=("Organization.Read.All",), status=exc.status, url=exc.url) from None
    return [s for s in listed("value")(body) if type(s) is dict and text(s.get("skuPartNumber"))]


def _chosen(ctx: PluginContext, skus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The SKUs the `sku` option names (all the tenant's per-user SKUs without it); a name the
    tenant does not subscribe to is a ConfigError listing the ones it does."""
    asked = ctx.values("sku")
    if not asked:
        return [s for s in skus if s.get("appliesTo") in ("User", None)]
    by_name = {str(s["skuPartNumber"]).upper(): s for s in skus}
    unknown = [name for name in asked if name.upper() not in by_name]
    if unknown:
        held = ", ".join(sorted(str(s["skuPartNumber"]) for s in skus)) or "none"
        raise ConfigError(f"the tenant does not subscribe to {', '.join(unknown)} (option "
                          f"sku); its licences are: {held}")
    return [by_name[name.upper()] for name in dict.fromkeys(asked)]


def _users(api: VendorHttp, ctx: PluginContext, *, with_activity: bool) -> list[Any]:
    fields = (*_FIELDS, "signInActivity") if with_activity else _FIELDS
    params = {"$select": ",".join(fields),
              "$top": PAGE_WITH_ACTIVITY if with_activity else PAGE}
    try:
        return list(api.items(_url(ctx, "/users"), NextUrl("@odata.nextLink"), params=params,
                              items=listed("value"), what="the users of the tenant"))
    except MissingPermission as exc:
        if with_activity:
            raise
        raise MissingPermission(
            "the app may not read the tenant's users: grant it the application permission "
            f"User.Read.All, with admin consent ({exc.message})", scopes=("User.Read.All",),
            status=exc.status, url=exc.url) from None


def _last_sign_in(user: dict[str, Any]) -> tuple[Activity, Any]:
    activity = user.get("signInActivity")
    if type(activity) is not dict:
        # No record at all: Graph keeps sign-ins since April 2020; a date known is kept.
        return Activity.NO_DATE, None
    moments = [parse_timestamp(activity.get(name), field=f"signInActivity.{name}")
               for name in _SIGN_INS]
    last = newest(*(m for m in moments if m is not None and not is_never(m)))
    return (Activity.REPORTED, last) if last is not None else (Activity.NEVER, None)


def _account(user: Any, names: dict[str, str], wanted: set[str] | None, activity_known: bool,
             *, deleted: bool) -> AccountRecord | None:
    """One user as an account of the tool, or None when it holds none of the wanted SKUs."""
    user_id = need_id(user, "id", "a user in Graph's list")
    held = [str(obj(lic).get("skuId")) for lic in (user.get("assignedLicenses") or [])
            if obj(lic).get("skuId")]
    if wanted is not None and not wanted.intersection(held):
        return None
    licenses = tuple(names.get(sku, sku) for sku in held)
    guest = text(user.get("userType")) == "Guest"
    if deleted:
        status = AccountStatus.DEPROVISIONED
    elif text(user.get("externalUserState")) == "PendingAcceptance":
        status = AccountStatus.INVITED
    elif user.get("accountEnabled") is False:
        status = AccountStatus.SUSPENDED
    else:
        status = AccountStatus.ACTIVE
    activity, last = _last_sign_in(user) if activity_known else (Activity.UNKNOWN, None)
    invited = (parse_timestamp(user.get("externalUserStateChangeDateTime"),
                               field="externalUserStateChangeDateTime")
               if status is AccountStatus.INVITED else None)
    removed = parse_timestamp(user.get("deletedDateTime"), field="deletedDateTime")
    principal = text(user.get("userPrincipalName"))
    return AccountRecord(
        external_id=user_id,
        email=email_or_none(user.get("mail")) or email_or_none(principal),
        display_name=text(user.get("displayName")), username=principal,
        vendor_role=text(user.get("userType")), role=Role.GUEST if guest else Role.MEMBER,
        status=status, kind=AccountKind.GUEST if guest else AccountKind.USER,
        # The tool's seat is a licence: with SKUs chosen every account holds one of them;
        # without, a user holding no licence costs nothing.
        billable=True if wanted is not None else bool(licenses),
        license_tier=next((names.get(s, s) for s in held if s in wanted), None)
        if wanted is not None else None,
        licenses=licenses,
        first_seen=parse_timestamp(user.get("createdDateTime"), field="createdDateTime"),
        invited_at=invited, activity=activity, last_activity=last,
        department=text(user.get("department")), title=text(user.get("jobTitle")),
        cost_center=text(obj(user.get("employeeOrgData")).get("costCenter")),
        end_date=removed.date() if deleted and removed is not None else None, raw=user)
