"""`zoom`: a Zoom account's users, with who holds a paid licence and when each last signed in.

Server-to-server OAuth: `POST {token_url}?grant_type=account_credentials&account_id=...` with
the client id and secret as HTTP Basic; the token lasts an hour and is fetched again (there is
no refresh token), before it expires or after a 401. Users: `GET {base_url}/v2/users` once per
status (`active`, `inactive`, `pending`: Zoom lists one status at a time), 300 a page,
`next_page_token` paging. A page token expires after 15 minutes: when Zoom says so (after a
long wait for a rate limit), the listing is read again from its first page.

`type` 2 (licensed) is the paid seat; 1 (basic) is free, no seat. `status` inactive is a
deactivated user (suspended), pending an invitation not yet accepted. `last_login_time`
absent means never signed in; Zoom updates it at most every three days.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackadmin.plugins.api import (
    AccountRecord,
    AccountStatus,
    Activity,
    CheckResult,
    Cursor,
    MissingPermission,
    OAuthClientCredentials,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    PluginError,
    Record,
    RequestRefused,
    Role,
    Secret,
    VendorHttp,
    email_or_none,
    join_url,
    parse_timestamp,
)
from stackadmin.plugins.builtin._common import listed, need_id, text

API_ROOT = "https://api.zoom.us"
TOKEN_URL = "https://zoom.us/oauth/token"
PAGE_SIZE = 300  # the most Zoom serves a page
RESTARTS = 3  # readings of one listing after expired page tokens, before giving up
_STATUSES = (("active", AccountStatus.ACTIVE), ("inactive", AccountStatus.SUSPENDED),
             ("pending", AccountStatus.INVITED))
# Zoom's user types: 1 Basic, 2 Licensed; older accounts also show 3 (on-premises) and
# 99 (none). Only a licensed user holds a paid seat.
_TYPES = {1: ("basic", False), 2: ("licensed", True), 3: ("on-premises", True),
          99: ("none", False)}
# The account's built-in roles; custom roles have other ids.
_ROLES = {"0": Role.OWNER, "1": Role.ADMIN, "2": Role.MEMBER}
_ROLE_WORDS = {"0": "owner", "1": "admin", "2": "member"}


def page_token_expired(error: PluginError) -> bool:
    """Zoom's answer to a page token older than 15 minutes (HTTP 400, code 300)."""
    said = f"{error.vendor_message or ''} {error.message}".lower()
    return isinstance(error, RequestRefused) and ("page token" in said
                                                  or "next_page_token" in said)


class ZoomPlugin(Plugin):
    id = "zoom"
    name = "Zoom"
    description = ("Users of a Zoom account: licensed (paid) and basic users, owners and "
                   "admins, deactivated and pending users, last sign-in.")
    options = (
        Option("account_id", "Account id", required=True,
               help="of the Server-to-Server OAuth app (App credentials)"),
        Option("client_id", "Client id", required=True,
               help="of the Server-to-Server OAuth app"),
        Option("base_url", "API root", default=API_ROOT, kind=OptionKind.URL,
               help="https://api.zoom.us"),
        Option("token_url", "Token endpoint", default=TOKEN_URL, kind=OptionKind.URL,
               help="https://zoom.us/oauth/token"),
    )
    secret = Secret("client secret of a Server-to-Server OAuth app with the scope "
                    "user:read:admin (or user:read:list_users:admin)")
    reports_activity = True

    def check(self, ctx: PluginContext) -> CheckResult:
        try:
            body = _client(ctx).get_json(_users_url(ctx),
                                         params={"status": "active", "page_size": 1},
                                         what="the Zoom account's users")
        except RequestRefused as exc:
            raise _scope_error(exc) from None
        total = body.get("total_records") if isinstance(body, dict) else None
        counted = f" ({total} active users)" if isinstance(total, int) else ""
        return CheckResult(f"client secret accepted; it can read the users of the Zoom "
                           f"account {ctx.option('account_id')}{counted}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = _client(ctx)
        accounts: dict[str, AccountRecord] = {}
        for word, status in _STATUSES:
            for user in _listing(api, ctx, word):
                record = _account(user, status)
                # A user whose status changed while the lists were read: the later list,
                # read later, is the newer word.
                accounts.pop(record.external_id, None)
                accounts[record.external_id] = record
        yield from accounts.values()


def _client(ctx: PluginContext) -> VendorHttp:
    return ctx.http.bind(auth=OAuthClientCredentials(
        ctx.option("token_url"), ctx.option("client_id"), ctx.reveal_secret(),
        query={"grant_type": "account_credentials", "account_id": ctx.option("account_id")},
        client_auth="basic"))


def _users_url(ctx: PluginContext) -> str:
    return join_url(ctx.option("base_url"), "/v2/users")


def _listing(api: VendorHttp, ctx: PluginContext, word: str) -> Iterator[Any]:
    try:
        yield from api.items(_users_url(ctx), Cursor("next_page_token", "next_page_token"),
                             params={"status": word, "page_size": PAGE_SIZE},
                             items=listed("users"),
                             restart_on=page_token_expired, max_restarts=RESTARTS,
                             what=f"the {word} users of the Zoom account")
    except RequestRefused as exc:
        raise _scope_error(exc) from None


def _scope_error(exc: RequestRefused) -> PluginError:
    """Zoom's missing-scope answer (HTTP 400, code 4711 or 4700: "Invalid access token, does
    not contain scopes:[...]") as the missing permission it is; other refusals as they are."""
    said = exc.vendor_message or ""
    if "does not contain scopes" not in said:
        return exc
    scopes = tuple(s.strip() for s in said.partition("[")[2].split("]")[0].split(",")
                   if s.strip())
    return MissingPermission(
        f"the Server-to-Server OAuth app lacks the scope {' or '.join(scopes) or 'it needs'} "
        f"to list users ({exc.message})", scopes=scopes, status=exc.status, url=exc.url)


def _account(user: Any, status: AccountStatus) -> AccountRecord:
    user_id = need_id(user, "id", "a user in Zoom's list")
    kind = user.get("type")
    tier, billable = _TYPES.get(kind, (str(kind), None)) if isinstance(kind, int) \
        else (None, None)
    role_id = str(user.get("role_id")) if user.get("role_id") is not None else None
    last = parse_timestamp(user.get("last_login_time"), field="last_login_time")
    created = parse_timestamp(user.get("user_created_at") or user.get("created_at"),
                              field="created_at")
    name = text(user.get("display_name")) or " ".join(
        p for p in (text(user.get("first_name")), text(user.get("last_name"))) if p) or None
    return AccountRecord(
        external_id=user_id, email=email_or_none(user.get("email")), display_name=name,
        vendor_role=text(user.get("role_name")) or _ROLE_WORDS.get(role_id or "", role_id),
        role=_ROLES.get(role_id or "", Role.MEMBER), status=status, billable=billable,
        license_tier=tier, first_seen=created,
        invited_at=created if status is AccountStatus.INVITED else None,
        activity=Activity.REPORTED if last else Activity.NEVER, last_activity=last,
        department=text(user.get("dept")), raw=user)
