"""Renewals: open terms by cancel-by date, filtered (next 30/90/365 days, undecided,
auto-renewing), as a list or a 12-month timeline; decide, snooze or acknowledge reminders,
and add, edit, renew or delete terms."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QToolButton,
)

from stackadmin.ui import icons
from stackadmin.ui.fmt import base_text, date_text, days_text, money_text, plural
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.reminders import actions
from stackadmin.ui.reminders.panel import UrgencyDelegate, seats_text
from stackadmin.ui.tablemodel import Column, Haystack
from stackadmin.ui.timeline import Mark, RenewalTimeline

if TYPE_CHECKING:
    from collections.abc import Callable

    from stackadmin.services.context import ServiceContext
    from stackadmin.services.records import TermRow
    from stackadmin.services.renewals.listing import RenewalRow
    from stackadmin.services.renewals.reminders import ReminderRow
    from stackadmin.ui.tasks import Job

# (label, within_days): None lists every open term, UNDATED those without a renewal date.
UNDATED = -1
WINDOWS: tuple[tuple[str, int | None], ...] = (
    ("Next 30 days", 30), ("Next 90 days", 90), ("Next 365 days", 365), ("All open terms", None),
    ("Without a renewal date", UNDATED))
DEFAULT_WINDOW = 2
_KEEP: Any = object()  # set_filters: leave this filter as it is
NO_DATE = "no renewal date"


@dataclass(frozen=True, slots=True)
class RenewalLine:
    """A row of the page: the term's renewal, the reminder showing for it (if any), and the
    term itself (what the edit, renew and delete dialogs take). An open term without a
    renewal date has no renewal (None): it is listed so that it can be reached and dated."""

    renewal: RenewalRow | None
    reminder: ReminderRow | None
    term: TermRow | None

    @property
    def id(self) -> int:  # TablePage keeps the selection across reloads by `id`
        if self.renewal is not None:
            return self.renewal.term_id
        assert self.term is not None
        return self.term.id

    @property
    def tool(self) -> str:
        return self.renewal.tool if self.renewal is not None else (
            self.term.tool if self.term is not None else "")

    @property
    def plan(self) -> str:
        return self.renewal.plan if self.renewal is not None else (
            self.term.plan if self.term is not None else "")


def _base_text(r: RenewalRow) -> str:
    if r.annual_cost_base is None:
        return f"no {r.missing_rate} rate"
    return money_text(r.annual_cost_base)


def _days_tooltip(r: RenewalRow) -> str:
    if r.days_left < 0:
        state = "decided" if r.decided else "missed: nothing was decided"
        return f"The cancel-by date passed {plural(-r.days_left, 'day')} ago ({state})"
    return f"{plural(r.days_left, 'day')} until the cancel-by date"


def _reminder_text(x: RenewalLine) -> str:
    if x.reminder is None:
        return ""
    return "missed" if x.reminder.missed else f"{x.reminder.key.lead_days}-day"


def _urgency(x: RenewalLine) -> Any:
    from stackadmin.ui.timeline import urgency_colour

    if x.renewal is None:
        return urgency_colour(-1, False)  # a term nobody will be reminded of
    return urgency_colour(x.renewal.days_left, x.renewal.decided)


def _cost(x: RenewalLine) -> Any:
    """The annual cost in the term's currency (a Money), dated or not."""
    if x.renewal is not None:
        return x.renewal.annual_cost
    return None if x.term is None else x.term.annual_cost


def _undated_tip(_x: RenewalLine) -> str:
    return "This term has no renewal date, so no reminder comes: Edit term to set one"


