"""Seat lists read tool by tool come out in the order one sorted statement would give: the
Seats page by tool name (casefold) and account id, lists and exports by tool name (lower
case), email and account id, with the seats of tools whose lower-case names are equal
interleaved by email; the first screen is the head of the whole list."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from stackadmin.services.context import ServiceContext
from stackadmin.services.seats import seat_list, utilization
from stackadmin.services.seats.basis import SeatStatus
from stackadmin.services.seats.seat_list import first_seats, unused_seats, unused_values
from stackadmin.services.spreadsheets.exports import seat_rows
from stackadmin.store.models import Tool
from tests.services.seats.helpers import account

# "alpha" and "ALPHA" are equal in lower case (an import or a sync may store both);
# "Straße" and "strasse" are equal only when casefolded.
NAMES = ["Zeta", "alpha", "ALPHA", "beta", "Straße", "strasse", "Émile", "emile"]


@pytest.fixture(params=[64, 3, 1], ids=lambda n: f"{n}-tools-a-statement")
def mixed(ctx: ServiceContext, request: pytest.FixtureRequest,
          monkeypatch: pytest.MonkeyPatch) -> dict[int, str]:
    """Eight tools written straight to the store, with accounts added in a shuffled order
    of tools and emails, a third of them idle and some without an email. PostgreSQL reads
    the tools a batch a statement: batches of 3 and of 1 place spread them over several
    statements, whose rows must join up in the same order."""
    monkeypatch.setattr(seat_list, "PG_TOOLS_PER_STATEMENT", request.param)
    tools: dict[int, str] = {}
    with ctx.transaction() as session:
        for name in NAMES:
            row = Tool(name=name)
            session.add(row)
            session.flush()
            tools[row.id] = name
    rng = random.Random(15)
    ids = list(tools)
    for n in range(120):
        email = None if n % 17 == 0 else f"{rng.choice('abcxyz')}{n}@example.com"
        account(ctx, rng.choice(ids), email, last_days=rng.choice([1, 2, 90, None]))
    return tools


def test_the_seats_page_order_is_tool_name_casefolded_then_account_id(
        mixed: dict[int, str], ctx: ServiceContext) -> None:
    seats = utilization.compute(ctx).seats
    assert len(seats) == 120
    keys = [(s.tool.casefold(), s.tool_id, s.account_id) for s in seats]
    assert keys == sorted(keys)


def test_the_first_screen_is_the_head_of_every_seat_across_tools(
        mixed: dict[int, str], ctx: ServiceContext) -> None:
    every = [s.account_id for s in utilization.compute(ctx).seats]
    for limit in (1, 7, 20, 45, 119, 120, 500):
        assert [s.account_id for s in first_seats(ctx, limit).seats] == every[:limit]


def test_unused_seats_and_the_export_interleave_tools_equal_in_lower_case(
        mixed: dict[int, str], ctx: ServiceContext) -> None:
    seats = utilization.compute(ctx).seats
    unused = [s for s in seats if s.reason is not None]
    assert unused, "the data has idle seats"

    def key(s: SeatStatus) -> tuple[str, str, int]:
        return (s.tool.lower(), s.email or "", s.account_id)

    listed = unused_seats(ctx).seats
    assert [s.account_id for s in listed] == [s.account_id for s in sorted(unused, key=key)]
    # "alpha" and "ALPHA" share a place: their seats are interleaved by email.
    alphas = [s.tool for s in listed if s.tool.lower() == "alpha"]
    switches = sum(a != b for a, b in pairwise(alphas))
    assert switches >= 2, alphas
    rows = seat_rows(ctx)
    assert [(r[0], r[2]) for r in rows] == [(s.tool, s.email) for s in sorted(seats, key=key)]


def test_the_unused_values_are_the_unused_seats_read_without_their_objects(
        mixed: dict[int, str], ctx: ServiceContext) -> None:
    """`unused --json` writes `unused_values`: the same seats, in the same order, with the
    same values as the SeatStatus objects `unused_seats` builds, field by field."""
    listed = unused_seats(ctx)
    expected = [
        (s.tool, s.email, s.person, s.reason.value if s.reason else None,
         None if s.last_activity is None else s.last_activity.isoformat(), s.days_inactive,
         s.annual_cost_base, s.account_id, s.tool_id, s.person_id, s.display_name,
         s.status, s.role, s.activity_known)
        for s in listed.seats]
    assert expected, "the data has unused seats"
    with unused_values(ctx) as found:
        assert (found.as_of, found.base_currency, found.missing_rates) == (
            listed.as_of, listed.base_currency, listed.missing_rates)
        assert list(found.rows) == expected
