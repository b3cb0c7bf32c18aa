"""A table of plain rows with actions, choice filters (combo boxes) and a search box.

Choice filters pick the rows in Python and reset the model; the search words then narrow
within them (RowTableModel.set_filter). No QSortFilterProxyModel: over a Python model it
calls data() millions of times (docs/platform-notes.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
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
from stackadmin.ui.tablemodel import Column, RowTableModel

ALL = None  # the value of the "every value" entry of a choice filter


def make_view(model: RowTableModel[Any], parent: QWidget, *,
              multi: bool = False) -> QTableView:
    """A sortable, row-selecting table view sized by the columns' widths, without the
    columns marked hidden (the table pages offer them in the header's menu)."""
    view = QTableView(parent)
    view.setModel(model)
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


class FilteredTable(QWidget):
    """`set_rows(rows, haystack)` gives every row (and its search text, built on a worker);
    the choice filters and the search decide what is shown."""

    selection_changed = Signal()
    filters_changed = Signal()

    def __init__(self, columns: Sequence[Column[Any]], parent: QWidget | None = None, *,
                 search_hint: str = "Search (several words narrow)",
                 noun: str = "rows") -> None:
        super().__init__(parent)
        self.noun = noun
        self.model: RowTableModel[Any] = RowTableModel(columns, self)
        self.view = make_view(self.model, self, multi=True)
        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(240)
        self.search.textChanged.connect(self.model.set_filter)
        self.search.installEventFilter(self)
        self.count = QLabel(self)
        self.count.setObjectName("count")
        self.empty_note = QLabel(self)  # says why nothing is shown, when nothing is
        self.empty_note.setObjectName("placeholder")
        self.empty_note.setWordWrap(True)
        self.empty_note.hide()
        self._choices: dict[str, _Choice] = {}
        self._rows: list[Any] = []
        self._haystack: list[str] = []
        self._key_cache: dict[str, list[Any]] = {}
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

        # Filters and search on one line, the actions on the next: with four actions, two
        # choices and a search box one line did not fit a 1280-pixel window.
        self.filter_bar = QHBoxLayout()
        self.filter_bar.setContentsMargins(0, 0, 0, 0)
        self.filter_bar.addWidget(self.search, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)  # stretches: a label set while hidden kept its width
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_note)
        layout.addLayout(bottom)
        self._show_count(0, 0)

    # -- filters ---------------------------------------------------------------------------
    def add_choice(self, name: str, key: Callable[[Any], Any], *, width: int = 170,
                   when_all: Callable[[Any], bool] | None = None) -> QComboBox:
        combo = QComboBox(self)
        combo.setMinimumWidth(width)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(lambda _n: self.apply_filters())
        self._choices[name] = _Choice(combo, key, when_all)
        self.filter_bar.insertWidget(len(self._choices) - 1, combo)  # before the search
        return combo

    def set_choices(self, name: str, all_text: str, items: Sequence[tuple[str, Any]]) -> None:
        """Refills a choice filter ((text, value) items after "all"), keeping the value
        chosen when it is still there."""
        combo = self._choices[name].combo
        current = self.choice(name)
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text)  # no data: ALL
        for text, value in items:
            combo.addItem(text, value)
        found = combo.findData(current) if current is not ALL else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    def choice(self, name: str) -> Any:
        return self._choices[name].combo.currentData()

    def choose(self, name: str, value: Any, *, apply: bool = True) -> bool:
        """Selects a value of a choice filter (ALL for every value); False when absent."""
        combo = self._choices[name].combo
        n = 0 if value is ALL else combo.findData(value)
        if n < 0:
            return False
        combo.blockSignals(True)
        combo.setCurrentIndex(n)
        combo.blockSignals(False)
        if apply:
            self.apply_filters()
        return True

    def apply_filters(self) -> None:
        keep: list[int] | None = None
        for name, c in self._choices.items():
            value = c.combo.currentData()
            if value is not ALL:
                keys = self._keys_of(name, c.key)
                found = [i for i, k in enumerate(keys) if k == value]
            elif c.when_all is not None:
                kept = self._keys_of(f"{name}/all", c.when_all)
                found = [i for i, k in enumerate(kept) if k]
            else:
                continue
            keep = found if keep is None else sorted(set(keep).intersection(found))
        if keep is None:
            self.model.set_rows(self._rows, self._haystack)
        else:
            self.model.set_rows([self._rows[i] for i in keep],
                                [self._haystack[i] for i in keep])
        self.filters_changed.emit()

    def _keys_of(self, name: str, key: Callable[[Any], Any]) -> list[Any]:
        """Each row's value for a filter, worked out once per set_rows: choosing a tool
        among 30,000 seats then compares a list instead of calling 60,000 lambdas."""
        keys = self._key_cache.get(name)
        if keys is None:
            keys = self._key_cache[name] = [key(r) for r in self._rows]
        return keys

    # -- rows ------------------------------------------------------------------------------
    def set_rows(self, rows: list[Any], haystack: list[str]) -> None:
        self._rows = rows
        self._haystack = haystack
        self._key_cache = {}
        self.apply_filters()

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

    def _show_count(self, shown: int, total: int) -> None:
        # "1 seat", not "1 seats": the noun is given in the plural.
        one = self.noun[:-1] if self.noun.endswith("s") else self.noun
        if shown == len(self._rows):
            self.count.setText(f"{shown:,} {one if shown == 1 else self.noun}")
        else:
            noun = one if len(self._rows) == 1 else self.noun
            self.count.setText(f"{shown:,} of {len(self._rows):,} {noun} shown")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key == Qt.Key.Key_Down and self.model.shown:
                self.view.setFocus()
                if not self.view.selectionModel().hasSelection():
                    self.view.selectRow(0)
                return True
            if key == Qt.Key.Key_Escape:
                self.search.clear()
                return True
        return super().eventFilter(watched, event)