def _columns() -> list[Column[RenewalLine]]:
    def on(get: Any, undated: Any = "") -> Any:
        """The renewal's value, or `undated` for a term without a renewal date."""
        return lambda x: get(x.renewal) if x.renewal is not None else undated

    return [
        Column("Cancel by", on(lambda r: date_text(r.cancel_by), NO_DATE),
               key=on(lambda r: (r.cancel_by, r.tool.casefold(), r.plan.casefold(),
                                 r.term_id), None), width=90, whole=True,
               searchable=False,
               tooltip=lambda x: _undated_tip(x) if x.renewal is None else
               f"Notice {x.renewal.notice_days} d + internal lead "
               f"{x.renewal.internal_lead_days} d before the renewal on "
               f"{date_text(x.renewal.renewal_date)}"),
        Column("Days left", on(lambda r: days_text(r.days_left)),
               key=on(lambda r: r.days_left, None), numeric=True, searchable=False, width=70,
               tooltip=on(_days_tooltip)),
        # The name that tells rows apart: room for "Okta Workforce Identity" at 1280
        # pixels (the owner, last, takes what is left).
        Column("Tool", lambda x: x.tool, width=175, elide="middle"),
        Column("Plan", lambda x: x.plan, width=88),
        # Renews and Auto wait in the header's menu: at 1024 pixels the rest fit, and the
        # renewal date is in the cancel-by tooltip, auto-renewal in a filter.
        Column("Renews", on(lambda r: date_text(r.renewal_date), "—"),
               key=on(lambda r: r.renewal_date, None), searchable=False, width=90,
               whole=True, hidden=True,
               tooltip=lambda x: "Rolled forward: the term renews by itself"
               if x.renewal is not None and x.renewal.rolled else ""),
        Column("Auto", lambda x: "yes" if (x.renewal.auto_renew if x.renewal is not None
                                           else x.term is not None and x.term.auto_renew)
               else "no", width=42, hidden=True),
        Column("Decision", on(lambda r: r.decision.value, NO_DATE), width=88,
               tooltip=on(lambda r: r.decision_note or "")),
        Column("Reminder", _reminder_text,
               key=lambda x: x.reminder.key.lead_days if x.reminder else None, width=68,
               tooltip=lambda x: x.reminder.label_with(date_text) if x.reminder else ""),
        Column("Annual cost", lambda x: money_text(_cost(x)),
               key=on(lambda r: r.annual_cost_base, None), numeric=True, searchable=False,
               width=95, tooltip=on(lambda r: f"In the term's currency "
                                              f"({r.annual_cost.currency})"),
               export=lambda x: None if (cost := _cost(x)) is None else cost.amount),
        Column("In base currency", on(_base_text, "—"),
               key=on(lambda r: r.annual_cost_base, None), numeric=True, searchable=False,
               width=108, tooltip=on(lambda r: f"Annual cost in {r.base_currency}"),
               export=on(lambda r: None if r.annual_cost_base is None
                         else r.annual_cost_base.amount, None)),
        Column("Seats", on(seats_text, "—"),
               key=on(lambda r: r.seats_purchased, None), numeric=True, searchable=False,
               width=62, tooltip=lambda x: "Seats purchased / active seats of the tool"),
        Column("Owner", on(lambda r: r.owner or ""),
               tooltip=on(lambda r: r.owner_email or "")),
    ]


def keeps(r: RenewalRow, within_days: int | None, undecided: bool, auto_renew: bool,
          renews_within: int | None = None) -> bool:
    """The filters of `services.renewals.list_renewals`, applied to rows already loaded: a
    filter click re-filters in ~1 ms instead of a query (3.6 s on the large demo). A test
    holds the two to the same answer."""
    if undecided and r.decided:
        return False
    if auto_renew and not r.auto_renew:
        return False
    if renews_within is not None and r.days_to_renewal > renews_within:
        return False
    if within_days is not None:
        if r.days_left > within_days:
            return False
        if r.days_left < 0 and r.decided:  # decided and past: done with
            return False
    return True


def line_keeps(x: RenewalLine, within_days: int | None, undecided: bool,
               auto_renew: bool, renews_within: int | None = None) -> bool:
    """`keeps` for a line; a term without a renewal date is listed with every open term
    and on its own window (it has nothing decided, so "undecided" keeps it), never when
    only terms renewing within some days are asked for."""
    if x.renewal is None:
        auto = x.term is not None and x.term.auto_renew
        return (within_days in (None, UNDATED) and (auto or not auto_renew)
                and renews_within is None)
    if within_days == UNDATED:
        return False
    return keeps(x.renewal, within_days, undecided, auto_renew, renews_within)


