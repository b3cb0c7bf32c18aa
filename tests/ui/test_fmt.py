"""Dates as people read them: the locale's short format with a four-digit year, ISO 8601
where no locale is chosen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from stackadmin.ui import fmt


@pytest.fixture
def locale_reset(qapp: Any) -> Iterator[None]:
    fmt._local.__dict__.clear()  # the per-thread locale and format are read again
    yield
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    fmt._local.__dict__.clear()


@pytest.mark.usefixtures("locale_reset")
@pytest.mark.parametrize(("locale", "shown"), [
    (QLocale.c(), "2026-11-25"),  # LANG=C: Qt's own format would be "25 11 2026"
    (QLocale(QLocale.Language.English, QLocale.Country.UnitedStates), "11/25/2026"),
    (QLocale(QLocale.Language.German, QLocale.Country.Germany), "25.11.2026"),
])
def test_dates_read_back_in_the_format_they_are_shown(locale: QLocale, shown: str) -> None:
    QLocale.setDefault(locale)
    fmt._local.__dict__.clear()
    assert fmt.date_text(date(2026, 11, 25)) == shown
    assert fmt.parse_date_text(shown) == date(2026, 11, 25)
    assert fmt.parse_date_text("2026-11-25") == date(2026, 11, 25)  # ISO always works


def test_plural_says_one_term_not_one_terms() -> None:
    from stackadmin.ui.fmt import plural

    assert plural(1, "term") == "1 term"
    assert plural(0, "term") == "0 terms"
    assert plural(1200, "seat") == "1,200 seats"
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"
