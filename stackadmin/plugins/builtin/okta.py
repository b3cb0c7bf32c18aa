"""`okta`: an Okta org's users, as a directory source — or, with `app_id`, the users assigned
one app, with their last sign-in to that app from the System Log.

Endpoints (Management API, `Authorization: SSWS {token}`, `Link: rel="next"` paging):
`GET {base_url}/api/v1/users` (every status but DEPROVISIONED) and again with
`filter=status eq "DEPROVISIONED"`; with `app_id`, `GET /api/v1/apps/{app_id}/users?expand=user`
(the assignments, each with its Okta user) and `GET /api/v1/logs` (events
`user.authentication.sso` targeting the app, since 90 days ago: Okta keeps 90 days).

Statuses: ACTIVE, RECOVERY, PASSWORD_EXPIRED and LOCKED_OUT are active seats; STAGED and
PROVISIONED are invited (created, not yet activated: `created` is the invitation);
SUSPENDED is suspended and DEPROVISIONED holds no seat, both with `statusChanged` as the end
date. `lastLogin` null means never signed in to Okta. `lastLogin` is the Okta sign-in, not
use of an app: with `app_id` last activity is the newest single sign-on to the app in the
System Log, and an assignee without one in 90 days has no date (one stackadmin knew is kept).
Okta's `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset` are honoured before a 429 happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from stackadmin.plugins.api import (
    AccountRecord,
    AccountStatus,
    Activity,
    CheckResult,
    HeaderToken,
    LinkHeader,
    MissingPermission,
    Notice,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    Record,
    Secret,
    VendorHttp,
    email_or_none,
    guess_role,
    join_url,
    parse_timestamp,
    segment,
)
from stackadmin.plugins.builtin._common import need_id, obj, text

USERS_PAGE = 200  # /api/v1/users's documented maximum
APP_USERS_PAGE = 500  # /api/v1/apps/{id}/users's
LOG_PAGE = 1000  # /api/v1/logs's
LOG_DAYS = 90  # Okta keeps the System Log this long
SSO_EVENT = "user.authentication.sso"

_STATUS = {
    "ACTIVE": AccountStatus.ACTIVE, "RECOVERY": AccountStatus.ACTIVE,
    "PASSWORD_EXPIRED": AccountStatus.ACTIVE, "LOCKED_OUT": AccountStatus.ACTIVE,
    "STAGED": AccountStatus.INVITED, "PROVISIONED": AccountStatus.INVITED,
    "SUSPENDED": AccountStatus.SUSPENDED, "DEPROVISIONED": AccountStatus.DEPROVISIONED,
}
# An app assignment's own status, where it says more than the user's.
_APP_STATUS = {
    "STAGED": AccountStatus.INVITED, "PENDING": AccountStatus.INVITED,
    "INACTIVE": AccountStatus.DEPROVISIONED, "DEPROVISIONED": AccountStatus.DEPROVISIONED,
    "UNASSIGNED": AccountStatus.DEPROVISIONED,
}
_ENDED = (AccountStatus.SUSPENDED, AccountStatus.DEPROVISIONED)


class OktaPlugin(Plugin):
    id = "okta"
    name = "Okta"
    description = ("Users of an Okta org with their status, last Okta sign-in, department, "
                   "title and manager (can be the company directory); or, with app_id, the "
                   "users assigned one app and their last sign-in to it.")
    options = (
        Option("base_url", "Okta org URL", required=True, kind=OptionKind.URL,
               help="https://YOUR-ORG.okta.com"),
        Option("app_id", "App id", help="to read the users assigned one app (0oa...) "
                                         "instead of every user", partial=True),
    )
    secret = Secret("API token (Security > API > Tokens), of a read-only administrator")
    reports_activity = True
    directory_capable = True

    def check(self, ctx: PluginContext) -> CheckResult:
        api = _client(ctx)
        app_id = ctx.option_or_none("app_id")
        if app_id:
            app = api.get_json(_url(ctx, f"/api/v1/apps/{segment(app_id)}"),
                               what=f"the Okta app '{app_id}'")
            label = text(obj(app).get("label")) or app_id
            return CheckResult(f"token accepted; it can read who is assigned the app {label}")
        api.get_json(_url(ctx, "/api/v1/users"), params={"limit": 1}, what="the Okta users")
        return CheckResult(f"token accepted; it can read the users of {ctx.option('base_url')}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = _client(ctx)
        if ctx.option_or_none("app_id"):
            yield from _app_accounts(api, ctx)
            return
        seen: set[str] = set()
        listings = (({"limit": USERS_PAGE}, "the Okta users"),
                    ({"limit": USERS_PAGE, "filter": 'status eq "DEPROVISIONED"'},
                     "the deactivated Okta users"))
        for params, what in listings:
            for user in api.items(_url(ctx, "/api/v1/users"), LinkHeader(), params=params,
                                  what=what):
                record = _user_account(user)
                # Deactivated while the users were read: listed in both; the first stands.
                if record.external_id not in seen:
                    seen.add(record.external_id)
                    yield record


def _client(ctx: PluginContext) -> VendorHttp:
    token = ctx.reveal_secret()
    return ctx.http.bind(auth=HeaderToken("Authorization", f"SSWS {token}", secret=token))


def _url(ctx: PluginContext, path: str) -> str:
    return join_url(ctx.option("base_url"), path)


def _profile_fields(user: dict[str, Any]) -> dict[str, Any]:
    """The directory fields of an Okta user's profile, as AccountRecord keywords."""
    profile = obj(user.get("profile"))
    status = _STATUS.get(str(user.get("status")), AccountStatus.ACTIVE)
    changed = parse_timestamp(user.get("statusChanged"), field="statusChanged")
    manager = text(profile.get("managerId")) or email_or_none(profile.get("manager"))
    return {"department": text(profile.get("department")), "title": text(profile.get("title")),
            "cost_center": text(profile.get("costCenter")), "manager": manager,
            "end_date": changed.date() if status in _ENDED and changed is not None else None}


