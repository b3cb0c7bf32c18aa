"""A tool's accounts by role, owners and admins first (who can change the tool), with
their status and last activity; filters by role and status, and the seat actions."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSizePolicy

from stackadmin.ui import words
from stackadmin.ui.filtertable import FilteredTable
from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.tool.section import ToolSection
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.inventory.accounts import AccountRow

ROLE_ORDER = {"owner": 0, "admin": 1, "billing": 2, "member": 3, "guest": 4}


def _activity(a: AccountRow) -> str:
    if not a.activity_known:
        return "unknown"
    return "never" if a.last_activity is None else date_text(a.last_activity)


def account_columns() -> list[Column[AccountRow]]:
    return [
        Column("Role", lambda a: words.label(words.ROLE, a.role),
               key=lambda a: ROLE_ORDER.get(a.role, 9), width=80,
               tooltip=lambda a: f"At the vendor: {a.vendor_role}" if a.vendor_role else ""),
        Column("Person", lambda a: a.person_name or a.display_name or "unmatched", width=160),
        Column("Email", lambda a: a.email or a.external_id or "", width=220),
        Column("Status", lambda a: words.label(words.ACCOUNT_STATUS, a.status), width=100),
        Column("Last activity", _activity, key=lambda a: a.last_activity, width=100),
        Column("Exempt", lambda a: a.exempt_reason or "" if a.exempt else "",
               tooltip=lambda a: a.exempt_reason or ""),
    ]


def by_role(accounts: list[AccountRow]) -> list[AccountRow]:
    """Owners, admins, billing, members, guests; deprovisioned last; then by name."""
    return sorted(accounts, key=lambda a: (
        a.status == "deprovisioned", ROLE_ORDER.get(a.role, 9),
        (a.person_name or a.display_name or a.email or "").casefold(), a.id))


class AccountsSection(ToolSection):
    key = "accounts"
    title = "Accounts by role"
    reload_on: ClassVar[frozenset[str]] = frozenset({"account", "person"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.accounts = FilteredTable(account_columns(), self, env=self.env,
                                      state_key="pages/tool/accounts",
                                      search_hint="Search: person, email…",
                                      noun=("account", "accounts"))
        self.accounts.without_toolbar()
        self.accounts.view.setMinimumHeight(220)
        self.accounts.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.accounts.setFixedHeight(320)
        self.accounts.add_choice("role", lambda a: a.role, width=120)
        self.accounts.add_choice("status", lambda a: a.status, width=110)
        self.accounts.set_choices("role", "All roles", words.role_choices())
        self.accounts.set_choices("status", "All statuses", words.choices(words.ACCOUNT_STATUS))
        self.accounts.row_menu = self.row_actions
        self.accounts.activated.connect(self._open_person)
        self.body.addWidget(self.accounts)
        self.add_button("Add account…", self.add, icon="add")
        self.add_button("In Seats", lambda: self.env.open_page(
            "seats", {"tool_id": self.tool_id}), icon="seats",
            tip="This tool's seats on the Seats page: activity, unused reasons")

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> list[AccountRow]:
        from stackadmin.services.inventory.accounts import list_accounts

        return by_role(list_accounts(ctx, tool_id=tool_id))

    def show_data(self, data: list[AccountRow]) -> None:
        self.accounts.set_rows(data)
        holding = [a for a in data if a.status != "deprovisioned"]
        counts = Counter(a.role for a in holding)
        parts = [f"{counts[r]} {words.label(words.ROLE, r).lower()}"
                 f"{'' if counts[r] == 1 else 's'}" for r in ROLE_ORDER if counts[r]]
        self.summary.setText(f"{len(holding)} with access" + (f": {', '.join(parts)}"
                                                            if parts else ""))

    def _open_person(self, account: Any) -> None:
        if account is not None and account.person_id is not None:
            self.env.open_page("person", {"person_id": account.person_id})

    def add(self) -> None:
        from stackadmin.ui.dialogs import accounts

        tool = self.page.tool
        if tool is not None:
            accounts.create(self.page, [(tool.id, tool.name)], tool.id)

    def row_actions(self, rows: list[Any]) -> list[QAction | None]:
        from stackadmin.ui import seat_actions
        from stackadmin.ui.dialogs import accounts
        from stackadmin.ui.table_menus import menu_action, open_person_action

        first = rows[0] if rows else None
        seats = [_Seat(a, self.page.tool.name if self.page.tool else "") for a in rows]
        held = [s for s in seats if s.status != "deprovisioned"]
        return [
            open_person_action(self.env, self, first.person_id if first else None),
            menu_action(self, "Edit…", lambda: accounts.edit(self.page, first),
                        enabled=first is not None),
            None,
            menu_action(self, "Exempt…",
                        lambda: seat_actions.exempt_rows(self, self.env, held),
                        enabled=any(not a.exempt for a in held)),
            menu_action(self, "Clear exemption",
                        lambda: seat_actions.clear_rows(self.env, seats),
                        enabled=any(a.exempt for a in rows)),
            menu_action(self, "Mark reclaimed…",
                        lambda: seat_actions.reclaim_rows(self, self.env, seats),
                        enabled=any(a.status != "deprovisioned" for a in rows)),
        ]


class _Seat:
    """An account as the seat actions name it."""

    def __init__(self, account: AccountRow, tool: str) -> None:
        self.account_id = account.id
        self.tool = tool
        self.email = account.email
        self.person = account.person_name
        self.exempt = account.exempt
        self.status = account.status
