"""Onboarding: the standard tools each department's (and title's) new hires get, and the
role to grant; set a bundle from here. A person's page shows their checklist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.running.onboarding import BundleRow
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[BundleRow]]:
    return [
        Column("Department", lambda b: b.department, width=150),
        Column("Title", lambda b: b.title or "every title", width=170),
        Column("Tool", lambda b: b.tool, width=200),
        Column("Role to grant", lambda b: b.role, width=110),
        Column("Granted by", lambda b: b.granted_by or "no owner",
               tooltip=lambda b: b.granted_by_email or "The tool has no owner"),
    ]


class OnboardingPage(TablePage):
    empty_state = ("No onboarding bundles yet",
                   "A bundle is the tools a department (or a title in it) needs on day one. "
                   "Set a bundle… (Ctrl+N) makes one; a new person's page then lists what to "
                   "grant and who grants it.")
    title = "Onboarding"
    icon = "onboarding"
    reload_on: ClassVar[frozenset[str]] = frozenset({"bundle", "tool", "person"})
    columns = _columns()

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.add_action("Set a bundle…", "edit", self.set_bundle, shortcut="Ctrl+N")

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.running.onboarding import list_bundles

        return list_bundles(ctx)

    def set_bundle(self) -> FormDialog:
        row = self.current_row()
        department, title = (row.department, row.title) if row else ("", "")
        current = ", ".join(f"{b.tool}:{b.role}" for b in self.model.all_rows()
                            if row and b.department == department and b.title == title)

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.errors import ValidationError
            from stackadmin.services.running.onboarding import parse_item, set_bundle

            items, problems = [], []
            for text in (t for t in values["tools"].split(",") if t.strip()):
                try:
                    items.append(parse_item(text.strip()))
                except ValidationError as exc:
                    problems.extend(exc.problems)
            if problems:
                raise ValidationError(problems)
            return set_bundle(ctx, values["department"], items, title=values["title"])

        dialog = FormDialog(self.env, "Set an onboarding bundle", [
            Field("department", "Department", words=("department",)),
            Field("title", "Title (optional)", words=("title",),
                  help="Leave empty for every title of the department"),
            Field("tools", "Tools", kind="multiline", words=("tool", "role")),
        ], {"department": department, "title": title, "tools": current}, save, self,
            intro="Tools separated by commas, each with the role to grant after a colon "
                  "(Jira, GitHub Enterprise:admin). An empty list clears the bundle.",
            changed="bundle")
        dialog.open()
        return dialog
