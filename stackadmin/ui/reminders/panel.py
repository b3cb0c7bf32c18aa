"""Renewal reminders in the running app: a non-modal panel (a dock of the main window) and the
centre that fills it at start and on a timer, pops it up for new reminders only, and sends a
tray notification where a tray exists.

Popping up is for news: a reminder is popped (and notified) once, then recorded as shown
(`mark_shown`), so the same panel never greets every start. Reminders that came due while the
app was closed arrive in the first check as one panel, the most urgent first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QStyle,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.columns import CellDelegate
from stackadmin.ui.fmt import date_text, days_text, money_text
from stackadmin.ui.reminders import actions
from stackadmin.ui.tablemodel import ROW_ROLE, Column, RowTableModel
from stackadmin.ui.timeline import urgency_colour
from stackadmin.ui.tray import TrayNotifier

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from stackadmin.domain.reminders import ReminderKey
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.renewals.listing import RenewalRow
    from stackadmin.services.renewals.reminders import ReminderRow
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

HOUR_MS = 60 * 60 * 1000
CHECK_KEY = "reminders:check"  # the check's job (stackadmin.app waits for the first one)
MINUTE_MS = 60 * 1000
# Data changes after which the panel's rows may be stale (it re-reads, never pops up).
_REFRESH_ON = frozenset({"*", "term", "tool", "setting", "account", actions.REMINDER,
                         actions.DECISION})


class UrgencyDelegate(CellDelegate):
    """Colours the text of the given columns by urgency (missed red, soon orange) and sets
    the first cell of new rows in bold; the model stays plain (no extra roles to keep in step).
    Cells elide and explain themselves as every table's do (columns.CellDelegate)."""

    def __init__(self, colour_of: Callable[[Any], QColor | None], columns: Sequence[int],
                 parent: QObject | None = None, *,
                 bold: Callable[[Any], bool] | None = None) -> None:
        super().__init__(parent)
        self.colour_of = colour_of
        self.columns = frozenset(columns)
        self.bold = bold

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        row = index.data(ROW_ROLE)
        if row is None:
            return
        if index.column() == 0 and self.bold is not None and self.bold(row):
            font = option.font
            font.setBold(True)
            option.font = font
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if index.column() in self.columns and not selected:
            colour = self.colour_of(row)
            if colour is not None:
                palette = option.palette
                palette.setColor(QPalette.ColorRole.Text, colour)
                option.palette = palette


def reminder_text(row: ReminderRow) -> str:
    return "Deadline missed" if row.missed else f"{row.key.lead_days}-day reminder"


def cost_text(renewal: RenewalRow) -> str:
    """The annual cost in the term's currency, and in the base currency when it differs."""
    own = money_text(renewal.annual_cost)
    if renewal.annual_cost.currency == renewal.base_currency:
        return own
    if renewal.annual_cost_base is None:
        return f"{own} (no {renewal.base_currency} rate)"
    return f"{own} ({money_text(renewal.annual_cost_base)})"


def seats_text(renewal: RenewalRow) -> str:
    bought = "—" if renewal.seats_purchased is None else f"{renewal.seats_purchased:,}"
    if not renewal.seats_counted:
        return f"{bought} / …"  # counted right after the check (ReminderCenter)
    active = "?" if renewal.seats_active is None else f"{renewal.seats_active:,}"
    return f"{bought} / {active}"


def _columns() -> list[Column[ReminderRow]]:
    return [
        # Sized to fit beside each other at 1024 pixels, the owner included: the numbers
        # keep the width their widest text needs, the names give way.
        Column("Reminder", reminder_text, key=lambda r: (r.renewal.cancel_by, r.key.term_id),
               tooltip=lambda r: r.label_with(date_text) + (" — new" if r.is_new else ""),
               width=120),
        Column("Tool", lambda r: r.renewal.tool, width=140, elide="middle"),
        Column("Plan", lambda r: r.renewal.plan, width=90),
        Column("Renews", lambda r: date_text(r.renewal.renewal_date),
               key=lambda r: r.renewal.renewal_date, width=85),
        Column("Cancel by", lambda r: date_text(r.renewal.cancel_by),
               key=lambda r: r.renewal.cancel_by, width=85),
        Column("Days left", lambda r: days_text(r.renewal.days_left),
               key=lambda r: r.renewal.days_left, numeric=True, width=70),
        Column("Annual cost", lambda r: cost_text(r.renewal),
               key=lambda r: r.renewal.annual_cost_base, numeric=True, width=160),
        Column("Seats / active", lambda r: seats_text(r.renewal),
               key=lambda r: r.renewal.seats_purchased, numeric=True, width=95,
               tooltip=lambda r: "Seats purchased on the term / active seats of the tool"),
        Column("Owner", lambda r: r.renewal.owner or "no owner",
               tooltip=lambda r: r.renewal.owner_email or ""),
    ]


