"""A person's accounts and what they cost: a per-seat price, a flat price, or unknown for
want of an exchange rate (never shown as a flat price, never counted as nothing)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import accounts, people, rates
from stackadmin.services.seats.offboarding import person_view, record_outcome
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term


def test_a_seat_without_a_rate_is_of_unknown_cost_not_flat_priced(
        ctx: ServiceContext) -> None:
    ada = person(ctx, "ada@example.com")
    slack = tool_with_term(ctx, "Slack", unit_price="8.00")
    euro = tool_with_term(ctx, "Euro", currency="EUR", unit_price="10.00")
    datadog = tool_with_term(ctx, "Datadog", pricing="flat", unit_price="900.00", seats=None)
    for tool in (slack, euro, datadog):
        account(ctx, tool, "ada@example.com", person_id=ada, last_days=1)
    view = person_view(ctx, ada)
    cost = {a.tool: (a.annual_cost_base, a.missing_rates, a.flat_priced)
            for a in view.accounts}
    assert cost == {"Slack": (Decimal("96.00"), (), False), "Euro": (None, ("EUR",), False),
                    "Datadog": (None, (), True)}
    assert (view.flat_priced, view.cost_unknown, view.missing_rates) == (1, 1, ("EUR",))
    rates.set_rate(ctx, "EUR", "1.10", TODAY)
    view = person_view(ctx, ada)
    assert view.cost_unknown == 0 and view.annual_cost_base == Decimal("228.00")


def test_accounts_and_owned_tools_are_by_tool_name_on_both_engines(
        ctx: ServiceContext) -> None:
    """SQLite folds ASCII letters only ('Éb' before 'éa'), a PostgreSQL collation orders
    case and punctuation its own way: the person's page lists tools as every list by name."""
    ada = person(ctx, "ada@example.com")
    for name in ("Zed", "acme", "Éb", "éa", "ab"):
        account(ctx, tool_with_term(ctx, name, owner_email="ada@example.com"), "ada@example.com",
                person_id=ada)
    view = person_view(ctx, ada)
    expected = ["ab", "acme", "Zed", "éa", "Éb"]
    assert [a.tool for a in view.accounts] == expected
    assert [t.name for t in view.owned_tools] == expected


def test_a_seat_reclaimed_then_given_back_is_on_the_checklist_again(
        ctx: ServiceContext) -> None:
    """A leaver's seat reclaimed, the person rehired and given the same account back, then
    leaving again: the old "reclaimed" is not a done item for a seat they hold."""
    bob = person(ctx, "bob@example.com", departed_days_ago=30)
    slack = account(ctx, tool_with_term(ctx, "Slack"), "bob@example.com", person_id=bob)
    figma = account(ctx, tool_with_term(ctx, "Figma"), "bob@example.com", person_id=bob)
    for seat in (slack, figma):
        record_outcome(ctx, bob, seat, "reclaimed")
    assert person_view(ctx, bob).done == 2
    people.update_person(ctx, bob, status="active", end_date=None)
    accounts.update_account(ctx, slack, status="active")  # re-provisioned
    people.mark_departed(ctx, bob, TODAY - timedelta(days=1))
    view = person_view(ctx, bob)
    assert [(a.tool, a.outcome, a.done) for a in view.accounts] == [
        ("Figma", "reclaimed", True), ("Slack", None, False)]
    assert view.done == 1
    record_outcome(ctx, bob, slack, "reclaimed")  # and it can be finished again
    view = person_view(ctx, bob)
    assert view.done == 2 and {a.status for a in view.accounts} == {"deprovisioned"}
