"""`slack`: a Slack workspace's members with their role, who Slack bills, and when each last
signed in.

Endpoints (Web API, `GET {base_url}/<method>` with the token as a bearer header):
`users.list` (cursor in `response_metadata.next_cursor`), `team.billableInfo` (who is billed:
Slack recomputes it periodically, it is not live), `team.accessLogs` (paid plans: one row per
user, IP address and browser; each user's newest `date_last` is their last activity; `page`
paging within a fixed `before`, at most 100 pages of 1000 rows).

Slack answers its errors with HTTP 200 and `{"ok": false, "error": "..."}`: each is told in
words (`missing_scope` names the scope Slack says is needed; `ratelimited` is waited out like
a 429). Billing and access logs need the `admin` scope and the logs a paid plan: without
them the members are still synced, billing unknown or activity unknown, and a Notice says
why. With the logs read whole, a member without a login row never signed in; when Slack
holds more than 100 pages of rows, such members have no date (one stackadmin knew is kept).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    AuthRejected,
    BadResponse,
    BearerToken,
    CheckResult,
    Cursor,
    JsonResponse,
    MissingPermission,
    Notice,
    Option,
    OptionKind,
    PageNumber,
    Plugin,
    PluginContext,
    Record,
    RequestRefused,
    Role,
    SeatCount,
    Secret,
    Throttled,
    VendorHttp,
    VendorUnavailable,
    email_or_none,
    join_url,
    parse_timestamp,
)
from stackadmin.plugins.builtin._common import flag, listed, need_id, newest, obj, text

API_ROOT = "https://slack.com/api"
SLACKBOT = "USLACKBOT"  # Slack's built-in bot: listed as a member, never billed
USERS_PAGE = 1000  # users.list's documented maximum
LOG_ROWS = 1000  # team.accessLogs: at most 1000 rows a page...
LOG_PAGES = 100  # ...and 100 pages

_AUTH = {
    "invalid_auth": "the token is not valid", "not_authed": "no token was sent",
    "token_revoked": "the token was revoked", "token_expired": "the token has expired",
    "account_inactive": "the token belongs to a deactivated user or app",
}
_FORBIDDEN = {
    "no_permission": "the token's user may not call it (a workspace owner or admin may)",
    "not_allowed_token_type": "it does not take this kind of token (a user token, xoxp-, "
                              "of an owner or admin does)",
    "ekm_access_denied": "the workspace's Enterprise Key Management refused it",
    "team_access_not_granted": "the token was not granted access to this workspace",
    "org_login_required": "the workspace is migrating to an Enterprise Grid organisation",
    "access_denied": "access was denied",
    "two_factor_setup_required": "the token's user must set up two-factor authentication",
}
_SERVER = {"fatal_error", "internal_error", "service_unavailable", "request_timeout"}
_STATUS_RANK = {AccountStatus.ACTIVE: 0, AccountStatus.INVITED: 1, AccountStatus.SUSPENDED: 2,
                AccountStatus.DEPROVISIONED: 3}


def slack_check(method: str) -> Callable[[JsonResponse], None]:
    """The check for one Web API method: Slack's `ok: false` answers as errors in words."""

    def check(answer: JsonResponse) -> None:
        body = answer.body
        if not isinstance(body, dict):
            raise BadResponse(f"Slack's answer to {method} is not a JSON object",
                              status=answer.status, url=answer.url)
        if body.get("ok") is True:
            return
        word = text(body.get("error")) or "unknown_error"
        status, url = answer.status, answer.url
        if word == "ratelimited":
            raise Throttled(f"Slack is throttling requests ({method}: ratelimited)",
                            retry_after=_seconds(answer.headers.get("retry-after")),
                            status=status, url=url)
        if word in _AUTH:
            raise AuthRejected(f"Slack rejected the token ({method}: {word}, {_AUTH[word]})",
                               status=status, url=url)
        if word == "missing_scope":
            needed = tuple(s.strip() for s in str(body.get("needed") or "").split(",")
                           if s.strip())
            provided = text(body.get("provided"))
            has = f" (the token has: {provided})" if provided else ""
            scope = f"the scope {' or '.join(needed)}" if needed else "a scope"
            raise MissingPermission(f"the token lacks {scope} that {method} needs{has}",
                                    scopes=needed, status=status, url=url)
        if word == "paid_only":
            raise MissingPermission(f"{method} is only available on Slack's paid plans",
                                    plan="a paid Slack plan", status=status, url=url)
        if word in _FORBIDDEN:
            raise MissingPermission(f"Slack refused {method}: {_FORBIDDEN[word]} ({word})",
                                    status=status, url=url)
        if word in _SERVER:
            raise VendorUnavailable(f"Slack failed ({method}: {word})", status=status, url=url)
        raise RequestRefused(f"Slack refused {method} ({word})", status=status, url=url)

    return check


def _seconds(header: str | None) -> float | None:
    try:
        return max(0.0, float(header)) if header else None
    except ValueError:
        return None


