"""The vendor's people for a tool (account manager, support, billing...): add, edit,
remove."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtWidgets import QMessageBox

from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none
from stackadmin.ui.pages.tool.section import ToolSection, enable_with_selection, selected
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.tools.contacts import ContactRow

CONTACT = "contact"  # env.changed entity
ROLES = ("Account manager", "Customer success", "Support", "Billing", "Security", "Legal")
FIELDS = [
    Field("name", "Name", words=("contact name", "name")),
    Field("role", "Role", kind="edit_choice", choices=ROLES, words=("role",)),
    Field("email", "Email", words=("email",), placeholder="name@vendor.com"),
    Field("phone", "Phone", words=("phone",)),
    Field("notes", "Notes", kind="multiline", words=("notes",)),
]


def contact_columns() -> list[Column[ContactRow]]:
    return [
        Column("Name", lambda c: c.name, width=160),
        Column("Role", lambda c: c.role or "", width=130),
        Column("Email", lambda c: c.email or "", width=200),
        Column("Phone", lambda c: c.phone or "", width=120),
        Column("Notes", lambda c: (c.notes or "").replace("\n", " "),
               tooltip=lambda c: c.notes or ""),
    ]


class ContactsSection(ToolSection):
    key = "contacts"
    title = "Vendor contacts"
    reload_on: ClassVar[frozenset[str]] = frozenset({CONTACT, "tool"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.dialog: FormDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.model, self.view = self.table(contact_columns())
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.empty = self.note("No contacts yet: add the account manager, support or "
                               "billing contact at the vendor.")
        self.add_button("Add…", self.add, icon="add")
        edit = self.add_button("Edit…", self.edit, icon="edit")
        remove = self.add_button("Remove…", self.remove, icon="delete")
        enable_with_selection(self.view, self.model, edit, remove)

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> list[ContactRow]:
        from stackadmin.services.tools.contacts import list_contacts

        return list_contacts(ctx, tool_id=tool_id)

    def show_data(self, data: list[ContactRow]) -> None:
        self.show_rows(self.model, self.view, data, most=6)
        self.empty.setVisible(not data)
        self.summary.setText(f"{len(data)}" if data else "")

    def add(self) -> FormDialog | None:
        tool_id = self.tool_id
        if tool_id is None:
            return None

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.tools.contacts import create_contact

            return create_contact(ctx, tool_id, **_values(values))

        name = self.page.tool.name if self.page.tool else "the tool"
        return self._open(FormDialog(self.env, f"Add a contact for {name}", FIELDS, {}, save,
                                     self, changed=CONTACT))

    def edit(self) -> FormDialog | None:
        rows = selected(self.model, self.view)
        if not rows:
            return None
        contact = rows[0]

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.tools.contacts import update_contact

            return update_contact(ctx, contact.id, **_values(values))

        values = {f.name: getattr(contact, f.name) for f in FIELDS}
        return self._open(FormDialog(self.env, f"Edit {contact.name}", FIELDS, values, save,
                                     self, changed=CONTACT))

    def _open(self, dialog: FormDialog) -> FormDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def remove(self) -> QMessageBox | None:
        rows = selected(self.model, self.view)
        if not rows:
            return None
        contact = rows[0]
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove contact",
                          f"Remove {contact.name} from the contacts of {contact.tool}?",
                          QMessageBox.StandardButton.Cancel, self)
        ok = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is ok and self._remove(contact.id))
        self.confirm_box = box
        box.open()
        return box

    def _remove(self, contact_id: int) -> None:
        def work(ctx: ServiceContext, _job: Any) -> Any:
            from stackadmin.services.tools.contacts import delete_contact

            return delete_contact(ctx, contact_id)

        self.env.run(work, lambda _row: self.env.changed(CONTACT))


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return blank_to_none(values, "role", "email", "phone", "notes")
