"""An integration's own settings, as typed after --set."""

from __future__ import annotations

import pytest

from stackadmin.errors import ValidationError
from stackadmin.services.sync.config import (
    HostSettings,
    interval_text,
    parse_brake,
    parse_interval,
)


@pytest.mark.parametrize(("text", "minutes"), [
    ("daily", 1440), ("Hourly", 60), ("weekly", 10080), ("6h", 360), ("30m", 30),
    ("2d", 2880), ("1w", 10080), ("manual", None), ("off", None), ("90 min", 90)])
def test_intervals(text: str, minutes: int | None) -> None:
    assert parse_interval(text) == minutes


@pytest.mark.parametrize("text", ["5m", "3s", "often", "-1h", ""])
def test_bad_intervals_are_refused_in_words(text: str) -> None:
    with pytest.raises(ValidationError, match="interval"):
        parse_interval(text)


def test_interval_words() -> None:
    assert [interval_text(m) for m in (None, 60, 1440, 360, 2880, 45)] == [
        "manual", "hourly", "daily", "every 6 hours", "every 2 days", "every 45 minutes"]


def test_brakes() -> None:
    assert [parse_brake(t) for t in ("20", "35%", "0", "off")] == [20, 35, 0, 100]
    with pytest.raises(ValidationError, match="0 to 100"):
        parse_brake("120")


def test_every_problem_is_listed() -> None:
    with pytest.raises(ValidationError) as caught:
        HostSettings().with_given({"interval": "sometimes", "brake": "lots",
                                   "directory": "maybe"})
    assert len(caught.value.problems) == 3
