"""Column types that keep values honest on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator


class Moments:
    """Timestamps read raw (SQLite's naive UTC text, PostgreSQL's datetimes) turned into
    aware UTC datetimes, each distinct value once: the same values `UTCDateTime` returns,
    without its per-row processing (most of the time of reading 100,000 accounts).

    At most `REMEMBERED` distinct values are kept: the times many rows share (a first
    sighting, a sync's time) come early, while activity times are mostly unique, and a
    million-entry cache of them cost more memory and cache misses than it saved."""

    REMEMBERED = 65_536

    def __init__(self) -> None:
        self._cache: dict[Any, datetime] = {}

    def __call__(self, raw: Any) -> datetime | None:
        if raw is None:
            return None
        moment = self._cache.get(raw)
        if moment is None:
            if isinstance(raw, str):
                try:  # naive UTC text parsed as UTC in one step (9x faster than .replace)
                    moment = datetime.fromisoformat(raw + "+00:00")
                except ValueError:  # text with its own offset
                    moment = aware_utc(datetime.fromisoformat(raw))
            else:
                moment = aware_utc(raw)
            if len(self._cache) < self.REMEMBERED:
                self._cache[raw] = moment
        return moment


def aware_utc(value: datetime) -> datetime:
    """A naive value read as UTC; an aware one converted to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes only, stored as UTC, always read back aware in UTC.

    SQLite drops offsets silently; PostgreSQL converts them. This type makes both behave
    the same and refuses naive values rather than guessing their zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} refused: give it a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw text from SQLite read through a plain cursor
            value = datetime.fromisoformat(value)
        stored: datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=UTC)
        return stored.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal (exchange rates) kept as text: SQLite's NUMERIC is a float."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return format(Decimal(value).normalize(), "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)