class SlackPlugin(Plugin):
    id = "slack"
    name = "Slack"
    description = ("Members of a Slack workspace: owners, admins, members, guests, bots and "
                   "deactivated users told apart; who Slack bills; last sign-in from the "
                   "access logs (paid plans).")
    options = (
        Option("base_url", "API root", default=API_ROOT, kind=OptionKind.URL,
               help="https://slack.com/api"),
    )
    secret = Secret("user or org token (xoxp-) with the scopes users:read, users:read.email, "
                    "and admin for billing and access logs")
    reports_activity = True
    reports_seat_counts = True

    def check(self, ctx: PluginContext) -> CheckResult:
        api = _client(ctx)
        answer = api.request("GET", _url(ctx, "auth.test"), check=slack_check("auth.test"),
                             what="Slack's auth.test")
        api.get_json(_url(ctx, "users.list"), params={"limit": 1},
                     check=slack_check("users.list"), what="Slack's users.list")
        team = text(obj(answer.body).get("team")) or "(unnamed)"
        summary = f"token accepted for the workspace {team}; it can list the members"
        scopes = answer.headers.get("x-oauth-scopes")
        if scopes is not None:
            held = {s.strip() for s in scopes.split(",")}
            missing = [s for s in ("users:read.email", "admin") if s not in held]
            if missing:
                summary += (f"; without the scope {' and '.join(missing)}, "
                            + _missing_effect(missing))
        return CheckResult(summary)

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = _client(ctx)
        members: dict[str, dict[str, Any]] = {}
        for user in api.items(_url(ctx, "users.list"),
                              Cursor("cursor", "response_metadata", "next_cursor"),
                              params={"limit": USERS_PAGE}, items="members",
                              check=slack_check("users.list"),
                              what="the members of the Slack workspace"):
            # A cursor listing may repeat a member when the list changes under it.
            members[need_id(user, "id", "a member in Slack's users.list")] = user
        notices: list[Notice] = []
        billing = _billing(api, ctx, notices)
        logs = _access_logs(api, ctx, notices)
        records = [_account(user, billing, logs) for user in members.values()]
        accounts, merged = _merge_by_email(records)
        yield from accounts
        if billing is not None:
            billed = sum(1 for active in billing.values() if active)
            yield SeatCount(consumed=billed, raw={"billing_active": billed,
                                                  "listed": len(billing)})
        humans = [a for a in accounts if a.kind is not AccountKind.BOT]
        if humans and all(a.email is None for a in humans):
            notices.append(Notice("emails_missing", (
                "Slack sent no email addresses: the token lacks the scope users:read.email, "
                "so Slack accounts cannot be matched to people by address")))
        if merged:
            notices.append(Notice("accounts_merged", (
                f"{merged} Slack account(s) shared an email address with another account (a "
                "guest in one workspace and a member in another) and were counted once: Slack "
                "bills a person once")))
        yield from notices


def _missing_effect(missing: list[str]) -> str:
    effects = {"users:read.email": "accounts carry no email address",
               "admin": "billing and last activity are not read"}
    return ", and ".join(effects[s] for s in missing)


def _client(ctx: PluginContext) -> VendorHttp:
    return ctx.http.bind(auth=BearerToken(ctx.reveal_secret()))


def _url(ctx: PluginContext, method: str) -> str:
    return join_url(ctx.option("base_url"), f"/{method}")


def _billable_items(body: Any) -> list[Any]:
    info = body.get("billable_info") if isinstance(body, dict) else None
    if not isinstance(info, dict):
        raise BadResponse("Slack's team.billableInfo answer has no billable_info object")
    return list(info.items())


def _billing(api: VendorHttp, ctx: PluginContext,
             notices: list[Notice]) -> dict[str, bool] | None:
    """Who Slack bills (`billing_active`), or None (with a Notice) when the token may not
    read it."""
    billing: dict[str, bool] = {}
    try:
        for user_id, info in api.items(_url(ctx, "team.billableInfo"),
                                       Cursor("cursor", "response_metadata", "next_cursor"),
                                       items=_billable_items,
                                       check=slack_check("team.billableInfo"),
                                       what="who Slack bills"):
            billing[user_id] = obj(info).get("billing_active") is True
    except MissingPermission as exc:
        notices.append(Notice("billing_unknown", (
            f"Slack did not say who it bills ({exc.message}): every member but the bots and "
            "the deactivated counts as a paid seat")))
        return None
    return billing


@dataclass(frozen=True, slots=True)
class _Logins:
    """Each member's newest sign-in from the access logs; `whole` when every row was read
    (then a member without a row never signed in)."""

    last: dict[str, datetime]
    whole: bool


