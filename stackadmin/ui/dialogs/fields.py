"""Inputs the form dialogs share: a date typed or picked from a calendar, and the ISO 4217
currencies to choose from."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from stackadmin.ui import icons
from stackadmin.ui.fmt import date_format, date_text, parse_date_text


class DateField(QWidget):
    """A date typed in the locale's format (or ISO) or picked from a calendar. Empty means
    no date; anything else typed goes to the service as is, which says what it expected.
    The placeholder is the one format hint."""

    def __init__(self, value: date | str | None, placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit(self)
        self.line.setPlaceholderText(placeholder or date_format().lower())
        self.button = QToolButton(self)
        self.button.setIcon(icons.icon("renewals"))
        self.button.setToolTip("Pick the date from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar = QCalendarWidget(self)
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)
        menu = QMenu(self.button)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._open_at_value)
        self.menu = menu
        self.button.setMenu(menu)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.line, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.line)
        self.set_value(value)

    def text(self) -> str:
        return self.line.text()

    def setText(self, text: str) -> None:  # QLineEdit's name: callers treat it as one
        self.line.setText(text)

    def set_value(self, value: Any) -> None:
        if isinstance(value, date):
            self.line.setText(date_text(value))
        else:
            self.line.setText("" if value is None else str(value))

    def _open_at_value(self) -> None:
        typed = parse_date_text(self.line.text())
        day = typed if isinstance(typed, date) else date.today()
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))

    def _picked(self, day: QDate) -> None:
        self.line.setText(date_text(date(day.year(), day.month(), day.day())))
        self.menu.close()


@cache
def _iso_currencies() -> tuple[tuple[str, str], ...]:
    """The currencies in use somewhere today (ISO 4217 code, English name), by code."""
    from babel import Locale
    from babel.numbers import get_currency_name, get_territory_currencies

    codes: set[str] = set()
    for territory in Locale("en").territories:
        if territory.isalpha() and len(territory) == 2:
            try:
                codes.update(get_territory_currencies(territory))
            except Exception:  # a territory babel has no currency data for
                continue
    return tuple((c, str(get_currency_name(c, locale="en"))) for c in sorted(codes))


def currency_items(current: str | None = None) -> list[tuple[str, str]]:
    """(code, 'EUR — Euro') for every currency in use, the current value included even
    when it is an old one."""
    items = [(code, f"{code} — {name}") for code, name in _iso_currencies()]
    if current and current not in {c for c, _ in items}:
        items.insert(0, (current, current))
    return items
