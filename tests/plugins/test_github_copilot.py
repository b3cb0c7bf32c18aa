"""`github-copilot` against a loopback GitHub serving the documented bodies: seats with
their activity (and its null), editor, pending cancellation and plan; bots; the seat
breakdown as the vendor's seat counts."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

from stackadmin.plugins.api import AccountKind, AccountStatus, Activity, Role, SeatCount
from stackadmin.plugins.builtin.github_copilot import GitHubCopilotPlugin
from stackadmin.plugins.testing import FakeVendor, run_check, run_fetch, verify_plugin
from tests.plugins.conftest import SECRET, body

SEATS = "/orgs/acme/copilot/billing/seats"
BILLING = "/orgs/acme/copilot/billing"


def options(vendor: FakeVendor) -> dict[str, str]:
    return {"org": "acme", "base_url": vendor.url}


def seat(n: int, **changes: Any) -> dict[str, Any]:
    """The documented seat, for user n (id 1000 + n)."""
    made = copy.deepcopy(body("github_copilot_billing_seats.json")["seats"][0])
    made["assignee"].update(login=f"user{n}", id=1000 + n)
    made.update(changes)
    return made


def serve(vendor: FakeVendor, seats: list[dict[str, Any]], per_page: int = 100) -> None:
    vendor.add(BILLING, body("github_copilot_billing.json"))
    vendor.link_pages(SEATS, seats, per_page=per_page,
                      wrap=lambda page: {"total_seats": len(seats), "seats": page})


def test_the_documented_bodies(vendor: FakeVendor) -> None:
    documented = body("github_copilot_billing_seats.json")
    serve(vendor, documented["seats"], per_page=1)
    result = verify_plugin(GitHubCopilotPlugin, vendor, options=options(vendor), secret=SECRET)
    # The documented example's two seats share assignee id 1: one person, billed once.
    assert len(result.accounts) == 1
    octocat = result.accounts[0]
    assert (octocat.external_id, octocat.username) == ("1", "octocat")
    assert octocat.activity is Activity.REPORTED
    assert octocat.last_activity == datetime(2021, 10, 14, 6, 53, 32, tzinfo=UTC)
    assert octocat.last_activity_via == "vscode/1.77.3/copilot/1.86.82"
    assert octocat.first_seen == datetime(2021, 8, 4, 0, 0, tzinfo=UTC)  # the earliest grant
    assert octocat.pending_cancellation is None  # one of the grants is not being cancelled
    assert octocat.license_tier == "business" and octocat.billable is True
    assert [n.code for n in result.notices] == ["seats_merged"]
    assert result.seat_counts == (SeatCount(label="business", purchased=12, consumed=12,
                                            pending_cancellation=0, pending_invitation=0,
                                            active=12),)
    request = vendor.requests_to(SEATS)[0]
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.param("per_page") == "100"


def test_many_pages_of_seats_with_every_kind_of_seat(vendor: FakeVendor) -> None:
    seats = [seat(n) for n in range(250)]
    seats[3] = seat(3, last_activity_at=None, last_activity_editor=None)  # never used, or >90 d
    seats[4] = seat(4, pending_cancellation_date="2021-11-01")
    seats[5] = seat(5)
    seats[5]["assignee"]["type"] = "Bot"
    seats[6] = seat(6)
    del seats[6]["plan_type"]  # the documented second seat has none: the org's plan applies
    serve(vendor, seats)
    result = verify_plugin(GitHubCopilotPlugin, vendor, options=options(vendor), secret=SECRET)
    assert result.stats.pages == 3
    accounts = {a.username: a for a in result.accounts}
    assert len(accounts) == 250
    idle = accounts["user3"]
    assert idle.activity is Activity.NO_DATE and idle.last_activity is None
    assert idle.last_activity_via is None and idle.activity_known
    assert accounts["user4"].pending_cancellation == date(2021, 11, 1)
    assert accounts["user4"].status is AccountStatus.ACTIVE  # billed until then
    assert accounts["user5"].kind is AccountKind.BOT and accounts["user5"].is_bot
    assert accounts["user6"].license_tier == "business"
    assert all(a.role is Role.MEMBER for a in result.accounts)
    assert [a.external_id for a in result.accounts][:3] == ["1000", "1001", "1002"]


def test_a_seat_assigned_to_no_user_is_left_out_and_said(vendor: FakeVendor) -> None:
    team_seat = seat(1)
    team_seat["assignee"] = {"slug": "justice-league", "id": 1, "name": "Justice League"}
    serve(vendor, [seat(0), team_seat])
    result = run_fetch(GitHubCopilotPlugin, options=options(vendor), secret=SECRET)
    assert [a.username for a in result.accounts] == ["user0"]
    assert [n.code for n in result.notices] == ["seats_without_user"]


def test_check_reads_the_billing_summary(vendor: FakeVendor) -> None:
    serve(vendor, [])
    summary = run_check(GitHubCopilotPlugin, options=options(vendor), secret=SECRET)
    assert summary.summary == ("token accepted; the organisation 'acme': Copilot business, "
                               "12 seats billed")
    assert [r.path for r in vendor.requests] == [BILLING]


def test_an_enterprise_server_root_is_used_as_given(vendor: FakeVendor) -> None:
    vendor.add("/api/v3" + BILLING, body("github_copilot_billing.json"))
    vendor.link_pages("/api/v3" + SEATS, [seat(1)],
                      per_page=100, wrap=lambda page: {"total_seats": 1, "seats": page})
    result = run_fetch(GitHubCopilotPlugin, options={"org": "acme",
                                                     "base_url": vendor.url + "/api/v3/"},
                       secret=SECRET)
    assert len(result.accounts) == 1 and not vendor.unmatched
