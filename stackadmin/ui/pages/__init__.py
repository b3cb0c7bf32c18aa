"""The pages of the main window, in sidebar order. Adding a page is one line in PAGES.

A page class is imported only when the page is first opened, so a page's imports never slow
down the start-up of another page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackadmin.ui.pages.base import Page


@dataclass(frozen=True, slots=True)
class PageSpec:
    key: str  # stable id: QSettings "last page", env.open_page(key, target)
    title: str  # the sidebar label
    icon: str  # resources/icons/<icon>.svg
    target: str  # "module:Class" of a stackadmin.ui.pages.base.Page subclass
    hidden: bool = False  # not in the sidebar; reached with env.open_page(key, target)
    # "module:function" answering `(db, today=None) -> data | None` without the data stack:
    # the page's data read at start-up while SQLAlchemy is imported (services.first_look).
    # The page shows it with `show_first_look(data)`; None: it loads once the database is
    # open, as every page does.
    first_look: str = ""

    def first_look_function(self) -> Callable[[str | None], Any] | None:
        if not self.first_look:
            return None
        module, _, name = self.first_look.partition(":")
        function: Callable[[str | None], Any] = getattr(importlib.import_module(module), name)
        return function

    def load_class(self) -> type[Page]:
        module, _, name = self.target.partition(":")
        cls: type[Page] = getattr(importlib.import_module(module), name)
        return cls


PAGES: list[PageSpec] = [
    PageSpec("dashboard", "Dashboard", "dashboard", "stackadmin.ui.pages.dashboard:DashboardPage",
             first_look="stackadmin.services.overview.first_look:dashboard"),
    PageSpec("tools", "Tools", "tools", "stackadmin.ui.pages.tools:ToolsPage"),
    PageSpec("renewals", "Renewals", "renewals", "stackadmin.ui.pages.renewals:RenewalsPage"),
    PageSpec("people", "People", "people", "stackadmin.ui.pages.people:PeoplePage"),
    PageSpec("seats", "Seats", "seats", "stackadmin.ui.pages.seats:SeatsPage"),
    PageSpec("savings", "Savings", "savings", "stackadmin.ui.pages.savings:SavingsPage"),
    PageSpec("requests", "Requests", "requests", "stackadmin.ui.pages.requests:RequestsPage"),
    PageSpec("feedback", "Feedback", "feedback", "stackadmin.ui.pages.feedback:FeedbackPage"),
    PageSpec("consolidation", "Consolidation", "consolidation",
             "stackadmin.ui.pages.consolidation:ConsolidationPage"),
    PageSpec("connections", "Connections", "connections",
             "stackadmin.ui.pages.connections:ConnectionsPage"),
    PageSpec("map", "Map", "map", "stackadmin.ui.pages.stackmap:MapPage"),
    PageSpec("onboarding", "Onboarding", "onboarding",
             "stackadmin.ui.pages.onboarding:OnboardingPage"),
    PageSpec("integrations", "Integrations", "integrations",
             "stackadmin.ui.pages.integrations:IntegrationsPage"),
    PageSpec("activity", "Activity", "activity", "stackadmin.ui.pages.activity:ActivityPage"),
    PageSpec("settings", "Settings", "settings", "stackadmin.ui.pages.settings:SettingsPage"),
    PageSpec("person", "Person", "people", "stackadmin.ui.pages.person:PersonPage", hidden=True),
    PageSpec("tool", "Tool", "tools", "stackadmin.ui.pages.tool.page:ToolPage", hidden=True),
    PageSpec("request", "Request", "requests", "stackadmin.ui.pages.request:RequestPage",
             hidden=True),
]


def spec(key: str) -> PageSpec | None:
    return next((p for p in PAGES if p.key == key), None)
