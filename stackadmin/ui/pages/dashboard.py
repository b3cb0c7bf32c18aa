"""Dashboard: spend (total, by category, by cost centre, by month), seat utilization and
savings, next renewals, loose ends; every figure opens the rows behind it.

Loads in two jobs: the spend figures (hundreds of terms) first, then seat utilization
(up to 100k seats), so the page shows its numbers without waiting for the seat count.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.charts import BarChart
from stackadmin.ui.fmt import base_text, date_text, days_text, int_text, money_text, plural
from stackadmin.ui.pages.base import Page
from stackadmin.ui.tablemodel import ROW_ROLE, Column, RowTableModel
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.overview.figures import Dashboard, SeatLine, SpendLine
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
        self.title.setWordWrap(True)  # six cards share a 1024-pixel row
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


def _assigned_text(s: SeatLine) -> str:
    if s.assigned is None:
        return "—"
    return f"{s.assigned:,} (+{s.over:,})" if s.over else f"{s.assigned:,}"


def _assigned_tip(s: SeatLine) -> str:
    if s.assigned is None:
        return "No seat data: no account of this tool is recorded"
    if s.over:
        return (f"Over-allocated: {plural(s.assigned, 'seat')} held, {s.purchased:,} purchased "
                f"({s.over:,} more)")
    return "Seats held: active, invited or suspended accounts"


def _active_text(s: SeatLine) -> str:
    if s.assigned is None:
        return "—"
    if not s.activity_known:
        return "unknown"
    return int_text(s.active)


def _active_tip(s: SeatLine) -> str:
    if s.assigned is None:
        return "No seat data: import the tool's user list to count its seats"
    if not s.activity_known:
        return ("Activity unknown: the source reports no activity, so no seat is judged "
                "active or unused for inactivity; no recommended seat count")
    pct = "" if s.utilization_pct is None else (
        f" ({s.utilization_pct.quantize(Decimal(1))} % of the seats whose use is known)")
    return f"Seats used within the inactivity threshold{pct}"


_MINUS_ONE = Decimal(-1)


def spend_columns(base: str) -> list[Column[SpendLine]]:
    return [
        Column("Tool", lambda s: s.tool, width=180),
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
        self.view = view = QTableView(self)
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
                                   "someone still here (Edit on the Tools page)")
        self.no_renewal = Card("Terms without a renewal date", self)
        self.by_category = BarChart(horizontal=True, parent=self)
        self.by_cost_center = BarChart(horizontal=True, parent=self)
        self.by_month = BarChart(horizontal=False, parent=self)
        self.seat_model: RowTableModel[Any] = RowTableModel(self._seat_columns(), self)
        self.seat_view = self._table(self.seat_model)
        # Half the page wide: the numbers take the room they need, the tool names the rest.
        seat_header = self.seat_view.horizontalHeader()
        seat_header.setStretchLastSection(False)
        seat_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        seat_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.renewal_model: RowTableModel[Any] = RowTableModel(self._renewal_columns(), self)
        self.renewal_view = self._table(self.renewal_model)
        from stackadmin.ui.charts import TrendChart

        self.connections_card = Card("Connections: broken now / not verified (click for the "
                                     "list)", self)
        self.connections_card.clicked.connect(
            lambda: self.env.open_page("connections", {"search": "broken"}))
        self.sync_card = Card("Vendor data (click for the integrations)", self)
        self.sync_card.clicked.connect(lambda: self.env.open_page("integrations", None))
        self.trend_chart = TrendChart(self)
        self.cost_chart = TrendChart(self)
        self.rated_model: RowTableModel[Any] = RowTableModel(self._rated_columns(), self)
        self.rated_view = self._table(self.rated_model)
        self.rated_view.setMinimumHeight(160)
        self.requests_model: RowTableModel[Any] = RowTableModel(self._request_columns(), self)
        self.requests_view = self._table(self.requests_model)
        self.requests_view.setMinimumHeight(160)
        self.rated_section = Section("Lowest-rated tools (double-click for their feedback)",
                                     self.rated_view, self)
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
        self.next_card.clicked.connect(lambda: self.env.open_page("renewals", None))
        self.no_owner.clicked.connect(lambda: self.env.open_page("tools",
                                                                 {"search": "no owner"}))
        self.owner_left.clicked.connect(self.open_owners_departed)
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
        self.rated_view.doubleClicked.connect(lambda index: self.env.open_page(
            "feedback", {"tool_id": index.data(ROW_ROLE).tool_id}))
        self.requests_view.doubleClicked.connect(lambda index: self.env.open_page(
            "request", {"request_id": index.data(ROW_ROLE).id}))

        cards = QHBoxLayout()
        for card in (self.total, self.savings, self.next_card, self.no_owner, self.owner_left,
                     self.no_renewal):
            cards.addWidget(card, 1)
        grid = QGridLayout()
        grid.setSpacing(12)
        grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        grid.addWidget(Section("Annual spend by category", self.by_category, self), 0, 0)
        grid.addWidget(Section("Annual spend by cost centre", self.by_cost_center, self), 0, 1)
        self.month_section = Section("Due by month, next 12 months", self.by_month, self)
        grid.addWidget(self.month_section, 1, 0, 1, 2)
        seats_box = QWidget(self)
        seats_layout = QVBoxLayout(seats_box)
        seats_layout.setContentsMargins(0, 0, 0, 0)
        seats_layout.addWidget(self.seat_view, 1)
        seats_layout.addWidget(self.over_note)
        grid.addWidget(Section("Seat utilization by tool (double-click for the seats)",
                               seats_box, self), 2, 0)
        grid.addWidget(Section("Next renewals by cancel-by date", self.renewal_view, self),
                       2, 1)
        grid.addWidget(Section("Seats, last 12 months (all tools)", self.trend_chart, self),
                       3, 0)
        grid.addWidget(Section("Annual cost, last 12 months", self.cost_chart, self), 3, 1)
        grid.addWidget(self.connections_card, 4, 0)
        grid.addWidget(self.sync_card, 4, 1)
        grid.addWidget(self.rated_section, 5, 0)
        grid.addWidget(Section("Open requests (double-click to open)", self.requests_view,
                               self), 5, 1)
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
            Column("Tool", lambda s: s.tool, width=140),
            Column("Bought", lambda s: "flat" if s.flat else int_text(s.purchased),
                   key=lambda s: s.purchased, numeric=True, width=66,
                   tooltip=lambda s: "A flat fee: no seat count" if s.flat
                   else "Seats purchased on the terms in force"),
            Column("Held", _assigned_text, key=lambda s: s.assigned, numeric=True,
                   width=62, warn=lambda s: bool(s.over), tooltip=_assigned_tip),
            Column("Active", _active_text, key=lambda s: s.active, numeric=True, width=72,
                   tooltip=_active_tip),
            Column("Unused", lambda s: "—" if s.unused is None else int_text(s.unused),
                   key=lambda s: s.unused, numeric=True, width=54,
                   tooltip=lambda s: "Unused and unassigned seats"),
            # Tools without a figure (no seat data, no rate) sort below those with one.
            Column("Savings/yr", lambda s: "—" if s.assigned is None
                   else self._base(s.savings_base),
                   key=lambda s: _MINUS_ONE if s.savings_base is None else s.savings_base,
                   numeric=True),
        ]

    def _renewal_columns(self) -> list[Column[Any]]:
        return [
            Column("Cancel by", lambda r: date_text(r.cancel_by),
                   key=lambda r: (not r.missed, r.cancel_by), width=95,
                   warn=lambda r: r.missed,
                   tooltip=lambda r: "Missed: the cancel-by date passed with no decision"
                   if r.missed else ""),
            Column("Days left", lambda r: "missed" if r.missed else days_text(r.days_left),
                   key=lambda r: r.days_left, numeric=True, width=70,
                   warn=lambda r: r.missed,
                   tooltip=lambda r: f"Passed {plural(-(r.days_left or 0), 'day')} ago"
                   if r.missed else ""),
            Column("Tool", lambda r: r.term.tool, width=170),
            Column("Annual cost", lambda r: money_text(r.term.annual_cost),
                   key=lambda r: r.annual_cost_base, numeric=True),
        ]

    def _rated_columns(self) -> list[Column[Any]]:
        from stackadmin.ui.buying.feedback_section import score_text

        return [
            Column("Tool", lambda t: t.tool, width=150),
            Column("Satisfaction", lambda t: f"{score_text(t.average)} / 5",
                   key=lambda t: t.average, numeric=True, width=84,
                   tooltip=lambda t: f"{t.responses} answers in {t.round}"),
            Column("Answers", lambda t: int_text(t.responses), key=lambda t: t.responses,
                   numeric=True, width=60),
            Column("Annual cost", lambda t: base_text(t.annual_cost_base, t.base_currency),
                   key=lambda t: t.annual_cost_base, numeric=True),
        ]

    def _request_columns(self) -> list[Column[Any]]:
        urgency = {"high": 0, "normal": 1, "low": 2}
        return [
            Column("Urgency", lambda r: r.urgency, key=lambda r: urgency.get(r.urgency, 9),
                   width=64, warn=lambda r: r.urgency == "high"),
            Column("Status", lambda r: r.status, width=80),
            Column("Request", lambda r: r.title, width=230),
            Column("Requested by", lambda r: r.requested_by_name or r.requested_by),
        ]

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
            self.rated_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # lowest first
            self.rated_section.set_title(
                "Lowest-rated tools" + (f" — {rated.round.name}" if rated.round
                                        else " — no feedback yet"))
            self.requests_model.set_rows(open_requests)
            self.requests_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        self.env.run(work, done, key="load:dashboard-buying")

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
                                  + f"; unverified = not checked for {health.days} days")
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
                            f"{plural(len(rows), 'term')}, {self._base(total)} a year.", self)
        dialog.open()
        return dialog

    def open_owners_departed(self) -> RowsDialog | None:
        """The tools whose owner has left (the rows the card counts)."""
        if self.board is None:
            return None
        rows = self.board.owners_departed
        columns: list[Column[Any]] = [
            Column("Tool", lambda t: t.name, width=220),
            Column("Owner", lambda t: t.owner_name or t.owner_email or "", width=180,
                   tooltip=lambda t: t.owner_email or ""),
            Column("Last day", lambda t: date_text(t.owner_end_date),
                   key=lambda t: t.owner_end_date, width=100),
            Column("Category", lambda t: t.category or ""),
        ]
        dialog = RowsDialog("Tools to hand over", columns, rows,
                            f"{plural(len(rows), 'tool')} whose owner has left: choose a new "
                            "owner for each (Tools page → Edit). Double-click a tool to open "
                            "it on the Tools page.", self)
        dialog.view.doubleClicked.connect(lambda index: self.env.open_page(
            "tools", {"tool_id": index.data(ROW_ROLE).id}))
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
                            f"{plural(len(ids), 'term')} bill in this month: "
                            f"{self._base(month.amount_base)} (one billing period each; the "
                            "table shows their annual cost).", self)
        dialog.open()
        return dialog
