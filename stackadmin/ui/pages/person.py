"""Person 360: every account a person holds, with role, status, last activity and annual
cost; for a departed person, the offboarding checklist."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.fmt import base_text, date_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.offboarding import PersonAccount
    from stackadmin.ui.tasks import Job


def _columns() -> list[Column[PersonAccount]]:
    return [
        Column("Tool", lambda a: a.tool, width=200, elide="middle"),
        Column("Email", lambda a: a.email or "", width=230),
        Column("Role", lambda a: a.role, width=80),
        Column("Status", lambda a: a.status, width=100),
        Column("Last activity", lambda a: date_text(a.last_activity) if a.activity_known
               else "unknown", key=lambda a: a.last_activity, searchable=False, width=110),
        Column("Annual cost", lambda a: "flat price" if a.annual_cost_base is None
               else base_text(a.annual_cost_base, a.base_currency),
               key=lambda a: a.annual_cost_base, numeric=True, searchable=False, width=110),
        Column("Offboarding", lambda a: a.outcome_text),
    ]


class PersonPage(TablePage):
    title = "Person"
    icon = "people"
    reload_on: ClassVar[frozenset[str]] = frozenset({"person", "account", "offboarding"})
    columns = _columns()

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        self.person_id: int | None = None
        super().__init__(env, parent)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.extra_layout.addWidget(self.heading)
        self.view_data: Any = None
        self.checklist = [
            self.add_action("Reclaimed", "delete", lambda: self.decide("reclaimed"),
                            needs_row=True),
            self.add_action("Transferred…", "people", lambda: self.decide("transferred"),
                            needs_row=True),
            self.add_action("Kept…", "edit", lambda: self.decide("kept"), needs_row=True),
        ]
        for action in self.checklist:
            action.setVisible(False)

    def decide(self, outcome: str) -> FormDialog | None:
        """Records what was done with the selected account (a dialog asks for the reason
        or the person taking over)."""
        row = self.current_row()
        if row is None or self.person_id is None:
            return None
        person_id, account_id = self.person_id, row.id
        fields = {"kept": [Field("reason", "Reason", words=("reason",))],
                  "transferred": [Field("transferred_to", "Transfer to (email)",
                                        words=("transfer to", "email"))]}.get(outcome, [])

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.seats.offboarding import record_outcome

            return record_outcome(ctx, person_id, account_id, outcome, **values)

        dialog = FormDialog(self.env, f"{row.tool}: {outcome}", fields, {}, save, self,
                            intro=f"Record that the {row.tool} account {row.email or ''} was "
                                  f"{outcome}. This is written to the activity log.",
                            changed="offboarding")
        if fields:
            dialog.open()
        else:
            dialog.submit()  # nothing to ask: record at once
        return dialog

    def show_target(self, target: object) -> None:
        if (isinstance(target, dict) and "person_id" in target
                and target["person_id"] != self.person_id):
            self.person_id = int(target["person_id"])
            self.table.set_rows([])
            self.load()

    def load(self) -> None:
        if self.person_id is None:
            self.loaded.emit()
            return
        person_id = self.person_id

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.seats.offboarding import person_view

            return person_view(ctx, person_id)

        self.env.run(work, self._show_view, key="load:person")

    def _show_view(self, view: Any) -> None:
        person = view.person
        status = (f"departed {date_text(person.end_date)}" if person.status == "departed"
                  else person.status)
        facts = " · ".join(x for x in (person.email, person.department, person.title, status)
                           if x)
        flat = f" (plus {view.flat_priced} flat-priced tools)" if view.flat_priced else ""
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{escape(person.name)}</span><br>"
            f"{escape(facts)}<br>{len(view.accounts)} accounts, "
            f"{base_text(view.annual_cost_base, view.base_currency)} a year{flat}")
        self.view_data = view
        departed = person.status == "departed"
        for action in self.checklist:
            action.setVisible(departed)
        if departed:
            done = sum(1 for a in view.accounts if a.outcome)
            self.heading.setText(self.heading.text() + f"<br><b>Offboarding checklist:</b> "
                                 f"{done} of {len(view.accounts)} accounts decided")
        self.heading.setMinimumHeight(self.heading.sizeHint().height())
        self.table.set_rows(view.accounts)
        self.loaded.emit()
