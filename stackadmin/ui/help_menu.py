"""The Help menu: keyboard shortcuts, the data and log folders (opened in the file manager),
and About with the versions of stackadmin and what it runs on.

`install_help(window, env)` adds it after the window's first paint (nothing here is imported
before it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from stackadmin import __version__, paths
from stackadmin.ui.pages import PAGES

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

LOG_FOLDER = "logs"
# (keys, what they do) beside the pages' Ctrl+1…9
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+F", "Search the table of the page"),
    ("↓ in the search box", "Go to the table's first row"),
    ("Enter or double-click", "Open the selected row (a tool's page, a person's page…)"),
    ("Ctrl+C", "Copy the selected rows (they paste into a spreadsheet)"),
    ("Ctrl+N", "Add on the page shown: a tool, a term, a person, an account, a connection, "
               "a request, an onboarding bundle"),
    ("Del", "Delete the selected row, after asking"),
    ("Ctrl+T", "Edit a tool's capability tags (Consolidation)"),
    ("Esc in the search box", "Clear the search"),
    ("Ctrl+Z", "Undo the last batch of seat changes (reclaim, exempt, mark done)"),
    ("Ctrl+Shift+R", "New request (what a teammate needs), from any page"),
    ("Ctrl+I", "Import a spreadsheet"),
    ("F1", "These keyboard shortcuts"),
    ("Ctrl+Q", "Quit"),
)

def page_shortcuts() -> list[tuple[str, str]]:
    """Ctrl+1… and the pages they open, in sidebar order."""
    shown = [p for p in PAGES if not p.hidden][:9]
    return [(f"Ctrl+{n + 1}", p.title) for n, p in enumerate(shown)]


def log_folder() -> Path:
    return paths.data_dir() / LOG_FOLDER


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(keys, f"Open {title}") for keys, title in page_shortcuts()] + list(SHORTCUTS)
        native = QKeySequence.SequenceFormat.NativeText
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        for n, (keys, what) in enumerate(rows):
            shown = QKeySequence(keys).toString(native) if keys.startswith(("Ctrl", "F1")) \
                else keys
            self.table.setItem(n, 0, QTableWidgetItem(shown or keys))
            self.table.setItem(n, 1, QTableWidgetItem(what))
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 170)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(560, 520)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(n, 0).text(), self.table.item(n, 1).text())
                for n in range(self.table.rowCount())]


def versions() -> list[tuple[str, str]]:
    """What stackadmin runs on, for About and for a bug report."""
    from importlib import metadata

    import PySide6
    from PySide6.QtCore import qVersion

    def version_of(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [("stackadmin", __version__),
            ("Python", sys.version.split()[0]),
            ("Qt", qVersion()),
            ("PySide6", PySide6.__version__),
            ("SQLAlchemy", version_of("SQLAlchemy")),
            ("Alembic", version_of("alembic"))]


class AboutDialog(QDialog):
    """The versions, the database and its schema revision, the data and log folders."""

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About stackadmin")
        self.env = env
        intro = QLabel("<h3>stackadmin</h3>The SaaS tools a company pays for: seats, costs, "
                       "renewals and their cancel-by dates.", self)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        rows = [
            *versions(),
            ("Database", env.ctx.target.describe() if env.ready else "not open"),
            ("Schema revision", "…"),
            ("Data folder", str(paths.data_dir())),
            ("Log folder", str(log_folder())),
        ]
        for name, value in rows:
            label = QLabel(value, self)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            form.addRow(name, label)
            self.values[name] = label
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        if env.ready:
            self.job = env.run(_revision, self._revision, lambda _exc: self._revision(None))

    def _revision(self, revision: str | None) -> None:
        self.values["Schema revision"].setText(revision or "unknown")


def _revision(ctx: ServiceContext, _job: Job) -> str | None:
    from stackadmin.services.context import schema_revision

    return schema_revision(ctx)


class HelpMenu(QMenu):
    """`open_url` opens a folder in the file manager (tests look instead)."""

    def __init__(self, window: QMainWindow, env: Env) -> None:
        super().__init__("&Help", window.menuBar())
        self.setObjectName("helpMenu")
        self.window_, self.env = window, env
        self.open_url = QDesktopServices.openUrl
        self.dialog: QDialog | None = None
        self.shortcuts_action = self._add("&Keyboard shortcuts", self.show_shortcuts,
                                          QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.addSeparator()
        self._add("Open the &data folder", lambda: self.open_folder(paths.data_dir()))
        self._add("Open the &log folder", lambda: self.open_folder(log_folder()))
        self.addSeparator()
        self._add("&About stackadmin", self.show_about)
        window.menuBar().addMenu(self)
        window.addAction(self.shortcuts_action)  # F1 works with the menu closed

    def _add(self, text: str, slot: Any, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _c=False: slot())
        self.addAction(action)
        return action

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.window_)
        self.dialog = dialog
        dialog.open()
        return dialog

    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self.env, self.window_)
        self.dialog = dialog
        dialog.open()
        return dialog

    def open_folder(self, folder: Path) -> bool:
        """Opens the folder in the system's file manager (made first if it is not there)."""
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.env.error.emit(f"{folder} cannot be created: {exc.strerror or exc}")
            return False
        if not self.open_url(QUrl.fromLocalFile(str(folder))):
            self.env.error.emit(f"No file manager could open {folder}.")
            return False
        return True


def install_help(window: QMainWindow, env: Env) -> HelpMenu:
    return HelpMenu(window, env)
