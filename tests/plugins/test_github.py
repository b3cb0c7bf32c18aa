"""`github` against a loopback GitHub serving the documented bodies: owners and members,
pending invitations as seats (keyed so that accepting keeps the account), outside
collaborators never read, activity unknown."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from stackadmin.plugins.api import AccountKind, AccountStatus, Activity, Role
from stackadmin.plugins.builtin.github import GitHubPlugin
from stackadmin.plugins.testing import FakeVendor, Reply, run_check, run_fetch, verify_plugin
from tests.plugins.conftest import SECRET, body

MEMBERS = "/orgs/acme/members"
INVITATIONS = "/orgs/acme/invitations"


def options(vendor: FakeVendor) -> dict[str, str]:
    return {"org": "acme", "base_url": vendor.url}


def member(n: int, **changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(body("github_org_members.json")[0])
    made.update({"login": f"user{n}", "id": n, **changes})
    return made


def invitation(n: int, **changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(body("github_org_invitations.json")[0])
    made.update({"id": n, "login": f"invitee{n}", "email": f"invitee{n}@example.com",
                 **changes})
    return made


def serve(vendor: FakeVendor, admins: list[Any], members: list[Any],
          invitations: list[Any], per_page: int = 100) -> None:
    vendor.link_pages(MEMBERS, admins + members, per_page=per_page)  # without a role: all
    vendor.link_pages(MEMBERS, admins, per_page=per_page, query={"role": "admin"})
    vendor.link_pages(MEMBERS, members, per_page=per_page, query={"role": "member"})
    vendor.link_pages(INVITATIONS, invitations, per_page=per_page)
    vendor.add("/orgs/acme/outside_collaborators", [member(999)])
    for item in invitations:
        if item.get("login"):
            user = copy.deepcopy(body("github_user.json"))
            user.update(login=item["login"], id=5000 + item["id"])
            vendor.add(f"/users/{item['login']}", user)


def test_the_documented_bodies(vendor: FakeVendor) -> None:
    vendor.link_pages(MEMBERS, body("github_org_members.json"), per_page=100)
    vendor.link_pages(MEMBERS, body("github_org_members.json"), per_page=100,
                      query={"role": "admin"})
    vendor.link_pages(MEMBERS, [], per_page=100, query={"role": "member"})
    vendor.link_pages(INVITATIONS, body("github_org_invitations.json"), per_page=100)
    monalisa = body("github_user.json")
    monalisa.update(login="monalisa", id=2)
    vendor.add("/users/monalisa", monalisa)
    result = verify_plugin(GitHubPlugin, vendor, options=options(vendor), secret=SECRET)
    octocat, invited = result.accounts
    assert (octocat.external_id, octocat.username, octocat.role, octocat.vendor_role) == (
        "1", "octocat", Role.OWNER, "admin")
    assert octocat.status is AccountStatus.ACTIVE and octocat.email is None
    assert octocat.activity is Activity.UNKNOWN and not octocat.activity_known
    assert (invited.external_id, invited.username, invited.email) == (
        "2", "monalisa", "octocat@github.com")
    assert invited.status is AccountStatus.INVITED and invited.vendor_role == "direct_member"
    assert invited.invited_at == datetime(2016, 11, 30, 14, 46, 10, tzinfo=UTC)
    assert result.notices == () and result.seat_counts == ()
    # check (no role), then the fetch: owners, then members
    assert [r.param("role") for r in vendor.requests_to(MEMBERS)][:3] == [None, "admin",
                                                                          "member"]


def test_owners_members_and_invitations_over_many_pages(vendor: FakeVendor) -> None:
    admins = [member(n) for n in range(1, 4)]
    members = [member(n) for n in range(4, 254)]
    members[10] = member(14, type="Bot")
    members.append(member(2))  # promoted while the listing ran: listed in both roles
    invitations = [invitation(1), invitation(2, role="admin"),
                   invitation(3, login=None, email="New.Hire@Example.com"),
                   invitation(4, role="billing_manager"),
                   invitation(5, failed_at="2026-01-01T00:00:00Z", failed_reason="expired")]
    serve(vendor, admins, members, invitations)
    result = verify_plugin(GitHubPlugin, vendor, options=options(vendor), secret=SECRET)
    by_id = {a.external_id: a for a in result.accounts}
    assert len(result.accounts) == 3 + 250 + 4
    assert by_id["2"].role is Role.OWNER  # the first listing (owners) wins
    assert by_id["14"].kind is AccountKind.BOT
    assert by_id["5001"].status is AccountStatus.INVITED  # keyed by the invitee's user id
    assert by_id["5002"].role is Role.OWNER
    assert by_id["5004"].role is Role.BILLING
    email_only = by_id["invitation-3"]
    assert email_only.email == "new.hire@example.com" and email_only.username is None
    assert "5005" not in by_id and "invitation-5" not in by_id
    assert [n.code for n in result.notices] == ["failed_invitations"]
    assert not vendor.requests_to("/orgs/acme/outside_collaborators")
    assert result.stats.pages == 1 + 3 + 1


def test_an_invitee_whose_account_is_gone_keeps_the_invitations_id(
        vendor: FakeVendor) -> None:
    serve(vendor, [], [], [])
    vendor.link_pages(INVITATIONS, [invitation(7)], per_page=100)
    vendor.add("/users/invitee7", Reply.error(404, "Not Found"))
    result = run_fetch(GitHubPlugin, options=options(vendor), secret=SECRET)
    assert [a.external_id for a in result.accounts] == ["invitation-7"]


def test_check_reads_one_member(vendor: FakeVendor) -> None:
    serve(vendor, [member(1)], [], [])
    summary = run_check(GitHubPlugin, options=options(vendor), secret=SECRET)
    assert summary.summary == "token accepted; it can read the members of the organisation 'acme'"
    assert vendor.requests[0].param("per_page") == "1"
