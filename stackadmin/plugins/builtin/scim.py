"""`scim`: the users of any SCIM 2.0 service provider (Figma, Notion, 1Password, Slack
Enterprise, Miro, GitHub Enterprise...), read from `GET {base_url}/Users` with
`startIndex`/`count` paging (RFC 7644 §3.4.2.4).

SCIM has no last-login attribute: every account is activity unknown, never "inactive".
`active: false` means the provider removed the user's access: the account is
deprovisioned. The enterprise extension gives department, cost centre and manager.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    BadResponse,
    BearerToken,
    CheckResult,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    Record,
    Role,
    ScimIndex,
    Secret,
    VendorHttp,
    dig,
    email_or_none,
    guess_role,
    join_url,
    parse_timestamp,
)

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
HEADERS = {"Accept": "application/scim+json, application/json"}
PAGE_SIZE = 100  # what every provider we know accepts; they may return fewer
# The most privileged of a user's SCIM roles is their role.
_RANK = {Role.OWNER: 4, Role.ADMIN: 3, Role.BILLING: 2, Role.MEMBER: 1, Role.GUEST: 0}
_TRUE_WORDS = {"true", "1", "yes"}


class ScimPlugin(Plugin):
    id = "scim"
    name = "SCIM 2.0"
    description = ("Users of any service with a SCIM 2.0 API: who has access and with which "
                   "role. SCIM does not report activity.")
    options = (
        Option("base_url", "SCIM base URL", required=True, kind=OptionKind.URL,
               help="the provider's SCIM root; users are read from {base_url}/Users"),
    )
    secret = Secret("SCIM API bearer token (the provider's provisioning token)")
    reports_activity = False

    def check(self, ctx: PluginContext) -> CheckResult:
        body = _client(ctx).get_json(_users_url(ctx), params={"startIndex": 1, "count": 1},
                                     what="the SCIM Users endpoint")
        total = dig(body, "totalResults")
        if not isinstance(total, int):
            raise BadResponse("the SCIM Users endpoint's answer has no totalResults: is "
                              "base_url the SCIM root?")
        return CheckResult(f"token accepted; the SCIM server lists {total} user"
                           f"{'s' if total != 1 else ''}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        seen: set[str] = set()
        for resource in _client(ctx).items(_users_url(ctx), ScimIndex(PAGE_SIZE),
                                           items=_resources, what="the SCIM user list"):
            record = user_record(resource)
            # Paging by index can repeat a user when the list shifts under it.
            if record.external_id not in seen:
                seen.add(record.external_id)
                yield record


def _client(ctx: PluginContext) -> VendorHttp:
    return ctx.http.bind(auth=BearerToken(ctx.reveal_secret()), headers=HEADERS)


def _users_url(ctx: PluginContext) -> str:
    return join_url(ctx.option("base_url"), "/Users")


def _resources(body: Any) -> Any:
    if not isinstance(body, dict):
        raise BadResponse("the SCIM answer is not a ListResponse object")
    resources = body.get("Resources")
    # RFC 7644: Resources may be left out when there are none.
    return [] if resources is None else resources


def user_record(resource: Any) -> AccountRecord:
    """One SCIM User resource as an account."""
    if type(resource) is not dict or not resource.get("id"):
        raise BadResponse("a SCIM user has no id")
    user_name = resource.get("userName")
    if type(user_name) is not str:
        user_name = None
    enterprise = _object(resource.get(ENTERPRISE))
    words = _role_words(resource.get("roles"))
    role = _role(words)
    user_type = resource.get("userType")
    guest = type(user_type) is str and user_type.strip().lower() in ("guest", "external")
    if guest and role is Role.MEMBER:
        role = Role.GUEST
    manager = enterprise.get("manager")
    meta = resource.get("meta")
    created = meta.get("created") if type(meta) is dict else None
    return AccountRecord(
        external_id=str(resource["id"]),
        email=_primary_email(resource.get("emails")) or email_or_none(user_name),
        display_name=_display_name(resource, user_name), username=user_name,
        vendor_role=", ".join(words) or None, role=role,
        status=AccountStatus.ACTIVE if _active(resource.get("active"))
        else AccountStatus.DEPROVISIONED,
        kind=AccountKind.GUEST if guest else AccountKind.USER,
        first_seen=None if created is None else parse_timestamp(created, field="meta.created",
                                                                assume_utc=True),
        activity=Activity.UNKNOWN,
        title=_str(resource.get("title")), department=_str(enterprise.get("department")),
        cost_center=_str(enterprise.get("costCenter")),
        manager=_str(manager.get("value")) if type(manager) is dict else _str(manager),
        raw=resource)


def _active(value: Any) -> bool:
    if value is True or value is None:
        return True  # `active` is optional; a listed user without it has access
    if value is False:
        return False
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    raise BadResponse(f"a SCIM user's active is {value!r}, not true or false")


def _primary_email(emails: Any) -> str | None:
    """The primary address, else the first work one, else the first."""
    if type(emails) is not list:
        return None
    first = work = None
    for entry in emails:
        if type(entry) is not dict:
            continue
        address = email_or_none(entry.get("value"))
        if address is None:
            continue
        if entry.get("primary") is True:
            return address
        if work is None and entry.get("type") == "work":
            work = address
        if first is None:
            first = address
    return work or first


def _display_name(resource: dict[str, Any], user_name: str | None) -> str | None:
    shown = _str(resource.get("displayName"))
    if shown:
        return shown
    name = _object(resource.get("name"))
    parts = " ".join(p for p in (_str(name.get("givenName")), _str(name.get("familyName"))) if p)
    return _str(name.get("formatted")) or parts or user_name


def _role_words(roles: Any) -> tuple[str, ...]:
    """The role values, the primary one first."""
    if type(roles) is not list or not roles:
        return ()
    words: list[str] = []
    for role in roles:
        value = (role.get("value") or role.get("display")) if type(role) is dict else role
        if type(value) is str and value.strip() and value.strip() not in words:
            if type(role) is dict and role.get("primary") is True:
                words.insert(0, value.strip())
            else:
                words.append(value.strip())
    return tuple(words)


@functools.lru_cache(maxsize=256)
def _role(words: tuple[str, ...]) -> Role:
    """The most privileged of a user's SCIM roles."""
    return max((guess_role(w) for w in words), key=_RANK.__getitem__, default=Role.MEMBER)


def _object(value: Any) -> dict[str, Any]:
    return value if type(value) is dict else {}


def _str(value: Any) -> str | None:
    return (value.strip() or None) if type(value) is str else None
