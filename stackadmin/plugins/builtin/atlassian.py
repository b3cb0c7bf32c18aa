"""`atlassian`: the managed accounts of an Atlassian Cloud organisation, with who Atlassian
bills and when each was last active — in one product (Jira, Confluence...) with `product`.

Endpoint (Organizations REST API, an organisation API key as a bearer token):
`GET {base_url}/admin/v1/orgs/{org_id}/users` → `data[]` with `account_id`, `account_type`,
`account_status`, `email`, `access_billable`, `last_active` and `product_access[]` (each
product's key, name and last active date, a bare date such as `2023-01-19` or a time in
UTC); `links.next` is the next page.

One integration feeds one tool: with `product` (a product key, e.g. `jira-software` or
`confluence`), only the accounts with access to that product are the tool's accounts, with
that product's last active date. Atlassian counts a user active after 2 seconds on a product
page, and its dates may be a day late. An account or product without a last active date was
never active. `inactive` accounts are deactivated (suspended), `closed` ones hold no seat;
`app` accounts are bots.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    BearerToken,
    CheckResult,
    ConfigError,
    JsonResponse,
    Option,
    OptionKind,
    PageRequest,
    Paging,
    Plugin,
    PluginContext,
    Record,
    Role,
    Secret,
    VendorHttp,
    dig,
    email_or_none,
    join_url,
    parse_timestamp,
    segment,
)
from stackadmin.plugins.builtin._common import listed, need_id, obj, text

API_ROOT = "https://api.atlassian.com"
_STATUS = {"active": AccountStatus.ACTIVE, "inactive": AccountStatus.SUSPENDED,
           "closed": AccountStatus.DEPROVISIONED}
_KIND = {"app": AccountKind.BOT, "customer": AccountKind.GUEST}


class LinksNext(Paging):
    """`links.next`: the next page's URL as Atlassian's managed-accounts listing sends it; a
    bare cursor (as other Organizations endpoints send) is sent back as `cursor`."""

    def next(self, request: PageRequest, response: JsonResponse,
             items: list[Any]) -> PageRequest | None:
        value = dig(response.body, "links", "next")
        if not isinstance(value, str) or not value.strip():
            return None
        if value.startswith(("https://", "http://", "/")):
            return PageRequest(urljoin(response.url, value))
        return PageRequest(request.url, {**request.params, "cursor": value})

    def describe(self, request: PageRequest) -> str:
        cursor = str(request.params.get("cursor", ""))
        return f"the cursor '{cursor[:20]}'" if cursor else request.url


class AtlassianPlugin(Plugin):
    id = "atlassian"
    name = "Atlassian Cloud"
    description = ("Managed accounts of an Atlassian Cloud organisation: who Atlassian bills, "
                   "last active date, and with `product` the accounts of one product (Jira, "
                   "Confluence...) with their last active date in it.")
    options = (
        Option("org_id", "Organisation id", required=True,
               help="from admin.atlassian.com/o/ORG_ID, or shown with the API key"),
        Option("product", "Product key",
               help="e.g. jira-software, jira-servicedesk, confluence: only accounts with "
                    "access to it; empty: every managed account"),
        Option("base_url", "API root", default=API_ROOT, kind=OptionKind.URL,
               help="https://api.atlassian.com"),
    )
    secret = Secret("organisation API key (admin.atlassian.com > Settings > API keys)")
    reports_activity = True

    def check(self, ctx: PluginContext) -> CheckResult:
        org = _client(ctx).get_json(
            join_url(ctx.option("base_url"), f"/admin/v1/orgs/{segment(ctx.option('org_id'))}"),
            what=_name(ctx))
        named = text(dig(org, "data", "attributes", "name")) or ctx.option("org_id")
        return CheckResult(f"API key accepted; organisation {named}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        product = ctx.option_or_none("product")
        seen: set[str] = set()
        products: dict[str, str] = {}
        for user in _client(ctx).items(_users_url(ctx), LinksNext(), items=listed("data"),
                                       what=f"the managed accounts of {_name(ctx)}"):
            for access in _access(user):
                key = text(access.get("key"))
                if key:
                    products.setdefault(key, text(access.get("name")) or key)
            record = _account(user, product)
            # Paging can repeat an account when the list changes under it.
            if record is not None and record.external_id not in seen:
                seen.add(record.external_id)
                yield record
        if product and not seen:
            # An unknown product key would otherwise read as "every account was removed".
            known = ", ".join(f"{key} ({name})" for key, name in sorted(products.items()))
            raise ConfigError(f"no account of {_name(ctx)} has access to the product "
                              f"'{product}' (option product); the products seen: "
                              f"{known or 'none'}")


def _client(ctx: PluginContext) -> VendorHttp:
    return ctx.http.bind(auth=BearerToken(ctx.reveal_secret()))


def _users_url(ctx: PluginContext) -> str:
    return join_url(ctx.option("base_url"),
                    f"/admin/v1/orgs/{segment(ctx.option('org_id'))}/users")


def _name(ctx: PluginContext) -> str:
    return f"the Atlassian organisation '{ctx.option('org_id')}'"


def _access(user: Any) -> list[dict[str, Any]]:
    found = obj(user).get("product_access")
    return [a for a in found if type(a) is dict] if type(found) is list else []


def _account(user: Any, product: str | None) -> AccountRecord | None:
    """The account, or None when `product` is set and the account has no access to it."""
    account_id = need_id(user, "account_id", "an account in Atlassian's list")
    access = _access(user)
    licences = tuple(k for k in (text(a.get("key")) for a in access) if k)
    if product is not None:
        chosen = next((a for a in access if text(a.get("key")) == product), None)
        if chosen is None:
            return None
        last_active = chosen.get("last_active")
        tier = text(chosen.get("name")) or product
    else:
        last_active, tier = user.get("last_active"), None
    # Atlassian gives a product's last active day as a bare date (`2023-01-19`, in UTC):
    # that day is the date of last activity.
    last = parse_timestamp(last_active, field="last_active", assume_utc=True)
    word = text(user.get("account_status"))
    billable = user.get("access_billable")
    return AccountRecord(
        external_id=account_id, email=email_or_none(user.get("email")),
        display_name=text(user.get("name")), username=text(user.get("nickname")),
        vendor_role=text(user.get("account_type")), role=Role.MEMBER,
        status=_STATUS.get(word or "active", AccountStatus.ACTIVE),
        kind=_KIND.get(text(user.get("account_type")) or "", AccountKind.USER),
        billable=billable if type(billable) is bool else None, license_tier=tier,
        licenses=licences, first_seen=parse_timestamp(user.get("created"), field="created"),
        activity=Activity.REPORTED if last else Activity.NEVER, last_activity=last, raw=user)
