"""Renewals: terms in force by cancel-by date, with days left; add, edit, renew, delete terms.

A simple list for now: the reminders and decisions view (issue 4) replaces this page by
changing its one line in stackadmin.ui.pages.PAGES.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui.fmt import date_text, days_text, int_text, money_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.dashboard import RenewalLine
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[RenewalLine]]:
    return [
        Column("Cancel by", lambda r: date_text(r.cancel_by) if r.cancel_by else
               "no renewal date", key=lambda r: r.cancel_by, width=110,
               warn=lambda r: r.cancel_by is None,
               tooltip=lambda r: "Rolled forward: the term renews by itself" if r.rolled
               else ""),
        Column("Days left", lambda r: days_text(r.days_left), key=lambda r: r.days_left,
               numeric=True, searchable=False, width=80,
               warn=lambda r: r.days_left is not None and r.days_left < 0),
        Column("Tool", lambda r: r.term.tool, width=190),
        Column("Plan", lambda r: r.term.plan, width=130),
        Column("Renews", lambda r: date_text(r.renewal_date), key=lambda r: r.renewal_date,
               searchable=False, width=100),
        Column("Auto", lambda r: "yes" if r.term.auto_renew else "no", width=50),
        Column("Seats", lambda r: int_text(r.term.seats), key=lambda r: r.term.seats,
               numeric=True, searchable=False, width=60),
        Column("Annual cost", lambda r: money_text(r.term.annual_cost),
               key=lambda r: r.annual_cost_base, numeric=True, searchable=False, width=120,
               tooltip=lambda r: r.base_note),
        Column("Cost centre", lambda r: r.term.cost_center or "", width=100),
        Column("Status", lambda r: r.term.status),
    ]


class RenewalsPage(TablePage):
    title = "Renewals"
    icon = "renewals"
    reload_on: ClassVar[frozenset[str]] = frozenset({"term", "tool"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.dialogs import terms

        self.add_action("Add term", "add", self._add, shortcut="Ctrl+N")
        self.add_action("Edit", "edit", lambda: terms.edit(self, self._term()), needs_row=True)
        self.add_action("Renew", "renew", lambda: terms.renew(self, self._term()),
                        needs_row=True)
        self.add_action("Delete", "delete", lambda: terms.delete(self, self._term()),
                        needs_row=True, shortcut="Del")

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.dashboard import renewal_lines

        return renewal_lines(ctx)

    def _term(self) -> Any:
        row = self.current_row()
        return None if row is None else row.term

    def _add(self) -> None:
        from stackadmin.ui.dialogs import terms

        def work(ctx: ServiceContext, _job: Any) -> list[tuple[int, str]]:
            from stackadmin.services.tools import list_tools

            return [(t.id, t.name) for t in list_tools(ctx)]

        def show(tools: list[tuple[int, str]]) -> None:
            if not tools:
                self.env.error.emit("Add a tool first: a term belongs to a tool.")
                return
            terms.create(self, tools)

        self.env.run(work, show)

    def activate(self, row: Any) -> None:
        from stackadmin.ui.dialogs import terms

        if row is not None:
            terms.edit(self, row.term)

    def show_target(self, target: object) -> None:
        if isinstance(target, dict):
            if "search" in target:
                self.search.setText(str(target["search"]))
            if "term_id" in target:
                self.select_where(lambda r: r.term.id == target["term_id"])
