"""One section of a tool's page: a titled card that loads its own data on a worker.

A section is a widget with a `fetch(ctx, tool_id)` (runs on a worker, returns plain data) and
a `show_data(data)` (fills the widget). The page creates one of each class in `SECTIONS`,
stacks them, and asks each to load whenever the tool or the data it shows changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.pages.tool.page import ToolPage
    from stackadmin.ui.tasks import Job


class ToolSection(QFrame):
    """Subclasses set `key` (unique, for jobs and settings), `title`, `reload_on` (the
    `env.changed` entities it shows), and implement `fetch` and `show_data`. `self.body` is
    their layout; `add_button` puts an action in the title bar."""

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    reload_on: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, page: ToolPage) -> None:
        super().__init__(page)
        self.page = page
        self.env: Env = page.env
        self.tool_id: int | None = None
        self.data: Any = None
        self._sizers: dict[int, tuple[ColumnSizer, list[bool]]] = {}
        self.setObjectName("card")
        self.heading = QLabel(f"<b>{self.title}</b>", self)
        self.summary = QLabel(self)
        self.summary.setObjectName("count")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(2)
        bar = QHBoxLayout()
        bar.addWidget(self.heading)
        bar.addSpacing(8)
        bar.addWidget(self.summary, 1)
        bar.addLayout(self.buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 10)
        outer.setSpacing(6)
        outer.addLayout(bar)
        self.body = QVBoxLayout()
        self.body.setSpacing(4)
        outer.addLayout(self.body)

    # -- for subclasses ----------------------------------------------------------------
    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> Any:
        """Runs on a worker: the section's data for the tool (plain rows)."""
        raise NotImplementedError

    def show_data(self, data: Any) -> None:
        """Fills the section with what `fetch` returned (on the GUI thread)."""
        raise NotImplementedError

    def add_button(self, text: str, slot: Callable[[], Any] | None = None, *, icon: str = "",
                   tip: str = "", menu: QMenu | None = None) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip or text)
        button.setAutoRaise(True)
        if icon:
            button.setIcon(icons.icon(icon))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        if menu is not None:
            button.setMenu(menu)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        if slot is not None:
            button.clicked.connect(lambda _checked=False: slot())
        self.buttons.addWidget(button)
        return button

    def table(self, columns: Sequence[Column[Any]], *, multi: bool = False
              ) -> tuple[RowTableModel[Any], QTableView]:
        """A compact table for the section's rows (its widths kept per section), sized by
        `show_rows` to its rows: the page scrolls, not each table."""
        model: RowTableModel[Any] = RowTableModel(columns, self)
        view = make_view(model, self, multi=multi)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # The columns are fitted to the width (columns.ColumnSizer): no sideways scrolling.
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        name = self.key if not self._sizers else f"{self.key}-{len(self._sizers)}"
        self._sizers[id(view)] = (ColumnSizer(view, self.env.settings, f"pages/tool/{name}"),
                                  [False])
        self.body.addWidget(view)
        return model, view

    def show_rows(self, model: RowTableModel[Any], view: QTableView, rows: list[Any], *,
                  most: int = 8) -> None:
        model.set_rows(rows)
        sizer, restored = self._sizers[id(view)]
        if not restored[0]:
            restored[0] = True
            sizer.restore()
        sizer.measure(longest_texts(model.columns, rows))
        shown = max(1, min(len(rows), most))
        header = max(view.horizontalHeader().height(),
                     view.horizontalHeader().sizeHint().height())
        view.setFixedHeight(header + shown * view.verticalHeader().defaultSectionSize()
                            + 2 * view.frameWidth() + 2)
        view.setVisible(bool(rows))

    def note(self, text: str = "") -> QLabel:
        """A line of text in the section (what to do when it is empty...)."""
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setObjectName("count")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        label.setOpenExternalLinks(False)
        self.body.addWidget(label)
        return label

    # -- loading -------------------------------------------------------------------------
    def load(self, tool_id: int) -> Job:
        self.tool_id = tool_id
        fetch = self.fetch

        def work(ctx: ServiceContext, job: Job) -> Any:
            return fetch(ctx, tool_id)

        def done(data: Any) -> None:
            if self.tool_id == tool_id:
                self.data = data
                self.show_data(data)
                self.page.section_loaded(self)

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.errors import describe_error

            self.summary.setText(describe_error(exc))
            self.page.section_loaded(self)

        return self.env.run(work, done, failed, key=f"load:tool:{self.key}")


def selected(model: RowTableModel[Any], view: QTableView) -> list[Any]:
    return [model.row_at(i.row()) for i in sorted(view.selectionModel().selectedRows(),
                                                    key=lambda i: i.row())]


def enable_with_selection(view: QTableView, model: RowTableModel[Any],
                          *buttons: QWidget) -> None:
    """The buttons are enabled while a row is selected."""
    def update() -> None:
        on = view.selectionModel().hasSelection()
        for button in buttons:
            button.setEnabled(on)

    view.selectionModel().selectionChanged.connect(lambda *_: update())
    model.modelReset.connect(update)
    update()
