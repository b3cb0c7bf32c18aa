"""`github-copilot`: an organisation's Copilot seats, with their last activity, editor and
pending cancellation, and GitHub's own seat breakdown as the vendor's seat counts.

Endpoints (REST API 2022-11-28): `GET /orgs/{org}/copilot/billing` (seat_breakdown) and
`GET /orgs/{org}/copilot/billing/seats` (Link paging). GitHub clears `last_activity_at`
after 90 days without use, so a null there is `Activity.NO_DATE`: no date given, never
"never used" — a date stackadmin already knows is kept. The date lags up to a day and needs
the editor's telemetry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from stackadmin.plugins.api import (
    AccountRecord,
    AccountStatus,
    Activity,
    CheckResult,
    LinkHeader,
    Notice,
    Plugin,
    PluginContext,
    Record,
    Role,
    SeatCount,
    Secret,
    dig,
    email_or_none,
    parse_date,
    parse_timestamp,
)
from stackadmin.plugins.builtin import _github as gh

_MIN = datetime.min.replace(tzinfo=UTC)


class GitHubCopilotPlugin(Plugin):
    id = "github-copilot"
    name = "GitHub Copilot"
    description = ("Copilot Business/Enterprise seats of a GitHub organisation: who holds one, "
                   "when they last used it, pending cancellations, and GitHub's seat counts.")
    options = (gh.ORG, gh.BASE_URL)
    secret = Secret("personal access token, scope manage_billing:copilot (or read:org); "
                    "the token's owner must be an organisation owner")
    reports_activity = True
    reports_seat_counts = True

    def check(self, ctx: PluginContext) -> CheckResult:
        billing = gh.client(ctx).get_json(gh.org_url(ctx, "/copilot/billing"),
                                          what=f"Copilot for {gh.org_name(ctx)}")
        total = dig(billing, "seat_breakdown", "total")
        plan = dig(billing, "plan_type") or "Copilot"
        seats = f"{total} seat{'s' if total != 1 else ''} billed" if isinstance(total, int) \
            else "seats readable"
        return CheckResult(f"token accepted; {gh.org_name(ctx)}: Copilot {plan}, {seats}")

    def fetch(self, ctx: PluginContext) -> Iterator[Record]:
        api = gh.client(ctx)
        billing = api.get_json(gh.org_url(ctx, "/copilot/billing"),
                               what=f"Copilot for {gh.org_name(ctx)}")
        plan = dig(billing, "plan_type")
        breakdown = dig(billing, "seat_breakdown")
        if isinstance(breakdown, dict):
            total = _count(breakdown, "total")
            yield SeatCount(label=plan if isinstance(plan, str) else None, purchased=total,
                            consumed=total,
                            pending_cancellation=_count(breakdown, "pending_cancellation"),
                            pending_invitation=_count(breakdown, "pending_invitation"),
                            active=_count(breakdown, "active_this_cycle"), raw=breakdown)
        seats: dict[str, AccountRecord] = {}
        not_users = merged = 0
        for seat in api.items(gh.org_url(ctx, "/copilot/billing/seats"), LinkHeader(),
                              params={"per_page": gh.PER_PAGE}, items="seats",
                              total="total_seats", what=f"the Copilot seats of {gh.org_name(ctx)}"):
            assignee = seat.get("assignee") if isinstance(seat, dict) else None
            if not isinstance(assignee, dict) or "login" not in assignee:
                not_users += 1  # a seat assigned to a team or organisation object
                continue
            record = _seat(seat, assignee, plan if isinstance(plan, str) else None)
            known = seats.get(record.external_id)
            if known is not None:
                merged += 1
                record = _merge(known, record)
            seats[record.external_id] = record
        yield from seats.values()
        if merged:
            yield Notice("seats_merged",
                         f"{merged} Copilot seat(s) listed again for a user already seated "
                         "(through another team or organisation) were counted once: GitHub "
                         "bills a person once")
        if not_users:
            yield Notice("seats_without_user",
                         f"{not_users} Copilot seat(s) were not assigned to a user and were "
                         "left out")


def _count(breakdown: dict[str, Any], key: str) -> int | None:
    value = breakdown.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def _seat(seat: dict[str, Any], assignee: dict[str, Any], org_plan: str | None) -> AccountRecord:
    last = parse_timestamp(seat.get("last_activity_at"), field="last_activity_at")
    login = assignee.get("login")
    return AccountRecord(
        external_id=gh.user_id(assignee, "a Copilot seat's assignee"), username=login,
        display_name=assignee.get("name") or login, email=email_or_none(assignee.get("email")),
        role=Role.MEMBER, status=AccountStatus.ACTIVE, kind=gh.user_kind(assignee),
        billable=True, license_tier=seat.get("plan_type") or org_plan,
        first_seen=parse_timestamp(seat.get("created_at"), field="created_at"),
        activity=Activity.REPORTED if last else Activity.NO_DATE, last_activity=last,
        last_activity_via=seat.get("last_activity_editor") if last else None,
        pending_cancellation=parse_date(seat.get("pending_cancellation_date"),
                                        field="pending_cancellation_date"),
        raw=seat)


def _merge(a: AccountRecord, b: AccountRecord) -> AccountRecord:
    """One person seated through several teams is billed once: one account, with the newest
    activity, the earliest assignment, and a pending cancellation only if every grant has
    one (the latest)."""
    newest = a if (a.last_activity or _MIN) >= (b.last_activity or _MIN) else b
    firsts = [d for d in (a.first_seen, b.first_seen) if d is not None]
    pending = (max(a.pending_cancellation, b.pending_cancellation)
               if a.pending_cancellation and b.pending_cancellation else None)
    return replace(newest, first_seen=min(firsts) if firsts else None,
                   pending_cancellation=pending)