def _name(profile: dict[str, Any]) -> str | None:
    return text(profile.get("displayName")) or " ".join(
        p for p in (text(profile.get("firstName")), text(profile.get("lastName"))) if p) or None


def _user_account(user: Any) -> AccountRecord:
    user_id = need_id(user, "id", "a user in Okta's list")
    profile = obj(user.get("profile"))
    word = text(user.get("status")) or "ACTIVE"
    status = _STATUS.get(word, AccountStatus.ACTIVE)
    created = parse_timestamp(user.get("created"), field="created")
    last = parse_timestamp(user.get("lastLogin"), field="lastLogin")
    return AccountRecord(
        external_id=user_id, email=email_or_none(profile.get("email"))
        or email_or_none(profile.get("login")),
        display_name=_name(profile), username=text(profile.get("login")), status=status,
        first_seen=created, invited_at=created if status is AccountStatus.INVITED else None,
        activity=Activity.REPORTED if last else Activity.NEVER, last_activity=last,
        **_profile_fields(user), raw=user)


def _app_accounts(api: VendorHttp, ctx: PluginContext) -> Iterator[Record]:
    app_id = ctx.option("app_id")
    assigned: dict[str, dict[str, Any]] = {}
    for assignment in api.items(_url(ctx, f"/api/v1/apps/{segment(app_id)}/users"),
                                LinkHeader(), params={"limit": APP_USERS_PAGE, "expand": "user"},
                                what=f"the users assigned the Okta app '{app_id}'"):
        assigned[need_id(assignment, "id", "an assignment in Okta's list")] = assignment
    since = ctx.now() - timedelta(days=LOG_DAYS)
    last_use, notice = _sign_ins(api, ctx, app_id, since)
    without = 0
    for user_id, assignment in assigned.items():
        record = _app_account(user_id, assignment, last_use)
        if record.activity is Activity.NO_DATE and record.status is not AccountStatus.DEPROVISIONED:
            without += 1
        yield record
    if notice is not None:
        yield notice
    elif without:
        yield Notice("activity_window", (
            f"{without} account(s) of the Okta app '{app_id}' did not sign in to it through "
            f"Okta since {since:%Y-%m-%d}, as far back as Okta's System Log goes: they have no "
            "date of last activity (a date stackadmin already knew is kept)"))


def _sign_ins(api: VendorHttp, ctx: PluginContext, app_id: str,
              since: datetime) -> tuple[dict[str, datetime] | None, Notice | None]:
    """Each user's newest successful single sign-on to the app in the System Log, or None
    (with a Notice) when the token may not read the log."""
    last: dict[str, datetime] = {}
    params = {"since": since.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
              "until": ctx.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
              "filter": f'eventType eq "{SSO_EVENT}" and target.id eq "{app_id}"',
              "limit": LOG_PAGE, "sortOrder": "ASCENDING"}
    try:
        for event in api.items(_url(ctx, "/api/v1/logs"), LinkHeader(), params=params,
                               stop_on_empty=True,
                               what=f"the System Log's sign-ins to the app '{app_id}'"):
            event = obj(event)
            if text(obj(event.get("outcome")).get("result")) not in (None, "SUCCESS"):
                continue
            actor = text(obj(event.get("actor")).get("id"))
            when = parse_timestamp(event.get("published"), field="published")
            if actor and when is not None and (actor not in last or when > last[actor]):
                last[actor] = when
    except MissingPermission as exc:
        return None, Notice("activity_unknown", (
            f"Okta's System Log could not be read ({exc.message}): the accounts of the app "
            f"'{app_id}' were synced with activity unknown"))
    return last, None


def _app_account(user_id: str, assignment: dict[str, Any],
                 last_use: dict[str, datetime] | None) -> AccountRecord:
    user = obj(obj(assignment.get("_embedded")).get("user"))
    profile = obj(user.get("profile"))
    app_profile = obj(assignment.get("profile"))
    user_name = text(obj(assignment.get("credentials")).get("userName"))
    status = _STATUS.get(str(user.get("status")), AccountStatus.ACTIVE)
    app_status = _APP_STATUS.get(str(assignment.get("status")))
    if status is AccountStatus.ACTIVE and app_status is not None:
        status = app_status  # an active user whose assignment is pending or ended
    assigned = parse_timestamp(assignment.get("created"), field="created")
    fields = _profile_fields(user) if user else {}
    if status in _ENDED and not fields.get("end_date"):
        changed = parse_timestamp(assignment.get("statusChanged"), field="statusChanged")
        fields["end_date"] = changed.date() if changed is not None else None
    last = None if last_use is None else last_use.get(user_id)
    if last_use is None:
        activity = Activity.UNKNOWN
    else:
        activity = Activity.REPORTED if last is not None else Activity.NO_DATE
    role_word = text(app_profile.get("role"))
    return AccountRecord(
        external_id=user_id,
        email=(email_or_none(profile.get("email")) or email_or_none(app_profile.get("email"))
               or email_or_none(user_name)),
        display_name=_name(profile) or _name(app_profile), username=user_name,
        vendor_role=role_word, role=guess_role(role_word), status=status, first_seen=assigned,
        invited_at=assigned if status is AccountStatus.INVITED else None, activity=activity,
        last_activity=last, last_activity_via="Okta single sign-on" if last else None,
        **fields, raw=assignment)
