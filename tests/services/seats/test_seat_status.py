"""SeatStatus keeps a dataclass's behaviour with its quicker __init__: the same parameters
and defaults, frozen, equal and hashable by value, `replace` and `asdict` as before."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from stackadmin.domain.utilization import UnusedReason
from stackadmin.services.seats.basis import SeatStatus

BASE = (7, 3, "Figma", 11, "Ada", "ada@example.com", "admin", "active",
        datetime(2026, 9, 1, tzinfo=UTC), True, 90, True, False, UnusedReason.INACTIVE, False,
        False, None, Decimal("144"))


def test_positional_keyword_and_defaults_give_the_same_seat() -> None:
    names = [f.name for f in dataclasses.fields(SeatStatus)]
    by_position = SeatStatus(*BASE)
    by_keyword = SeatStatus(**dict(zip(names, BASE, strict=False)))
    assert by_position == by_keyword and hash(by_position) == hash(by_keyword)
    assert (by_position.exempt_by, by_position.active_after_leaving, by_position.source,
            by_position.kind, by_position.billable) == (None, False, "", "user", None)
    assert dataclasses.asdict(by_position)["annual_cost_base"] == Decimal("144")
    moved = dataclasses.replace(by_position, kind="bot", source="Okta")
    assert (moved.kind, moved.source, moved.account_id) == ("bot", "Okta", 7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        by_position.role = "member"  # type: ignore[misc]
    with pytest.raises(TypeError):
        SeatStatus(*BASE[:-1])  # a field without a default is still required