def fetch_lines(ctx: ServiceContext, *, with_seats: bool = True
                ) -> tuple[date, list[RenewalLine]]:
    """Runs on a worker: every open term's renewal and the reminder showing for each, then
    the open terms without a renewal date (by tool). Without `with_seats`, the tools'
    active seats are left to count (`count_seats`)."""
    from stackadmin.services.inventory.terms import list_terms
    from stackadmin.services.renewals.listing import list_renewals
    from stackadmin.services.renewals.reminders import due_reminders

    day = ctx.today()
    rows = list_renewals(ctx, as_of=day, with_seats=with_seats)
    due = {r.key.term_id: r for r in due_reminders(ctx, day, with_seats=False)}
    terms = {t.id: t for t in list_terms(ctx, statuses=("active",))}
    lines = [RenewalLine(r, due.get(r.term_id), terms.get(r.term_id)) for r in rows]
    undated = sorted((t for t in terms.values() if t.renewal_date is None),
                     key=lambda t: (t.tool.casefold(), t.plan.casefold(), t.id))
    return day, lines + [RenewalLine(None, None, t) for t in undated]


def count_seats(ctx: ServiceContext, lines: list[RenewalLine], day: date
                ) -> dict[int, RenewalRow]:
    """Runs on a worker: the renewals of `lines` with their tools' active seats counted, by
    term id (a query over every seat of those tools: 1.5 s with a million seats)."""
    from stackadmin.services.renewals.listing import with_active_seats

    renewals = [x.renewal for x in lines if x.renewal is not None]
    return {r.term_id: r for r in with_active_seats(ctx, renewals, day)} if renewals else {}


def with_counted(counted: dict[int, RenewalRow]) -> Callable[[RenewalLine], RenewalLine]:
    """A line with its renewal's active seats as `counted` has them (nothing else of the
    renewal changes)."""

    def change(line: RenewalLine) -> RenewalLine:
        renewal = line.renewal
        found = None if renewal is None else counted.get(renewal.term_id)
        if renewal is None or found is None or not found.seats_counted:
            return line
        return replace(line, renewal=replace(renewal, seats_active=found.seats_active,
                                             seats_counted=True))

    return change


