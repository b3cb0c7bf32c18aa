"""A tool's vendor integration and how its last sync went (the integration and sync_run
tables, through the sync service)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from stackadmin.ui.fmt import moment_text
from stackadmin.ui.pages.tool.section import ToolSection

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.sync.integrations import IntegrationRow


def describe(i: IntegrationRow) -> str:
    """One integration in a sentence of rich text: what it is, and its last sync."""
    state = "enabled" if i.enabled else "disabled"
    head = f"<b>{escape(i.name)}</b> ({escape(i.plugin_id)}, {state})"
    if i.last_sync_at is None:
        return f"{head}: never synced yet."
    when = moment_text(i.last_sync_at)
    if i.last_status == "ok":
        counts = ", ".join(f"{n} {what}" for n, what in (
            (i.last_added, "added"), (i.last_changed, "changed"),
            (i.last_removed, "deprovisioned")) if n is not None)
        if i.last_dry_run:
            return (f"{head}: dry run {when}, nothing written" + (
                f" (it would have: {counts})." if counts else "."))
        return f"{head}: last sync {when}, ok" + (f" ({counts})." if counts else ".")
    error = f": {escape(i.last_error)}" if i.last_error else ""
    colour = "#c62828" if i.last_status == "failed" else "palette(placeholder-text)"
    return (f"{head}: last sync {when}, <span style='color:{colour}'>"
            f"{escape(i.last_status or '')}{error}</span>. The data from the sync before "
            "it is kept.")


class IntegrationSection(ToolSection):
    key = "integration"
    title = "Integration and last sync"
    reload_on: ClassVar[frozenset[str]] = frozenset({"integration", "tool"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.text)
        self.import_button = self.add_button(
            "Import accounts…", self.import_accounts, icon="import",
            tip="The vendor's user-list export as an accounts CSV (File → Import…)")
        self.env.import_available.connect(self._import_available)

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> list[IntegrationRow]:
        from stackadmin.services.sync.integrations import list_integrations

        return list_integrations(ctx, tool_id=tool_id)

    def show_data(self, data: list[IntegrationRow]) -> None:
        if not data:
            name = escape(self.page.tool.name) if self.page.tool else "this tool"
            self.text.setText(
                f"No vendor integration syncs {name}: its seats and their activity come in "
                "through the accounts import (the vendor's user-list export, File → "
                "Import…). Import it again whenever you want fresher figures.")
        else:
            self.text.setText("<br>".join(describe(i) for i in data))
        self.summary.setText("")
        self.import_button.setVisible(self.env.import_hook is not None)

    def _import_available(self) -> None:
        self.import_button.setVisible(True)  # the wizard came after this section was shown

    def import_accounts(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()
