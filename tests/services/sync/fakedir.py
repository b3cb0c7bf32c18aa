"""A small directory plugin for the tests (Vendor sync II's Google, Microsoft and Okta
plugins are the real ones): `GET {base_url}/users`, Link pages, each user with a status
(active, suspended, deleted) and the time of the suspension."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    BearerToken,
    CheckResult,
    LinkHeader,
    Option,
    OptionKind,
    Plugin,
    PluginContext,
    Record,
    Secret,
    email_or_none,
    join_url,
    parse_date,
    parse_timestamp,
)

_STATUS = {"active": AccountStatus.ACTIVE, "suspended": AccountStatus.SUSPENDED,
           "deleted": AccountStatus.DEPROVISIONED, "invited": AccountStatus.INVITED}


class DirectoryPlugin(Plugin):
    id = "test-directory"
    name = "Test directory"
    options = (Option("base_url", "API root", required=True, kind=OptionKind.URL),
               Option("group", "Group", help="only the users of this group",
                      partial=True))
    secret = Secret("API token")
    reports_activity = True
    directory_capable = True

    def check(self, ctx: PluginContext) -> CheckResult:
        return CheckResult("token accepted")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = ctx.http.bind(auth=BearerToken(ctx.reveal_secret()))
        for user in api.items(join_url(ctx.option("base_url"), "/users"), LinkHeader(),
                              what="the directory's users"):
            if ctx.option_or_none("group") in (None, user.get("group")):
                yield _record(user)


def _record(user: dict[str, Any]) -> AccountRecord:
    last = parse_timestamp(user.get("last_login"), field="last_login")
    return AccountRecord(
        external_id=user["id"], email=email_or_none(user.get("email")),
        display_name=user.get("name"), status=_STATUS[user.get("status", "active")],
        kind=AccountKind(user.get("kind", "user")), department=user.get("department"),
        title=user.get("title"),
        end_date=parse_date(user.get("suspended_at"), field="suspended_at"),
        activity=Activity.REPORTED if last else Activity.NEVER, last_activity=last, raw=user)
