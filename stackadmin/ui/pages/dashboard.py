"""Dashboard: spend (total, by category, by cost centre, by month), seat utilization and
savings, next renewals and missed cancel-by dates, loose ends (tools without an owner or
whose owner left, terms without a renewal date), connections' health and the trends of the
last 12 months, the lowest-rated tools and the open requests; every figure opens the rows
behind it. The cards and sections reflow to the width there is (1024 pixels included).

Loads in jobs, one at a time: the spend figures (hundreds of terms) first, then seat
utilization (up to 100k seats), then connections and trends, and the buying figures, so
the page shows its numbers without waiting for the seat count.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.cards import Card, RowsDialog, Section
from stackadmin.ui.charts import BarChart
from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.empty import EmptyState, Step
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.fmt import base_text, date_text, int_text, plural
from stackadmin.ui.pages.base import Page
from stackadmin.ui.pages.dashboard_columns import (
    rated_columns,
    renewal_columns,
    request_columns,
    seat_columns,
    spend_columns,
)
from stackadmin.ui.tablemodel import ROW_ROLE, Column, RowTableModel
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.overview.figures import Dashboard
    from stackadmin.ui.tasks import Job

__all__ = ["Card", "DashboardPage", "RowsDialog", "Section", "spend_columns"]


class DashboardPage(Page):
    title = "Dashboard"
    icon = "dashboard"
    # A decision ends a missed cancel-by date: "decision" reloads the next renewals too.
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "term", "account", "person", "setting", "decision", "connection", "snapshot",
         "feedback", "request", "integration"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.board: Dashboard | None = None
        self.running: Any = None  # (connection health, adoption trend, freshness) once loaded
        self._first_look: Dashboard | None = None  # shown before the database was open
        self.total = Card("Annual spend", self)
        self.savings = Card("Potential annual savings", self)
        self.next_card = Card("Next cancel-by", self)
        self.no_owner = Card("Tools without an owner", self)
        self.owner_left = Card("Owner has left", self)
        self.owner_left.setToolTip("Tools whose owner has left the company: hand each over to "
                                   "someone still here (Edit on the tool's page)")
        self.no_renewal = Card("Terms without a renewal date", self)
        self.connections_card = Card("Connections broken / unverified", self)
        self.connections_card.setToolTip("Connections between tools broken now, and those "
                                          "not verified for a while (click for the list)")
        self.by_category = BarChart(horizontal=True, parent=self)
        self.by_cost_center = BarChart(horizontal=True, parent=self)
        self.by_month = BarChart(horizontal=False, parent=self)
        from stackadmin.ui.charts import TrendChart

        self.sync_card = Card("Vendor data", self)
        self.sync_card.setToolTip("How old the oldest data from a vendor integration is, and "
                                  "the syncs that failed (click for the integrations)")
        self.sync_card.clicked.connect(lambda: self.env.open_page("integrations", None))
        self.trend_chart = TrendChart(self)
        self.cost_chart = TrendChart(self)
        self.sizers: dict[str, ColumnSizer] = {}
        self.seat_model: RowTableModel[Any] = RowTableModel(seat_columns(self._base), self)
        self.seat_view = self._table(self.seat_model, "seats")
        self.renewal_model: RowTableModel[Any] = RowTableModel(renewal_columns(), self)
        self.renewal_view = self._table(self.renewal_model, "renewals")
        self.rated_model: RowTableModel[Any] = RowTableModel(rated_columns(), self)
        self.rated_view = self._table(self.rated_model, "rated")
        self.rated_view.setMinimumHeight(160)
        self.requests_model: RowTableModel[Any] = RowTableModel(request_columns(), self)
        self.requests_view = self._table(self.requests_model, "requests")
        self.requests_view.setMinimumHeight(160)
        self.rates_note = QLabel(self)
        self.rates_note.setObjectName("count")
        self.rates_note.setWordWrap(True)
        # Said in words under the seat table, not only in a cell's colour or tooltip.
        self.over_note = QLabel(self)
        self.over_note.setObjectName("overAllocated")
        self.over_note.setWordWrap(True)
        self.over_note.setStyleSheet(f"color: {WARN};")
        self.over_note.hide()

        self.total.clicked.connect(lambda: self.open_spend(None, None))
        self.savings.clicked.connect(lambda: self.env.open_page("savings", None))
        self.next_card.clicked.connect(self.open_next)
        self.no_owner.clicked.connect(lambda: self.env.open_page("tools", {"owner": "none"}))
        self.owner_left.clicked.connect(self.open_owners_departed)
        self.no_renewal.clicked.connect(lambda: self.env.open_page("renewals",
                                                                   {"undated": True}))
        self.connections_card.clicked.connect(
            lambda: self.env.open_page("connections", {"search": "broken"}))
        self.by_category.bar_clicked.connect(
            lambda n: self.open_spend("category", self.by_category.labels[n]))
        self.by_cost_center.bar_clicked.connect(
            lambda n: self.open_spend("cost_center", self.by_cost_center.labels[n]))
        self.by_month.bar_clicked.connect(self.open_month)
        self.seat_view.doubleClicked.connect(lambda index: self.env.open_page(
            "seats", {"tool_id": index.data(ROW_ROLE).tool_id}))
        self.renewal_view.doubleClicked.connect(lambda index: self.env.open_page(
            "renewals", {"term_id": index.data(ROW_ROLE).term.id}))
        self.rated_view.doubleClicked.connect(lambda index: self.env.open_page(
            "feedback", {"tool_id": index.data(ROW_ROLE).tool_id}))
        self.requests_view.doubleClicked.connect(lambda index: self.env.open_page(
            "request", {"request_id": index.data(ROW_ROLE).id}))

        seats_box = QWidget(self)
        seats_layout = QVBoxLayout(seats_box)
        seats_layout.setContentsMargins(0, 0, 0, 0)
        seats_layout.addWidget(self.seat_view, 1)
        seats_layout.addWidget(self.over_note)
        self.month_section = Section("Due by month, next 12 months", self.by_month, self)
        self.rated_section = Section("Lowest-rated tools (double-click for their feedback)",
                                     self.rated_view, self)
        # Laid out by `reflow` for the width there is: the cards in one row or in rows of
        # about half, the sections in two columns or one (at 1024 pixels nothing needs a
        # sideways scroll).
        self.cards: list[Card] = [self.total, self.savings, self.next_card, self.no_owner,
                                  self.owner_left, self.no_renewal, self.connections_card,
                                  self.sync_card]
        self.sections: list[tuple[Section, bool]] = [  # (section, full width)
            (Section("Annual spend by category", self.by_category, self), False),
            (Section("Annual spend by cost centre", self.by_cost_center, self), False),
            (self.month_section, True),
            (Section("Seat utilization by tool (double-click for the seats)", seats_box,
                     self), False),
            (Section("Next renewals by cancel-by date", self.renewal_view, self), False),
            (Section("Seats, last 12 months (all tools)", self.trend_chart, self), False),
            (Section("Annual cost, last 12 months", self.cost_chart, self), False),
            (self.rated_section, False),
            (Section("Open requests (double-click to open)", self.requests_view, self),
             False),
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

    def _base(self, amount: Decimal | None) -> str:
        return base_text(amount, self.board.base_currency if self.board else "USD")

    # -- loading -------------------------------------------------------------------------
    def load(self) -> None:
        first_look, self._first_look = self._first_look, None
        if first_look is not None:
            # Shown at start-up from the snapshot read: only the seat count (and the
            # connections and trends) are left to do.
            self._count_seats(first_look)
            self._load_running()
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
                       f"{plural(len(board.spend), 'term')} in force, in {base}.{missing}")
        upcoming = board.upcoming_renewals
        nxt = upcoming[0] if upcoming else None
        days = None if nxt is None else nxt.days_left
        when = ("—" if days is None else "today" if days == 0 else "tomorrow" if days == 1
                else f"in {days} days")
        detail = (f"{nxt.term.tool}, cancel by {date_text(nxt.cancel_by)}" if nxt
                  else "No upcoming renewals")
        missed = len(board.missed_renewals)
        if missed:
            # A deadline that passed undecided comes before the next one to come.
            self.next_card.title.setText("Cancel-by dates missed")
            self.next_card.set(int_text(missed), f"Next: {detail} ({when})")
        else:
            self.next_card.title.setText("Next cancel-by")
            self.next_card.set(when, detail)
        self.next_card.value.setStyleSheet(f"color: {WARN};" if missed else "")
        self.no_owner.set(int_text(len(board.tools_without_owner)),
                          ", ".join(t.name for t in board.tools_without_owner[:3]))
        left = board.owners_departed
        self.owner_left.set(int_text(len(left)),
                            ", ".join(t.name for t in left[:3]) + (" need a new owner"
                                                                   if left else ""))
        self.no_renewal.set(int_text(len(board.terms_without_renewal)),
                            ", ".join(t.tool for t in board.terms_without_renewal[:3]))
        self.savings.set("…", "Counting seats…")
        self._bars(self.by_category, board.by_category)
        self._bars(self.by_cost_center, board.by_cost_center)
        self.by_month.set_data([m.month.strftime("%b") for m in board.months],
                               [float(m.amount_base) for m in board.months],
                               [self._base(m.amount_base) for m in board.months],
                               groups=[str(m.month.year) for m in board.months],
                               unit=base)
        self.renewal_model.set_rows(board.next_renewals)
        self.sizers["renewals"].measure(longest_texts(self.renewal_model.columns,
                                                      board.next_renewals))
        self.renewal_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        rates = ", ".join(f"1 {c} = {r} {base}" for c, r in board.rates.items() if c != base)
        self.rates_note.setText(
            f"Totals in {base} as of {date_text(board.as_of)}"
            + (f"; rates used: {rates}." if rates else ".") + missing)
        if self.env.ready:
            self._load_running()
        self.loaded.emit()

    def _load_running(self) -> None:
        """Connections' health and the adoption trends (a third, small job)."""

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.overview.freshness import freshness
            from stackadmin.services.running.adoption import trend
            from stackadmin.services.running.connections import health

            return health(ctx), trend(ctx), freshness(ctx)

        self.env.run(work, self._show_running, key="load:dashboard-running")

    def _show_running(self, data: Any) -> None:
        health, trend, fresh = data
        self.running = data
        self._show_freshness(fresh)
        broken, stale = len(health.broken), len(health.unverified)
        self.connections_card.set(f"{broken} / {stale}",
                                  (", ".join(f"{r.from_tool} → {r.to_tool}"
                                             for r in health.broken[:2])
                                   or "Nothing broken")
                                  + f"; unverified: not checked for "
                                    f"{plural(health.days, 'day')}")
        self.connections_card.value.setStyleSheet(f"color: {WARN};" if broken else "")
        days = [p.day.isoformat() for p in trend.days]
        self.trend_chart.set_data(days, [
            ("purchased", [p.seats_purchased for p in trend.days]),
            ("held", [p.seats_held for p in trend.days]),
            ("active", [p.seats_active for p in trend.days])])
        self.cost_chart.set_data(days, [
            (f"annual cost, {trend.base_currency}",
             [None if p.annual_cost_base is None else float(p.annual_cost_base)
              for p in trend.days])])

    def _show_freshness(self, fresh: Any) -> None:
        """The oldest vendor data: "GitHub last synced 9 days ago", failures named."""
        if fresh.oldest_at is not None:
            from stackadmin.services.overview.freshness import ago

            value = ago(fresh.oldest_at, fresh.now)
        else:
            value = "none" if not fresh.integrations else "never synced"
        details = [fresh.sentence]
        if fresh.failing:
            details.append(f"last sync failed: {', '.join(fresh.failing)}")
        never = [n for n in fresh.never if n not in fresh.failing]
        if never and fresh.oldest is not None:
            details.append(f"never synced: {', '.join(never)}")
        self.sync_card.set(value, "; ".join(details))

    def _count_seats(self, board: Dashboard) -> None:
        generation = self.env.generation
        known = self.env.recall("utilization")  # the Seats page may have counted already

        def seats(ctx: ServiceContext, job: Job) -> Dashboard:
            from stackadmin.services.overview.dashboard import add_seats

            return add_seats(ctx, board, known)

        def done(result: Dashboard) -> None:
            self.env.remember("utilization", result.utilization, generation=generation)
            self._show_seats(result)
            self._load_buying()  # after the seats: the start-up keeps one job at a time

        self.env.run(seats, done, key="load:dashboard-seats", title="counting seats")

    def _show_seats(self, board: Dashboard) -> None:
        if board is not self.board:
            return
        self.seat_model.set_rows(board.seats)
        self.sizers["seats"].measure(longest_texts(self.seat_model.columns, board.seats))
        self.seat_view.sortByColumn(len(self.seat_model.columns) - 1,
                                    Qt.SortOrder.DescendingOrder)
        unused = sum(s.unused or 0 for s in board.seats)
        self.savings.set(self._base(board.savings_base),
                         f"{plural(unused, 'unused or unassigned seat')}")
        over = sorted((s for s in board.seats if s.over), key=lambda s: -s.over)
        names = ", ".join(f"{s.tool} ({s.assigned:,} of {s.purchased:,})" for s in over[:4])
        more = f" and {len(over) - 4} more" if len(over) > 4 else ""
        self.over_note.setText(
            f"⚠ {plural(len(over), 'tool holds', 'tools hold')} more seats than purchased: "
            f"{names}{more}. The vendor may bill a true-up." if over else "")
        self.over_note.setVisible(bool(over))

    def _load_buying(self) -> None:
        """The lowest-rated tools of the newest feedback round, and the open requests."""

        def work(ctx: ServiceContext, job: Job) -> tuple[Any, list[Any]]:
            from stackadmin.domain.requests import OPEN
            from stackadmin.services.buying.feedback import lowest_rated
            from stackadmin.services.buying.paid import PaidInventory
            from stackadmin.services.buying.requests import list_requests

            rows = list_requests(ctx, statuses=[s.value for s in OPEN],
                                 paid=PaidInventory(ctx.today(), "", []))
            return lowest_rated(ctx, 5), rows

        def done(result: tuple[Any, list[Any]]) -> None:
            rated, open_requests = result
            self.rated_model.set_rows(rated.tools)
            self.sizers["rated"].measure(longest_texts(self.rated_model.columns, rated.tools))
            self.rated_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # lowest first
            self.rated_section.set_title(
                "Lowest-rated tools" + (f" — {rated.round.name}" if rated.round
                                        else " — no feedback yet"))
            self.requests_model.set_rows(open_requests)
            self.sizers["requests"].measure(longest_texts(self.requests_model.columns,
                                                          open_requests))
            self.requests_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        self.env.run(work, done, key="load:dashboard-buying")

    def _bars(self, chart: BarChart, values: dict[str, Decimal]) -> None:
        chart.set_data(list(values), [float(v) for v in values.values()],
                       [self._base(v) for v in values.values()])

    # -- the rows behind a figure --------------------------------------------------------
    def _rows_dialog(self, title: str, columns: list[Column[Any]], rows: list[Any],
                     note: str, key: str = "spend-rows") -> RowsDialog:
        dialog = RowsDialog(title, columns, rows, note, self, settings=self.env.settings,
                            key=f"pages/dashboard/{key}")
        dialog.open()
        return dialog

    def open_spend(self, by: str | None, value: str | None) -> RowsDialog | None:
        if self.board is None:
            return None
        rows = [s for s in self.board.spend if by is None or getattr(s, by) == value]
        total = sum((s.annual_base for s in rows if s.annual_base is not None), Decimal(0))
        title = "Annual spend" if by is None else f"Annual spend: {value}"
        return self._rows_dialog(title, spend_columns(self.board.base_currency), rows,
                                 f"{plural(len(rows), 'term')}, {self._base(total)} a year.")

    def open_next(self) -> None:
        """The Renewals page with the next term to decide selected (the most overdue
        missed cancel-by date when there is one: missed rows lead the page)."""
        nxt = self.board.next_renewals[0] if self.board and self.board.next_renewals else None
        self.env.open_page("renewals", {"term_id": nxt.term.id} if nxt else None)

    def open_owners_departed(self) -> RowsDialog | None:
        """The tools whose owner has left (the rows the card counts)."""
        if self.board is None:
            return None
        rows = self.board.owners_departed
        columns: list[Column[Any]] = [
            Column("Tool", lambda t: t.name, width=220, elide="middle"),
            Column("Owner", lambda t: t.owner_name or t.owner_email or "", width=180,
                   tooltip=lambda t: t.owner_email or ""),
            Column("Last day", lambda t: date_text(t.owner_end_date),
                   key=lambda t: t.owner_end_date, width=100, whole=True),
            Column("Category", lambda t: t.category or ""),
        ]
        dialog = self._rows_dialog(
            "Tools to hand over", columns, rows,
            f"{plural(len(rows), 'tool')} whose owner has left: choose a new owner for each "
            "(Edit on the tool's page). Double-click a tool to open its page.", "owners-left")
        dialog.view.doubleClicked.connect(lambda index: self.env.open_page(
            "tool", {"tool_id": index.data(ROW_ROLE).id}))
        return dialog

    def open_month(self, n: int) -> RowsDialog | None:
        if self.board is None:
            return None
        month = self.board.months[n]
        ids = set(month.term_ids)
        rows = [s for s in self.board.spend if s.term_id in ids]
        return self._rows_dialog(
            f"Due in {month.month:%B %Y}", spend_columns(self.board.base_currency), rows,
            f"{plural(len(ids), 'term')} bill in this month: "
            f"{self._base(month.amount_base)} (one billing period each; the table shows "
            "their annual cost).")
