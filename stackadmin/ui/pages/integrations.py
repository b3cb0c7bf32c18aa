"""Integrations: the configured vendor connections and how their last sync went."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackadmin.ui.empty import EmptyState
from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.sync.integrations import IntegrationRow
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[IntegrationRow]]:
    return [
        Column("Name", lambda i: i.name, width=200),
        Column("Plugin", lambda i: i.plugin_id, width=120),
        Column("Tool", lambda i: i.tool or "", width=180, elide="middle"),
        Column("Enabled", lambda i: "yes" if i.enabled else "no", width=70),
        Column("Directory", lambda i: "yes" if i.is_directory_source else "", width=80),
        Column("Last sync", lambda i: date_text(i.last_sync_at), key=lambda i: i.last_sync_at,
               searchable=False, width=110),
        Column("Result", lambda i: i.last_status or "never synced", tooltip=lambda i:
               i.last_error or ""),
    ]


class IntegrationsPage(TablePage):
    title = "Integrations"
    icon = "integrations"
    reload_on = frozenset({"integration"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.table.set_empty_state(EmptyState(
            "No vendor integrations yet",
            "An integration reads a tool's seats and their last activity straight from the "
            "vendor's admin API, on a schedule; each one shows here with how its last sync "
            "went. Until one is set up, bring the seats in yourself: export the user list "
            "from the vendor's admin console and import it as a tool's accounts.", [
                ("Import accounts…", "A vendor's user-list export (CSV): seats, roles, "
                 "last activity.", "import", self._import),
                ("See the tools", "Each tool's page says where its seats come from.",
                 "tools", lambda: env.open_page("tools", None)),
            ], self))

    def _import(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.sync.integrations import list_integrations

        return list_integrations(ctx)
