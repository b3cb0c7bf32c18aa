"""First run on an empty database: load the demo inventory, import a spreadsheet, or start empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.fmt import plural

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


def _load_small_demo(ctx: ServiceContext, job: Job) -> Any:
    from stackadmin.services.demo import load_demo

    return load_demo(ctx, "small", progress=job.progress)


def load_demo_into(env: Env, widget: QWidget, done: Callable[[], None] | None = None) -> None:
    """Loads the small demo on a worker (`widget` is disabled meanwhile); every page then
    reloads. The demo goes only into an empty database: otherwise the reason is shown."""
    widget.setEnabled(False)

    def loaded(summary: Any) -> None:
        widget.setEnabled(True)
        env.message.emit(
            f"Loaded the demo: {plural(summary.people, 'person', 'people')}, "
            f"{plural(summary.tools, 'tool')}, {plural(summary.terms, 'term')}, "
            f"{plural(summary.accounts, 'account')}.")
        env.changed("*")
        if done is not None:
            done()

    def failed(exc: BaseException) -> None:
        from stackadmin.ui.errors import describe_error

        widget.setEnabled(True)
        env.error.emit(describe_error(exc))

    env.run(_load_small_demo, loaded, failed, title="loading the demo inventory")


class FirstRunPanel(QWidget):
    """Shown in place of the pages until the user chooses. The import choice calls
    `env.import_hook`, offered once the import wizard is installed (`import_available`)."""

    finished = Signal()

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        title = QLabel("<h2>Welcome to stackadmin</h2>", self)
        text = QLabel(
            "This database is empty. Start with the demo inventory to look around, bring in "
            "the spreadsheet you keep your tools in, or start with an empty inventory.", self)
        text.setWordWrap(True)
        self.demo = QCommandLinkButton("Load the demo inventory",
                                       "About 40 people, 25 tools with terms and seats.", self)
        self.demo.setIcon(icons.icon("demo"))
        self.importer = QCommandLinkButton("Import a spreadsheet…", self)  # described below
        self.importer.setIcon(icons.icon("import"))
        self._offer_import()
        env.import_available.connect(self._offer_import)  # the wizard comes after the start
        self.empty = QCommandLinkButton("Start empty", "Add tools and people yourself.", self)
        self.empty.setIcon(icons.icon("empty"))
        for button in (self.demo, self.importer, self.empty):
            button.setIconSize(QSize(24, 24))
            button.setMinimumHeight(60)  # the description line is clipped otherwise
        self.demo.clicked.connect(self._load_demo)
        self.importer.clicked.connect(self._import)
        self.empty.clicked.connect(self.finished.emit)

        box = QWidget(self)
        box.setFixedWidth(580)  # wrapped text needs a width to compute its height
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addSpacing(12)
        inner.addWidget(self.demo)
        inner.addWidget(self.importer)
        inner.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def _offer_import(self) -> None:
        available = self.env.import_hook is not None
        self.importer.setEnabled(available)
        self.importer.setDescription(
            "Tools, terms, people and seats from CSV files." if available
            else "The import wizard is not available in this version.")

    def _load_demo(self) -> None:
        load_demo_into(self.env, self, self.finished.emit)

    def _import(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()
            self.finished.emit()
