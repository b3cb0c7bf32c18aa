"""A hand-built inventory for buying tests: whiteboards that overlap, people active in two
of them, tools to rate, with figures worked out by hand in the tests."""

from __future__ import annotations

from datetime import timedelta

from stackadmin.services.buying import tags
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import rates, terms, tools
from tests.conftest import TODAY
from tests.services.seats.helpers import account, person, tool_with_term

PEOPLE = ("ada", "bob", "chloe", "dmitri", "elif", "farah", "gus")


def email(name: str) -> str:
    return f"{name}@example.com"


def whiteboards(ctx: ServiceContext) -> dict[str, int]:
    """Miro (Design; whiteboard): USD 10.00 a seat a month × 10 seats = 1,200 a year, active:
    Ada, Bob, Chloé, Dmitri (Gus inactive 100 days).
    FigJam (Design; whiteboard): USD 5.00 × 8 = 480 a year, active: Chloé, Dmitri, Elif
    (Hank, who left, used it two days ago: not active).
    Mural (whiteboard): EUR 8.00 × 5 = 480 EUR = 528 USD a year, active: Farah.
    Whimsical (whiteboard): its only term ended: not paid for.
    Zoom (Communication): alone in its category, no tags.
    Returns person ids and tool ids by name."""
    rates.set_rate(ctx, "EUR", "1.10", TODAY - timedelta(days=30))
    ids = {name: person(ctx, email(name)) for name in PEOPLE}
    ids["hank"] = person(ctx, email("hank"), departed_days_ago=5)
    ids["Miro"] = tool_with_term(ctx, "Miro", unit_price="10.00", seats=10, category="Design")
    ids["FigJam"] = tool_with_term(ctx, "FigJam", unit_price="5.00", seats=8,
                                   category="Design")
    ids["Mural"] = tool_with_term(ctx, "Mural", currency="EUR", unit_price="8.00", seats=5)
    ids["Zoom"] = tool_with_term(ctx, "Zoom", unit_price="15.00", seats=4,
                                 category="Communication")
    whimsical = tools.create_tool(ctx, name="Whimsical")
    terms.create_term(ctx, tool_id=whimsical.id, currency="USD", unit_price="10", seats=3,
                      billing_period="monthly", term_start=TODAY - timedelta(days=400),
                      renewal_date=TODAY - timedelta(days=35), auto_renew=False,
                      status="ended")
    ids["Whimsical"] = whimsical.id
    for name in ("Miro", "FigJam", "Mural", "Whimsical"):
        tags.set_tags(ctx, name, ["whiteboard"])
    for name in ("ada", "bob", "chloe", "dmitri"):
        account(ctx, ids["Miro"], email(name), person_id=ids[name], last_days=3)
    account(ctx, ids["Miro"], email("gus"), person_id=ids["gus"], last_days=100)
    for name in ("chloe", "dmitri", "elif"):
        account(ctx, ids["FigJam"], email(name), person_id=ids[name], last_days=1)
    account(ctx, ids["FigJam"], email("hank"), person_id=ids["hank"], last_days=2)
    account(ctx, ids["Mural"], email("farah"), person_id=ids["farah"], last_days=10)
    account(ctx, ids["Whimsical"], email("ada"), person_id=ids["ada"], last_days=1)
    account(ctx, ids["Zoom"], email("bob"), person_id=ids["bob"], last_days=1)
    return ids


def rated_tools(ctx: ServiceContext) -> None:
    """Slack, Zoom, Jira, Figma and the people the feedback fixtures name."""
    for name in ("ada", "bob", "chloe", "dmitri"):
        person(ctx, email(name))
    tool_with_term(ctx, "Slack", unit_price="8.75", seats=20)
    tool_with_term(ctx, "Zoom", unit_price="15.00", seats=4)
    tool_with_term(ctx, "Jira", unit_price="8.15", seats=12)
    tool_with_term(ctx, "Figma", currency="EUR", unit_price="45", seats=3)
