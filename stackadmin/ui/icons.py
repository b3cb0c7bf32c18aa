"""Icons from resources/icons, drawn in the palette's text colour so dark mode gets light ones.

The main window sets its icons after its first paint: neither this module nor QtSvg is
imported before it. Drawn icons are kept per name and colour, so a light/dark switch draws
new ones in the new text colour."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from stackadmin import paths

_SIZES = (16, 20, 24, 32)


def _text_colour() -> str:
    app = QGuiApplication.instance()
    if app is None:
        return "#333333"
    return QGuiApplication.palette().color(QPalette.ColorRole.WindowText).name()


@cache
def _svg(name: str) -> bytes:
    path = paths.resources_dir() / "icons" / f"{name}.svg"
    try:
        return path.read_bytes()
    except OSError:
        return b""


def icon(name: str, colour: str | None = None) -> QIcon:
    """The icon named `name`.svg; `currentColor` strokes take `colour` (default: the text
    colour of the current palette). A missing file gives an empty icon, not an error."""
    return _icon(name, colour or _text_colour())


_named: dict[int, str] = {}  # icon cacheKey -> its name, to redraw it in a new palette


def refresh() -> None:
    """Redraws every icon on screen in the current palette's text colour (after a switch
    between light and dark): actions, buttons and list items whose icon came from here."""
    from PySide6.QtWidgets import QAbstractButton, QApplication, QListWidget

    def fresh(old: QIcon) -> QIcon | None:
        name = _named.get(old.cacheKey())
        return None if name is None else icon(name)

    for widget in QApplication.allWidgets():
        for action in widget.actions():
            if (new := fresh(action.icon())) is not None:
                action.setIcon(new)
        if isinstance(widget, QAbstractButton) and (new := fresh(widget.icon())) is not None:
            widget.setIcon(new)
        if isinstance(widget, QListWidget):
            for n in range(widget.count()):
                item = widget.item(n)
                if (new := fresh(item.icon())) is not None:
                    item.setIcon(new)


@cache
def _icon(name: str, colour: str) -> QIcon:
    data = _svg(name)
    if not data:
        return QIcon()
    from PySide6.QtSvg import QSvgRenderer  # ~40 ms to import: only once icons are drawn

    renderer = QSvgRenderer(QByteArray(data.replace(b"currentColor", colour.encode())))
    result = QIcon()
    for size in _SIZES:
        for ratio in (1, 2):
            pixmap = QPixmap(size * ratio, size * ratio)
            pixmap.fill(QColor(Qt.GlobalColor.transparent))
            painter = QPainter(pixmap)
            renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
            painter.end()
            pixmap.setDevicePixelRatio(ratio)
            result.addPixmap(pixmap)
    _named[result.cacheKey()] = name
    return result