def _access_logs(api: VendorHttp, ctx: PluginContext, notices: list[Notice]) -> _Logins | None:
    # A fixed `before` keeps the pages still while new sign-ins arrive during the read.
    before = int(ctx.now().timestamp())
    last: dict[str, datetime] = {}
    pages: Any = None
    try:
        for page in api.paginate(_url(ctx, "team.accessLogs"),
                                 PageNumber("page", "paging", "pages"),
                                 params={"count": LOG_ROWS, "before": before},
                                 items=listed("logins"),
                                 check=slack_check("team.accessLogs"),
                                 what="Slack's access logs", max_pages=LOG_PAGES):
            pages = obj(obj(page.body).get("paging")).get("pages")
            for row in page.items:
                user_id = text(obj(row).get("user_id"))
                seen = parse_timestamp(obj(row).get("date_last"), field="date_last")
                if user_id and seen is not None and (user_id not in last
                                                     or seen > last[user_id]):
                    last[user_id] = seen
    except MissingPermission as exc:
        reason = ("they are only kept on Slack's paid plans" if exc.plan
                  else f"{exc.message}")
        notices.append(Notice("activity_unknown", (
            f"Slack's access logs could not be read ({reason}): the Slack accounts were "
            "synced with activity unknown")))
        return None
    whole = not (isinstance(pages, int) and pages > LOG_PAGES)
    if not whole:
        notices.append(Notice("access_logs_capped", (
            f"Slack's access logs hold {pages} pages of sign-ins and Slack serves the newest "
            f"{LOG_PAGES}: members without a sign-in among them have no date of last "
            "activity (a date stackadmin already knew is kept)")))
    return _Logins(last, whole)


def _role(user: dict[str, Any], bot: bool) -> tuple[str, Role, AccountKind]:
    if bot:
        return "bot", Role.MEMBER, AccountKind.BOT
    if flag(user.get("is_primary_owner")):
        return "primary_owner", Role.OWNER, AccountKind.USER
    if flag(user.get("is_owner")):
        return "owner", Role.OWNER, AccountKind.USER
    if flag(user.get("is_admin")):
        return "admin", Role.ADMIN, AccountKind.USER
    if flag(user.get("is_ultra_restricted")):
        return "single_channel_guest", Role.GUEST, AccountKind.GUEST
    if flag(user.get("is_restricted")):
        return "multi_channel_guest", Role.GUEST, AccountKind.GUEST
    return "member", Role.MEMBER, AccountKind.USER


def _account(user: dict[str, Any], billing: dict[str, bool] | None,
             logs: _Logins | None) -> AccountRecord:
    user_id = need_id(user, "id", "a member in Slack's users.list")
    profile = obj(user.get("profile"))
    bot = (user_id == SLACKBOT or flag(user.get("is_bot"))
           or flag(user.get("is_workflow_bot")))
    vendor_role, role, kind = _role(user, bot)
    if bot:
        billable: bool | None = False  # Slack never bills bots
    elif billing is None:
        billable = None
    else:
        # Slack recomputes billableInfo periodically: a member too new to be in it is not
        # known to be unbilled.
        billable = billing.get(user_id)
    if flag(user.get("deleted")):
        # Deactivated members are not billed under Slack's fair billing; one Slack still
        # bills holds a seat nobody can use.
        status = AccountStatus.SUSPENDED if billable else AccountStatus.DEPROVISIONED
    elif flag(user.get("is_invited_user")):
        status = AccountStatus.INVITED
    else:
        status = AccountStatus.ACTIVE
    last = None if logs is None else logs.last.get(user_id)
    if bot or logs is None:
        activity = Activity.UNKNOWN
    elif last is not None:
        activity = Activity.REPORTED
    else:
        activity = Activity.NEVER if logs.whole else Activity.NO_DATE
    return AccountRecord(
        external_id=user_id, email=email_or_none(profile.get("email")),
        display_name=(text(profile.get("real_name")) or text(user.get("real_name"))
                      or text(profile.get("display_name")) or text(user.get("name"))),
        username=text(user.get("name")), vendor_role=vendor_role, role=role, status=status,
        kind=kind, billable=billable, activity=activity,
        last_activity=last if activity is Activity.REPORTED else None,
        title=text(profile.get("title")), raw=user)


def _merge_by_email(records: list[AccountRecord]) -> tuple[list[AccountRecord], int]:
    """One account per person: records of people (not bots) sharing an address are one
    account, keyed by the record that holds the seat (active, billed, member over guest)."""
    groups: dict[str, list[AccountRecord]] = {}
    for record in records:
        if record.email and record.kind is not AccountKind.BOT:
            groups.setdefault(record.email, []).append(record)
    replaced: dict[str, AccountRecord | None] = {}
    merged = 0
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: (_STATUS_RANK[r.status], r.billable is not True,
                                  r.kind is AccountKind.GUEST, r.external_id))
        keep = group[0]
        dates = newest(*(r.last_activity for r in group))
        if dates is not None:
            keep = replace(keep, activity=Activity.REPORTED, last_activity=dates)
        if any(r.billable for r in group):
            keep = replace(keep, billable=True)
        replaced[group[0].external_id] = keep
        for other in group[1:]:
            replaced[other.external_id] = None
        merged += len(group) - 1
    out = [replaced.get(r.external_id, r) for r in records]
    return [r for r in out if r is not None], merged
