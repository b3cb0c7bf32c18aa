"""The pages of the main window, in sidebar order. Adding a page is one line in PAGES.

A page class is imported only when the page is first opened, so a page's imports never slow
down the start-up of another page.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackadmin.ui.pages.base import Page


@dataclass(frozen=True, slots=True)
class PageSpec:
    key: str  # stable id: QSettings "last page", env.open_page(key, target)
    title: str  # the sidebar label
    icon: str  # resources/icons/<icon>.svg
    target: str  # "module:Class" of a stackadmin.ui.pages.base.Page subclass
    hidden: bool = False  # not in the sidebar; reached with env.open_page(key, target)

    def load_class(self) -> type[Page]:
        module, _, name = self.target.partition(":")
        cls: type[Page] = getattr(importlib.import_module(module), name)
        return cls


PAGES: list[PageSpec] = [
    PageSpec("dashboard", "Dashboard", "dashboard", "stackadmin.ui.pages.dashboard:DashboardPage"),
    PageSpec("tools", "Tools", "tools", "stackadmin.ui.pages.tools:ToolsPage"),
    PageSpec("renewals", "Renewals", "renewals", "stackadmin.ui.pages.renewals:RenewalsPage"),
    PageSpec("people", "People", "people", "stackadmin.ui.pages.people:PeoplePage"),
    PageSpec("seats", "Seats", "seats", "stackadmin.ui.pages.seats:SeatsPage"),
    PageSpec("savings", "Savings", "savings", "stackadmin.ui.pages.savings:SavingsPage"),
    PageSpec("integrations", "Integrations", "integrations",
             "stackadmin.ui.pages.integrations:IntegrationsPage"),
    PageSpec("activity", "Activity", "activity", "stackadmin.ui.pages.activity:ActivityPage"),
    PageSpec("settings", "Settings", "settings", "stackadmin.ui.pages.settings:SettingsPage"),
    PageSpec("person", "Person", "people", "stackadmin.ui.pages.person:PersonPage", hidden=True),
]


def spec(key: str) -> PageSpec | None:
    return next((p for p in PAGES if p.key == key), None)
