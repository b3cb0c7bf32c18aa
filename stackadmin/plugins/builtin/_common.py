"""Small readers the built-in vendor plugins share: optional text and objects from a vendor's
JSON, the newest of several dates, a listing's items where an empty list is left out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from stackadmin.plugins.api import BadResponse


def text(value: Any) -> str | None:
    """A vendor's text trimmed, or None for null, "", or anything that is not text."""
    return (value.strip() or None) if type(value) is str else None


def obj(value: Any) -> dict[str, Any]:
    """A vendor's JSON object, or {} for null or anything that is not an object."""
    return value if type(value) is dict else {}


def flag(value: Any) -> bool:
    """A vendor's boolean: only JSON `true` counts."""
    return value is True


def newest(*moments: datetime | None) -> datetime | None:
    """The latest of the dates given, ignoring the missing ones."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def listed(key: str) -> Callable[[Any], list[Any]]:
    """Items at `key` of a page, where the vendor leaves the key out when there are none
    (Google's `users`, Graph's `value` on an empty tenant): [] then, not an error."""

    def read(body: Any) -> list[Any]:
        if not isinstance(body, dict):
            raise BadResponse(f"the vendor's answer is not a JSON object with '{key}'")
        found = body.get(key)
        if found is None:
            return []
        if not isinstance(found, list):
            raise BadResponse(f"'{key}' is not a list as documented (got "
                              f"{type(found).__name__})")
        return found

    return read


def need_id(item: Any, key: str, what: str) -> str:
    """The vendor's immutable id of one listed item, or a BadResponse naming the listing."""
    value = item.get(key) if isinstance(item, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise BadResponse(f"{what} has no {key}")
    return value.strip()
