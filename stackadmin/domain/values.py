"""Parsing and checking single values as users type them: emails, dates, yes/no."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from stackadmin.domain.limits import MAX_ID, check_date, check_int, check_text
from stackadmin.errors import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"yes", "y", "true", "t", "1", "on", "x"}
_FALSE = {"no", "n", "false", "f", "0", "off", ""}


MAX_EMAIL = 320  # the column's length (RFC 5321's limit)


def normalize_email(text: str) -> str:
    """Trimmed and lower-cased; emails are matched case-insensitively everywhere."""
    value = (text or "").strip().lower()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value) or check_problem(value):
        raise ValidationError(f"'{_cut(text)}' is not an email address")
    return value


def check_problem(value: str) -> bool:
    try:
        check_text(value)
    except ValidationError:
        return True
    return False


def _cut(text: str, limit: int = 80) -> str:
    value = text or ""
    return value if len(value) <= limit else value[:limit] + "…"


def parse_iso_date(text: str) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(f"'{_cut(text)}' is not a date in the form YYYY-MM-DD") from None
    return check_date(day, "the date")


def parse_bool(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"'{text}' is not yes or no")


def non_negative_int(text: str | int, what: str, maximum: int | None = None) -> int:
    """A whole number from 0 to `maximum` (domain.limits has the bounds)."""
    if isinstance(text, bool):
        raise ValidationError(f"{what} must be a whole number, got '{text}'")
    try:
        value = int(str(text).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise ValidationError(f"{what} must be a whole number, got '{_cut(str(text))}'") \
            from None
    return check_int(value, what, 0, maximum if maximum is not None else MAX_ID)


def required_text(text: str | None, what: str, max_length: int = 200, *,
                  multiline: bool = False) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError(f"{what} is required")
    return check_text(value, what, multiline=multiline, max_length=max_length)


def optional_text(text: str | None, what: str, max_length: int = 500, *,
                  multiline: bool = False) -> str | None:
    value = (text or "").strip()
    return check_text(value, what, multiline=multiline, max_length=max_length) or None


def parse_choice(text: str | None, choices: type[StrEnum], what: str) -> str:
    """One of an enum's values, case-insensitively; a clear list of choices otherwise."""
    value = (text or "").strip().lower().replace(" ", "_").replace("-", "_")
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise ValidationError(
            f"{what} must be one of {', '.join(allowed)}, got '{_cut(text or '')}'")
    return value


def optional_date(value: date | str | None, what: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return check_date(value, what)
    if not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"{what} '{_cut(value)}' is not a date in the form YYYY-MM-DD") \
            from None
    return check_date(day, what)
