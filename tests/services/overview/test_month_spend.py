"""The dashboard's spend by month: what falls due in each of the next twelve months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import terms, tools
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.overview import figures
from tests.conftest import TODAY


def _months(ctx: ServiceContext) -> dict[str, Decimal]:
    with ctx.read() as session:
        rates = load_rates(session, TODAY)
    months = figures.month_spend(terms.list_terms(ctx), rates, TODAY)  # Nov 2026 .. Oct 2027
    return {m.month.strftime("%Y-%m"): m.amount_base for m in months}


def test_a_term_without_a_start_bills_each_period_up_to_its_renewal(
        ctx: ServiceContext) -> None:
    """Its start unknown, a monthly term renewing on 1 June 2027 (and not by itself) is in
    force until then: it bills on the 1st of each month before (this one's too), counted
    back from the renewal date, and nothing from June."""
    tool = tools.create_tool(ctx, name="Miro").id
    terms.create_term(ctx, tool_id=tool, currency="USD", pricing="flat", unit_price="120",
                      billing_period="monthly", renewal_date=date(2027, 6, 1), auto_renew=False)
    quarter = tools.create_tool(ctx, name="Loom").id
    terms.create_term(ctx, tool_id=quarter, currency="USD", pricing="flat", unit_price="300",
                      billing_period="quarterly", renewal_date=date(2027, 5, 31),
                      auto_renew=False)
    got = _months(ctx)
    expected = {month: Decimal(0) for month in got}
    for month in ("2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"):
        expected[month] += 120
    for month in ("2026-11", "2027-02"):  # Nov 30 and Feb 28, three and six months before
        expected[month] += 300
    assert got == expected
