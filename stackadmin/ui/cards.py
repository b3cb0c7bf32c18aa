"""The pieces of a page of figures (the dashboard): a card with one number that opens the
rows behind it, a titled section around a chart or table, and the dialog listing the rows
behind a figure."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.tablemodel import Column, RowTableModel


class Card(QFrame):
    """One figure: a title, a big number, a line of detail; clicking opens the rows."""

    clicked = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = QLabel(title, self)
        self.title.setObjectName("figureTitle")
        self.title.setWordWrap(True)  # cards share a 1024-pixel row four at a time
        self.value = QLabel("…", self)
        self.value.setObjectName("figure")
        self.detail = QLabel("", self)
        self.detail.setObjectName("count")
        self.detail.setWordWrap(True)
        # Room for two lines of detail whatever the card's width: the row of cards is laid
        # out before the figures arrive, and a wrapped line must not be cut off.
        self.detail.setMinimumHeight(2 * self.detail.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        # A figure is never cut: the card asks the layout for the width its number needs.
        self.value.setMinimumWidth(self.value.sizeHint().width())
        self.detail.setText(detail)

    def mouseReleaseEvent(self, event: Any) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()


class Section(QFrame):
    """A titled frame around a chart or a table."""

    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.title = QLabel(self)
        self.set_title(title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        fixed = body.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Fixed
        layout.addWidget(body, 0 if fixed else 1)
        if fixed:
            layout.addStretch(1)  # charts keep their height; the title stays on top

    def set_title(self, title: str) -> None:
        self.title.setText(f"<b>{escape(title)}</b>")


class RowsDialog(QDialog):
    """The rows behind a figure, in a sortable table with their sum. Column widths are
    kept under `key` in `settings` once sized by hand."""

    def __init__(self, title: str, columns: list[Column[Any]], rows: list[Any], note: str,
                 parent: QWidget | None = None, *, settings: Any = None,
                 key: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(880, 480)
        self.model: RowTableModel[Any] = RowTableModel(columns, self)
        self.model.set_rows(rows)
        self.view = view = make_view(self.model, self)
        self.sizer = ColumnSizer(view, settings, key)
        self.sizer.restore()
        self.sizer.measure(longest_texts(columns, rows))
        self.finished.connect(lambda _r: self.sizer.save())
        label = QLabel(note, self)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(label)
