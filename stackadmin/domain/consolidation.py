"""Consolidating overlapping tools: who would move where, and what it would save a year.

The rule: everyone active in the other tools of an overlap moves to the tool with the most
active users. People already active there need no seat; the others take its paid seats that
nobody uses first (unassigned, or held unused: reclaimed), and each one left needs an extra
seat at that tool's annual price per seat (zero for a flat fee, which does not grow). The
saving is what the other tools cost a year, less those extra seats. Amounts are exact
Decimals in one currency (the base); None when any of them is unknown (a missing exchange
rate), never a guess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Member:
    """One tool of an overlap, as the rule needs it."""

    name: str
    annual_cost: Decimal | None  # None: unknown (no exchange rate)
    price_per_seat: Decimal | None  # annual, per seat; 0 for a flat fee; None: unknown
    active: frozenset[str]  # who is active in it (a person id or an email, one per person)
    spare: int = 0  # its paid seats nobody uses (unassigned, or held unused)


@dataclass(frozen=True, slots=True)
class Consolidation:
    target: str  # the tool everyone would move to
    people_in_several: frozenset[str]  # active in two or more of the tools
    movers: frozenset[str]  # active elsewhere in the overlap, not active in the target
    extra_seats: int  # the movers the target's spare seats do not cover
    others_cost: Decimal | None  # what the other tools cost a year
    extra_cost: Decimal | None  # the extra seats at the target's price
    saving: Decimal | None  # others_cost − extra_cost (negative: moving would cost more)


def _target_key(m: Member) -> tuple[int, int, Decimal, str]:
    # Most active users; a tie goes to the cheaper seat (unknown prices last), then by name.
    price_known = 0 if m.price_per_seat is not None else 1
    return (-len(m.active), price_known, m.price_per_seat or Decimal(0), m.name.casefold())


def choose_target(members: Sequence[Member]) -> Member:
    if not members:
        raise ValueError("an overlap has at least one tool")
    return min(members, key=_target_key)


def people_in_several(members: Sequence[Member]) -> frozenset[str]:
    counts: Counter[str] = Counter()
    for m in members:
        counts.update(m.active)
    return frozenset(p for p, n in counts.items() if n > 1)


def consolidate(members: Sequence[Member]) -> Consolidation:
    target = choose_target(members)
    others = [m for m in members if m is not target]
    moving = frozenset().union(*(m.active for m in others)) - target.active
    costs = [m.annual_cost for m in others]
    others_cost = (None if any(c is None for c in costs)
                   else sum((c for c in costs if c is not None), Decimal(0)))
    extra = max(len(moving) - target.spare, 0)
    extra_cost = None if target.price_per_seat is None else target.price_per_seat * extra
    saving = (None if others_cost is None or extra_cost is None
              else others_cost - extra_cost)
    return Consolidation(target.name, people_in_several(members), moving, extra,
                         others_cost, extra_cost, saving)


def shared_users(tool: Member, other: Member) -> int:
    """How many of `tool`'s active users are also active in `other`."""
    return len(tool.active & other.active)
