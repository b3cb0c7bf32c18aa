"""The Savings page's Directory tab: the people list against every tool's accounts (unknown
users, departed people still holding seats, duplicate accounts), one line per account."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from stackadmin.ui.filtertable import FilteredTable
from stackadmin.ui.fmt import date_text, dates_as_shown
from stackadmin.ui.tablemodel import Column, search_text
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.savings import DirectoryLine, DirectoryView
    from stackadmin.ui.pages.savings import SavingsPage
    from stackadmin.ui.tasks import Job


def directory_columns() -> list[Column[DirectoryLine]]:
    return [
        Column("Finding", lambda d: d.finding, width=190,
               warn=lambda d: d.finding == "used after leaving"),
        Column("Tool", lambda d: d.tool, width=150, elide="middle"),
        Column("Email", lambda d: d.email or "", width=210),
        Column("Account", lambda d: d.external_id or f"#{d.account_id}", width=110,
               tooltip=lambda d: f"The vendor's id (stackadmin account {d.account_id})"),
        Column("Person", lambda d: d.person or "", width=150),
        Column("Status", lambda d: d.status, width=80),
        Column("Last activity", lambda d: date_text(d.last_activity),
               key=lambda d: d.last_activity, searchable=False, width=95),
        Column("Detail", lambda d: dates_as_shown(d.detail),
               tooltip=lambda d: dates_as_shown(d.detail)),
    ]


def _n(count: int, one: str, many: str = "") -> str:
    return f"{count:,} {one if count == 1 else many or one + 's'}"


class DirectoryPanel(QWidget):
    """Loaded by the Savings page after its seats (the reconciliation reads every account
    again: ~3 s on 100,000 accounts, so the seats are not kept waiting for it)."""

    def __init__(self, page: SavingsPage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from stackadmin.services.seats.savings import FINDINGS

        self.page = page
        self.data: DirectoryView | None = None
        self.summary = QLabel("Comparing the people list with every tool's accounts…", self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.table = FilteredTable(directory_columns(), self, env=page.env,
                                   state_key=lambda: page.setting_key("directory"),
                                   noun=("account", "accounts"),
                                   search_hint="Search: tool, email, person…")
        self.finding_filter = self.table.add_choice("finding", lambda d: d.finding, width=210)
        self.table.set_choices("finding", "All findings", [(f.capitalize(), f)
                                                            for f in FINDINGS])
        self.person_action = self.table.add_action("Open person", "people", self.open_person)
        self.reclaim_action = self.table.add_action(
            "Mark reclaimed", "delete", self.reclaim,
            tip="The seat was taken back at the vendor: the account is deprovisioned")
        self.table.row_menu = self.row_actions
        self.table.selection_changed.connect(self._update_actions)
        self.table.view.doubleClicked.connect(lambda _i: self.open_person())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self._update_actions()

    def load(self) -> None:
        columns = self.table.model.columns

        def work(ctx: ServiceContext, job: Job) -> tuple[DirectoryView, list[str]]:
            from stackadmin.services.seats.savings import directory_view

            view = directory_view(ctx)
            job.check()
            return view, search_text(columns, view.lines)

        self.page.env.run(work, self._show, title="reconciling the directory",
                          key="load:savings-directory")

    def _show(self, result: tuple[DirectoryView, list[str]]) -> None:
        view, haystack = result
        self.data = view
        source = (", ".join(view.directory_sources) if view.directory_sources else
                  "the people list kept here (no identity provider is marked as the "
                  "directory source)")
        if not view.lines:
            found = "Nothing to reconcile: every seat belongs to a known, current person."
        else:
            found = (f"{_n(view.unknown_users, 'unknown user')} (accounts matched to no "
                     f"person), {_n(view.departed_people, 'departed person', 'departed people')}"
                     f" still holding {_n(view.departed_seats, 'seat')}, "
                     f"{_n(view.duplicate_groups, 'person or email', 'people or emails')} "
                     "with more than one account in a tool.")
        flag = (f"<span style='color: {WARN}; font-weight: 600'>⚠ "
                f"{_n(view.active_after_leaving, 'account')} used after the person's last "
                "day</span> (finding “used after leaving”). " if view.active_after_leaving
                else "")
        self.summary.setText(escape(f"As of {date_text(view.as_of)}, compared with {source}. ")
                             + flag + escape(found))
        self.table.set_rows(view.lines, haystack)

    def selected(self) -> list[DirectoryLine]:
        return list(self.table.selected_rows())

    def _update_actions(self) -> None:
        rows = self.selected()
        self.person_action.setEnabled(any(d.person_id is not None for d in rows))
        self.reclaim_action.setEnabled(any(d.status != "deprovisioned" for d in rows))

    def row_actions(self, lines: list[DirectoryLine]) -> list[Any]:
        from stackadmin.ui.table_menus import menu_action, open_tool_action

        return [
            menu_action(self, "Open person", self.open_person,
                        enabled=any(d.person_id is not None for d in lines)),
            open_tool_action(self.page.env, self, lines[0].tool_id if lines else None),
            None,
            menu_action(self, "Mark reclaimed…", self.reclaim,
                        enabled=any(d.status != "deprovisioned" for d in lines)),
        ]

    def open_person(self) -> None:
        line = next((d for d in self.selected() if d.person_id is not None), None)
        if line is not None:
            self.page.env.open_page("person", {"person_id": line.person_id})

    def reclaim(self) -> Any:
        """Asks, then reclaims the selected accounts in one batch (Edit → Undo)."""
        from stackadmin.ui import seat_actions

        # An account can be on two lines (a departed person's duplicate): once here.
        todo = list({d.account_id: d for d in self.selected()
                     if d.status != "deprovisioned"}.values())
        if todo:
            return self.page.confirm_reclaim([d.account_id for d in todo],
                                             seat_actions.describe(todo))
        return None
