"""Parsing and checking single values as users type them: emails, dates, yes/no."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from stackadmin.errors import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"yes", "y", "true", "t", "1", "on", "x"}
_FALSE = {"no", "n", "false", "f", "0", "off", ""}


def normalize_email(text: str) -> str:
    """Trimmed and lower-cased; emails are matched case-insensitively everywhere."""
    value = (text or "").strip().lower()
    if not _EMAIL.match(value):
        raise ValidationError(f"'{text}' is not an email address")
    return value


def parse_iso_date(text: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def parse_bool(text: str) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValidationError(f"'{text}' is not yes or no")


def non_negative_int(text: str | int, what: str) -> int:
    try:
        value = int(str(text).strip().replace(",", "").replace("_", ""))
    except ValueError:
        raise ValidationError(f"{what} must be a whole number, got '{text}'") from None
    if value < 0:
        raise ValidationError(f"{what} cannot be negative, got {value}")
    return value


def required_text(text: str | None, what: str, max_length: int = 200) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError(f"{what} is required")
    if len(value) > max_length:
        raise ValidationError(f"{what} is longer than {max_length} characters")
    return value


def optional_text(text: str | None, what: str, max_length: int = 500) -> str | None:
    value = (text or "").strip()
    if len(value) > max_length:
        raise ValidationError(f"{what} is longer than {max_length} characters")
    return value or None


def parse_choice(text: str | None, choices: type[StrEnum], what: str) -> str:
    """One of an enum's values, case-insensitively; a clear list of choices otherwise."""
    value = (text or "").strip().lower().replace(" ", "_").replace("-", "_")
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise ValidationError(f"{what} must be one of {', '.join(allowed)}, got '{text}'")
    return value


def optional_date(value: date | str | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    try:
        return parse_iso_date(value)
    except ValidationError:
        raise ValidationError(f"{what} '{value}' is not a date in the form YYYY-MM-DD") from None