class ReminderPanel(QDockWidget):
    """The due reminders, the most urgent first, with the answers to each. Non-modal: it
    docks at the bottom of the main window and can be closed, moved or floated."""

    open_term = Signal(int)  # term id

    def __init__(self, env: Env, parent: QWidget | None = None) -> None:
        super().__init__("Renewal reminders", parent)
        self.env = env
        self.setObjectName("reminderPanel")
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                             | Qt.DockWidgetArea.TopDockWidgetArea
                             | Qt.DockWidgetArea.RightDockWidgetArea)
        self.model: RowTableModel[ReminderRow] = RowTableModel(_columns(), self)
        body = QWidget(self)
        self.heading = QLabel(body)
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        self.view = QTableView(body)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several at once: snooze, acknowledge or decide them together (ctrl/shift-click).
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for n, column in enumerate(self.model.columns):
            if column.width:
                header.resizeSection(n, column.width)
        self.view.setItemDelegate(UrgencyDelegate(
            lambda r: urgency_colour(r.renewal.days_left, r.renewal.decided), (0, 5), self.view,
            bold=lambda r: r.is_new))
        self.view.doubleClicked.connect(lambda _index: self._open())
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.open_button = QPushButton(icons.icon("renewals"), "Open term", body)
        self.open_button.clicked.connect(self._open)
        self.snooze_button = self._menu_button(
            "Snooze", "snooze", actions.snooze_menu(self, self.snooze), body)
        self.ack_button = QPushButton(icons.icon("acknowledge"), "Acknowledge", body)
        self.ack_button.setToolTip("Hide the selected reminders; the next one (or the "
                                   "missed-deadline notice) still comes")
        self.selection_note = QLabel(body)
        self.selection_note.setObjectName("count")
        self.ack_button.clicked.connect(self.acknowledge)
        self.decide_button = self._menu_button(
            "Decide", "decide", actions.decide_menu(self, self.decide), body)
        self.empty = QLabel("Nothing due: every renewal is decided or not yet close.", body)
        self.empty.setObjectName("placeholder")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        buttons = QHBoxLayout()
        for button in (self.open_button, self.snooze_button, self.ack_button,
                       self.decide_button):
            buttons.addWidget(button)
        buttons.addSpacing(8)
        buttons.addWidget(self.selection_note)
        buttons.addStretch(1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(12, 6, 12, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.set_rows([])

    @staticmethod
    def _menu_button(text: str, icon: str, menu: Any, parent: QWidget) -> QPushButton:
        button = QPushButton(icons.icon(icon), text, parent)
        button.setMenu(menu)
        return button

    # -- rows --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[ReminderRow]) -> None:
        selected = self.current()
        self.model.set_rows(rows)
        new = sum(1 for r in rows if r.is_new)
        missed = sum(1 for r in rows if r.missed)
        if rows:
            parts = [f"{len(rows)} renewal{'s need' if len(rows) != 1 else ' needs'} a decision"]
            if missed:
                parts.append(f"{missed} past the cancel-by date")
            if new:
                parts.append(f"{new} new")
            self.heading.setText(", ".join(parts) + " — the most urgent first.")
        else:
            self.heading.setText("Renewal reminders")
        self.view.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        keep = -1 if selected is None else self.model.row_of(lambda r: r.key == selected.key)
        if rows:
            self.view.selectRow(max(keep, 0))
        self._enable()

    def current(self) -> ReminderRow | None:
        indexes = self.view.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None

    def selected(self) -> list[ReminderRow]:
        """The selected reminders, in the table's order."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        return [self.model.row_at(n) for n in rows]

    def select_term(self, term_id: int) -> bool:
        n = self.model.row_of(lambda r: r.key.term_id == term_id)
        if n >= 0:
            self.view.selectRow(n)
        return n >= 0

    def _enable(self) -> None:
        selected = len(self.selected())
        for button in (self.snooze_button, self.ack_button, self.decide_button):
            button.setEnabled(selected > 0)
        self.open_button.setEnabled(selected == 1)
        self.selection_note.setText(f"{selected} selected: the answer goes to each"
                                    if selected > 1 else "")

    # -- answers (each stored on a worker; the centre refreshes on env.data_changed) ---
    def _open(self) -> None:
        row = self.current()
        if row is not None:
            self.open_term.emit(row.key.term_id)

    def snooze(self, days: int | None) -> Any:
        """1 = a day, 7 = a week; None asks for a date; every selected reminder."""
        rows = self.selected()
        if not rows:
            return None
        name = actions.many_name([r.renewal for r in rows])
        keys = [r.key for r in rows]
        if days is None:
            return actions.snooze_all_dialog(self.env, self, keys, name)
        return actions.snooze_all(self.env, keys, name, days=days)

    def acknowledge(self) -> Any:
        rows = self.selected()
        if not rows:
            return None
        return actions.acknowledge_all(self.env, [r.key for r in rows],
                                       actions.many_name([r.renewal for r in rows]))

    def decide(self, decision: str) -> Any:
        rows = self.selected()
        if not rows:
            return None
        return actions.decide_all_dialog(self.env, self, [r.renewal for r in rows], decision)


class ReminderCenter(QObject):
    """Checks for due reminders at start, every `interval_ms` and when the date changes; fills
    the panel, pops it up (and notifies) for new reminders, then records them as shown."""

    popped = Signal(list)  # the new ReminderRows just put in front of the user
    checked = Signal()  # a check finished (its rows are in the panel)
    seats_counted = Signal()  # the active seats of a check made without them are filled in

    def __init__(self, env: Env, window: QMainWindow, *, tray: TrayNotifier | None = None,
                 interval_ms: int = HOUR_MS, day_check_ms: int = MINUTE_MS) -> None:
        super().__init__(window)
        self.env = env
        self.window = window
        self.panel = ReminderPanel(env, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.panel)
        self.panel.hide()
        self.panel.open_term.connect(self.open_term)
        self.tray = tray if tray is not None else TrayNotifier(self)
        self.tray.clicked.connect(self.show_panel)
        self.button = QToolButton(window)
        self.button.setObjectName("reminderButton")
        self.button.setIcon(icons.icon("bell"))
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setAutoRaise(True)
        self.button.setToolTip("Show or hide the renewal reminders")
        self.button.clicked.connect(self.toggle_panel)
        self.button.hide()
        window.statusBar().addPermanentWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.check(popup=True))
        self.day_timer = QTimer(self)  # a cheap clock read; the query runs on a new day only
        self.day_timer.setInterval(day_check_ms)
        self.day_timer.timeout.connect(self._day_tick)
        self.day: date | None = None  # the day of the last check
        self._asked_day: date | None = None  # the new day a check was started for
        self.started = False
        self.popup_at_start = True  # False: the first check fills the panel, pops nothing up
        # A first check already made (day, rows, seconds), delivered at start without a job.
        self.first_check: tuple[date, list[ReminderRow], float] | None = None
        self.work_seconds = 0.0  # how long the last check worked (on its worker)
        self.seats_seconds = 0.0  # how long counting the first check's seats worked
        self.counting = False  # a check's seats are being counted (seats_counted follows)
        self._shown: list[ReminderRow] = []  # the rows of the last check, in the panel
        self._popup_wanted = False
        self._announced: set[ReminderKey] = set()  # popped this session, even if not yet saved
        env.data_changed.connect(self._data_changed)

    # -- checking ----------------------------------------------------------------------
    def start(self) -> None:
        """The database is open: the first check (catch-up), then the timers."""
        if self.started or not self.env.ready:
            return
        self.started = True
        self.timer.start()
        self.day_timer.start()
        first, self.first_check = self.first_check, None
        if first is None:
            self.check(popup=self.popup_at_start)
        else:  # made while the database was opened
            self._popup_wanted = self.popup_at_start
            self._checked(first)

    def stop(self) -> None:
        self.timer.stop()
        self.day_timer.stop()
        self.tray.close()

    def check(self, *, popup: bool = False) -> Job | None:
        """Re-reads the due reminders. A popup check that a refresh supersedes still pops up
        (the wish is kept until a check delivers)."""
        if not self.env.ready:
            return None
        self._popup_wanted = self._popup_wanted or popup

        def work(ctx: ServiceContext, _job: Job) -> tuple[date, list[ReminderRow], float]:
            from stackadmin.services.renewals.reminders import due_reminders

            started = time.thread_time()  # the work itself, not the wait for the lock
            day = ctx.today()
            rows = due_reminders(ctx, day)
            return day, rows, time.thread_time() - started

        return self.env.run(work, self._checked, key=CHECK_KEY)

    def _checked(self, result: tuple[date, list[ReminderRow], float]) -> None:
        self.day, rows, self.work_seconds = result
        popup, self._popup_wanted = self._popup_wanted, False
        self._shown = rows
        self.panel.set_rows(rows)
        self._show_count(rows)
        new = [r for r in rows if r.is_new and r.key not in self._announced]
        if popup and new:
            self._pop_up(new)
        if any(not r.renewal.seats_counted for r in rows):
            self._count_seats(self.day, rows)
        self.checked.emit()

    def _count_seats(self, day: date, rows: list[ReminderRow]) -> None:
        """Fills in the active seats of a check made without them (the first, at start-up:
        the reminders show at once, the counting over their tools' seats follows)."""

        def work(ctx: ServiceContext, _job: Job) -> list[ReminderRow]:
            from stackadmin.services.renewals.reminders import with_seats_counted

            started = time.thread_time()
            counted = with_seats_counted(ctx, rows, day)
            self.seats_seconds = time.thread_time() - started
            return counted

        def show(counted: list[ReminderRow]) -> None:
            if self._shown is rows:  # no newer check has replaced them meanwhile
                self._shown = counted
                self.panel.set_rows(counted)
            self.counting = False
            self.seats_counted.emit()

        def failed(exc: BaseException) -> None:  # the rows stay, their seats "…"
            log.warning("counting the reminders' seats failed: %s", exc)
            self.counting = False
            self.seats_counted.emit()

        # Under the check's key: a newer check cancels it (its rows come counted).
        self.counting = True
        self.env.run(work, show, failed, key=CHECK_KEY)

    def _pop_up(self, new: list[ReminderRow]) -> None:
        self._announced.update(r.key for r in new)
        self.show_panel()
        self.panel.select_term(new[0].key.term_id)  # the most urgent new one
        title = (f"{len(new)} renewal reminder{'s' if len(new) != 1 else ''}")
        first = new[0]
        text = f"{actions.term_name(first.renewal)}: {first.label_with(date_text)}"
        if len(new) > 1:
            text += f", and {len(new) - 1} more"
        if not self.tray.notify(title, text):
            # No tray: the panel is the notice; make the taskbar entry ask for attention.
            QApplication.alert(self.window)
        self.env.message.emit(f"{title}: {text}.")
        keys = [r.key for r in new]

        def work(ctx: ServiceContext, _job: Job) -> int:
            from stackadmin.services.renewals.reminders import mark_shown

            return mark_shown(ctx, keys)

        self.env.run(work, lambda _n: self.env.changed("audit"))
        self.popped.emit(new)

    def _day_tick(self) -> None:
        if not self.env.ready or self.day is None:
            return
        today = self.env.today()
        # Once per new day: a check still running must not be restarted (and so cancelled)
        # by every tick while it reads.
        if today != self.day and today != self._asked_day:
            self._asked_day = today
            self.check(popup=True)

    def _data_changed(self, entity: str) -> None:
        if self.started and entity in _REFRESH_ON:
            # An import or a demo load ("*") may bring news: that may pop up; an edit only
            # refreshes the rows (the next timer check pops up what it made due).
            self.check(popup=entity == "*")

    # -- the panel ---------------------------------------------------------------------
    def _show_count(self, rows: Sequence[ReminderRow]) -> None:
        self.button.setVisible(bool(rows) or self.panel.isVisible())
        self.button.setText(f"{len(rows)} reminder{'s' if len(rows) != 1 else ''}")

    def show_panel(self) -> None:
        self.panel.show()
        self.panel.raise_()
        if self.window.isMinimized():
            self.window.showNormal()
        height = max(self.window.height() // 3, 220)
        self.window.resizeDocks([self.panel], [height], Qt.Orientation.Vertical)

    def toggle_panel(self) -> None:
        if self.panel.isVisible():
            self.panel.hide()
        else:
            self.show_panel()

    def open_term(self, term_id: int) -> None:
        self.env.open_page("renewals", {"term_id": term_id})


def install_reminders(window: QMainWindow, env: Env, *, tray: TrayNotifier | None = None,
                      interval_ms: int = HOUR_MS, popup: bool = True,
                      first: tuple[date, list[ReminderRow], float] | None = None
                      ) -> ReminderCenter:
    """Adds the reminder panel to the main window; it starts once the first page is ready
    (the database is open), or at once when it already is. `popup=False`: the first check
    neither pops up nor records anything as shown (a smoke test's start). `first`: that
    check's result, already made (stackadmin.app makes it while opening the database)."""
    center = ReminderCenter(env, window, tray=tray, interval_ms=interval_ms)
    center.popup_at_start = popup
    center.first_check = first
    ready = getattr(window, "ready", None)
    if ready is not None:
        ready.connect(center.start)
    if env.ready:
        QTimer.singleShot(0, center.start)
    return center
