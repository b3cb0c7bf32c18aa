"""Tools: every SaaS tool with vendor, category, owner and what its terms cost a year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui.fmt import base_text, int_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.dashboard import ToolLine
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[ToolLine]]:
    return [
        Column("Name", lambda t: t.tool.name, width=210),
        Column("Vendor", lambda t: t.tool.vendor or "", width=150),
        Column("Category", lambda t: t.tool.category or "", width=150),
        Column("Owner", lambda t: t.tool.owner_name or "no owner", width=170,
               tooltip=lambda t: t.tool.owner_email or "No owner: set one with Edit"),
        Column("Terms", lambda t: int_text(t.terms), key=lambda t: t.terms, numeric=True,
               searchable=False, width=60),
        Column("Seats", lambda t: int_text(t.accounts), key=lambda t: t.accounts, numeric=True,
               searchable=False, width=70),
        Column("Annual cost", lambda t: base_text(t.annual_cost_base, t.base_currency),
               key=lambda t: t.annual_cost_base, numeric=True, searchable=False, width=120,
               tooltip=lambda t: t.cost_note),
        Column("Website", lambda t: t.tool.website or ""),
    ]


class ToolsPage(TablePage):
    title = "Tools"
    icon = "tools"
    reload_on: ClassVar[frozenset[str]] = frozenset({"tool", "term", "account", "person"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.dialogs import accounts, terms, tools

        self.add_action("Add tool", "add", lambda: tools.create(self), shortcut="Ctrl+N")
        self.add_action("Edit", "edit", lambda: tools.edit(self, self._tool()), needs_row=True)
        self.add_action("Add term", "renewals", lambda: terms.create(
            self, self.tool_choices(), self._tool_id()), needs_row=True)
        self.add_action("Add account", "seats", lambda: accounts.create(
            self, self.tool_choices(), self._tool_id()), needs_row=True)
        self.add_action("Delete", "delete", lambda: tools.delete(self, self._tool()),
                        needs_row=True, shortcut="Del")

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.dashboard import tool_lines

        return tool_lines(ctx)

    def tool_choices(self) -> list[tuple[int, str]]:
        return sorted(((r.tool.id, r.tool.name) for r in self.model.all_rows()),
                      key=lambda t: t[1].lower())

    def _tool(self) -> Any:
        row = self.current_row()
        return None if row is None else row.tool

    def _tool_id(self) -> int | None:
        tool = self._tool()
        return None if tool is None else tool.id

    def activate(self, row: Any) -> None:
        if row is not None:
            self.env.open_page("seats", {"search": row.tool.name})

    def show_target(self, target: object) -> None:
        if isinstance(target, dict):
            if "search" in target:
                self.search.setText(str(target["search"]))
            if "tool_id" in target:
                self.select_where(lambda r: r.tool.id == target["tool_id"])
