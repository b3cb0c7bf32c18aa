"""Table columns that keep rows apart: per-column eliding (names in the middle), the full text
of a cut cell as its tooltip, numbers never cut, and widths fitted to the window until the
user sizes a column by hand, then kept per table (QSettings)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from stackadmin.ui.tablemodel import DISPLAY_ROLE, TOOLTIP_ROLE, Column

_ELIDE = {"middle": Qt.TextElideMode.ElideMiddle, "right": Qt.TextElideMode.ElideRight,
          "left": Qt.TextElideMode.ElideLeft}
_TOOLTIP = QEvent.Type.ToolTip


def _column_of(index: QModelIndex | QPersistentModelIndex) -> Column[Any] | None:
    columns = getattr(index.model(), "columns", None)
    if columns is None or not 0 <= index.column() < len(columns):
        return None
    column: Column[Any] = columns[index.column()]
    return column


class CellDelegate(QStyledItemDelegate):
    """Paints each column with its own elide mode and explains a cut cell: hovering it shows
    the whole text (then the column's own tooltip, if it has one)."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        column = _column_of(index)
        if column is not None:
            option.textElideMode = _ELIDE.get(column.elide, Qt.TextElideMode.ElideRight)

    def is_cut(self, view: QAbstractItemView, option: QStyleOptionViewItem,
               index: QModelIndex | QPersistentModelIndex) -> bool:
        """True when the cell's text does not fit the space the view gives it."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if not opt.text:
            return False
        style = view.style() if view is not None else QApplication.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        return opt.fontMetrics.horizontalAdvance(opt.text) > rect.width() - 2 * margin

    def tooltip(self, view: QAbstractItemView, option: QStyleOptionViewItem,
                index: QModelIndex | QPersistentModelIndex) -> str:
        """The cell's tooltip: its full text when cut, then the column's tooltip."""
        own = index.data(TOOLTIP_ROLE) or ""
        if not self.is_cut(view, option, index):
            return str(own)
        text = str(index.data(DISPLAY_ROLE) or "")
        return text if not own or own == text else f"{text}\n\n{own}"

    def helpEvent(self, event: Any, view: QAbstractItemView, option: QStyleOptionViewItem,
                  index: QModelIndex | QPersistentModelIndex) -> bool:
        if event is None or event.type() != _TOOLTIP or not index.isValid():
            return bool(super().helpEvent(event, view, option, index))
        tip = self.tooltip(view, option, index)
        if tip:
            QToolTip.showText(event.globalPos(), tip, view, view.visualRect(index))
        else:
            QToolTip.hideText()
            event.ignore()
        return True


def cell_tooltip(view: QTableView, row: int, column: int) -> str:
    """What hovering the cell shows (tests and keyboard users ask the same question)."""
    index = view.model().index(row, column)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    delegate = view.itemDelegateForIndex(index)
    if isinstance(delegate, CellDelegate):
        return delegate.tooltip(view, option, index)
    return str(index.data(TOOLTIP_ROLE) or "")


class ColumnSizer(QObject):
    """The widths of one table's columns.

    Until the user drags a column edge, the columns are fitted to the view: numbers get the
    width of their widest value, text columns their preferred width, shrunk in proportion
    when the window is narrow (their cells then elide, with the full text as a tooltip), so
    the table never needs a horizontal scroll bar while it can be avoided. Once sized by
    hand, the widths stay as the user left them, saved under `key` in the settings (header
    state and whether it still fits); "Fit columns to the window" goes back. A number is
    never cut: its column cannot be made narrower than its widest value.
    """

    PAD = 20  # cell margins and a little air around a number
    TITLE_PAD = 14  # the header's margins around a title
    MIN_TEXT = 56  # a text column shrinks no further (its cells then elide)
    KEY_MIN = 120  # nor the column that tells rows apart (a tool's name)
    LAST_TEXT = 100  # what the stretched last column asks for when it has no width
    ARROW = 14  # the sort arrow beside the title of the column sorted by

    def __init__(self, view: QTableView, settings: QSettings | None = None,
                 key: str | Callable[[], str] = "") -> None:
        super().__init__(view)
        self.view = view
        self.header = view.horizontalHeader()
        self.settings = settings
        self._key = key
        self.fitting = True
        self._pressed = False
        self._adjusting = False
        self._numbers: dict[int, int] = {}  # column -> width of its widest number
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(300)
        self._save_timer.timeout.connect(self.save)
        self.header.sectionResized.connect(self._resized)
        self.header.sectionMoved.connect(lambda *_: self._save_timer.start())
        self.header.sectionHandleDoubleClicked.connect(lambda _n: self._by_hand())
        self.header.sortIndicatorChanged.connect(lambda *_: self.fit())
        # Kept: while the view is destroyed its header goes first, and events still come.
        self._header_port = self.header.viewport()
        self._view_port = view.viewport()
        self._header_port.installEventFilter(self)
        self._view_port.installEventFilter(self)

    @property
    def key(self) -> str:
        return self._key() if callable(self._key) else self._key

    def columns(self) -> Sequence[Column[Any]]:
        return getattr(self.view.model(), "columns", ())

    # -- state -------------------------------------------------------------------------
    def restore(self) -> None:
        """The widths, order, hidden columns and sort kept from last time (if any)."""
        if self.settings is None or not self.key:
            return
        # The choice first: restoring the sort re-fits a table that is being fitted.
        self.fitting = str(self.settings.value(f"{self.key}/fit", "true")).lower() != "false"
        state = self.settings.value(f"{self.key}/header")
        if isinstance(state, QByteArray | bytes) and state:
            self._adjusting = True
            try:
                self.header.restoreState(QByteArray(state))
            finally:
                self._adjusting = False
        self.fit()

    def save(self) -> None:
        if self.settings is None or not self.key:
            return
        self.settings.setValue(f"{self.key}/header", self.header.saveState())
        self.settings.setValue(f"{self.key}/fit", "true" if self.fitting else "false")

    def fit_to_window(self) -> None:
        """Back to fitting the columns to the view (the header menu's choice)."""
        self.fitting = True
        self.fit()
        self.save()

    # -- numbers ---------------------------------------------------------------------------
    def measure(self, longest: dict[int, str]) -> None:
        """The widest text of each numeric column (built where the rows are): its column is
        made at least that wide."""
        metrics = self.view.fontMetrics()
        title_metrics = self.header.fontMetrics()
        columns = self.columns()
        for n, text in longest.items():
            if 0 <= n < len(columns) and (columns[n].numeric or columns[n].whole):
                title = title_metrics.horizontalAdvance(columns[n].title) + self.TITLE_PAD
                self._numbers[n] = max(metrics.horizontalAdvance(text) + self.PAD, title)
        if self.fitting:
            self.fit()
        else:
            self._widen_numbers()

    def number_width(self, n: int) -> int:
        return self._numbers.get(n, 0)

    def _widen_numbers(self) -> None:
        self._adjusting = True
        try:
            for n, need in self._numbers.items():
                if not self.header.isSectionHidden(n) and self.header.sectionSize(n) < need:
                    self.header.resizeSection(n, need)
        finally:
            self._adjusting = False

    # -- fitting ---------------------------------------------------------------------------
    def fit(self) -> None:
        if not self.fitting:
            return
        columns = self.columns()
        shown = [n for n in range(self.header.count()) if not self.header.isSectionHidden(n)]
        avail = self.view.viewport().width()
        if not shown or avail <= 0 or len(columns) != self.header.count():
            return
        last = max(shown, key=self.header.visualIndex)
        sorted_by = (self.header.sortIndicatorSection()
                     if self.header.isSortIndicatorShown() else -1)
        want: dict[int, int] = {}
        floor: dict[int, int] = {}
        for n in shown:
            column = columns[n]
            base = column.width or self.header.defaultSectionSize()
            if column.numeric or column.whole:
                want[n] = floor[n] = (self._numbers.get(n) or base) + (
                    self.ARROW if n == sorted_by else 0)
            else:
                want[n] = base
                # The column that tells rows apart (elided in the middle) gives way last.
                floor[n] = min(base, self.KEY_MIN) if column.elide == "middle" else \
                    min(base, self.MIN_TEXT)
        if not (columns[last].numeric or columns[last].whole):
            # It stretches into what is left; it gives way like the others down to that.
            want[last] = columns[last].width or self.LAST_TEXT
            floor[last] = self.MIN_TEXT
        over = sum(want.values()) - avail
        if over > 0:
            spare = sum(want[n] - floor[n] for n in shown)
            share = min(1.0, over / spare) if spare > 0 else 0.0
            for n in shown:
                want[n] -= math.ceil((want[n] - floor[n]) * share)
        self._adjusting = True
        try:
            for n in shown:
                if n != last and self.header.sectionSize(n) != want[n]:
                    self.header.resizeSection(n, want[n])
            # Sized too: the stretched last column never shrinks below the size it was
            # given, only grows into the space left.
            self.header.resizeSection(last, want[last])
        finally:
            self._adjusting = False

    def _by_hand(self) -> None:
        self.fitting = False
        self._save_timer.start()

    def _resized(self, n: int, _old: int, new: int) -> None:
        if self._adjusting:
            return
        need = self._numbers.get(n, 0)
        if new < need and not self.header.isSectionHidden(n):
            self._adjusting = True
            try:
                self.header.resizeSection(n, need)  # a number is never cut
            finally:
                self._adjusting = False
        if self._pressed:
            self._by_hand()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self._header_port:
            if kind == QEvent.Type.MouseButtonPress:
                self._pressed = True
            elif kind == QEvent.Type.MouseButtonRelease:
                self._pressed = False
        elif watched is self._view_port and kind == QEvent.Type.Resize and self.fitting:
            self.fit()
        return False


WHOLE_SAMPLE = 5_000  # dates all have about one width: a sample finds the widest


def longest_texts(columns: Sequence[Column[Any]], rows: Sequence[Any],
                  limit: int | None = None) -> dict[int, str]:
    """The longest text of each numeric column, and of each `whole` one (dates) in a sample
    of the rows (plain Python: a worker can build it)."""
    out: dict[int, str] = {}
    for n, column in enumerate(columns):
        if column.numeric or column.whole:
            cap = WHOLE_SAMPLE if not column.numeric else limit
            sample = rows if cap is None else rows[:cap]
            texts = [column.text(r) for r in sample]
            out[n] = max(texts, key=len) if texts else ""
    return out


def attach(view: QTableView, settings: QSettings | None = None,
           key: str | Callable[[], str] = "", parent: QWidget | None = None) -> ColumnSizer:
    """A view's cell delegate and column sizer in one call (small tables, dialogs)."""
    view.setItemDelegate(CellDelegate(parent or view))
    return ColumnSizer(view, settings, key)
