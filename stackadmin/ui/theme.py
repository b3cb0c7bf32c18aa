"""Light and dark palettes (Fusion) that follow the system colour scheme."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from stackadmin.ui import icons

SCHEME_ENV = "STACKADMIN_COLOR_SCHEME"  # "dark" or "light" overrides the system (screenshots)

_SIDEBAR_QSS = """
#sidebar { background: palette(alternate-base); outline: 0; padding-top: 8px; }
#sidebar::item { border-radius: 6px; padding: 4px 8px; margin: 0 8px; }
#sidebar::item:selected { background: palette(highlight); color: palette(highlighted-text); }
#sidebarLine { color: palette(mid); }
#count, #placeholder { color: palette(placeholder-text); }
QLabel#figure { font-size: 16pt; font-weight: 600; }
QLabel#figureTitle { color: palette(placeholder-text); }
QFrame#card { background: palette(base); border: 1px solid palette(mid); border-radius: 8px; }
QLabel[problem="true"] { color: #c62828; }
"""


def is_dark() -> bool:
    forced = os.environ.get(SCHEME_ENV, "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    hints = QGuiApplication.styleHints()
    return bool(hints.colorScheme() == Qt.ColorScheme.Dark)


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


def apply(app: QApplication) -> None:
    """Fusion with our palettes, re-applied whenever the system switches light/dark."""
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if is_dark() else _light_palette())
    app.setStyleSheet(_SIDEBAR_QSS)
    icons.clear_cache()


def follow_system(app: QApplication) -> None:
    apply(app)
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: apply(app))
