"""The tool's notes (free text: how to reach the admin console, what was agreed...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.pages.tool.section import ToolSection

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.records import ToolRow


class NotesSection(ToolSection):
    key = "notes"
    title = "Notes"
    reload_on: ClassVar[frozenset[str]] = frozenset({"tool"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.dialog: FormDialog | None = None
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.text)
        self.add_button("Edit notes…", self.edit, icon="edit")

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> ToolRow:
        from stackadmin.services.inventory.tools import get_tool

        return get_tool(ctx, tool_id)

    def show_data(self, data: ToolRow) -> None:
        self.text.setText(data.notes or "No notes. Keep here what the next person needs: "
                                        "where the admin console is, what was agreed, who "
                                        "to ask.")
        self.text.setObjectName("" if data.notes else "count")  # the hint is greyed
        self.text.style().unpolish(self.text)
        self.text.style().polish(self.text)

    def edit(self) -> FormDialog | None:
        tool = self.data
        if tool is None:
            return None

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.inventory.tools import update_tool

            # Refused, in words, when someone saved the tool since it was read.
            return update_tool(ctx, tool.id, notes=values["notes"] or None,
                               expected_version=values.get(FormDialog.VERSION_KEY))

        self.dialog = FormDialog(self.env, f"Notes on {tool.name}",
                                 [Field("notes", "Notes", kind="multiline")],
                                 {"notes": tool.notes}, save, self, changed="tool",
                                 version=tool.version)
        self.dialog.open()
        return self.dialog
