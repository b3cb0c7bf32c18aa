"""Tools: every SaaS tool with vendor, category, owner and what its terms cost a year."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtGui import QAction

from stackadmin.ui.empty import EmptyState
from stackadmin.ui.fmt import base_amount, base_text, int_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column
from stackadmin.ui.utilization_columns import utilization_columns

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.overview.tools import ToolLine
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[ToolLine]]:
    return [
        Column("Name", lambda t: t.tool.name, width=170, elide="middle"),
        Column("Vendor", lambda t: t.tool.vendor or "", width=90),
        Column("Category", lambda t: t.tool.category or "", width=100),
        Column("Owner", _owner_text, width=125, tooltip=_owner_tip,
               warn=lambda t: t.owner_left),
        # Shown with a right-click on the header (the page fits 1280 pixels without them).
        Column("Terms", lambda t: int_text(t.terms), key=lambda t: t.terms, numeric=True,
               searchable=False, width=45, hidden=True),
        Column("Accounts", lambda t: int_text(t.accounts), key=lambda t: t.accounts,
               numeric=True, searchable=False, width=65, hidden=True),
        Column("Annual cost", lambda t: base_text(t.annual_cost_base, t.base_currency),
               export=lambda t: base_amount(t.annual_cost_base, t.base_currency),
               key=lambda t: t.annual_cost_base, numeric=True, searchable=False, width=95,
               tooltip=lambda t: t.cost_note),
        *utilization_columns(),  # purchased, held, active, %, savings, rightsizing
        Column("Website", lambda t: t.tool.website or "", hidden=True),
    ]


# The Owner filter's values: none recorded, one who has left, one still here.
NO_OWNER, LEFT, OWNED = "none", "left", "owned"


def _owner_state(t: ToolLine) -> str:
    if t.tool.owner_email is None:  # as the dashboard counts "Tools without an owner"
        return NO_OWNER
    return LEFT if t.owner_left else OWNED


def _owner_text(t: ToolLine) -> str:
    if t.tool.owner_name is None and t.tool.owner_email is None:
        return "no owner"
    name = t.tool.owner_name or t.tool.owner_email or ""
    return f"{name} (left)" if t.owner_left else name


def _owner_tip(t: ToolLine) -> str:
    if t.tool.owner_email is None:
        return "No owner: set one with Edit"
    if t.owner_left:
        return (f"{t.tool.owner_email} has left the company: hand the tool over to a new "
                "owner with Edit")
    return t.tool.owner_email


class ToolsPage(TablePage):
    title = "Tools"
    icon = "tools"
    # "setting": the base currency and the rates its amounts are converted with.
    reload_on: ClassVar[frozenset[str]] = frozenset({"tool", "term", "account", "person",
                                                     "setting"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.dialogs import accounts, terms, tools

        self.add_action("Add tool", "add", lambda: tools.create(self), shortcut="Ctrl+N")
        self.add_action("Open", "tools", lambda: self.activate(self.current_row()),
                        needs_row=True)
        self.add_action("Edit", "edit", lambda: tools.edit(self, self._tool()), needs_row=True)
        self.add_action("Add term", "renewals", lambda: terms.create(
            self, self.tool_choices(), self._tool_id()), needs_row=True)
        self.add_action("Add account", "seats", lambda: accounts.create(
            self, self.tool_choices(), self._tool_id()), needs_row=True)
        self.add_action("Delete", "delete", lambda: tools.delete(self, self._tool()),
                        needs_row=True, shortcut="Del")
        self.add_action("Rightsizing", "renew", self.open_rightsizing, needs_row=True)
        self.table.add_choice("category", lambda t: t.tool.category or "", width=140,
                              tip="Only this category")
        self.table.add_choice("owner", _owner_state, width=130,
                              tip="Tools without an owner, or whose owner has left")
        self.table.set_choices("owner", "Any owner", [("No owner", NO_OWNER),
                                                      ("Owner has left", LEFT),
                                                      ("Owner still here", OWNED)])
        self.table.set_empty_state(EmptyState(
            "No tools yet",
            "List the SaaS tools your teams pay for: each gets its terms (price, seats, "
            "renewal date) and its accounts, and stackadmin reminds you before each "
            "cancel-by date.", [
                ("Add a tool", "Name, vendor, owner; then its term.", "add",
                 lambda: tools.create(self)),
                ("Import a spreadsheet…", "Tools, plans, prices, seats, renewal dates (CSV).",
                 "import", self._import),
            ], self))

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.overview.tools import tool_lines

        return tool_lines(ctx)

    def _import(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()

    def _show_rows(self, result: Shown) -> None:
        categories = sorted({t.tool.category for t in result[0] if t.tool.category},
                            key=str.casefold)
        self.table.set_choices("category", "All categories",
                               [(c, c) for c in categories] + [("No category", "")])
        super()._show_rows(result)
        rows = result[0]
        if rows and all(r.utilization is None for r in rows):
            self._load_utilization(rows)

    def _load_utilization(self, rows: list[Any]) -> None:
        """Seat figures in a second job (one utilization run: seconds on 100k seats), so the
        tools show at once and the utilization columns fill in after."""
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> Shown:
            from stackadmin.services.overview.tools import with_utilization

            filled = with_utilization(ctx, rows)
            job.check()
            return prepare(filled)

        self.env.run(work, self._show_rows, title="counting seats",
                     key=f"load:{self.key}-utilization")

    def open_rightsizing(self) -> None:
        """The brief of each of the tool's terms due for one (non-blocking window)."""
        from stackadmin.ui.rightsizing import open_briefs

        row = self.current_row()
        if row is not None:
            open_briefs(self.env, self, row.tool.name, [d.term_id for d in row.rightsizing])

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
        """The tool's page: its terms, accounts, documents, contacts..."""
        if row is not None:
            self.env.open_page("tool", {"tool_id": row.tool.id})

    def apply_target(self, target: object) -> None:
        """{"search": text}, {"owner": NO_OWNER, LEFT or OWNED}, {"category": name},
        {"tool_id": n} (selects it)."""
        if not isinstance(target, dict):
            return
        if target.get("add"):
            from stackadmin.ui.dialogs import tools

            tools.create(self)
        if "owner" in target or "category" in target:
            self.table.choose("owner", target.get("owner"), apply=False)
            self.table.choose("category", target.get("category"))
        if "search" in target:
            self.search.setText(str(target["search"]))
        if "tool_id" in target:
            self.select_where(lambda r: r.tool.id == target["tool_id"])

    def row_actions(self, rows: list[Any]) -> list[QAction | None]:
        from stackadmin.ui.dialogs import accounts, terms, tools
        from stackadmin.ui.table_menus import menu_action

        line = rows[0] if rows else None
        tool_id = None if line is None else line.tool.id
        return [
            menu_action(self, "Open tool", lambda: self.activate(line), enabled=bool(line)),
            menu_action(self, "Open its seats", lambda: self.env.open_page(
                "seats", {"tool_id": tool_id}), enabled=bool(line)),
            None,
            menu_action(self, "Edit…", lambda: tools.edit(self, line.tool if line else None),
                        enabled=bool(line)),
            menu_action(self, "Add term…", lambda: terms.create(
                self, self.tool_choices(), tool_id), enabled=bool(line)),
            menu_action(self, "Add account…", lambda: accounts.create(
                self, self.tool_choices(), tool_id), enabled=bool(line)),
            menu_action(self, "Rightsizing", self.open_rightsizing,
                        enabled=bool(line and line.rightsizing)),
        ]
