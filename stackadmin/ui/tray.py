"""The system-tray notification for new renewal reminders, where a tray exists.

Offscreen and under a bare Xvfb `isSystemTrayAvailable()` is False while `supportsMessages()`
is True and `showMessage()` silently does nothing: so the gate is tray
availability, and the caller always has the in-app panel as well. Availability and the icon
are injectable so tests drive both paths without a real tray.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from stackadmin.ui import icons

_OPENING_REASONS = (QSystemTrayIcon.ActivationReason.Trigger,
                    QSystemTrayIcon.ActivationReason.DoubleClick)
MESSAGE_MS = 15_000


def system_tray_available() -> bool:
    return bool(QSystemTrayIcon.isSystemTrayAvailable())


class TrayNotifier(QObject):
    """Shows a tray message for new reminders; a click on it (or on the icon) emits
    `clicked`, which opens the reminder panel. The icon is created on first use only."""

    clicked = Signal()

    def __init__(self, parent: QObject | None = None, *,
                 available: Callable[[], bool] = system_tray_available,
                 factory: Callable[[QObject], QSystemTrayIcon] | None = None) -> None:
        super().__init__(parent)
        self._available = available
        self._factory = factory or self._make_icon
        self.icon: QSystemTrayIcon | None = None
        self.last_message: tuple[str, str] | None = None  # what was sent (the status bar, tests)

    @property
    def available(self) -> bool:
        return bool(self._available())

    def notify(self, title: str, text: str) -> bool:
        """Sends the message; False (nothing sent) where there is no tray."""
        if not self.available:
            return False
        icon = self._ensure_icon()
        icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, MESSAGE_MS)
        self.last_message = (title, text)
        return True

    def close(self) -> None:
        if self.icon is not None:
            self.icon.hide()

    def _ensure_icon(self) -> QSystemTrayIcon:
        if self.icon is None:
            icon = self._factory(self)
            icon.setToolTip("stackadmin: renewal reminders")
            icon.messageClicked.connect(self.clicked)
            icon.activated.connect(self._activated)
            icon.show()
            self.icon = icon
        return self.icon

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in _OPENING_REASONS:
            self.clicked.emit()

    @staticmethod
    def _make_icon(parent: QObject) -> QSystemTrayIcon:
        return QSystemTrayIcon(icons.icon("app"), parent)
