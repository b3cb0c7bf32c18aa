"""Dates as people read them: the locale's short format with a four-digit year, ISO 8601
where no locale is chosen."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from stackadmin.ui import fmt


@pytest.fixture
def locale_reset(qapp: Any) -> Iterator[None]:
    fmt.locale_changed()  # the per-thread locale and format are read again
    yield
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    fmt.locale_changed()


@pytest.mark.usefixtures("locale_reset")
@pytest.mark.parametrize(("locale", "shown"), [
    (QLocale.c(), "2026-11-25"),  # LANG=C: Qt's own format would be "25 11 2026"
    (QLocale(QLocale.Language.English, QLocale.Country.UnitedStates), "11/25/2026"),
    (QLocale(QLocale.Language.German, QLocale.Country.Germany), "25.11.2026"),
])
def test_dates_read_back_in_the_format_they_are_shown(locale: QLocale, shown: str) -> None:
    QLocale.setDefault(locale)
    fmt.locale_changed()
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


def test_a_new_default_locale_is_read_again_by_every_thread() -> None:
    """A thread that formatted a date before the default locale was set (a worker, or the
    GUI thread under LANG=C) does not keep the old format once `locale_changed` is said."""
    import threading

    day = date(2027, 1, 1)
    us = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    seen: list[str] = []
    go_on = threading.Event()

    def worker() -> None:
        seen.append(fmt.date_text(day))
        go_on.wait(10)
        seen.append(fmt.date_text(day))

    try:
        QLocale.setDefault(QLocale.c())
        fmt.locale_changed()
        assert fmt.date_text(day) == "2027-01-01"  # no locale chosen: ISO
        thread = threading.Thread(target=worker)
        thread.start()
        while not seen:
            time.sleep(0.01)
        QLocale.setDefault(us)
        fmt.locale_changed()
        go_on.set()
        thread.join(10)
        assert fmt.date_text(day) == "1/1/2027"
        assert seen == ["2027-01-01", "1/1/2027"]
    finally:
        QLocale.setDefault(us)
        fmt.locale_changed()


@pytest.fixture
def tokyo_clock() -> Iterator[None]:
    """The machine's clock in Tokyo (UTC+9): 20:00 UTC is already the next day there."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("locale_reset", "tokyo_clock")
def test_a_moment_shows_the_local_date_beside_the_local_time() -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from stackadmin.services.sync.integrations import IntegrationRow
    from stackadmin.ui.pages.request import _history_columns
    from stackadmin.ui.pages.tool.integration import describe

    QLocale.setDefault(QLocale.c())
    fmt.locale_changed()
    at = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 1 December, 05:00 in Tokyo
    synced = IntegrationRow(1, "GitHub", "github", "GitHub", True, False, at, "ok", None)
    assert "2026-12-01 05:00" in describe(synced)  # not "2026-11-30 05:00"
    when = _history_columns()[0]
    assert when.text(SimpleNamespace(at=at)) == "2026-12-01 05:00"  # not "2026-11-30 20:00"
