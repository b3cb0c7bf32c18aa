"""Undo for the last undoable action (reclaiming or exempting seats, an offboarding
outcome): Edit → Undo (Ctrl+Z) and an "Undo …" button in the status bar.

A page offers the undo with `env.offer_undo(Undoable(...))` once its action is stored; the
window's `UndoControl` keeps the last one offered. Undoing runs on a worker like any
write, is audited by the service that undoes, and is offered once: a second undo needs a
new action. A service refuses an undo when the data changed since; that is said in the
error banner and the undo is dropped.

Imports only Qt at module level: the main window builds the menu before its first paint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QPushButton

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


@dataclass(frozen=True)
class Undoable:
    """What the last action can be undone by. `text` names the action ("reclaiming 3
    seats"): the menu says "Undo reclaiming 3 seats". `work(ctx, job)` undoes it on a
    worker; `changed` are the entity kinds to announce afterwards."""

    text: str
    work: Callable[[ServiceContext, Job], Any]
    changed: tuple[str, ...] = ("account",)


class UndoControl(QObject):
    """The Edit menu's Undo action and the status bar's button, for the last action."""

    def __init__(self, window: QMainWindow, env: Env, menu: QMenu) -> None:
        super().__init__(window)
        self.setObjectName("undoControl")
        self.env = env
        self.last: Undoable | None = None
        self.action = QAction("&Undo", self)
        self.action.setObjectName("undoAction")
        # Ctrl+Z comes with `add_shortcut`, after the window's first paint: the first
        # shortcut set in the process costs ~16 ms of PySide6's setting up.
        self.action.setEnabled(False)
        self.action.triggered.connect(lambda _checked=False: self.undo())
        menu.addAction(self.action)
        window.addAction(self.action)  # the shortcut works with the menu closed
        self.button = QPushButton("Undo", window)
        self.button.setObjectName("undoButton")
        self.button.setFlat(True)
        self.button.setStyleSheet("QPushButton#undoButton { color: palette(link); "
                                  "text-decoration: underline; padding: 0 6px; }")
        self.button.setToolTip("Undo the last action (Edit → Undo, Ctrl+Z)")
        self.button.clicked.connect(lambda _checked=False: self.undo())
        self.button.hide()
        window.statusBar().addPermanentWidget(self.button)
        env.undo_offered.connect(self.offer)

    def add_shortcut(self) -> None:
        """Ctrl+Z (the window calls this once it is painted)."""
        self.action.setShortcut(QKeySequence("Ctrl+Z"))

    def offer(self, undoable: Undoable) -> None:
        self.last = undoable
        self.action.setText(f"&Undo {undoable.text}")
        self.action.setEnabled(True)
        self.button.setText(f"↶ Undo {undoable.text}")
        self.button.show()

    def clear(self) -> None:
        self.last = None
        self.action.setText("&Undo")
        self.action.setEnabled(False)
        self.button.hide()

    def undo(self) -> Job | None:
        """Undoes the last action on a worker; returns the job (None: nothing to undo)."""
        undoable = self.last
        if undoable is None or not self.env.ready:
            return None
        self.clear()  # once: a second click must not undo twice

        def done(_result: Any) -> None:
            self.env.message.emit(f"Undone: {undoable.text}.")
            for entity in (*undoable.changed, "audit"):
                self.env.changed(entity)

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.errors import describe_error

            self.env.error.emit(describe_error(exc))
            for entity in undoable.changed:  # show what is true now
                self.env.changed(entity)

        return self.env.run(undoable.work, done, failed, title=f"undoing {undoable.text}")
