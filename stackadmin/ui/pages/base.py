"""The page base classes: `Page` (any widget in the main window) and `TablePage` (search,
count, sortable table, actions) that most inventory pages are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.tablemodel import Column, RowTableModel, search_text, sort_keys

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


# What a table page shows: its rows, their search text and sort keys by column (built on a
# worker: see TablePage.prepare).
Shown = tuple[list[Any], list[str], dict[int, list[Any]]]


class Page(QWidget):
    """A page of the main window. Subclasses set `title` and `icon` (a name in
    resources/icons), build their widgets in `__init__(env, parent)`, fetch data in `load()`
    through `env.run(...)` and emit `loaded` once the data is shown.

    `reload_on`: entity kinds of `env.data_changed` that make the page reload ("*" always
    does). A hidden page reloads when it is next shown, not at once.
    """

    title: ClassVar[str] = ""
    icon: ClassVar[str] = ""
    reload_on: ClassVar[frozenset[str]] = frozenset()

    loaded = Signal()  # the page shows its data (first load and each reload)
    # The first screen of the page's data is shown: with `loaded`, unless the page shows a
    # first screenful before the rest has arrived (`show_first_rows`). What "page ready"
    # means in the benchmarks.
    first_rows = Signal()

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.key = ""  # set by the main window from the registry
        self._stale = True
        self._first_pending = True
        self.loaded.connect(self.show_first_rows)
        env.data_changed.connect(self._on_data_changed)

    def load(self) -> None:
        """Starts (re)loading the data; emit `loaded` when shown. Default: nothing to load."""
        self.loaded.emit()

    def show_first_look(self, data: Any) -> None:
        """Shows the data its registry entry's `first_look` read at start-up, before the
        database is open; `load()` then finishes the page once it is (pages that declare a
        `first_look` override both)."""
        raise NotImplementedError(type(self).__name__)

    def show_target(self, target: object) -> None:
        """Called when another page navigates here with a target (a row to select...)."""

    def save_state(self) -> None:
        """Keeps view state (column widths...) in `env.settings` under `pages/<key>/`."""

    def ensure_loaded(self) -> None:
        if self._stale:
            self._stale = False
            self._first_pending = True
            self.load()

    def show_first_rows(self) -> None:
        """Says that the first screen of data is on screen (once per load)."""
        if self._first_pending:
            self._first_pending = False
            self.first_rows.emit()

    def _on_data_changed(self, entity: str) -> None:
        if entity == "*" or entity in self.reload_on:
            self._stale = True
            if self.isVisible():
                self.ensure_loaded()

    def setting_key(self, name: str) -> str:
        return f"pages/{self.key or type(self).__name__}/{name}"


class TablePage(Page):
    """A searchable, sortable table of plain rows with actions above it.

    Subclasses give `columns` and `fetch(ctx, job) -> list[row]` (a static method: it runs on
    a worker), and add actions with `add_action(...)`. Double-click or Enter runs the
    `activate(row)` method (default: nothing).
    """

    columns: ClassVar[Sequence[Column[Any]]] = ()
    search_hint: ClassVar[str] = "Search (several words narrow)"
    default_sort: ClassVar[tuple[int, Qt.SortOrder]] = (0, Qt.SortOrder.AscendingOrder)

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.model: RowTableModel[Any] = RowTableModel(self.columns, self)
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(280)
        self.count = QLabel(self)
        self.count.setObjectName("count")
        self.count.setMinimumWidth(260)  # room for "99,999 of 100,000 rows shown"
        self.view = make_view(self.model, self)
        header = self.view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.view.sortByColumn(*self.default_sort)
        self.view.doubleClicked.connect(self._activated)
        self.view.installEventFilter(self)
        self.search.textChanged.connect(self.model.set_filter)
        self.search.installEventFilter(self)
        self.model.counts_changed.connect(self._show_count)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.toolbar, 1)
        top.addWidget(self.search)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(top)
        self.extra_layout = QVBoxLayout()  # subclasses may put a filter bar or a note here
        layout.addLayout(self.extra_layout)
        layout.addWidget(self.view, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count)
        bottom.addStretch(1)
        layout.addLayout(bottom)
        self.bottom_layout = bottom  # subclasses may add a figure after the count
        self._header_restored = False
        self._show_count(0, 0)

    # -- for subclasses ----------------------------------------------------------------
    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        """Runs on a worker: return the rows (plain dataclasses or tuples)."""
        return []

    def activate(self, row: Any) -> None:
        """Enter or double-click on a row."""

    def add_action(self, text: str, icon: str, slot: Any, *, needs_row: bool = False,
                   shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
                   ) -> QAction:
        action = QAction(icons.icon(icon), text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.toolbar.addAction(action)
        if needs_row:
            action.setEnabled(False)
            self.view.selectionModel().selectionChanged.connect(
                lambda *_: action.setEnabled(self.current_row() is not None))
            self.model.modelReset.connect(
                lambda: action.setEnabled(self.current_row() is not None))
            self.model.layoutChanged.connect(
                lambda: action.setEnabled(self.current_row() is not None))
        return action

    def current_row(self) -> Any:
        indexes = self.view.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.row_at(indexes[0].row())

    def selected_rows(self) -> list[Any]:
        """Every selected row, in the table's order (pages that allow several)."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.row_at(n) for n in rows]

    def select_where(self, predicate: Any) -> bool:
        n = self.model.row_of(predicate)
        if n < 0:
            return False
        self.view.selectRow(n)
        self.view.scrollTo(self.model.index(n, 0))
        return True

    # -- loading -----------------------------------------------------------------------
    def load(self) -> None:
        fetch = self.fetch
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> Shown:
            rows = fetch(ctx, job)
            job.check()
            return prepare(rows)

        self.env.run(work, self._show_rows, title=f"loading {self.title}",
                     key=f"load:{self.key}")

    def prepare(self) -> Callable[[list[Any]], Shown]:
        """For a worker: what the table needs besides the rows (search text, sort keys of
        the column sorted by), built there rather than on the GUI thread (100k rows: ~0.3 s)."""
        columns = self.columns
        sorted_by = self.model.sort_column

        def build(rows: list[Any]) -> Shown:
            keys = {sorted_by: sort_keys(columns[sorted_by], rows)} if sorted_by >= 0 else {}
            return rows, search_text(columns, rows), keys

        return build

    def _show_rows(self, result: Shown) -> None:
        rows, haystack, keys = result
        selected = self.current_row()
        self.model.set_rows(rows, haystack, keys)
        if selected is not None and hasattr(selected, "id"):
            self.select_where(lambda r: getattr(r, "id", None) == selected.id)
        self.loaded.emit()

    # -- columns -----------------------------------------------------------------------
    def column_menu(self) -> QMenu:
        """Every column with a check box: shown or hidden (kept with the header's state).
        The last shown column cannot be hidden."""
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        shown = [n for n in range(len(self.columns)) if not header.isSectionHidden(n)]
        for n, column in enumerate(self.columns):
            action = menu.addAction(column.title)
            action.setCheckable(True)
            action.setChecked(n in shown)
            action.setEnabled(shown != [n])
            action.toggled.connect(lambda on, n=n: self.show_column(n, on))
        return menu

    def show_column(self, n: int, shown: bool) -> None:
        header = self.view.horizontalHeader()
        header.setSectionHidden(n, not shown)
        if shown and header.sectionSize(n) < 30:
            header.resizeSection(n, self.columns[n].width or 100)

    def _column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.horizontalHeader().mapToGlobal(pos))

    # -- state -------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        if not self._header_restored:
            self._header_restored = True
            state = self.env.settings.value(self.setting_key("header"))
            if isinstance(state, QByteArray | bytes) and state:
                self.view.horizontalHeader().restoreState(QByteArray(state))
        super().showEvent(event)

    def save_state(self) -> None:
        self.env.settings.setValue(self.setting_key("header"),
                                   self.view.horizontalHeader().saveState())

    # -- keyboard ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.view and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._activated(self.view.currentIndex())
                return True
            if watched is self.search and key == Qt.Key.Key_Down and self.model.shown:
                self.view.setFocus()
                if not self.view.selectionModel().hasSelection():
                    self.view.selectRow(0)
                return True
            if watched is self.search and key == Qt.Key.Key_Escape:
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activate(self.model.row_at(index.row()))

    def _show_count(self, shown: int, total: int) -> None:
        noun = "row" if total == 1 else "rows"
        if shown == total:
            self.count.setText(f"{total:,} {noun}")
        else:
            self.count.setText(f"{shown:,} of {total:,} {noun} shown")


def later(slot: Any) -> None:
    """Runs `slot` once the event loop is back (after the current signal's handlers)."""
    QTimer.singleShot(0, slot)
