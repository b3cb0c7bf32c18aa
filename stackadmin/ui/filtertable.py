"""A table of plain rows with actions, choice filters (drop-downs) and a search box.

Choice filters pick the rows in Python and reset the model; the search words then narrow
within them (RowTableModel.set_filter). No QSortFilterProxyModel: over a Python model it
calls data() millions of times (docs/platform-notes.md). Each filter's value per row is
worked out once per `set_rows`, so choosing a value among 100,000 rows compares a list.

The table also carries what every big table offers: a right-click menu on rows (the page's
actions, Copy, Export this view…), saved views, and column widths kept per table
(table_menus.py, columns.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.columns import CellDelegate, ColumnSizer, longest_texts
from stackadmin.ui.table_menus import TableMenus
from stackadmin.ui.tablemodel import Column, Haystack, RowTableModel, search_text

if TYPE_CHECKING:
    from stackadmin.ui.env import Env

ALL = None  # the value of the "every value" entry of a choice filter
# Rows a set_rows call measures on the GUI thread for the widths of its numbers (a page
# loading more builds them on its worker: TablePage.prepare).
_MEASURE_LIMIT = 20_000


def make_view(model: RowTableModel[Any], parent: QWidget, *,
              multi: bool = False) -> QTableView:
    """A sortable, row-selecting table view sized by the columns' widths, without the
    columns marked hidden (the table pages offer them in the header's menu); cells elide
    as their column says and explain themselves when cut (columns.CellDelegate)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setItemDelegate(CellDelegate(view))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                          else QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setShowGrid(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    header.setMinimumSectionSize(24)
    for n, column in enumerate(model.columns):
        if column.width:
            header.resizeSection(n, column.width)
        header.setSectionHidden(n, column.hidden)
    # No sort until a header is clicked: rows keep the order the worker gave them (sorting
    # 30,000 rows on each reset costs ~0.1 s on the GUI thread).
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    return view


@dataclass
class _Choice:
    combo: QComboBox
    key: Callable[[Any], Any]  # the row's value this filter compares
    when_all: Callable[[Any], bool] | None  # which rows "all" keeps (None: every row)
    values: list[Any]  # per combo entry; ALL first


class ChoiceFilters:
    """Drop-down filters over a list of rows. A value is a str or int (rows whose key
    equals it) or a tuple of them (rows whose key is any of them: "Owner or admin")."""

    def __init__(self, owner: QWidget, bar: QHBoxLayout, changed: Callable[[], None]) -> None:
        self.owner = owner
        self.bar = bar
        self.changed = changed
        self.choices: dict[str, _Choice] = {}
        self._cache: dict[str, list[Any]] = {}

    def add(self, name: str, key: Callable[[Any], Any], *, width: int = 150,
            when_all: Callable[[Any], bool] | None = None, tip: str = "") -> QComboBox:
        combo = QComboBox(self.owner)
        combo.setObjectName(f"filter-{name}")
        # Narrow windows squeeze the drop-downs first (their entries stay readable in the
        # popup); the search box keeps room to type.
        combo.setMinimumWidth(min(width, 104))
        combo.setMaximumWidth(max(width, 240))
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        if tip:
            combo.setToolTip(tip)
        combo.currentIndexChanged.connect(lambda _n: self.changed())
        self.choices[name] = _Choice(combo, key, when_all, [ALL])
        # Before the search; the room there is shared with it, a drop-down never wider
        # than its maximum.
        self.bar.insertWidget(len(self.choices) - 1, combo, 1)
        return combo

    def set_choices(self, name: str, all_text: str, items: Sequence[tuple[str, Any]]) -> None:
        """Refills a filter ((text, value) entries after "all"), keeping the value chosen
        when it is still offered."""
        choice = self.choices[name]
        current = self.value(name)
        choice.combo.blockSignals(True)
        choice.combo.clear()
        choice.combo.addItem(all_text)
        choice.values = [ALL]
        for text, value in items:
            choice.combo.addItem(text)
            choice.values.append(value)
        n = choice.values.index(current) if current in choice.values else 0
        choice.combo.setCurrentIndex(n)
        choice.combo.blockSignals(False)

    def value(self, name: str) -> Any:
        choice = self.choices[name]
        n = choice.combo.currentIndex()
        return choice.values[n] if 0 <= n < len(choice.values) else ALL

    def choose(self, name: str, value: Any) -> bool:
        """Selects a value (ALL for every value) without applying; False when not offered."""
        choice = self.choices[name]
        if value not in choice.values:
            return False
        choice.combo.blockSignals(True)
        choice.combo.setCurrentIndex(choice.values.index(value))
        choice.combo.blockSignals(False)
        return True

    def active(self) -> bool:
        return any(self.value(name) is not ALL or c.when_all is not None
                   for name, c in self.choices.items())

    def narrowed(self) -> bool:
        """A filter is set to something else than "all"."""
        return any(self.value(name) is not ALL for name in self.choices)

    def state(self) -> dict[str, Any]:
        """The chosen values, JSON-friendly (saved views)."""
        out: dict[str, Any] = {}
        for name in self.choices:
            value = self.value(name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def restore(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            if name in self.choices:
                self.choose(name, tuple(value) if isinstance(value, list) else value)

    def clear_cache(self) -> None:
        self._cache = {}

    def keep(self, rows: Sequence[Any]) -> list[int] | None:
        """The indexes of the rows every filter keeps; None when no filter is set."""
        keep: list[int] | None = None
        for name, c in self.choices.items():
            value = self.value(name)
            if value is not ALL:
                keys = self._keys(name, c.key, rows)
                if isinstance(value, tuple):
                    found = [i for i, k in enumerate(keys) if k in value]
                else:
                    found = [i for i, k in enumerate(keys) if k == value]
            elif c.when_all is not None:
                kept = self._keys(f"{name}/all", c.when_all, rows)
                found = [i for i, k in enumerate(kept) if k]
            else:
                continue
            keep = found if keep is None else sorted(set(keep).intersection(found))
        return keep

    def _keys(self, name: str, key: Callable[[Any], Any], rows: Sequence[Any]) -> list[Any]:
        keys = self._cache.get(name)
        if keys is None:
            keys = self._cache[name] = [key(r) for r in rows]
        return keys


class FilteredTable(QWidget):
    """`set_rows(rows, haystack)` gives every row (and its search text, built on a worker);
    the choice filters and the search decide what is shown.

    `state_key` (text, or a function giving it once known) keeps the column widths and the
    saved views in `env.settings`; `row_menu(rows)` gives the page's own actions for the
    right-click menu (QActions, None for a separator)."""

    selection_changed = Signal()
    filters_changed = Signal()
    activated = Signal(object)  # a row: double-click or Enter

    def __init__(self, columns: Sequence[Column[Any]], parent: QWidget | None = None, *,
                 env: Env | None = None, state_key: str | Callable[[], str] = "",
                 search_hint: str = "Search (several words narrow)",
                 noun: str | tuple[str, str] = "rows", multi: bool = True) -> None:
        super().__init__(parent)
        self.env = env
        # "1 seat", not "1 seats": a noun given only in the plural loses its "s" for one.
        if not isinstance(noun, tuple):
            noun = (noun[:-1] if noun.endswith("s") else noun, noun)
        self.nouns = noun
        self.model: RowTableModel[Any] = RowTableModel(columns, self)
        self.view = make_view(self.model, self, multi=multi)
        self.sizer = ColumnSizer(self.view, env.settings if env is not None else None,
                                 state_key)
        self._state_key = state_key
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(160)
        self.search.textChanged.connect(self.model.set_filter)
        self.search.installEventFilter(self)
        self.view.installEventFilter(self)
        self.view.doubleClicked.connect(self._activated)
        self.count = QLabel(self)
        self.count.setObjectName("count")
        self.empty_note = QLabel(self)  # says why nothing is shown, when nothing is
        self.empty_note.setObjectName("placeholder")
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        self.empty_state: QWidget | None = None  # shown instead of an empty table
        self._rows: list[Any] = []
        self._haystack: Haystack | None = None
        self._keys: dict[int, list[Any]] = {}
        self._restored = False
        self.row_menu: Callable[[list[Any]], list[QAction | None]] | None = None
        self.model.counts_changed.connect(self._show_count)
        self.view.selectionModel().selectionChanged.connect(
            lambda *_: self.selection_changed.emit())
        self.model.modelReset.connect(self.selection_changed.emit)
        self.model.layoutChanged.connect(self.selection_changed.emit)
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        self.addAction(find)

        # The actions on their own line (at 1024 pixels a search box beside them pushed
        # the last ones into the toolbar's overflow), then the filters and the search.
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.toolbar, 1)
        self.filter_bar = QHBoxLayout()
        self.filter_bar.setContentsMargins(0, 0, 0, 0)
        self.filter_bar.addWidget(self.search, 2)
        self.filters = ChoiceFilters(self, self.filter_bar, self.apply_filters)
        self.extra_layout = QVBoxLayout()  # a page's own bar or note, above the table
        self.extra_layout.setContentsMargins(0, 0, 0, 0)
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.count, 1)  # stretches: a label set while hidden kept its width
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addLayout(top)
        self._layout.addLayout(self.filter_bar)
        self._layout.addLayout(self.extra_layout)
        self._layout.addWidget(self.view, 1)
        self._layout.addWidget(self.empty_note)
        self._layout.addLayout(self.bottom)
        self.menus = TableMenus(self)
        top.addWidget(self.menus.button)
        self._top = top
        self._show_count(0, 0)

    def without_toolbar(self) -> None:
        """No actions of its own (a table inside a section): one line less, the View button
        beside the search."""
        self.toolbar.hide()
        self._top.removeWidget(self.menus.button)
        self.filter_bar.addWidget(self.menus.button)

    def state_key(self, name: str) -> str:
        return _sub(self._state_key, name) if self._state_key else ""

    def add_below_view(self, widget: QWidget, stretch: int = 0) -> None:
        """A widget right under the table (a page's other view of the same rows)."""
        self._layout.insertWidget(self._layout.indexOf(self.view) + 1, widget, stretch)

    # -- filters ---------------------------------------------------------------------------
    def add_choice(self, name: str, key: Callable[[Any], Any], *, width: int = 150,
                   when_all: Callable[[Any], bool] | None = None, tip: str = "") -> QComboBox:
        return self.filters.add(name, key, width=width, when_all=when_all, tip=tip)

    def set_choices(self, name: str, all_text: str, items: Sequence[tuple[str, Any]]) -> None:
        self.filters.set_choices(name, all_text, items)

    def choice(self, name: str) -> Any:
        return self.filters.value(name)

    def choose(self, name: str, value: Any, *, apply: bool = True) -> bool:
        """Selects a value of a choice filter (ALL for every value); False when absent."""
        found = self.filters.choose(name, value)
        if found and apply:
            self.apply_filters()
        return found

    def apply_filters(self) -> None:
        keep = self.filters.keep(self._rows)
        if keep is None:
            self.model.set_rows(self._rows, self._haystack, self._keys)
        else:
            if self._haystack is None:
                self._haystack = search_text(self.model.columns, self._rows)
            haystack = self._haystack
            self.model.set_rows([self._rows[i] for i in keep], [haystack[i] for i in keep],
                                {c: [k[i] for i in keep] for c, k in self._keys.items()})
        self._show_empty()
        self.filters_changed.emit()

    def clear_filters(self) -> None:
        for name in self.filters.choices:
            self.filters.choose(name, ALL)
        self.search.clear()
        self.apply_filters()

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: list[Any], haystack: Haystack | None = None,
                 keys: dict[int, list[Any]] | None = None,
                 longest: dict[int, str] | None = None) -> None:
        """Every row; `haystack` (search text), `keys` (sort keys by column) and `longest`
        (widest text of each numeric column) when a worker built them."""
        self._rows = list(rows)
        self._haystack = haystack
        self._keys = dict(keys or {})
        self.filters.clear_cache()
        self.apply_filters()
        if longest is None:
            longest = longest_texts(self.model.columns, self._rows, _MEASURE_LIMIT)
        self.sizer.measure(longest)

    def update_rows(self, change: Callable[[Any], Any]) -> None:
        """Each row replaced by `change(row)` where it is (TableModel.update_rows): cells
        filled in after the rows, neither searched, sorted nor filtered by."""
        self._rows = [change(row) for row in self._rows]
        self.model.update_rows(change)
        # The numbers filled in may be wider than what stood there ("…"): never cut.
        self.sizer.measure(longest_texts(self.model.columns, self._rows, _MEASURE_LIMIT))

    def all_rows(self) -> list[Any]:
        return list(self._rows)

    def selected_rows(self) -> list[Any]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.row_at(n) for n in rows]

    def select_all_shown(self) -> None:
        self.view.selectAll()

    def add_action(self, text: str, icon: str, slot: Callable[[], Any], *,
                   tip: str = "") -> QAction:
        action = QAction(icons.icon(icon), text, self)
        action.setToolTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.toolbar.addAction(action)
        return action

    def set_empty_state(self, widget: QWidget) -> None:
        """Shown in place of the table while it has no rows at all (what to do next)."""
        self.empty_state = widget
        self._layout.insertWidget(self._layout.indexOf(self.view) + 1, widget, 1)
        self._show_empty()

    def _show_empty(self) -> None:
        if self.empty_state is None:
            return
        nothing = not self._rows and not self.model.total
        self.empty_state.setVisible(nothing)
        # Nothing to search, filter, count or export either.
        for widget in (self.view, self.search, self.count, self.menus.button,
                       *(c.combo for c in self.filters.choices.values())):
            widget.setVisible(not nothing)

    def _show_count(self, shown: int, total: int) -> None:
        every = len(self._rows) if self.filters.active() else total
        one, many = self.nouns
        if shown == every:
            self.count.setText(f"{shown:,} {one if shown == 1 else many}")
        else:
            self.count.setText(f"{shown:,} of {every:,} {one if every == 1 else many} shown")

    # -- state -----------------------------------------------------------------------------
    def restore_state(self) -> None:
        if not self._restored:
            self._restored = True
            self.sizer.restore()

    def save_state(self) -> None:
        self.sizer.save()

    def showEvent(self, event: Any) -> None:
        self.restore_state()
        super().showEvent(event)

    # -- keyboard and mouse ----------------------------------------------------------------
    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activated.emit(self.model.row_at(index.row()))

    def context_menu_at(self, pos: QPoint) -> Any:
        return self.menus.row_menu_at(pos)

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


def _sub(key: str | Callable[[], str], name: str) -> str:
    base = key() if callable(key) else key
    return f"{base.rstrip('/')}/{name}" if base else ""
