"""Savings: unused seats grouped by tool and reason with what they cost a year, actions on
them (exempt with a reason, clear the exemption, mark reclaimed, open the person), and the
directory reconciliation (unknown users, departed people holding seats, duplicates).

Built for ~30k unused seats: one worker job computes the rows and their search text; the
tool/reason filters and the search work on plain Python lists and reset the model (no proxy).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import seat_actions
from stackadmin.ui.dialogs import FormDialog
from stackadmin.ui.filtertable import ALL, FilteredTable, make_view
from stackadmin.ui.fmt import base_amount, base_text, date_text, int_text, plural
from stackadmin.ui.pages.base import Page
from stackadmin.ui.tablemodel import Column, RowTableModel, search_text
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.savings import SavingsGroup, SavingsView
    from stackadmin.services.seats.utilization import SeatStatus
    from stackadmin.ui.tasks import Job

_WARN_QSS = ("QLabel { background: #fff4e5; color: #7a4a00; border: 1px solid #f3c98b;"
             " border-radius: 4px; padding: 6px 8px; }")


def _reason_key(seat: SeatStatus) -> str:
    return seat.reason.value if seat.reason is not None else "exempt"


def _reason_text(seat: SeatStatus) -> str:
    from stackadmin.services.seats.savings import reason_words, seat_reason

    if seat.active_after_leaving:
        return "⚠ used after leaving"  # departed, and still active: the tooltip says when
    return reason_words(seat_reason(seat))


def _reason_tip(seat: SeatStatus) -> str:
    status = f"Account status: {seat.status}"
    if seat.active_after_leaving and seat.person_end_date and seat.last_activity:
        return (f"Red flag: {seat.person or seat.email} left on "
                f"{date_text(seat.person_end_date)} and used this account on "
                f"{date_text(seat.last_activity)}: check the access was removed. {status}")
    return status


def _last_activity(seat: SeatStatus) -> str:
    if not seat.activity_known:
        return "unknown"
    return "never" if seat.last_activity is None else date_text(seat.last_activity)


def _inactive(seat: SeatStatus) -> str:
    return "" if seat.days_inactive is None else f"{seat.days_inactive:,} d"


def _exemption(seat: SeatStatus) -> str:
    if not seat.exempt:
        return ""
    by = f" (by {seat.exempt_by})" if seat.exempt_by else ""
    return f"{seat.exempt_reason or ''}{by}"


class SavingsPage(Page):
    title = "Savings"
    icon = "savings"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"account", "person", "tool", "term", "setting", "offboarding"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.view_data: SavingsView | None = None
        self.base_currency = "USD"
        self._pending_target: dict[str, Any] | None = None
        self.dialog: FormDialog | None = None
        self.confirm_box: QMessageBox | None = None

        # Headline: the total and what it is made of.
        self.figure = QLabel("…", self)
        self.figure.setObjectName("figure")
        figure_title = QLabel("Potential annual savings", self)
        figure_title.setObjectName("figureTitle")
        self.figure_detail = QLabel("Counting seats…", self)
        self.figure_detail.setObjectName("count")
        self.figure_detail.setWordWrap(True)
        self.figure_detail.setTextFormat(Qt.TextFormat.RichText)
        self.missing_note = QLabel(self)
        self.missing_note.setWordWrap(True)
        self.missing_note.setStyleSheet(_WARN_QSS)
        self.missing_note.hide()

        # Groups by tool and reason; selecting one filters the seats below.
        self.group_model: RowTableModel[SavingsGroup] = RowTableModel(self._group_columns(),
                                                                      self)
        self.group_view = make_view(self.group_model, self)
        self.group_view.sortByColumn(4, Qt.SortOrder.DescendingOrder)
        # The reason takes the spare width: a stretched last column pushed the cost far right.
        self.group_view.horizontalHeader().setStretchLastSection(False)
        self.group_view.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch)
        self.group_view.selectionModel().selectionChanged.connect(
            lambda *_: self._group_selected())
        self.group_count = QLabel(self)
        self.group_count.setObjectName("count")

        # The seats, with their actions and filters.
        self.seats = FilteredTable(self._seat_columns(), self, env=env,
                                   state_key=lambda: self.setting_key("seats"),
                                   noun=("seat", "seats"),
                                   search_hint="Search seats: tool, person, email…")
        self.seat_model = self.seats.model
        self.tool_filter = self.seats.add_choice("tool", lambda s: s.tool_id, width=190)
        # "All unused seats" leaves the exempt ones out; the "Exempt seats" choice lists them.
        self.reason_filter = self.seats.add_choice("reason", _reason_key, width=190,
                                                   when_all=lambda s: not s.exempt)
        self.exempt_action = self.seats.add_action(
            "Exempt…", "edit", self.exempt,
            tip="Keep the selected seats on purpose (a reason is required): they are then "
                "not counted as unused")
        self.clear_action = self.seats.add_action(
            "Clear exemption", "renew", self.clear_exemption,
            tip="Count the selected exempt seats by the unused rules again")
        self.reclaim_action = self.seats.add_action(
            "Mark reclaimed", "delete", self.reclaim,
            tip="The seat was taken back at the vendor: the account is deprovisioned")
        self.person_action = self.seats.add_action("Open person", "people", self.open_person)
        self.seats.row_menu = self.seat_menu
        self.seats.selection_changed.connect(self._update_actions)
        self.seats.view.doubleClicked.connect(lambda _i: self.open_person())
        self.seats.set_choices("reason", "All unused seats", self._reason_choices())
        self.seats.filters_changed.connect(self._explain_empty)

        groups_box = QWidget(self)
        groups_layout = QVBoxLayout(groups_box)
        groups_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>By tool and reason</b> (select a line to see its seats)", self)
        groups_layout.addWidget(heading)
        groups_layout.addWidget(self.group_view, 1)
        groups_layout.addWidget(self.group_count)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(groups_box)
        split.addWidget(self.seats)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)

        head = QFrame(self)
        head.setObjectName("card")
        head_layout = QHBoxLayout(head)
        head_layout.setContentsMargins(14, 8, 14, 8)
        figures = QVBoxLayout()
        figures.setSpacing(0)
        figures.addWidget(figure_title)
        figures.addWidget(self.figure)
        head_layout.addLayout(figures)
        head_layout.addSpacing(16)
        head_layout.addWidget(self.figure_detail, 1)

        unused_tab = QWidget(self)
        unused_layout = QVBoxLayout(unused_tab)
        unused_layout.setContentsMargins(0, 8, 0, 0)
        unused_layout.addWidget(head)
        unused_layout.addWidget(self.missing_note)
        unused_layout.addWidget(split, 1)

        from stackadmin.ui.pages.directory import DirectoryPanel

        self.directory = DirectoryPanel(self, self)
        self.directory_model = self.directory.table.model
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(unused_tab, "Unused seats")
        self.tabs.addTab(self.directory, "Directory")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.tabs)
        self._update_actions()

    # -- columns -----------------------------------------------------------------------
    def _base(self, amount: Decimal | None) -> str:
        return base_text(amount, self.base_currency)

    def _cost_note(self, tool_id: int) -> str:
        missing = self.view_data.tool_missing.get(tool_id) if self.view_data else None
        if missing:
            return (f"Not counted: no exchange rate from {', '.join(missing)} to "
                    f"{self.base_currency}")
        return ""

    def _seat_cost(self, seat: SeatStatus) -> str:
        if seat.annual_cost_base is None:
            return "no rate" if self._cost_note(seat.tool_id) else "—"
        return self._base(seat.annual_cost_base)

    def _seat_cost_tip(self, seat: SeatStatus) -> str:
        note = self._cost_note(seat.tool_id)
        if note:
            return note
        if seat.annual_cost_base is None:
            return "No term in force prices this tool per seat"
        if not seat.annual_cost_base:
            return "Flat-fee terms only: dropping a seat saves nothing"
        return f"What this seat costs a year, in {self.base_currency}"

    def _seat_columns(self) -> list[Column[SeatStatus]]:
        return [
            Column("Tool", lambda s: s.tool, width=150, elide="middle"),
            Column("Person", lambda s: s.person or "unmatched", width=150),
            Column("Email", lambda s: s.email or "", width=200),
            Column("Reason", _reason_text, key=_reason_key, width=150, tooltip=_reason_tip,
                   warn=lambda s: s.active_after_leaving),
            Column("Last activity", _last_activity, key=lambda s: s.last_activity,
                   searchable=False, width=95, whole=True),
            Column("Inactive", _inactive, key=lambda s: s.days_inactive, numeric=True,
                   searchable=False, width=70),
            Column("Annual cost", self._seat_cost, key=lambda s: s.annual_cost_base,
                   export=lambda s: base_amount(s.annual_cost_base, self.base_currency),
                   numeric=True, searchable=False, width=100, tooltip=self._seat_cost_tip),
            Column("Exemption", _exemption),
        ]

    def _group_columns(self) -> list[Column[SavingsGroup]]:
        return [
            Column("Tool", lambda g: g.tool, width=200, elide="middle"),
            Column("Reason", lambda g: g.reason_text, width=230),
            Column("Seats", lambda g: int_text(g.seats), key=lambda g: g.seats, numeric=True,
                   width=70),
            Column("Per seat a year", lambda g: self._group_cost(g, g.seat_price_base),
                   key=lambda g: g.seat_price_base, numeric=True, width=120),
            Column("Annual cost", lambda g: self._group_cost(g, g.annual_cost_base),
                   key=lambda g: g.annual_cost_base, numeric=True,
                   tooltip=lambda g: self._cost_note(g.tool_id)),
        ]

    def _group_cost(self, group: SavingsGroup, amount: Decimal | None) -> str:
        if amount is None:
            return "no rate" if group.missing_rates else "—"
        return self._base(amount)

    @staticmethod
    def _reason_choices(exempt: int = 0) -> list[tuple[str, str]]:
        from stackadmin.domain.utilization import UnusedReason
        from stackadmin.services.seats.savings import EXEMPT, reason_words

        items = [(reason_words(r.value).capitalize(), r.value) for r in UnusedReason]
        items.append((f"Exempt seats ({exempt:,})" if exempt else "Exempt seats", EXEMPT))
        return items

    # -- loading -----------------------------------------------------------------------
    def load(self) -> None:
        """The groups and totals first (from the figures, shared with the other pages until
        data changes), then the seats: the page shows its lines before 30,000 seats are
        read."""
        columns = self.seats.model.columns
        generation = self.env.generation
        known = self.env.recall("utilization")

        def summary(ctx: ServiceContext, job: Job) -> tuple[Any, SavingsView]:
            from stackadmin.services.seats.savings import savings_summary
            from stackadmin.services.seats.utilization import compute

            report = known if known is not None else compute(ctx)
            return report, savings_summary(ctx, report=report)

        def summary_shown(result: tuple[Any, SavingsView]) -> None:
            report, view = result
            self.env.remember("utilization", report, generation=generation)
            if self.view_data is None:  # a reload keeps the seats shown until new ones are in
                self.base_currency = view.base_currency
                self.group_model.set_rows(view.groups)
                self._show_figures(view)
                self.show_first_rows()

            def seats(ctx: ServiceContext, job: Job) -> tuple[SavingsView, list[str]]:
                from stackadmin.services.seats.savings import savings_view

                full = savings_view(ctx, report=report)
                job.check()
                return full, search_text(columns, full.seats)  # here, not on the GUI thread

            self.env.run(seats, self._show, title="counting unused seats", key="load:savings")

        self.env.run(summary, summary_shown, title="counting unused seats", key="load:savings")

    def _show(self, result: tuple[SavingsView, list[str]]) -> None:
        view, haystack = result
        self.view_data = view
        self.base_currency = view.base_currency
        tools = sorted({(s.tool, s.tool_id) for s in view.seats}
                       | {(g.tool, g.tool_id) for g in view.groups},
                       key=lambda t: t[0].casefold())
        self.seats.set_choices("tool", "All tools", tools)
        self.seats.set_choices("reason", "All unused seats",
                               self._reason_choices(view.seats_exempt))
        self.group_model.set_rows(view.groups)
        self.seats.set_rows(view.seats, haystack)
        self._show_figures(view)
        self._apply_pending()
        self.loaded.emit()
        self.directory.load()

    def _show_figures(self, view: SavingsView) -> None:
        self.figure.setText(self._base(view.total_savings_base))
        tools = len({g.tool_id for g in view.groups})
        parts = [f"{plural(view.seats_unused, 'unused seat')} and "
                 f"{view.seats_unassigned:,} unassigned (paid for, held by nobody) in "
                 f"{plural(tools, 'tool')}, as of "
                 f"{date_text(view.as_of)}, in {view.base_currency} a year."]
        if view.seats_exempt:
            parts.append(f"{plural(view.seats_exempt, 'exempt seat')} "
                         f"{'is' if view.seats_exempt == 1 else 'are'} not counted.")
        after = sum(1 for s in view.seats if s.active_after_leaving)
        text = escape(" ".join(parts))
        if after:
            text += (f" <span style='color: {WARN}; font-weight: 600'>⚠ "
                     f"{plural(after, 'seat')} used after the person's last day</span> "
                     "(reason “used after leaving”).")
        self.figure_detail.setText(text)
        self.missing_note.setText("\n".join(view.missing_notes))
        self.missing_note.setVisible(bool(view.missing_notes))
        from stackadmin.services.seats.savings import total_of

        self.group_count.setText(
            f"{plural(len(view.groups), 'line')}, {self._base(total_of(view.groups))} a year"
            if view.groups else "Nothing to reclaim: no unused or unassigned seats.")

    # -- filters -----------------------------------------------------------------------
    def _group_selected(self) -> None:
        from stackadmin.services.seats.savings import UNASSIGNED

        indexes = self.group_view.selectionModel().selectedRows()
        if not indexes:
            return
        group = self.group_model.row_at(indexes[0].row())
        # Unassigned seats have no account to list: show the tool's unused seats instead.
        reason = ALL if group.reason == UNASSIGNED else group.reason
        self.seats.choose("tool", group.tool_id, apply=False)
        self.seats.choose("reason", reason)
        if group.reason == UNASSIGNED:
            self.seats.empty_note.setText(
                f"{plural(group.seats, f'{group.tool} seat')} "
                f"{'is' if group.seats == 1 else 'are'} paid for and held by nobody: there is "
                "no account to reclaim; lower the seat count at the next renewal (see the "
                "Rightsizing brief on the Tools page). Listed: the tool's unused seats.")
            self.seats.empty_note.show()

    def _explain_empty(self) -> None:
        table = self.seats
        if table.model.total or self.view_data is None:
            table.empty_note.hide()
            return
        if not self.view_data.seats:
            text = "No unused seats: every seat held is in use, exempt, or a bot."
        else:
            text = "No seats match these filters."
        table.empty_note.setText(text)
        table.empty_note.show()

    def show_target(self, target: object) -> None:
        """{"tool_id": n} or {"tool": name}, {"reason": key}, {"search": text}."""
        if isinstance(target, dict):
            self._pending_target = dict(target)
            if self.view_data is not None:
                self._apply_pending()

    def _apply_pending(self) -> None:
        target, self._pending_target = self._pending_target, None
        if not target:
            return
        self.tabs.setCurrentIndex(0)
        tool_id = target.get("tool_id")
        if tool_id is None and "tool" in target and self.view_data is not None:
            name = str(target["tool"]).casefold()
            tool_id = next((g.tool_id for g in self.view_data.groups
                            if g.tool.casefold() == name), None)
            tool_id = tool_id or next((s.tool_id for s in self.view_data.seats
                                       if s.tool.casefold() == name), None)
        self.seats.choose("tool", tool_id if tool_id is not None else ALL, apply=False)
        self.seats.choose("reason", target.get("reason", ALL))
        if "search" in target:
            self.seats.search.setText(str(target["search"]))

    # -- actions -----------------------------------------------------------------------
    def selected_seats(self) -> list[SeatStatus]:
        return list(self.seats.selected_rows())

    def _update_actions(self) -> None:
        rows = self.selected_seats()
        self.exempt_action.setEnabled(any(not s.exempt for s in rows))
        self.clear_action.setEnabled(any(s.exempt for s in rows))
        self.reclaim_action.setEnabled(bool(rows))
        self.person_action.setEnabled(any(s.person_id is not None for s in rows))

    def exempt(self) -> FormDialog | None:
        """Asks for the reason (required, in a non-blocking dialog), then exempts every
        selected seat that is not exempt yet, in one batch (Edit → Undo)."""
        self.dialog = seat_actions.exempt_rows(self, self.env, self.selected_seats())
        return self.dialog

    def clear_exemption(self) -> Job | None:
        return seat_actions.clear_rows(self.env, self.selected_seats())

    def reclaim(self) -> QMessageBox | None:
        """Asks (without blocking) before marking the selected seats reclaimed."""
        return seat_actions.reclaim_rows(self, self.env, self.selected_seats())

    def confirm_reclaim(self, ids: list[int], what: str) -> QMessageBox:
        return seat_actions.confirm_reclaim(self, self.env, ids, what)

    def seat_menu(self, seats: list[SeatStatus]) -> list[QAction | None]:
        """The right-click menu's own actions for the selected seats."""
        from stackadmin.ui.table_menus import menu_action, open_tool_action

        person = next((s for s in seats if s.person_id is not None), None)
        return [
            menu_action(self, "Open person", self.open_person, enabled=person is not None),
            open_tool_action(self.env, self, seats[0].tool_id if seats else None),
            None,
            menu_action(self, "Exempt…", self.exempt, enabled=any(not s.exempt for s in seats)),
            menu_action(self, "Clear exemption", self.clear_exemption,
                        enabled=any(s.exempt for s in seats)),
            menu_action(self, "Mark reclaimed…", self.reclaim, enabled=bool(seats)),
        ]

    def open_person(self) -> None:
        seat = next((s for s in self.selected_seats() if s.person_id is not None), None)
        if seat is not None:
            self.env.open_page("person", {"person_id": seat.person_id})

