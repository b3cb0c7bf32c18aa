"""People: who works here, their status and how many accounts they hold; opens Person 360."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtGui import QAction

from stackadmin.ui import words
from stackadmin.ui.fmt import date_text, int_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.inventory.people import PersonRow
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[PersonRow]]:
    return [
        Column("Name", lambda p: p.name, width=180),
        Column("Email", lambda p: p.email, width=220),
        Column("Department", lambda p: p.department or "", width=110),
        Column("Cost centre", lambda p: p.cost_center or "", width=100),
        Column("Title", lambda p: p.title or "", width=120),
        Column("Status", lambda p: p.status, width=80),
        Column("End date", lambda p: date_text(p.end_date), key=lambda p: p.end_date,
               searchable=False, width=100, whole=True),
        Column("Accounts", lambda p: int_text(p.account_count), key=lambda p: p.account_count,
               numeric=True, searchable=False),
    ]


class PeoplePage(TablePage):
    empty_state = ("No people yet",
                   "The people list says who holds which seats and who has left. Add person "
                   "adds one; File → Import… brings in an HR export; a directory integration "
                   "(Google Workspace, Microsoft 365, Okta) keeps it up to date.")
    title = "People"
    icon = "people"
    reload_on: ClassVar[frozenset[str]] = frozenset({"person", "account"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.dialogs import people as dialogs

        self.add_action("Add person", "add", lambda: dialogs.create(self), shortcut="Ctrl+N")
        self.add_action("Edit", "edit", lambda: dialogs.edit(self, self.current_row()),
                        needs_row=True)
        self.add_action("Open", "people", lambda: self.activate(self.current_row()),
                        needs_row=True)
        self.add_action("Mark departed", "depart",
                        lambda: dialogs.depart(self, self.current_row()), needs_row=True)
        self.add_action("Delete", "delete", lambda: dialogs.delete(self, self.current_row()),
                        needs_row=True, shortcut="Del")
        self.table.add_choice("department", lambda p: p.department or "", width=140,
                              tip="Only this department")
        self.table.add_choice("status", lambda p: p.status, width=110, tip="Active or departed")
        self.table.set_choices("status", "Everyone", words.choices(words.PERSON_STATUS))

    def _show_rows(self, result: Shown) -> None:
        departments = sorted({p.department for p in result[0] if p.department},
                             key=str.casefold)
        self.table.set_choices("department", "All departments",
                               [(d, d) for d in departments] + [("No department", "")])
        super()._show_rows(result)

    def row_actions(self, rows: list[Any]) -> list[QAction | None]:
        from stackadmin.ui.dialogs import people as dialogs
        from stackadmin.ui.table_menus import menu_action

        person = rows[0] if rows else None
        return [
            menu_action(self, "Open", lambda: self.activate(person), enabled=bool(person)),
            menu_action(self, "Edit…", lambda: dialogs.edit(self, person),
                        enabled=bool(person)),
            menu_action(self, "Mark departed…", lambda: dialogs.depart(self, person),
                        enabled=person is not None and person.status != "departed"),
        ]

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.inventory.people import list_people

        return list_people(ctx)

    def activate(self, row: Any) -> None:
        if row is not None:
            self.env.open_page("person", {"person_id": row.id})

    def apply_target(self, target: object) -> None:
        if isinstance(target, dict):
            if "department" in target or "status" in target:
                self.table.choose("department", target.get("department"), apply=False)
                self.table.choose("status", target.get("status"))
            if "search" in target:
                self.search.setText(str(target["search"]))
