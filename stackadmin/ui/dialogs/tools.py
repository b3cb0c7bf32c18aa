"""Dialogs for tools: add, edit, delete (naming the terms and accounts it takes with it)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none, confirm

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.records import ToolRow
    from stackadmin.ui.pages.base import Page

FIELDS = [
    Field("name", "Name", words=("tool name", "a tool named")),
    Field("vendor", "Vendor"),
    Field("category", "Category"),
    Field("owner_email", "Owner (email)", words=("owner",), placeholder="a person's email"),
    Field("website", "Website"),
    Field("inactivity_days", "Inactive after (days)", words=("inactivity",),
          placeholder="default from settings"),
    Field("reminder_leads", "Reminder leads (days)", words=("lead",),
          placeholder="default from settings, e.g. 90,30,7"),
    Field("notes", "Notes", kind="multiline"),
]


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return blank_to_none(values, "vendor", "category", "owner_email", "website", "notes",
                         "inactivity_days", "reminder_leads")


_NOT_A_PERSON = re.compile(r"owner (\S+@\S+) is not in the people list")


def offer_owner(page: Page, dialog: FormDialog) -> None:
    """When the owner's email is nobody in the people list, the dialog offers to add them
    (a person dialog with the email filled in); once added, the tool is saved again."""

    def problems(texts: list[str]) -> None:
        found = next((m for t in texts if (m := _NOT_A_PERSON.search(t))), None)
        old = getattr(dialog, "owner_button", None)
        if old is not None:
            old.deleteLater()
            dialog.owner_button = None  # type: ignore[attr-defined]
        if found is None:
            return
        email = found.group(1)

        def add_person() -> FormDialog:
            from stackadmin.ui.dialogs import people

            person = people.create(page, email=email, name=name_from_email(email))
            person.saved.connect(lambda _row: dialog.submit())
            dialog.person_dialog = person  # type: ignore[attr-defined]
            return person

        dialog.owner_button = dialog.add_field_action(  # type: ignore[attr-defined]
            "owner_email", f"Add {email} to the people list…", add_person)

    dialog.problems_shown.connect(problems)


def name_from_email(email: str) -> str:
    """'ada.lovelace@example.com' -> 'Ada Lovelace': a first guess, the dialog can change it."""
    local = email.split("@", 1)[0]
    parts = [p for p in re.split(r"[._-]+", local) if p.isalpha()]
    return " ".join(p.capitalize() for p in parts)


def create(page: Page) -> FormDialog:
    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.tools import create_tool

        return create_tool(ctx, **_values(values))

    dialog = FormDialog(page.env, "Add a tool", FIELDS, {}, save, page, changed="tool")
    offer_owner(page, dialog)
    dialog.open()
    return dialog


def edit(page: Page, tool: ToolRow | None) -> FormDialog | None:
    if tool is None:
        return None

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.tools import update_tool

        return update_tool(ctx, tool.id, **_values(values))

    values = {"name": tool.name, "vendor": tool.vendor, "category": tool.category,
              "owner_email": tool.owner_email, "website": tool.website, "notes": tool.notes,
              "inactivity_days": tool.inactivity_days, "reminder_leads": tool.reminder_leads}
    dialog = FormDialog(page.env, f"Edit {tool.name}", FIELDS, values, save, page,
                        changed="tool", version=tool.version)
    offer_owner(page, dialog)
    dialog.open()
    return dialog


def delete(page: Page, tool: ToolRow | None) -> None:
    """Asks first, naming what goes with the tool (counted on a worker)."""
    if tool is None:
        return

    def impact(ctx: ServiceContext, _job: Any) -> Any:
        from stackadmin.services.inventory.tools import delete_impact

        return delete_impact(ctx, tool.id)

    def ask(found: Any) -> None:
        if not confirm(page, "Delete tool",
                       f"Delete {tool.name} with its {found.describe()}? This cannot be undone "
                       "here; it is recorded in the activity log."):
            return

        def work(ctx: ServiceContext, _job: Any) -> Any:
            from stackadmin.services.inventory.tools import delete_tool

            return delete_tool(ctx, tool.id)

        page.env.run(work, lambda _r: page.env.changed("tool"))

    page.env.run(impact, ask)
