"""`stackadmin unused / utilization / reconcile / exempt / reclaim` as a user runs them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import rates, terms
from tests.cli.conftest import Run
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term

AS_OF = ["--as-of", TODAY.isoformat()]
UNUSED_KEYS = {"tool", "email", "person", "reason", "last_activity", "days_inactive",
               "annual_cost_base", "base_currency"}
UTIL_KEYS = {"tool", "seats_purchased", "seats_held", "seats_active", "seats_unused",
             "seats_unassigned", "utilization_pct", "annual_cost_base",
             "potential_savings_base", "recommended_seats"}


@pytest.fixture
def inventory(ctx: ServiceContext) -> ServiceContext:
    """Design: EUR 10.00 a month a seat, 10 seats, EUR = 1.10 USD; three seats unused."""
    rates.set_rate(ctx, "EUR", "1.10", TODAY - timedelta(days=1))
    design = tool_with_term(ctx, "Design", currency="EUR", unit_price="10.00", seats=10)
    ada = person(ctx, "ada@example.com")
    bob = person(ctx, "bob@example.com", departed_days_ago=10)
    account(ctx, design, "ada@example.com", person_id=ada, last_days=3)
    account(ctx, design, "old@example.com", last_days=61)
    account(ctx, design, "bob@example.com", person_id=bob, last_days=2)
    account(ctx, design, "new@example.com", last_days=None, first_days=90)
    return ctx


def test_unused_json_has_the_contract_keys_and_values(inventory: ServiceContext, run: Run
                                                      ) -> None:
    res = run("unused", *AS_OF, "--json")
    assert res.code == 0, res.err
    rows = {r["email"]: r for r in json.loads(res.out)}
    assert set(rows) == {"old@example.com", "bob@example.com", "new@example.com"}
    for row in rows.values():
        assert set(row) >= UNUSED_KEYS
        assert row["base_currency"] == "USD"
        assert row["annual_cost_base"] == "132.00"  # 10.00 × 12 × 1.10, rounded once
    old = rows["old@example.com"]
    assert old["reason"] == "inactive" and old["days_inactive"] == 61
    assert old["last_activity"].startswith((TODAY - timedelta(days=61)).isoformat())
    assert old["person"] is None
    never = rows["new@example.com"]
    assert never["reason"] == "never_active"
    assert never["last_activity"] is None and never["days_inactive"] is None
    assert rows["bob@example.com"]["reason"] == "departed"
    assert rows["bob@example.com"]["person"] == "Bob"


def test_unused_for_one_tool_and_an_unknown_tool(inventory: ServiceContext, run: Run) -> None:
    res = run("unused", *AS_OF, "--tool", "design", "--json")
    assert res.code == 0 and len(json.loads(res.out)) == 3
    bad = run("unused", "--tool", "Nope")
    assert bad.code == 1
    assert "no tool named 'Nope'" in bad.err and "Traceback" not in bad.err


def test_utilization_json_per_tool(inventory: ServiceContext, run: Run) -> None:
    res = run("utilization", *AS_OF, "--json")
    assert res.code == 0, res.err
    [row] = json.loads(res.out)
    assert set(row) >= UTIL_KEYS
    assert row == {**row, "tool": "Design", "seats_purchased": 10, "seats_held": 4,
                   "seats_active": 1, "seats_unused": 3, "seats_unassigned": 6,
                   "annual_cost_base": "1320.00", "potential_savings_base": "1188.00",
                   "recommended_seats": 2}
    assert row["utilization_pct"] == 10.0
    assert row["over_allocated"] is False


def test_utilization_table_has_a_totals_line(inventory: ServiceContext, run: Run) -> None:
    res = run("utilization", *AS_OF)
    assert res.code == 0
    assert "Design" in res.out and "1320.00" in res.out
    assert res.out.strip().splitlines()[-1].startswith("total: 10 purchased, 4 held")
    assert "1188.00 USD" in res.out


def test_a_missing_rate_is_null_and_warned_about(ctx: ServiceContext, run: Run) -> None:
    tool = tool_with_term(ctx, "Alps", currency="CHF", unit_price="5.00", seats=2)
    account(ctx, tool, "a@example.com", last_days=200)
    res = run("utilization", *AS_OF, "--json")
    assert res.code == 0
    [row] = json.loads(res.out)
    assert row["annual_cost_base"] is None and row["potential_savings_base"] is None
    assert row["missing_rates"] == ["CHF"]
    assert "no exchange rate" in res.err and "CHF" in res.err
    unused = json.loads(run("unused", *AS_OF, "--json").out)
    assert unused[0]["annual_cost_base"] is None


def test_exempt_then_reclaim_from_the_command_line(inventory: ServiceContext, run: Run) -> None:
    assert run("exempt", "Design", "old@example.com").code == 1  # no reason
    res = run("exempt", "Design", "old@example.com", "--reason", "auditor")
    assert res.code == 0, res.err
    emails = {r["email"] for r in json.loads(run("unused", *AS_OF, "--json").out)}
    assert "old@example.com" not in emails
    res = run("reclaim", "design", "BOB@example.com")
    assert res.code == 0, res.err
    emails = {r["email"] for r in json.loads(run("unused", *AS_OF, "--json").out)}
    assert emails == {"new@example.com"}
    again = run("reclaim", "Design", "bob@example.com")
    assert again.code == 1 and "deprovisioned already" in again.err
    assert run("reclaim", "Design", "nobody@example.com").code == 1


def test_reconcile_json(inventory: ServiceContext, run: Run) -> None:
    res = run("reconcile", *AS_OF, "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert {u["email"] for u in data["unknown_users"]} == {"old@example.com", "new@example.com"}
    assert [h["email"] for h in data["departed_holders"]] == ["bob@example.com"]
    assert data["duplicates"] == []
    # Bob left 10 days ago and used Design 2 days ago: one entry, his one account.
    assert data["active_after_leaving"] == [{
        "email": "bob@example.com", "tool": "Design",
        "end_date": (TODAY - timedelta(days=10)).isoformat(),
        "last_activity": f"{(TODAY - timedelta(days=2)).isoformat()}T12:00:00+00:00",
        "person": "Bob", "person_id": data["departed_holders"][0]["person_id"],
        "account_id": data["departed_holders"][0]["accounts"][0]["account_id"],
        "tool_id": data["active_after_leaving"][0]["tool_id"], "status": "active",
        "days_after": 8}]
    text = run("reconcile", *AS_OF)
    assert text.code == 0
    assert "RED FLAG: activity after the person's last day (1)" in text.out
    assert "bob@example.com" in text.out.split("RED FLAG")[1]


def test_rightsizing_json(inventory: ServiceContext, run: Run) -> None:
    term = terms.list_terms(inventory)[0]
    res = run("rightsizing", str(term.id), *AS_OF, "--json")
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert (data["seats_purchased"], data["seats_active"], data["recommended_seats"]) == (
        10, 1, 2)
    assert data["annual_cost"] == "1200.00" and data["currency"] == "EUR"
    assert data["projected_savings"] == "960.00"  # 8 fewer seats × 120 EUR
    assert data["projected_savings_base"] == "1056.00"
    missing = run("rightsizing", "999999")
    assert missing.code == 1 and "no subscription term with id 999999" in missing.err


def test_rightsizing_says_why_it_recommends_no_count(ctx: ServiceContext, run: Run) -> None:
    scim = tool_with_term(ctx, "Scim", seats=19)
    for n in range(16):
        account(ctx, scim, f"u{n}@example.com", last_days=None, activity_known=False)
    tool_with_term(ctx, "Empty", seats=20)
    by_tool = {t.tool: t.id for t in terms.list_terms(ctx)}
    data = json.loads(run("rightsizing", str(by_tool["Scim"]), *AS_OF, "--json").out)
    assert data["recommended_seats"] is None and not data["activity_known"]
    assert data["seat_data"] and data["other_terms_seats"] == 0
    assert data["no_recommendation"].startswith("activity unknown")
    text = run("rightsizing", str(by_tool["Scim"]), *AS_OF)
    assert "no recommendation: activity unknown: the source reports no activity" in text.out
    empty = json.loads(run("rightsizing", str(by_tool["Empty"]), *AS_OF, "--json").out)
    assert not empty["seat_data"] and empty["no_recommendation"].startswith("no seat data")
    assert "no recommendation" not in run("rightsizing", str(by_tool["Scim"]),
                                          "--as-of", "2026-11-25").err


def test_utilization_json_says_null_where_activity_or_seats_are_unknown(
        ctx: ServiceContext, run: Run) -> None:
    """Activity unknown: utilization and recommendation null, never 0. No account recorded:
    held, unassigned and savings null, never the whole contract as a saving."""
    scim = tool_with_term(ctx, "Scim", seats=19)
    for n in range(16):
        account(ctx, scim, f"u{n}@example.com", last_days=None, activity_known=False)
    tool_with_term(ctx, "Empty", seats=20)
    res = run("utilization", *AS_OF, "--json")
    assert res.code == 0, res.err
    rows = {r["tool"]: r for r in json.loads(res.out)}
    scim_row, empty = rows["Scim"], rows["Empty"]
    assert scim_row["utilization_pct"] is None and scim_row["recommended_seats"] is None
    assert scim_row["seat_data"] is True and scim_row["activity_known"] is False
    assert scim_row["seats_held"] == 16 and scim_row["seats_unassigned"] == 3
    assert scim_row["potential_savings_base"] == "360.00"  # the 3 idle seats × 120
    assert empty["seat_data"] is False
    assert (empty["seats_held"], empty["seats_unassigned"],
            empty["potential_savings_base"]) == (None, None, None)
    assert empty["utilization_pct"] is None and empty["recommended_seats"] is None
    text = run("utilization", *AS_OF)
    assert text.code == 0, text.err
    lines = {line.split()[0]: line for line in text.out.splitlines() if line.strip()}
    assert "activity unknown" in lines["Scim"] and "no seat data" in lines["Empty"]
    assert "1 with activity unknown" in text.out and "1 without seat data" in text.out


def test_exempt_seats_of_a_source_without_activity_are_not_zero_utilization(
        ctx: ServiceContext, run: Run) -> None:
    """A member list (no activity) whose seats are exempted, or a bot's: nothing is known of
    their use, so utilization and the recommendation stay null, not 0 %."""
    scim = tool_with_term(ctx, "Scim", seats=5)
    for n in range(2):
        account(ctx, scim, f"u{n}@example.com", last_days=None, activity_known=False,
                exempt=True, exempt_reason="on call", exempt_by="ops")
    account(ctx, scim, "ci@example.com", last_days=None, activity_known=False, is_bot=True)
    res = run("utilization", *AS_OF, "--json")
    assert res.code == 0, res.err
    [row] = json.loads(res.out)
    assert row["utilization_pct"] is None and row["recommended_seats"] is None
    assert row["activity_known"] is False and row["seats_held"] == 3
    assert row["seats_unassigned"] == 2 and row["potential_savings_base"] == "240.00"
    text = run("utilization", *AS_OF)
    assert "activity unknown" in text.out and "0.0%" not in text.out
    by_tool = {t.tool: t.id for t in terms.list_terms(ctx)}
    brief = json.loads(run("rightsizing", str(by_tool["Scim"]), *AS_OF, "--json").out)
    assert brief["recommended_seats"] is None and brief["activity_known"] is False


def test_unused_table_says_unknown_not_never_where_the_source_reports_no_activity(
        ctx: ServiceContext, run: Run) -> None:
    scim = tool_with_term(ctx, "Scim", seats=5)
    left = person(ctx, "left@example.com", departed_days_ago=5)
    account(ctx, scim, "left@example.com", person_id=left, last_days=None,
            activity_known=False)
    account(ctx, scim, "idle@example.com", last_days=None)  # a list with activity: never
    res = run("unused", *AS_OF)
    assert res.code == 0, res.err
    lines = {line.split()[1]: line.split() for line in res.out.splitlines()
             if "@example.com" in line}
    assert lines["left@example.com"][3:5] == ["departed", "unknown"]
    assert lines["idle@example.com"][2:4] == ["never_active", "never"]


def test_clearing_an_exemption_a_seat_does_not_have_is_refused(inventory: ServiceContext,
                                                               run: Run) -> None:
    res = run("exempt", "Design", "old@example.com", "--clear")
    assert res.code == 1 and "Traceback" not in res.err
    assert "old@example.com in Design has no exemption to clear" in res.err
    assert "cleared" not in res.out
    assert run("exempt", "Design", "old@example.com", "--reason", "auditor").code == 0
    done = run("exempt", "Design", "old@example.com", "--clear")
    assert done.code == 0 and "cleared the exemption of old@example.com" in done.out
    emails = {r["email"] for r in json.loads(run("unused", *AS_OF, "--json").out)}
    assert "old@example.com" in emails
