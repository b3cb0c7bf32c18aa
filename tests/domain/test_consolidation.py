"""The consolidation saving on hand-built overlaps, and its properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from stackadmin.domain.consolidation import (
    Member,
    choose_target,
    consolidate,
    people_in_several,
    shared_users,
)


def member(name: str, cost: str | None, price: str | None, *people: str) -> Member:
    return Member(name, None if cost is None else Decimal(cost),
                  None if price is None else Decimal(price), frozenset(people))


def test_everyone_moves_to_the_tool_with_the_most_active_users() -> None:
    miro = member("Miro", "2400", "96", "ada", "bob", "chloe", "dmitri")
    figjam = member("FigJam", "1200", "60", "chloe", "dmitri", "elif")
    mural = member("Mural", "600", "120", "farah")
    result = consolidate([figjam, mural, miro])
    assert result.target == "Miro"
    assert result.people_in_several == {"chloe", "dmitri"}
    # Elif and Farah need a Miro seat each; Chloé and Dmitri have one already.
    assert result.movers == {"elif", "farah"} and result.extra_seats == 2
    assert result.others_cost == Decimal(1800)
    assert result.extra_cost == Decimal(192)
    assert result.saving == Decimal(1608)


def test_the_targets_unused_seats_are_taken_before_any_is_bought() -> None:
    figjam = member("FigJam", "1200", "60", "chloe", "elif", "farah")
    miro = replace(member("Miro", "2400", "96", "ada", "bob", "chloe", "dmitri"), spare=1)
    result = consolidate([figjam, miro])
    # Elif and Farah move; one takes Miro's unused seat, one seat is bought.
    assert result.movers == {"elif", "farah"} and result.extra_seats == 1
    assert (result.extra_cost, result.saving) == (Decimal(96), Decimal(1104))
    roomy = consolidate([figjam, replace(miro, spare=6)])
    assert (roomy.extra_seats, roomy.extra_cost, roomy.saving) == (0, Decimal(0), Decimal(1200))


def test_a_tie_goes_to_the_cheaper_seat_then_the_name() -> None:
    a = member("Alpha", "100", "50", "x", "y")
    b = member("Beta", "100", "20", "z", "w")
    assert choose_target([a, b]).name == "Beta"
    c = member("Gamma", "100", "20", "p", "q")
    assert choose_target([c, b]).name == "Beta"
    unknown = member("Delta", "100", None, "r", "s")
    assert choose_target([unknown, a]).name == "Alpha"


def test_a_flat_fee_target_takes_the_movers_for_nothing() -> None:
    flat = member("Datadog", "48000", "0", "a", "b", "c")
    other = member("New Relic", "9000", "75", "d")
    result = consolidate([flat, other])
    assert result.extra_cost == 0 and result.saving == Decimal(9000)


def test_moving_can_cost_more_than_it_saves() -> None:
    big = member("Big", "100", "500", "a", "b", "c")
    small = member("Small", "100", "10", "d", "e")
    result = consolidate([big, small])
    assert result.saving == Decimal(100) - 2 * Decimal(500)


def test_an_unknown_cost_leaves_the_saving_unknown_not_zero() -> None:
    result = consolidate([member("A", None, "10", "a", "b"), member("B", "100", "5", "c")])
    assert result.saving is not None  # A is the target; B's cost is known
    result = consolidate([member("A", "100", "10", "a", "b"), member("B", None, "5", "c")])
    assert result.others_cost is None and result.saving is None
    result = consolidate([member("A", "100", None, "a", "b"), member("B", "50", "5", "c")])
    assert result.extra_cost is None and result.saving is None


def test_shared_users_counts_people_active_in_both() -> None:
    assert shared_users(member("A", "1", "1", "a", "b", "c"), member("B", "1", "1", "b", "c",
                                                                      "d")) == 2
    assert people_in_several([member("A", "1", "1", "a"), member("B", "1", "1", "b")]) == set()


PEOPLE = st.frozensets(st.sampled_from("abcdefghij"), max_size=10)
MEMBERS = st.lists(st.builds(Member, st.text("xyz", min_size=1, max_size=4),
                             st.integers(0, 10_000).map(Decimal),
                             st.integers(0, 500).map(Decimal), PEOPLE),
                   min_size=2, max_size=5, unique_by=lambda m: m.name)


@given(MEMBERS)
def test_the_saving_is_the_others_cost_less_the_extra_seats(members: list[Member]) -> None:
    result = consolidate(members)
    target = next(m for m in members if m.name == result.target)
    others = [m for m in members if m is not target]
    assert all(len(target.active) >= len(m.active) for m in members)
    assert not result.movers & target.active
    assert result.movers == frozenset().union(*(m.active for m in others)) - target.active
    assert result.saving == sum((m.annual_cost or Decimal(0) for m in others), Decimal(0)) \
        - len(result.movers) * (target.price_per_seat or Decimal(0))
    for person in result.people_in_several:
        assert sum(person in m.active for m in members) >= 2
