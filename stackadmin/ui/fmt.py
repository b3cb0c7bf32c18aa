"""Showing values to people: dates in the user's locale, money in its currency. Plain
functions (safe on worker threads: each thread formats with its own QLocale)."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QLocale

_local = threading.local()
# Raised by `locale_changed`: each thread reads the default locale again on its next use.
_generation = 0


def locale_changed() -> None:
    """The default QLocale changed (QLocale.setDefault): every thread, workers included,
    formats with the new one from its next call (each keeps its own QLocale and format)."""
    global _generation
    _generation += 1


def _locale() -> QLocale:
    loc = getattr(_local, "locale", None)
    if loc is None or getattr(_local, "generation", -1) != _generation:
        loc = _local.locale = QLocale()
        _local.date_format = None
        _local.generation = _generation
    return loc


def babel_locale() -> str:
    name = _locale().name()
    return "en_US" if name in ("C", "") else name


def date_format() -> str:
    """The locale's short date format with a four-digit year (so it reads back unambiguously);
    ISO 8601 where no locale is chosen (LANG=C: Qt's own "d MM yyyy" reads as nothing)."""
    locale = _locale()  # first: a new default locale drops the format kept with the old
    fmt = getattr(_local, "date_format", None)
    if fmt is None:
        if locale.name() in ("C", ""):
            fmt = "yyyy-MM-dd"
        else:
            fmt = str(locale.dateFormat(QLocale.FormatType.ShortFormat))
            if "yyyy" not in fmt:
                fmt = fmt.replace("yy", "yyyy")
        _local.date_format = fmt
    return fmt


def date_text(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return str(_locale().toString(value, date_format()))


def moment_text(value: datetime) -> str:
    """A stored moment (aware UTC) as the user reads the clock: the local date and time of
    that moment (near midnight the UTC date is another day than the local one)."""
    local = value.astimezone()
    return f"{date_text(local)} {local:%H:%M}"


def parse_date_text(text: str) -> date | str | None:
    """A date typed in the locale's format or as ISO; other text is returned as is, for the
    service to explain what it expected."""
    clean = text.strip()
    if not clean:
        return None
    try:
        return date.fromisoformat(clean)
    except ValueError:
        pass
    parsed = _locale().toDate(clean, date_format())
    if parsed.isValid():
        return date(parsed.year(), parsed.month(), parsed.day())
    return clean


_ISO_DAY = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")


def dates_as_shown(text: str) -> str:
    """A sentence from a service with its ISO dates (2026-05-10) written as the pages write
    dates (5/10/2026); anything that is not a real date is left as it is."""

    def day(found: re.Match[str]) -> str:
        try:
            return date_text(date.fromisoformat(found.group(0)))
        except ValueError:
            return found.group(0)

    return _ISO_DAY.sub(day, text)


def money_text(money: Any) -> str:
    """A Money in its own currency ('$1,200.50', '1.200,50 €')."""
    if money is None:
        return ""
    return str(money.format(babel_locale()))


def base_text(amount: Decimal | None, currency: str) -> str:
    """A computed amount in the base currency, rounded once, here, for display."""
    if amount is None:
        return "—"
    from stackadmin.domain.money import Money

    return money_text(Money.rounded(amount, currency))


def base_amount(amount: Decimal | None, currency: str) -> Decimal | None:
    """A computed amount rounded once to the currency's precision, as a number (what an
    exported cell holds: 1200.50, never '$1,200.50')."""
    if amount is None:
        return None
    from stackadmin.domain.money import Money

    return Money.rounded(amount, currency).amount


def int_text(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def days_text(days: int | None) -> str:
    if days is None:
        return ""
    if days < 0:
        return f"{-days} d ago"
    return "today" if days == 0 else f"{days} d"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 term', '2 terms', '1,200 seats'; `words` for an irregular plural ('1 person',
    '3 people')."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
