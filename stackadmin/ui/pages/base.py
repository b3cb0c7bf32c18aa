"""The page base classes: `Page` (any widget in the main window) and `TablePage` (search,
count, sortable table, actions) that most inventory pages are."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QMenu, QVBoxLayout, QWidget

from stackadmin.ui import icons
from stackadmin.ui.columns import longest_texts
from stackadmin.ui.filtertable import FilteredTable
from stackadmin.ui.tablemodel import Column, RowTableModel, search_text, sort_keys

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


# What a table page shows: its rows, their search text and sort keys by column, and
# optionally the widest text of each numeric column (built on a worker: TablePage.prepare).
Shown = tuple[Any, ...]


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
    """A searchable, sortable table of plain rows with actions above it (a FilteredTable:
    choice filters, a right-click menu, saved views, Export this view…, column widths kept).

    Subclasses give `columns` and `fetch(ctx, job) -> list[row]` (a static method: it runs on
    a worker), and add actions with `add_action(...)` and filters with
    `self.table.add_choice(...)`. Double-click or Enter runs the `activate(row)` method
    (default: nothing); `row_actions(rows)` gives the right-click menu's own actions.
    """

    columns: ClassVar[Sequence[Column[Any]]] = ()
    search_hint: ClassVar[str] = "Search (several words narrow)"
    default_sort: ClassVar[tuple[int, Qt.SortOrder]] = (0, Qt.SortOrder.AscendingOrder)
    noun: ClassVar[tuple[str, str]] = ("row", "rows")
    multi_select: ClassVar[bool] = False
    # (heading, sentence) shown in place of the table while it has no row at all: what
    # the page is for and how rows come (a page with buttons there sets its own).
    empty_state: ClassVar[tuple[str, str] | None] = None

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.table = FilteredTable(self.columns, self, env=env,
                                   state_key=lambda: self.setting_key("").rstrip("/"),
                                   search_hint=self.search_hint, noun=self.noun,
                                   multi=self.multi_select)
        self.model: RowTableModel[Any] = self.table.model
        self.view = self.table.view
        self.toolbar = self.table.toolbar
        self.search = self.table.search
        self.count = self.table.count
        self.extra_layout = self.table.extra_layout  # a filter bar or a note, above the table
        self.bottom_layout = self.table.bottom  # a figure after the count (a total...)
        self.view.sortByColumn(*self.default_sort)
        self._target: object = None  # a show_target waiting for the rows
        self._shown_once = False
        self.table.activated.connect(self.activate)
        self.table.row_menu = self.row_actions
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.table)
        if self.empty_state is not None:
            from stackadmin.ui.empty import EmptyState

            self.table.set_empty_state(EmptyState(*self.empty_state, [], self))

    # -- for subclasses ----------------------------------------------------------------
    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        """Runs on a worker: return the rows (plain dataclasses or tuples)."""
        return []

    def activate(self, row: Any) -> None:
        """Enter or double-click on a row."""

    def show_target(self, target: object) -> None:
        """Another page navigates here with a target: applied once the rows are shown."""
        self._target = target
        if self._shown_once:
            self._apply_target()

    def apply_target(self, target: object) -> None:
        """Selects or filters what `target` names ({"search": text}, filters...)."""
        if isinstance(target, dict) and "search" in target:
            self.search.setText(str(target["search"]))

    def _apply_target(self) -> None:
        target, self._target = self._target, None
        if target is not None:
            self.apply_target(target)

    def row_actions(self, rows: list[Any]) -> list[QAction | None]:
        """The right-click menu's own actions for the selected rows (None: a separator);
        Copy and Export this view… follow them."""
        return []

    def menu_action(self, text: str, slot: Callable[[], Any], *, enabled: bool = True,
                    icon: str = "") -> QAction:
        """An action for `row_actions` (parented to the menu that shows it)."""
        action = QAction(icons.icon(icon) if icon else QIcon(), text, self)
        action.setEnabled(enabled)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def add_action(self, text: str, icon: str, slot: Any, *, needs_row: bool = False,
                   shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None
                   ) -> QAction:
        action = QAction(icons.icon(icon), text, self)
        action.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
            native = QKeySequence.SequenceFormat.NativeText
            action.setToolTip(f"{text} ({action.shortcut().toString(native)})")
        self.toolbar.addAction(action)
        if needs_row:
            action.setEnabled(False)
            self.table.selection_changed.connect(
                lambda: action.setEnabled(self.current_row() is not None))
        return action

    def current_row(self) -> Any:
        indexes = self.view.selectionModel().selectedRows()
        if not indexes:
            return None
        return self.model.row_at(min(i.row() for i in indexes))

    def selected_rows(self) -> list[Any]:
        """Every selected row, in the table's order (pages that allow several)."""
        return self.table.selected_rows()

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
        the column sorted by, widest numbers), built there rather than on the GUI thread
        (100k rows: ~0.3 s)."""
        columns = self.columns
        sorted_by = self.model.sort_column

        def build(rows: list[Any]) -> Shown:
            keys = {sorted_by: sort_keys(columns[sorted_by], rows)} if sorted_by >= 0 else {}
            return rows, search_text(columns, rows), keys, longest_texts(columns, rows)

        return build

    def _show_rows(self, result: Shown) -> None:
        rows, haystack, keys, *more = result
        selected = self.current_row()
        self.table.set_rows(rows, haystack, keys, more[0] if more else None)
        if selected is not None and hasattr(selected, "id"):
            self.select_where(lambda r: getattr(r, "id", None) == selected.id)
        self._shown_once = True
        self._apply_target()
        self.loaded.emit()

    # -- columns -----------------------------------------------------------------------
    def column_menu(self) -> QMenu:
        """Every column with a check box (shown or hidden, kept with the widths), then
        "Fit columns to the window"."""
        return self.table.menus.column_menu()

    def show_column(self, n: int, shown: bool) -> None:
        self.table.menus.show_column(n, shown)

    # -- state -------------------------------------------------------------------------
    def save_state(self) -> None:
        self.table.save_state()


def later(slot: Any) -> None:
    """Runs `slot` once the event loop is back (after the current signal's handlers)."""
    QTimer.singleShot(0, slot)
