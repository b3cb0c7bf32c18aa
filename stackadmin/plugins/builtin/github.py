"""`github`: an organisation's members (owners and members) and its pending invitations as
seats. Outside collaborators hold no seat and are not read. GitHub reports no activity for
members, so every account is activity unknown.

Endpoints (REST API 2022-11-28): `GET /orgs/{org}/members?role=admin|member`,
`GET /orgs/{org}/invitations`, `GET /users/{login}` (an invitee's immutable id).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackadmin.plugins.api import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Activity,
    BadResponse,
    CheckResult,
    LinkHeader,
    NotFound,
    Notice,
    Plugin,
    PluginContext,
    Record,
    Role,
    Secret,
    VendorHttp,
    email_or_none,
    join_url,
    parse_timestamp,
    segment,
)
from stackadmin.plugins.builtin import _github as gh

# `role=admin` lists the organisation's owners (GitHub's word for them is "admin").
_MEMBER_ROLES = (("admin", Role.OWNER), ("member", Role.MEMBER))
_ROLE_NAMES = {"admin": "owners", "member": "members"}
_INVITATION_ROLES = {"admin": Role.OWNER, "billing_manager": Role.BILLING}


class GitHubPlugin(Plugin):
    id = "github"
    name = "GitHub"
    description = ("Members of a GitHub organisation with their role, and pending invitations, "
                   "as seats. GitHub does not report members' activity.")
    options = (gh.ORG, gh.BASE_URL)
    secret = Secret("personal access token, scope read:org (fine-grained: Members, read)")
    reports_activity = False

    def check(self, ctx: PluginContext) -> CheckResult:
        api = gh.client(ctx)
        api.get_json(gh.org_url(ctx, "/members"), params={"per_page": 1},
                     what=gh.org_name(ctx))
        return CheckResult(f"token accepted; it can read the members of {gh.org_name(ctx)}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = gh.client(ctx)
        members: dict[str, AccountRecord] = {}
        for role_word, role in _MEMBER_ROLES:
            for user in api.items(gh.org_url(ctx, "/members"), LinkHeader(),
                                  params={"role": role_word, "per_page": gh.PER_PAGE},
                                  what=f"the {_ROLE_NAMES[role_word]} of {gh.org_name(ctx)}"):
                record = _member(user, role_word, role)
                # A role changed during the listing: the first listing (owners) wins.
                members.setdefault(record.external_id, record)
        yield from members.values()
        skipped = 0
        for invitation in api.items(gh.org_url(ctx, "/invitations"), LinkHeader(),
                                    params={"per_page": gh.PER_PAGE},
                                    what=f"the pending invitations of {gh.org_name(ctx)}"):
            if invitation.get("failed_at"):
                skipped += 1
                continue
            record = _invitation(api, ctx, invitation)
            if record.external_id not in members:
                members[record.external_id] = record
                yield record
        if skipped:
            yield Notice("failed_invitations",
                         f"{skipped} failed invitation(s) of {gh.org_name(ctx)} hold no seat "
                         "and were left out")


def _member(user: Any, role_word: str, role: Role) -> AccountRecord:
    external_id = gh.user_id(user, "a member in GitHub's list")
    login = user.get("login")
    return AccountRecord(
        external_id=external_id, username=login, display_name=user.get("name") or login,
        email=email_or_none(user.get("email")), vendor_role=role_word, role=role,
        status=AccountStatus.ACTIVE, kind=gh.user_kind(user), activity=Activity.UNKNOWN,
        raw=user)


def _invitation(api: VendorHttp, ctx: PluginContext, invitation: dict[str, Any]) -> AccountRecord:
    """An invitation is keyed by the invitee's user id when they have a GitHub account, so
    the account stays the same one when they accept; an email-only invitation by its own id."""
    if invitation.get("id") is None:
        raise BadResponse("an invitation in GitHub's list has no id")
    login = invitation.get("login")
    external_id = f"invitation-{invitation['id']}"
    kind = AccountKind.USER
    if login:
        try:
            user = api.get_json(join_url(ctx.option("base_url"), f"/users/{segment(login)}"),
                                what=f"the invited user '{login}'")
            external_id = gh.user_id(user, f"the invited user '{login}'")
            kind = gh.user_kind(user)
        except NotFound:
            pass  # renamed or deleted since the invitation: keep the invitation's own id
    role_word = invitation.get("role") or "direct_member"
    return AccountRecord(
        external_id=external_id, username=login, display_name=login or invitation.get("email"),
        email=email_or_none(invitation.get("email")), vendor_role=role_word,
        role=_INVITATION_ROLES.get(role_word, Role.MEMBER), status=AccountStatus.INVITED,
        kind=kind, invited_at=parse_timestamp(invitation.get("created_at"), field="created_at"),
        activity=Activity.UNKNOWN, raw=invitation)
