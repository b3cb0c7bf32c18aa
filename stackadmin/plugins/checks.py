"""The checks a record runs when it is made: each takes a vendor-side value and returns it
normalised (times in UTC, text trimmed) or raises a ContractViolation naming the field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from stackadmin.domain.limits import MAX_ID, printable
from stackadmin.plugins.errors import ContractViolation

_BREAKS = str.maketrans("\t\n\r", "   ")


class Where:
    """Names a field of an account for an error, lazily: `where("email")`."""

    __slots__ = ("external_id",)

    def __init__(self, external_id: str) -> None:
        self.external_id = external_id

    def __call__(self, name: str) -> str:
        return f"account {self.external_id}: {name}"


def utc(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ContractViolation(f"{name} is {type(value).__name__}, not a datetime")
    offset = value.utcoffset()
    if offset is None:
        raise ContractViolation(f"{name} {value.isoformat()} is naive: give it a time zone")
    return value if offset.total_seconds() == 0 and value.tzinfo is UTC else value.astimezone(UTC)


def day(value: Any, name: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ContractViolation(f"{name} must be a date (not {type(value).__name__})")
    return value


def text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ContractViolation(f"{name} is {type(value).__name__}, not text")
    if not value.isprintable():
        # Control characters (a NUL, which PostgreSQL refuses and SQLite keeps; a terminal
        # escape) are dropped and line breaks made spaces: one line of printable text.
        value = printable(value.translate(_BREAKS))
    return value.strip() or None


def raw_json(value: Any) -> dict[str, Any]:
    """The vendor's JSON object as parsed: kept, not copied (a fetch holds tens of thousands),
    a plain dict so that it goes to JSON, `asdict` and across threads as it is. Records hand
    it out as a read-only Mapping."""
    if type(value) is dict:
        return value
    if not isinstance(value, Mapping):
        raise ContractViolation(f"raw is {type(value).__name__}, not the vendor's JSON object")
    return dict(value)




def enum_value(enum: type[Any], value: Any, where: Where, name: str) -> Any:
    if type(value) is enum:
        return value
    try:
        return enum(value)
    except ValueError as exc:
        raise ContractViolation(f"{where(name)}: {exc}") from None


def moment(value: Any, where: Where, name: str) -> datetime | None:
    if type(value) is datetime and value.tzinfo is UTC:
        return value
    return utc(value, where(name))


def count(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContractViolation(f"{name} must be a whole number >= 0 (got {value!r})")
    if value > MAX_ID:  # what both engines' INTEGER columns hold
        raise ContractViolation(f"{name} is {value:,}: more than stackadmin can store "
                                f"({MAX_ID:,} at most)")
    return value
