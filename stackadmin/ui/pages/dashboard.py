"""Dashboard: spend (total, by category, by cost centre, by month), seat utilization and
savings, next renewals, loose ends; every figure opens the rows behind it.

Loads in two jobs: the spend figures (hundreds of terms) first, then seat utilization
(up to 100k seats), so the page shows its numbers without waiting for the seat count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.charts import BarChart
from stackadmin.ui.fmt import base_text, date_text, days_text, int_text, money_text
from stackadmin.ui.pages.base import Page
from stackadmin.ui.tablemodel import ROW_ROLE, Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.overview.figures import Dashboard, SpendLine
    from stackadmin.ui.tasks import Job


class Card(QFrame):
    """One figure: a title, a big number, a line of detail; clicking opens the rows."""

    clicked = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.title = QLabel(title, self)
        self.title.setObjectName("figureTitle")
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
    def __init__(self, title: str, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        label = QLabel(f"<b>{title}</b>", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(label)
        fixed = body.sizePolicy().verticalPolicy() == QSizePolicy.Policy.Fixed
        layout.addWidget(body, 0 if fixed else 1)
        if fixed:
            layout.addStretch(1)  # charts keep their height; the title stays on top


def spend_columns(base: str) -> list[Column[SpendLine]]:
    return [
        Column("Tool", lambda s: s.tool, width=180, elide="middle"),
        Column("Plan", lambda s: s.plan, width=120),
        Column("Category", lambda s: s.category, width=130),
        Column("Cost centre", lambda s: s.cost_center, width=100),
        Column("Annual cost", lambda s: money_text(s.annual_cost), numeric=True, width=120,
               key=lambda s: s.annual_cost.amount),
        Column("Rate", lambda s: "—" if s.rate is None else f"{s.rate}", numeric=True,
               key=lambda s: s.rate, width=80),
        Column(f"In {base}", lambda s: base_text(s.annual_base, base), numeric=True,
               key=lambda s: s.annual_base),
    ]


class RowsDialog(QDialog):
    """The rows behind a figure, in a sortable table with their sum."""

    def __init__(self, title: str, columns: list[Column[Any]], rows: list[Any], note: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 480)
        self.model: RowTableModel[Any] = RowTableModel(columns, self)
        self.model.set_rows(rows)
        view = QTableView(self)
        view.setModel(self.model)
        view.setSortingEnabled(True)
        view.verticalHeader().hide()
        view.horizontalHeader().setStretchLastSection(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for n, column in enumerate(columns):
            if column.width:
                view.horizontalHeader().resizeSection(n, column.width)
        label = QLabel(note, self)
        label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(view, 1)
        layout.addWidget(label)


class DashboardPage(Page):
    title = "Dashboard"
    icon = "dashboard"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "term", "account", "person", "setting"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.board: Dashboard | None = None
        self._first_look: Dashboard | None = None  # shown before the database was open
        self.total = Card("Annual spend", self)
        self.savings = Card("Potential annual savings", self)
        self.next_card = Card("Next cancel-by", self)
        self.no_owner = Card("Tools without an owner", self)
        self.no_renewal = Card("Terms without a renewal date", self)
        self.by_category = BarChart(horizontal=True, parent=self)
        self.by_cost_center = BarChart(horizontal=True, parent=self)
        self.by_month = BarChart(horizontal=False, parent=self)
        self.seat_model: RowTableModel[Any] = RowTableModel(self._seat_columns(), self)
        self.seat_view = self._table(self.seat_model)
        self.renewal_model: RowTableModel[Any] = RowTableModel(self._renewal_columns(), self)
        self.renewal_view = self._table(self.renewal_model)
        self.rates_note = QLabel(self)
        self.rates_note.setObjectName("count")
        self.rates_note.setWordWrap(True)

        self.total.clicked.connect(lambda: self.open_spend(None, None))
        self.savings.clicked.connect(lambda: self.env.open_page("savings", None))
        self.next_card.clicked.connect(lambda: self.env.open_page("renewals", None))
        self.no_owner.clicked.connect(lambda: self.env.open_page("tools",
                                                                 {"search": "no owner"}))
        self.no_renewal.clicked.connect(lambda: self.env.open_page(
            "renewals", {"search": "no renewal date"}))
        self.by_category.bar_clicked.connect(
            lambda n: self.open_spend("category", self.by_category.labels[n]))
        self.by_cost_center.bar_clicked.connect(
            lambda n: self.open_spend("cost_center", self.by_cost_center.labels[n]))
        self.by_month.bar_clicked.connect(self.open_month)
        self.seat_view.doubleClicked.connect(lambda index: self.env.open_page(
            "seats", {"search": index.data(ROW_ROLE).tool}))
        self.renewal_view.doubleClicked.connect(lambda index: self.env.open_page(
            "renewals", {"term_id": index.data(ROW_ROLE).term.id}))

        cards = QHBoxLayout()
        for card in (self.total, self.savings, self.next_card, self.no_owner, self.no_renewal):
            cards.addWidget(card, 1)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        grid.addWidget(Section("Annual spend by category", self.by_category, self), 0, 0)
        grid.addWidget(Section("Annual spend by cost centre", self.by_cost_center, self), 0, 1)
        grid.addWidget(Section("Due by month, next 12 months", self.by_month, self), 1, 0, 1, 2)
        grid.addWidget(Section("Seat utilization by tool (double-click for the seats)",
                               self.seat_view, self), 2, 0)
        grid.addWidget(Section("Next renewals by cancel-by date", self.renewal_view, self),
                       2, 1)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(12)
        column.addLayout(cards)
        column.addLayout(grid)
        column.addWidget(self.rates_note)
        column.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _table(self, model: RowTableModel[Any]) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setSortingEnabled(True)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(24)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.horizontalHeader().setStretchLastSection(True)
        view.setMinimumHeight(230)
        for n, column in enumerate(model.columns):
            if column.width:
                view.horizontalHeader().resizeSection(n, column.width)
        return view

    def _seat_columns(self) -> list[Column[Any]]:
        return [
            Column("Tool", lambda s: s.tool, width=150, elide="middle"),
            Column("Purchased", lambda s: int_text(s.purchased), key=lambda s: s.purchased,
                   numeric=True, width=75),
            Column("Assigned", lambda s: int_text(s.assigned), key=lambda s: s.assigned,
                   numeric=True, width=70),
            Column("Active", lambda s: int_text(s.active), key=lambda s: s.active,
                   numeric=True, width=60),
            Column("Unused", lambda s: int_text(s.unused), key=lambda s: s.unused,
                   numeric=True, width=60),
            Column("Savings/yr", lambda s: self._base(s.savings_base),
                   key=lambda s: s.savings_base, numeric=True),
        ]

    def _renewal_columns(self) -> list[Column[Any]]:
        return [
            Column("Cancel by", lambda r: date_text(r.cancel_by), key=lambda r: r.cancel_by,
                   width=95),
            Column("Days left", lambda r: days_text(r.days_left), key=lambda r: r.days_left,
                   numeric=True, width=70),
            Column("Tool", lambda r: r.term.tool, width=170, elide="middle"),
            Column("Annual cost", lambda r: money_text(r.term.annual_cost),
                   key=lambda r: r.annual_cost_base, numeric=True),
        ]

    def _base(self, amount: Decimal | None) -> str:
        return base_text(amount, self.board.base_currency if self.board else "USD")

    # -- loading -------------------------------------------------------------------------
    def load(self) -> None:
        first_look, self._first_look = self._first_look, None
        if first_look is not None:
            # Shown at start-up from the snapshot read: only the seat count is left to do.
            self._count_seats(first_look)
            return

        def spend(ctx: ServiceContext, job: Job) -> Dashboard:
            from stackadmin.services.overview.dashboard import compute

            return compute(ctx, with_seats=False)

        def done(board: Dashboard) -> None:
            self._show_spend(board)
            self._count_seats(board)

        self.env.run(spend, done, key="load:dashboard")

    def show_first_look(self, data: Any) -> None:
        self._first_look = data
        self._show_spend(data)

    def _show_spend(self, board: Dashboard) -> None:
        self.board = board
        base = board.base_currency
        missing = (f" Missing rates: {', '.join(board.missing_rates)} (not counted)."
                   if board.missing_rates else "")
        self.total.set(self._base(board.total_base),
                       f"{len(board.spend)} terms in force, in {base}.{missing}")
        nxt = board.next_renewals[0] if board.next_renewals else None
        days = None if nxt is None else nxt.days_left
        self.next_card.set("—" if days is None else "today" if days == 0
                           else "tomorrow" if days == 1 else f"in {days} days",
                           f"{nxt.term.tool}, cancel by {date_text(nxt.cancel_by)}" if nxt
                           else "No upcoming renewals")
        self.no_owner.set(int_text(len(board.tools_without_owner)),
                          ", ".join(t.name for t in board.tools_without_owner[:3]))
        self.no_renewal.set(int_text(len(board.terms_without_renewal)),
                            ", ".join(t.tool for t in board.terms_without_renewal[:3]))
        self.savings.set("…", "Counting seats…")
        self._bars(self.by_category, board.by_category)
        self._bars(self.by_cost_center, board.by_cost_center)
        self.by_month.set_data([m.month.strftime("%b") for m in board.months],
                               [float(m.amount_base) for m in board.months],
                               [self._base(m.amount_base) for m in board.months])
        self.renewal_model.set_rows(board.next_renewals)
        self.renewal_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        rates = ", ".join(f"1 {c} = {r} {base}" for c, r in board.rates.items() if c != base)
        self.rates_note.setText(
            f"Totals in {base} as of {date_text(board.as_of)}"
            + (f"; rates used: {rates}." if rates else ".") + missing)
        self.loaded.emit()

    def _count_seats(self, board: Dashboard) -> None:
        generation = self.env.generation
        known = self.env.recall("utilization")  # the Seats page may have counted already

        def seats(ctx: ServiceContext, job: Job) -> Dashboard:
            from stackadmin.services.overview.dashboard import add_seats

            return add_seats(ctx, board, known)

        def done(result: Dashboard) -> None:
            self.env.remember("utilization", result.utilization, generation=generation)
            self._show_seats(result)

        self.env.run(seats, done, key="load:dashboard-seats", title="counting seats")

    def _show_seats(self, board: Dashboard) -> None:
        if board is not self.board:
            return
        self.seat_model.set_rows(board.seats)
        self.seat_view.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        unused = sum(s.unused for s in board.seats)
        self.savings.set(self._base(board.savings_base),
                         f"{unused:,} unused or unassigned seats")

    def _bars(self, chart: BarChart, values: dict[str, Decimal]) -> None:
        chart.set_data(list(values), [float(v) for v in values.values()],
                       [self._base(v) for v in values.values()])

    # -- the rows behind a figure --------------------------------------------------------
    def open_spend(self, by: str | None, value: str | None) -> RowsDialog | None:
        if self.board is None:
            return None
        rows = [s for s in self.board.spend if by is None or getattr(s, by) == value]
        total = sum((s.annual_base for s in rows if s.annual_base is not None), Decimal(0))
        title = "Annual spend" if by is None else f"Annual spend: {value}"
        dialog = RowsDialog(title, spend_columns(self.board.base_currency), rows,
                            f"{len(rows)} terms, {self._base(total)} a year.", self)
        dialog.open()
        return dialog

    def open_month(self, n: int) -> RowsDialog | None:
        if self.board is None:
            return None
        month = self.board.months[n]
        ids = set(month.term_ids)
        rows = [s for s in self.board.spend if s.term_id in ids]
        dialog = RowsDialog(f"Due in {month.month:%B %Y}",
                            spend_columns(self.board.base_currency), rows,
                            f"{len(ids)} terms bill in this month: "
                            f"{self._base(month.amount_base)} (one billing period each; the "
                            "table shows their annual cost).", self)
        dialog.open()
        return dialog
