"""Light and dark palettes (Fusion): as the user chose in Settings (light, dark), or
following the system colour scheme."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

WARN = "#d93025"  # warnings in text: readable on the light and the dark palette
SCHEME_ENV = "STACKADMIN_COLOR_SCHEME"  # "dark" or "light" overrides the system (screenshots)
SCHEME_SETTING = "appearance/scheme"  # the user's choice, kept in the GUI's settings
SCHEMES = {"system": "As the system", "light": "Light", "dark": "Dark"}
_state = {"choice": "system"}  # what Settings chose for this process

_SIDEBAR_QSS = """
#sidebar { background: palette(alternate-base); outline: 0; padding-top: 8px; }
#sidebar::item { border-radius: 6px; padding: 4px 8px; margin: 0 8px; }
#sidebar::item:selected { background: palette(highlight); color: palette(highlighted-text); }
#sidebarLine { color: palette(mid); }
#count, #placeholder { color: palette(placeholder-text); }
QLabel#placeholder { qproperty-alignment: AlignCenter; }
QLabel#figure { font-size: 16pt; font-weight: 600; }
QLabel#figureTitle { color: palette(placeholder-text); }
QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
QLabel[problem="true"] { color: #c62828; }
"""


def _forced() -> bool | None:
    """Light or dark when the environment (screenshots) or the user's choice says so;
    None: follow the system."""
    forced = os.environ.get(SCHEME_ENV, "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    choice = _state["choice"]
    return choice == "dark" if choice in ("dark", "light") else None


def stored_choice(settings: Any) -> str:
    """The appearance kept in the settings: system, light or dark."""
    value = str(settings.value(SCHEME_SETTING, "system") or "system") if settings else "system"
    return value if value in SCHEMES else "system"


def choose(app: QApplication, choice: str, settings: Any = None) -> None:
    """Applies the user's choice now (light, dark, or as the system says) and keeps it."""
    _state["choice"] = choice if choice in SCHEMES else "system"
    if settings is not None:
        settings.setValue(SCHEME_SETTING, _state["choice"])
    _switch(app)


def _switch(app: QApplication) -> None:
    """Re-applies the palette and redraws the icons in its text colour (after the first
    paint only: the icons module is not imported before it)."""
    apply(app)
    from stackadmin.ui import icons

    icons.refresh()


def _system_says_dark() -> bool | None:
    """The system's colour scheme: True dark, False light, None when it does not say."""
    # The Qt namespace is built on first use (~30 ms): this runs after the first paint.
    from PySide6.QtCore import Qt

    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Unknown:
        return None
    return bool(scheme == Qt.ColorScheme.Dark)


def is_dark() -> bool:
    forced = _forced()
    if forced is not None:
        return forced
    return bool(_system_says_dark())


def _platform_palette_is_dark() -> bool:
    """The platform's own palette has a dark window colour: the start-up guess."""
    colour = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return colour.lightness() < 128


def _dark_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#292a2d", QPalette.ColorRole.AlternateBase: "#2f3034",
        QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#303134",
        QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#3b82f6",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Link: "#8ab4f8", QPalette.ColorRole.Mid: "#3c4043",
        QPalette.ColorRole.Light: "#3c4043", QPalette.ColorRole.Dark: "#151618",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f7378"))
    return p


def _light_palette() -> QPalette:
    p = QApplication.style().standardPalette()
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2563eb"))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#f4f5f7"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#d5d8dc"))
    return p


def apply(app: QApplication, dark: bool | None = None) -> None:
    """Fusion with our palettes (dark when `dark`, else as the system says)."""
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if (is_dark() if dark is None else dark)
                   else _light_palette())
    app.setStyleSheet(_SIDEBAR_QSS)


def follow_system(app: QApplication, settings: Any = None) -> bool:
    """Before the first paint: the user's choice, else the look the platform's palette
    suggests (asking the colour scheme builds the Qt namespace, ~30 ms, a seventh of a bare
    window's start). Returns the guess for `confirm_system`."""
    _state["choice"] = stored_choice(settings)
    forced = _forced()
    guess = forced if forced is not None else _platform_palette_is_dark()
    apply(app, guess)
    return guess


def confirm_system(app: QApplication, guess: bool) -> None:
    """After the first paint: the system's colour scheme decides where it says something
    (re-applied if the guess was wrong), and every later light/dark switch is followed."""
    if _forced() is None:
        said = _system_says_dark()
        if said is not None and said != guess:
            apply(app, said)
    # A light or dark choice stands; "as the system" follows every switch.
    QGuiApplication.styleHints().colorSchemeChanged.connect(
        lambda _scheme: _forced() is None and _switch(app))
