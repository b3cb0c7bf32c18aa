"""Dialogs for people: add, edit, mark departed, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackadmin.ui import words
from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none, confirm
from stackadmin.ui.fmt import plural

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.inventory.people import PersonRow
    from stackadmin.ui.pages.base import Page

FIELDS = [
    Field("email", "Email", words=("email",), placeholder="name@company.com"),
    Field("name", "Name"),
    Field("department", "Department"),
    Field("cost_center", "Cost centre", words=("cost centre", "cost center")),
    Field("title", "Title"),
    Field("status", "Status", kind="choice", choices=tuple(words.PERSON_STATUS.items())),
    Field("end_date", "End date", kind="date", words=("end date",)),
]


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return blank_to_none(values, "department", "cost_center", "title")


def create(page: Page, *, email: str = "", name: str = "") -> FormDialog:
    """`email` and `name` pre-fill the form (a tool owner not yet in the people list)."""
    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.people import create_person

        return create_person(ctx, **_values(values))

    dialog = FormDialog(page.env, "Add a person", FIELDS,
                        {"status": "active", "email": email, "name": name}, save, page,
                        changed="person")
    dialog.open()
    return dialog


def edit(page: Page, person: PersonRow | None) -> FormDialog | None:
    if person is None:
        return None

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.people import update_person

        return update_person(ctx, person.id, **_values(values))

    values = {f.name: getattr(person, f.name) for f in FIELDS}
    dialog = FormDialog(page.env, f"Edit {person.name or person.email}", FIELDS, values, save,
                        page, changed="person", version=person.version)
    dialog.open()
    return dialog


def depart(page: Page, person: PersonRow | None) -> FormDialog | None:
    """Marks a person departed on an end date; their page becomes the offboarding checklist."""
    if person is None:
        return None
    fields = [Field("end_date", "Last day", kind="date", words=("end date", "last day"))]

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.errors import ValidationError
        from stackadmin.services.inventory.people import mark_departed

        if values["end_date"] is None:
            raise ValidationError("end date is required: the person's last day")
        return mark_departed(ctx, person.id, values["end_date"],
                             expected_version=values.get(FormDialog.VERSION_KEY))

    dialog = FormDialog(page.env, f"Mark {person.name or person.email} departed", fields,
                        {"end_date": person.end_date or page.env.today()}, save, page,
                        intro=f"{person.name or person.email} holds {person.account_count} "
                              "accounts. Their page will list them as an offboarding "
                              "checklist.", changed="person", version=person.version)
    dialog.saved.connect(lambda _row: page.env.open_page("person", {"person_id": person.id}))
    dialog.open()
    return dialog


def delete(page: Page, person: PersonRow | None) -> None:
    if person is None:
        return
    held = (f"Their {plural(person.account_count, 'account')} "
            f"{'stays' if person.account_count == 1 else 'stay'}, no longer matched to a "
            "person."
            if person.account_count else "They hold no accounts.")
    if not confirm(page, "Delete person",
                   f"Delete {person.name or person.email} ({person.email})? {held} "
                   "This is recorded in the activity log."):
        return

    def work(ctx: ServiceContext, _job: Any) -> None:
        from stackadmin.services.inventory.people import delete_person

        delete_person(ctx, person.id)

    page.env.run(work, lambda _r: page.env.changed("person"))