class RenewalsPage(TablePage):
    empty_state = ("No renewals yet",
                   "Each subscription term with a renewal date shows here, the date by which "
                   "to cancel first. Add term (Ctrl+N) adds one; File → Import… brings in the "
                   "spreadsheet you have.")
    title = "Renewals"
    icon = "renewals"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"term", "tool", "setting", "account", actions.REMINDER, actions.DECISION})
    columns = _columns()
    search_hint = "Search tool, plan, owner, decision"
    multi_select = True  # several at once: decide, snooze or acknowledge them together

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.today: date | None = None
        self._lines: list[RenewalLine] = []  # every open term; the filters pick from these
        self._haystack: Haystack = []
        self._pending_target: int | None = None
        self.decide_action = self.add_action("Decide…", "decide", lambda: self.decide("renew"),
                                             needs_row=True)
        self.snooze_button = QToolButton(self)
        self.snooze_button.setText("Snooze")
        self.snooze_button.setIcon(icons.icon("snooze"))
        self.snooze_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.snooze_button.setMenu(actions.snooze_menu(self, self.snooze))
        self.snooze_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.snooze_button)
        self.ack_action = self.add_action("Acknowledge", "acknowledge", self.acknowledge)
        self.toolbar.addSeparator()
        self.add_action("Add term", "add", self._add, shortcut="Ctrl+N")
        self.add_action("Edit term", "edit", lambda: self._with_term("edit"), needs_row=True)
        self.add_action("Renew term", "renew", lambda: self._with_term("renew"),
                        needs_row=True)
        self.add_action("Delete term", "delete", lambda: self._with_term("delete"),
                        needs_row=True, shortcut="Del")

        self.window_box = QComboBox(self)
        self.window_box.addItems([label for label, _ in WINDOWS])
        self.window_box.setCurrentIndex(DEFAULT_WINDOW)
        self._restored = False
        self.renews_box = QSpinBox(self)
        self.renews_box.setRange(0, 3 * 365)
        self.renews_box.setSingleStep(30)
        self.renews_box.setSpecialValueText("Renews any time")  # 0: no limit
        self.renews_box.setPrefix("Renews within ")
        self.renews_box.setSuffix(" days")
        self.renews_box.setToolTip("Only terms that renew within this many days (0: any time)")
        self.undecided_box = QCheckBox("Undecided", self)
        self.undecided_box.setToolTip("Only terms without a decision for their renewal")
        self.auto_box = QCheckBox("Auto-renewing", self)
        self.auto_box.setToolTip("Only terms that renew by themselves")
        self.list_button = self._view_button("List")
        self.timeline_button = self._view_button("Timeline (12 months)")
        group = QButtonGroup(self)
        group.setExclusive(True)
        group.addButton(self.list_button)
        group.addButton(self.timeline_button)
        self.list_button.setChecked(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 4, 0, 4)
        bar.addWidget(QLabel("Cancel-by within", self))
        bar.addWidget(self.window_box)
        bar.addSpacing(8)
        bar.addWidget(self.renews_box)
        bar.addSpacing(8)
        bar.addWidget(self.undecided_box)
        bar.addWidget(self.auto_box)
        bar.addStretch(1)
        bar.addWidget(self.list_button)
        bar.addWidget(self.timeline_button)
        self.extra_layout.addLayout(bar)

        self.view.setItemDelegate(UrgencyDelegate(_urgency, (0, 1, 7), self.view))
        # Past their cancel-by date: on top whatever the sort (the missed ones in red).
        self.model.pin_first(lambda x: x.renewal is not None and x.renewal.days_left < 0)
        self.total = QLabel(self)
        self.total.setObjectName("renewalsTotal")
        self.bottom_layout.addWidget(self.total)
        self.timeline = RenewalTimeline(self)
        self.timeline.term_clicked.connect(self._timeline_clicked)
        self.timeline_area = QScrollArea(self)
        self.timeline_area.setWidgetResizable(True)
        self.timeline_area.setWidget(self.timeline)
        # The header stays at the top: a scroll must repaint it, not move its pixels.
        self.timeline_area.verticalScrollBar().valueChanged.connect(
            lambda _v: self.timeline.update())
        self.timeline_area.hide()
        self.table.add_below_view(self.timeline_area, 1)

        self.window_box.currentIndexChanged.connect(self._filters_changed)
        self.renews_box.valueChanged.connect(self._filters_changed)
        self.undecided_box.toggled.connect(self._filters_changed)
        self.auto_box.toggled.connect(self._filters_changed)
        self.timeline_button.toggled.connect(self._show_timeline)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self.model.modelReset.connect(self._selection)
        self.model.counts_changed.connect(lambda *_: self._update_timeline())
        self.model.counts_changed.connect(lambda *_: self._show_total())
        self._selection()

    def _view_button(self, text: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setAutoRaise(True)
        return button

    # -- filters and loading -------------------------------------------------------------
    @property
    def within_days(self) -> int | None:
        return WINDOWS[self.window_box.currentIndex()][1]

    @property
    def renews_within(self) -> int | None:
        return self.renews_box.value() or None

    def set_filters(self, *, within_days: int | None = _KEEP, undecided: bool | None = None,
                    auto_renew: bool | None = None, renews_within: int | None = _KEEP) -> None:
        """Sets filters as a user would, applied once for them all."""
        boxes = (self.window_box, self.undecided_box, self.auto_box, self.renews_box)
        for box in boxes:
            box.blockSignals(True)
        try:
            if within_days is not _KEEP:
                self.window_box.setCurrentIndex([d for _, d in WINDOWS].index(within_days))
            if undecided is not None:
                self.undecided_box.setChecked(undecided)
            if auto_renew is not None:
                self.auto_box.setChecked(auto_renew)
            if renews_within is not _KEEP:
                self.renews_box.setValue(renews_within or 0)
        finally:
            for box in boxes:
                box.blockSignals(False)
        self._filters_changed()

    def _filters_changed(self, *_args: Any) -> None:
        self.env.settings.setValue(self.setting_key("window"), self.window_box.currentIndex())
        self._apply_filters()

    def _apply_filters(self) -> None:
        within, undecided, auto = (self.within_days, self.undecided_box.isChecked(),
                                   self.auto_box.isChecked())
        renews = self.renews_within
        kept = [n for n, x in enumerate(self._lines)
                if line_keeps(x, within, undecided, auto, renews)]
        self._show_rows(([self._lines[n] for n in kept], [self._haystack[n] for n in kept], {}))

    def _restore(self) -> None:
        """The filter window and the view of last time (the page key is known by now)."""
        self._restored = True
        saved = str(self.env.settings.value(self.setting_key("window"), DEFAULT_WINDOW))
        if saved.isdigit() and int(saved) < len(WINDOWS):
            self.window_box.blockSignals(True)
            self.window_box.setCurrentIndex(int(saved))
            self.window_box.blockSignals(False)
        if self.env.settings.value(self.setting_key("view")) == "timeline":
            self.timeline_button.setChecked(True)

    def load(self) -> None:
        if not self._restored:
            self._restore()
        columns = self.columns

        def work(ctx: ServiceContext, job: Job) -> tuple[date, list[RenewalLine], list[str]]:
            from stackadmin.ui.tablemodel import search_text

            day, lines = fetch_lines(ctx, with_seats=False)
            job.check()
            return day, lines, search_text(columns, lines)

        def show(result: tuple[date, list[RenewalLine], list[str]]) -> None:
            # A reload shows the seats counted last time until they are counted again,
            # rather than "…" at each decision.
            before = with_counted({x.renewal.term_id: x.renewal for x in self._lines
                                   if x.renewal is not None})
            self.today, self._haystack = result[0], result[2]
            self._lines = [before(x) for x in result[1]]
            self._apply_filters()
            if self._pending_target is not None:
                self._select_term(self._pending_target)
            self._count_seats(self.today, self._lines)

        self.env.run(work, show, title="loading renewals", key=f"load:{self.key}")

    def _count_seats(self, day: date, lines: list[RenewalLine]) -> None:
        """The rows show first, their seats "…"; the tools' active seats (a count over every
        seat of those tools) are filled in where the rows are, the selection, order and
        search kept."""

        def work(ctx: ServiceContext, _job: Job) -> dict[int, RenewalRow]:
            return count_seats(ctx, lines, day)

        def show(counted: dict[int, RenewalRow]) -> None:
            if self._lines is not lines:
                return  # reloaded meanwhile: that load counts its own
            change = with_counted(counted)
            self._lines = [change(x) for x in lines]
            self.table.update_rows(change)

        self.env.run(work, show, title="counting the renewals' seats",
                     key=f"seats:{self.key}")

    # -- the two views -------------------------------------------------------------------
    def _show_timeline(self, on: bool) -> None:
        self.view.setVisible(not on)
        self.timeline_area.setVisible(on)
        self.env.settings.setValue(self.setting_key("view"), "timeline" if on else "list")
        self._update_timeline()

    def _update_timeline(self) -> None:
        if self.today is None:
            return
        marks = [Mark(r.term_id, f"{r.tool} — {r.plan}", r.cancel_by, r.renewal_date,
                      r.days_left, r.decision.value, r.auto_renew,
                      f"Annual cost {money_text(r.annual_cost)}; owner {r.owner or 'none'}")
                 for x in self.model.visible_rows() if (r := x.renewal) is not None]
        self.timeline.set_marks(marks, self.today)
        row = self.current_row()
        self.timeline.set_selected(None if row is None else row.id)

    def _show_total(self) -> None:
        """The annual cost of the rows shown (search and filters applied), in the base
        currency; rows without a rate are named, not counted as zero. Terms without a
        renewal date are counted apart (their cost is in the table, in their currency)."""
        lines = self.model.visible_rows()
        rows = [x.renewal for x in lines if x.renewal is not None]
        undated = len(lines) - len(rows)
        if not rows:
            self.total.setText(f"{plural(undated, 'term')} without a renewal date: no "
                               "reminder comes until one is set" if undated else "")
            return
        base = rows[0].base_currency
        priced = [r.annual_cost_base for r in rows if r.annual_cost_base is not None]
        missing = sorted({r.missing_rate for r in rows if r.annual_cost_base is None
                          and r.missing_rate})
        total = sum((m.amount for m in priced), Decimal(0))
        text = (f"Annual cost of the {plural(len(rows), 'term')} shown: "
                f"{base_text(total, base)}")
        if missing:
            text += (f" ({plural(len(rows) - len(priced), 'term')} without a rate to {base} "
                     f"not counted: {', '.join(missing)})")
        if undated:
            text += f"; {plural(undated, 'term')} without a renewal date not counted"
        self.total.setText(text)

    def _timeline_clicked(self, term_id: int) -> None:
        self.select_where(lambda x: x.id == term_id)

    def _selection(self) -> None:
        line = self.current_row()
        self.timeline.set_selected(None if line is None else line.id)
        has_reminder = bool(self._reminders())
        self.snooze_button.setEnabled(has_reminder)
        self.ack_action.setEnabled(has_reminder)
        self.decide_action.setEnabled(any(x.renewal is not None
                                          for x in self.selected_rows()))

    # -- answers ---------------------------------------------------------------------------
    def decide(self, decision: str = "renew") -> Any:
        """Decides on every selected dated renewal (one dialog for all; one renewal keeps
        its own decision as the preset). A term without a renewal date has nothing to
        decide yet."""
        lines = [x for x in self.selected_rows() if x.renewal is not None]
        if not lines:
            return None
        if len(lines) == 1:
            line = lines[0]
            preset = line.renewal.decision.value if line.renewal.decided else decision
            return actions.decision_dialog(self.env, self, line.renewal, preset)
        return actions.decide_all_dialog(self.env, self, [x.renewal for x in lines], decision)

    def _reminders(self) -> list[RenewalLine]:
        return [x for x in self.selected_rows() if x.reminder is not None]

    def snooze(self, days: int | None) -> Any:
        lines = self._reminders()
        if not lines:
            return None
        name = actions.many_name([x.renewal for x in lines])
        keys = [x.reminder.key for x in lines if x.reminder is not None]
        if days is None:
            return actions.snooze_all_dialog(self.env, self, keys, name)
        return actions.snooze_all(self.env, keys, name, days=days)

    def acknowledge(self) -> Any:
        lines = self._reminders()
        if not lines:
            return None
        return actions.acknowledge_all(self.env,
                                       [x.reminder.key for x in lines if x.reminder],
                                       actions.many_name([x.renewal for x in lines]))

    # -- terms -------------------------------------------------------------------------------
    def _with_term(self, what: str) -> None:
        """Opens the term dialog `what` (edit, renew, delete) on the selected term."""
        from stackadmin.ui.dialogs import terms

        line = self.current_row()
        if line is not None and line.term is not None:
            getattr(terms, what)(self, line.term)

    def _add(self) -> None:
        from stackadmin.ui.dialogs import terms

        def work(ctx: ServiceContext, _job: Any) -> list[tuple[int, str]]:
            from stackadmin.services.inventory.tools import list_tools

            return [(t.id, t.name) for t in list_tools(ctx)]

        def show(tools: list[tuple[int, str]]) -> None:
            if not tools:
                self.env.error.emit("Add a tool first: a term belongs to a tool.")
                return
            terms.create(self, tools)

        self.env.run(work, show)

    def activate(self, row: Any) -> None:
        """Decide on a dated term; date an undated one (its edit dialog)."""
        if row is not None:
            if row.renewal is None:
                self._with_term("edit")
            else:
                self.decide()

    def show_target(self, target: object) -> None:
        if isinstance(target, dict):
            if "search" in target:
                self.search.setText(str(target["search"]))
            if target.get("undated"):
                self.search.clear()
                self.set_filters(within_days=UNDATED, undecided=False, auto_renew=False,
                                 renews_within=None)
            if "term_id" in target:
                self._select_term(int(target["term_id"]))

    def _select_term(self, term_id: int) -> None:
        """Selects the term; when the filters hide it, widens them to every open term."""
        self._pending_target = term_id
        if self.select_where(lambda x: x.id == term_id):
            self._pending_target = None
            return
        if self.today is None:
            return  # not loaded yet: selected when the rows arrive
        if self.search.text():
            self.search.clear()
        if self.within_days is not None or self.undecided_box.isChecked() \
                or self.auto_box.isChecked() or self.renews_within is not None:
            self.set_filters(within_days=None, undecided=False, auto_renew=False,
                             renews_within=None)
            self.select_where(lambda x: x.id == term_id)
        self._pending_target = None

    def save_state(self) -> None:
        super().save_state()
        self.env.settings.setValue(self.setting_key("window"), self.window_box.currentIndex())

