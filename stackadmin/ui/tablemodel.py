"""A table model over a list of plain rows: column specs, Python sort and multi-word search.

No QSortFilterProxyModel: over a Python model it calls data() millions of times (sorting 100k
rows took 23-26 s, docs/platform-notes.md); filtering a list and resetting the model takes ~30 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

R = TypeVar("R")

# Roles bound once: `Qt.DisplayRole` is a slow lookup (4.2 µs vs 0.19 µs for
# `Qt.ItemDataRole.DisplayRole`).
DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole
ALIGN_ROLE = Qt.ItemDataRole.TextAlignmentRole
FOREGROUND_ROLE = Qt.ItemDataRole.ForegroundRole
FONT_ROLE = Qt.ItemDataRole.FontRole
USER_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = int(USER_ROLE) + 1  # the value a column sorts by
ROW_ROLE = int(USER_ROLE) + 2  # the row object itself
HORIZONTAL = Qt.Orientation.Horizontal
ASCENDING = Qt.SortOrder.AscendingOrder
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_WARN = QColor("#d93025")  # readable on the light and the dark palette
_BOLD: list[QFont] = []  # made on first use: a QFont wants the application to exist


def _bold() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


def _identity(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column(Generic[R]):
    """How one column shows a row: `text(row)` is what is displayed (and searched); `key(row)`
    what it sorts by (default: the text, case-insensitive). None keys sort last."""

    title: str
    text: Callable[[R], str]
    key: Callable[[R], Any] | None = None
    numeric: bool = False  # right-aligned
    tooltip: Callable[[R], str] | None = None
    searchable: bool = True
    width: int = 0  # initial width in pixels (0: the view decides)
    warn: Callable[[R], bool] | None = None  # True: shown in the warning colour (overdue...)
    hidden: bool = False  # not shown until turned on in the header's menu (right-click)
    # Where a cell too narrow for its text is cut: "middle" keeps both ends of names that
    # differ at the end ("1Password Busi…ess — EMEA"); numbers are never cut (columns.py).
    elide: str = "right"
    whole: bool = False  # never cut, like a number (dates): its column fits its widest text
    # The cell written by "Export this view…" (a number stays a number, a date ISO);
    # None: see export_cell.
    export: Callable[[R], Any] | None = None
    bold: Callable[[R], bool] | None = None  # True: set in bold (what needs attention)

    def sort_key(self, row: R) -> Any:
        value = self.key(row) if self.key is not None else self.text(row).casefold()
        # (0, v) before (1, 0): None last whatever the type of v.
        return (1, 0) if value is None else (0, value)


def export_cell(column: Column[R], row: R) -> Any:
    """What "Export this view…" writes for a cell: the column's `export` when it has one;
    else a whole number stays a number and a date is written ISO (from the sort key), and
    anything else as shown. Money columns give `export` (their display text has a currency
    sign, and their sort key may be in another currency)."""
    if column.export is not None:
        return column.export(row)
    if column.key is not None:
        value = column.key(row)
        if isinstance(value, int) and not isinstance(value, bool) and column.numeric:
            return value
        if isinstance(value, datetime):
            return value.astimezone(UTC).date().isoformat() if value.tzinfo else \
                value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
    return column.text(row)


# The search text of each row: its searchable columns' texts, case-folded, as UTF-8. Bytes
# rather than str: one accented letter or dash makes a str two bytes a character (four for
# an emoji), UTF-8 keeps the rest at one, which halves a million seats' search text; and a
# UTF-8 word matches only whole characters, so `in` finds what it finds in the text.
Haystack = list[bytes]


def search_text(columns: Sequence[Column[Any]], rows: Sequence[Any]) -> Haystack:
    """One lower-case line per row with every searchable column's text. Plain Python, so a
    page can build it in its worker job and hand it to `set_rows`."""
    wanted = [c.text for c in columns if c.searchable]
    return ["\x1f".join([text(row) for text in wanted]).casefold().encode()
            for row in rows]


def sort_keys(column: Column[R], rows: Sequence[R]) -> list[Any]:
    """One sort key per row. A column with no empty value sorts by the plain values (about
    twice as fast on 100k rows as the (0, value) / (1, 0) pairs that put None last). Plain
    Python: a page's worker job builds them for the column the table is sorted by. Equal
    texts share one key (a million seats name a thousand tools: ~100 bytes a row saved)."""
    if column.key is None:
        text = column.text
        folded: dict[str, str] = {}
        keys: list[Any] = []
        for row in rows:
            shown = text(row)
            key = folded.get(shown)
            if key is None:
                key = folded[shown] = shown.casefold()
            keys.append(key)
        return keys
    values = [column.key(r) for r in rows]
    if any(v is None for v in values):
        return [(1, 0) if v is None else (0, v) for v in values]
    return values


def matches(words: Sequence[str], haystack: Sequence[bytes],
            candidates: Sequence[int]) -> list[int]:
    """The candidates whose line contains every word (AND): each word narrows the last result."""
    out = list(candidates)
    for word in words:
        needle = word.encode()
        out = [i for i in out if needle in haystack[i]]
    return out


def split_query(text: str) -> list[str]:
    return [w for w in text.casefold().split() if w]


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows are shown through `columns`; `set_rows()` replaces them in one model reset.

    Keeps `_order` (every row index, sorted) and `_visible` (the order filtered by the search
    words), so typing filters without re-sorting, and sorting keeps the filter.
    """

    counts_changed = Signal(int, int)  # shown, total

    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []
        self._haystack: Haystack | None = None
        self._order: list[int] = []
        self._visible: list[int] = []
        self._words: list[str] = []
        self._sort_column = -1
        self._sort_order = ASCENDING
        self._keys: dict[int, list[Any]] = {}
        self._pinned: Callable[[R], bool] | None = None

    # -- data in -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[R], haystack: Haystack | None = None,
                 keys: dict[int, list[Any]] | None = None) -> None:
        """Replaces every row (sort and search are kept). `haystack` is `search_text()` of
        the rows and `keys` their `sort_keys()` by column, when the caller built them off
        the GUI thread; else they are built on demand."""
        self.beginResetModel()
        self._rows = list(rows)
        self._haystack = haystack
        self._keys = dict(keys or {})
        self._order = self._sorted_order()
        self._visible = self._filtered(self._order)
        self.endResetModel()
        self.counts_changed.emit(len(self._visible), len(self._rows))

    def update_rows(self, change: Callable[[R], R]) -> None:
        """Each row replaced by `change(row)` where it is: for figures that come after the
        rows (active seats counted) in cells that are neither searched nor sorted by, so the
        order, the search, the selection and the scroll stay as they are."""
        self._rows = [change(row) for row in self._rows]
        if self._visible:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self._visible) - 1, len(self.columns) - 1))

    def set_filter(self, text: str) -> None:
        words = split_query(text)
        if words == self._words:
            return
        narrowing = bool(self._words) and all(
            any(old in new for new in words) for old in self._words)
        # Typing one more letter only narrows: filter what is shown, not every row.
        base = self._visible if narrowing else self._order
        self._words = words
        self.beginResetModel()
        self._visible = self._filtered(base)
        self.endResetModel()
        self.counts_changed.emit(len(self._visible), len(self._rows))

    def filter_text(self) -> str:
        return " ".join(self._words)

    def pin_first(self, predicate: Callable[[R], bool] | None) -> None:
        """Rows the predicate keeps come first whatever the sort (overdue rows on top),
        each group in the sort's order. Applies from the next `set_rows` or sort."""
        self._pinned = predicate

    # -- data out ----------------------------------------------------------------------
    def row_at(self, row: int) -> R:
        return self._rows[self._visible[row]]

    def visible_rows(self) -> list[R]:
        return [self._rows[i] for i in self._visible]

    def all_rows(self) -> list[R]:
        return list(self._rows)

    def row_of(self, predicate: Callable[[R], bool]) -> int:
        """The visible row number of the first row matching, or -1."""
        for n, i in enumerate(self._visible):
            if predicate(self._rows[i]):
                return n
        return -1

    @property
    def shown(self) -> int:
        return len(self._visible)

    @property
    def total(self) -> int:
        return len(self._rows)

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = DISPLAY_ROLE) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if row >= len(self._visible):
            return None
        column = self.columns[index.column()]
        item = self._rows[self._visible[row]]
        if role == DISPLAY_ROLE:
            return column.text(item)
        if role == ALIGN_ROLE:
            return _RIGHT if column.numeric else _LEFT
        if role == FOREGROUND_ROLE:
            return _WARN if column.warn is not None and column.warn(item) else None
        if role == FONT_ROLE:
            return _bold() if column.bold is not None and column.bold(item) else None
        if role == TOOLTIP_ROLE:
            return column.tooltip(item) if column.tooltip is not None else None
        if role == SORT_ROLE:
            return column.sort_key(item)[1]
        if role == ROW_ROLE:
            return item
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = DISPLAY_ROLE) -> Any:
        if orientation == HORIZONTAL and 0 <= section < len(self.columns):
            if role == DISPLAY_ROLE:
                return self.columns[section].title
            if role == ALIGN_ROLE:
                return _RIGHT if self.columns[section].numeric else _LEFT
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ITEM_FLAGS

    def sort(self, column: int, order: Qt.SortOrder = ASCENDING) -> None:
        if not 0 <= column < len(self.columns):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = column, order
        self._order = self._sorted_order()
        self._visible = self._filtered(self._order)
        # Rows are replaced wholesale: persistent indexes (the selection) are dropped.
        self.changePersistentIndexList(self.persistentIndexList(),
                                       [QModelIndex()] * len(self.persistentIndexList()))
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    # -- internals ---------------------------------------------------------------------
    def _sorted_order(self) -> list[int]:
        indexes = range(len(self._rows))
        if self._sort_column < 0:
            order = list(indexes)
        else:
            keys = self._keys.get(self._sort_column)
            if keys is None:
                keys = sort_keys(self.columns[self._sort_column], self._rows)
                self._keys[self._sort_column] = keys
            order = sorted(indexes, key=keys.__getitem__,
                           reverse=self._sort_order != ASCENDING)
        if self._pinned is None:
            return order
        pinned = self._pinned
        first = [i for i in order if pinned(self._rows[i])]
        return first + [i for i in order if not pinned(self._rows[i])] if first else order


    def _filtered(self, base: list[int]) -> list[int]:
        if not self._words:
            return list(base)
        if self._haystack is None:
            self._haystack = search_text(self.columns, self._rows)
        return matches(self._words, self._haystack, base)
