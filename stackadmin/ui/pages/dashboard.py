"""Dashboard: spend (total, by category, by cost centre, by month), seat utilization and
savings, next renewals, loose ends; every figure opens the rows behind it.

Loads in two jobs: the spend figures (hundreds of terms) first, then seat utilization
(up to 100k seats), so the page shows its numbers without waiting for the seat count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.charts import BarChart
from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.empty import EmptyState, Step
from stackadmin.ui.filtertable import make_view
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
        self.sizers: dict[str, ColumnSizer] = {}
        self.seat_model: RowTableModel[Any] = RowTableModel(self._seat_columns(), self)
        self.seat_view = self._table(self.seat_model, "seats")
        self.renewal_model: RowTableModel[Any] = RowTableModel(self._renewal_columns(), self)
        self.renewal_view = self._table(self.renewal_model, "renewals")
        self.rates_note = QLabel(self)
        self.rates_note.setObjectName("count")
        self.rates_note.setWordWrap(True)

        self.total.clicked.connect(lambda: self.open_spend(None, None))
        self.savings.clicked.connect(lambda: self.env.open_page("savings", None))
        self.next_card.clicked.connect(self.open_next)
        self.no_owner.clicked.connect(lambda: self.env.open_page("tools", {"owner": "none"}))
        self.no_renewal.clicked.connect(lambda: self.env.open_page("renewals",
                                                                   {"undated": True}))
        self.by_category.bar_clicked.connect(
            lambda n: self.open_spend("category", self.by_category.labels[n]))
        self.by_cost_center.bar_clicked.connect(
            lambda n: self.open_spend("cost_center", self.by_cost_center.labels[n]))
        self.by_month.bar_clicked.connect(self.open_month)
        self.seat_view.doubleClicked.connect(lambda index: self.env.open_page(
            "seats", {"tool_id": index.data(ROW_ROLE).tool_id}))
        self.renewal_view.doubleClicked.connect(lambda index: self.env.open_page(
            "renewals", {"term_id": index.data(ROW_ROLE).term.id}))

        # Laid out by `reflow` for the width there is: the cards in one row or two, the
        # sections in two columns or one (at 1024 pixels nothing needs a sideways scroll).
        self.cards: list[Card] = [self.total, self.savings, self.next_card, self.no_owner,
                                  self.no_renewal]
        self.sections: list[tuple[Section, bool]] = [  # (section, full width)
            (Section("Annual spend by category", self.by_category, self), False),
            (Section("Annual spend by cost centre", self.by_cost_center, self), False),
            (Section("Due by month, next 12 months", self.by_month, self), True),
            (Section("Seat utilization by tool (double-click for the seats)",
                     self.seat_view, self), False),
            (Section("Next renewals by cancel-by date", self.renewal_view, self), False),
        ]
        self.card_grid = QGridLayout()
        self.card_grid.setSpacing(8)
        self.grid = QGridLayout()
        self.grid.setSpacing(12)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._layout_shape: tuple[int, int] = (0, 0)
        self.empty: EmptyState | None = None  # made when the inventory is empty
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 12, 16, 12)
        column.setSpacing(12)
        self._column = column
        column.addLayout(self.card_grid)
        column.addLayout(self.grid)
        column.addWidget(self.rates_note)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(body)
        self.scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.reflow(1100)

    # -- layout --------------------------------------------------------------------------
    CARD_MIN = 190  # a card with a six-figure amount
    TWO_COLUMNS = 1000  # below this the sections stack (their tables need the room)

    def reflow(self, width: int) -> None:
        """Cards in as many columns as fit (all in one row when they do, else in rows of
        about half), sections in two columns when there is room, else one."""
        spacing = self.card_grid.spacing()
        inner = width - 32
        per_row = max(1, min(len(self.cards), (inner + spacing) // (self.CARD_MIN + spacing)))
        if per_row < len(self.cards):
            per_row = max(1, min(per_row, (len(self.cards) + 1) // 2))
        two = inner >= self.TWO_COLUMNS
        shape = (per_row, 2 if two else 1)
        if shape == self._layout_shape:
            return
        self._layout_shape = shape
        for n in range(self.card_grid.columnCount()):
            self.card_grid.setColumnStretch(n, 0)
        for n, card in enumerate(self.cards):
            self.card_grid.removeWidget(card)
            self.card_grid.addWidget(card, n // per_row, n % per_row)
        for n in range(per_row):
            self.card_grid.setColumnStretch(n, 1)
        for section, _full in self.sections:
            self.grid.removeWidget(section)
        row = col = 0
        for section, full in self.sections:
            if not two:
                self.grid.addWidget(section, row, 0)
                row += 1
            elif full:
                if col:
                    row, col = row + 1, 0
                self.grid.addWidget(section, row, 0, 1, 2)
                row += 1
            else:
                self.grid.addWidget(section, row, col)
                row, col = (row, 1) if col == 0 else (row + 1, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1 if two else 0)

    def eventFilter(self, watched: Any, event: Any) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.scroll.viewport():
            self.reflow(event.size().width())
        return super().eventFilter(watched, event)

    def _empty_state(self) -> EmptyState:
        def load_demo() -> None:
            from stackadmin.ui.firstrun import load_demo_into

            load_demo_into(self.env, self)

        steps: list[Step] = [
            ("Add a tool", "Its name, vendor and owner; then its term and seats.", "add",
             lambda: self.env.open_page("tools", {"add": True})),
            ("Import a spreadsheet…", "Tools and terms, people, or a tool's accounts (CSV).",
             "import", self._import),
            ("Load the demo inventory", "About 40 people and 25 tools, to look around "
             "(only into an empty database).", "demo", load_demo),
        ]
        return EmptyState(
            "Nothing in the inventory yet",
            "The dashboard adds up what your tools cost, which seats go unused and what "
            "renews next. Start with your tools:", steps, self)

    def _import(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()

    def _show_empty(self, empty: bool) -> None:
        if empty and self.empty is None:
            self.empty = self._empty_state()
            self._column.insertWidget(0, self.empty)
        if self.empty is not None:
            self.empty.setVisible(empty)
        for card in self.cards:
            card.setVisible(not empty)
        for section, _full in self.sections:
            section.setVisible(not empty)
        self.rates_note.setVisible(not empty)

    def _table(self, model: RowTableModel[Any], key: str) -> QTableView:
        view = make_view(model, self)
        view.verticalHeader().setDefaultSectionSize(24)
        view.setMinimumHeight(230)
        sizer = ColumnSizer(view, self.env.settings, f"pages/dashboard/{key}")
        sizer.restore()
        self.sizers[key] = sizer
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
                   width=95, whole=True),
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
        self._show_empty(not board.tool_count)
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
        self.sizers["renewals"].measure(longest_texts(self.renewal_model.columns,
                                                      board.next_renewals))
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
        self.sizers["seats"].measure(longest_texts(self.seat_model.columns, board.seats))
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
                            f"{len(rows)} terms, {self._base(total)} a year.", self,
                            settings=self.env.settings, key="pages/dashboard/spend-rows")
        dialog.open()
        return dialog

    def open_next(self) -> None:
        """The Renewals page with the next term to decide selected."""
        nxt = self.board.next_renewals[0] if self.board and self.board.next_renewals else None
        self.env.open_page("renewals", {"term_id": nxt.term.id} if nxt else None)

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
                            "table shows their annual cost).", self,
                            settings=self.env.settings, key="pages/dashboard/spend-rows")
        dialog.open()
        return dialog
