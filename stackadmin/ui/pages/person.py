"""Person 360: every account a person holds, with role (owners and admins stand out), status,
last activity and annual cost; the tools they own; for a departed person, the offboarding
checklist and the red flag of an account used after their last day.

Many accounts can be selected and acted on at once: reclaim (after a confirmation), exempt,
clear an exemption, or mark them done on the checklist (transferred, kept). Each action is
one batch, and Edit → Undo (or the status bar's "Undo …") puts the accounts back."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from stackadmin.ui import icons, seat_actions
from stackadmin.ui.dialogs import FormDialog
from stackadmin.ui.fmt import base_amount, base_text, date_text, plural
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.offboarding import PersonAccount, PersonView
    from stackadmin.ui.tasks import Job

DEPROVISIONED = "deprovisioned"
CHANGED = ("account", "offboarding")


def _last_activity(a: PersonAccount) -> str:
    if not a.activity_known:
        return "unknown"
    text = date_text(a.last_activity) or "never"
    return f"⚠ {text}" if a.active_after_leaving else text


def _cost(a: PersonAccount) -> str:
    if a.missing_rates:
        return f"unknown: no {', '.join(a.missing_rates)} rate"
    if a.annual_cost_base is None:
        return "flat price"
    return base_text(a.annual_cost_base, a.base_currency)


def _cost_cell(a: PersonAccount) -> Any:
    """What "Export this view…" writes: the amount as a number; the words when unknown."""
    if a.missing_rates or a.annual_cost_base is None:
        return _cost(a)
    return base_amount(a.annual_cost_base, a.base_currency)


def _columns() -> list[Column[PersonAccount]]:
    return [
        Column("Tool", lambda a: a.tool, width=170, elide="middle"),
        Column("Email", lambda a: a.email or "", width=200),
        Column("Role", lambda a: a.role, width=70, bold=lambda a: a.privileged,
               tooltip=lambda a: "Owner or admin: hand over or remove first"
               if a.privileged else ""),
        Column("Status", lambda a: a.status, width=100),
        Column("Last activity", _last_activity, key=lambda a: a.last_activity,
               searchable=False, width=110, warn=lambda a: a.active_after_leaving,
               tooltip=lambda a: "Used after their last day: check the access was removed"
               if a.active_after_leaving else ""),
        Column("Annual cost", _cost, export=_cost_cell,
               key=lambda a: a.annual_cost_base, numeric=True, searchable=False, width=95),
        Column("Exemption", lambda a: a.exempt_reason or "" if a.exempt else "", width=120),
        Column("Offboarding", lambda a: a.outcome_text),
    ]


class PersonPage(TablePage):
    title = "Person"
    icon = "people"
    # "setting": the base currency and the rates the accounts' costs are converted with.
    reload_on: ClassVar[frozenset[str]] = frozenset({"person", "account", "offboarding",
                                                     "tool", "setting"})
    columns = _columns()
    noun = ("account", "accounts")
    multi_select = True  # reclaim, exempt or mark done several at once

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        self.person_id: int | None = None
        super().__init__(env, parent)
        self.view_data: PersonView | None = None
        self.confirm_box: QMessageBox | None = None
        self.dialog: FormDialog | None = None
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.heading.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.heading.linkActivated.connect(self._link)
        self.extra_layout.addWidget(self.heading)
        self.onboarding: Any = None  # the PersonOnboardingSection of the person shown
        self.reclaim_action = self.add_action("Reclaim…", "delete", self.reclaim)
        self.reclaim_action.setToolTip("The selected seats were removed at the vendor: mark "
                                       "them deprovisioned (asks first; Edit → Undo)")
        self.exempt_action = self.add_action("Exempt…", "edit", self.exempt)
        self.exempt_action.setToolTip("Keep the selected seats on purpose, with a reason")
        self.clear_action = self.add_action("Clear exemption", "renew", self.clear_exemption)
        self.done_button = QToolButton(self)
        self.done_button.setText("Mark done")
        self.done_button.setIcon(icons.icon("acknowledge"))
        self.done_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.done_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.done_button.setToolTip("Offboarding checklist: what was done with the selected "
                                    "accounts")
        menu = QMenu(self.done_button)
        menu.addAction("Transferred to…", lambda: self.decide("transferred"))
        menu.addAction("Kept (with a reason)…", lambda: self.decide("kept"))
        self.done_button.setMenu(menu)
        self.done_action = self.toolbar.addWidget(self.done_button)
        self.done_action.setVisible(False)
        self.table.selection_changed.connect(self._enable)
        self._enable()

    # -- selection and actions ---------------------------------------------------------------
    def _enable(self) -> None:
        rows = self.selected_rows()
        self.reclaim_action.setEnabled(any(a.theirs and a.status != DEPROVISIONED
                                           for a in rows))
        self.exempt_action.setEnabled(any(a.theirs and not a.exempt for a in rows))
        self.clear_action.setEnabled(any(a.exempt for a in rows))
        self.done_button.setEnabled(any(a.theirs and not a.done for a in rows))

    def _what(self, rows: list[PersonAccount]) -> str:
        one = f"the {rows[0].tool} account {rows[0].email or ''}".strip() if rows else ""
        return seat_actions.seats_text(len(rows), one)

    def _departed(self) -> bool:
        return self.view_data is not None and self.view_data.person.status == "departed"

    def reclaim(self) -> QMessageBox | None:
        """Asks (without blocking) before reclaiming the selected seats; for a departed
        person each is also marked reclaimed on the checklist."""
        rows = [a for a in self.selected_rows() if a.theirs and a.status != DEPROVISIONED]
        if not rows or self.person_id is None:
            return None
        self.confirm_box = seat_actions.confirm_reclaim(
            self, self.env, [a.id for a in rows], self._what(rows),
            checklist_of=self.person_id if self._departed() else None, changed=CHANGED)
        return self.confirm_box

    def exempt(self) -> FormDialog | None:
        rows = [a for a in self.selected_rows() if a.theirs and not a.exempt]
        if not rows:
            return None
        self.dialog = seat_actions.exempt_dialog(self, self.env, [a.id for a in rows],
                                                 self._what(rows))
        return self.dialog

    def clear_exemption(self) -> Job | None:
        ids = [a.id for a in self.selected_rows() if a.exempt]
        return seat_actions.clear_exemptions(self.env, ids) if ids else None

    def decide(self, outcome: str) -> FormDialog | None:
        """Marks the selected accounts done on the checklist: `transferred` asks for the
        person taking over, `kept` for the reason, `reclaimed` records at once."""
        rows = [a for a in self.selected_rows() if a.theirs]
        if not rows or self.person_id is None:
            return None
        self.dialog = seat_actions.outcome_dialog(self, self.env, self.person_id,
                                                  [a.id for a in rows], outcome,
                                                  self._what(rows))
        return self.dialog

    def activate(self, row: PersonAccount | None) -> None:
        """Double-click or Enter: the account's tool, on its own page."""
        if row is not None:
            self.env.open_page("tool", {"tool_id": row.tool_id})

    def row_actions(self, rows: list[PersonAccount]) -> list[QAction | None]:
        """The right-click menu: the tool's page, then the same batches as the toolbar."""
        from stackadmin.ui.table_menus import menu_action, open_tool_action

        theirs = [a for a in rows if a.theirs]
        actions: list[QAction | None] = [
            open_tool_action(self.env, self, rows[0].tool_id if rows else None),
            None,
            menu_action(self, "Reclaim…", self.reclaim,
                        enabled=any(a.status != DEPROVISIONED for a in theirs)),
            menu_action(self, "Exempt…", self.exempt,
                        enabled=any(not a.exempt for a in theirs)),
            menu_action(self, "Clear exemption", self.clear_exemption,
                        enabled=any(a.exempt for a in rows)),
        ]
        if self._departed():
            actions += [
                menu_action(self, "Mark transferred to…", lambda: self.decide("transferred"),
                            enabled=any(not a.done for a in theirs)),
                menu_action(self, "Mark kept (with a reason)…", lambda: self.decide("kept"),
                            enabled=any(not a.done for a in theirs)),
            ]
        return actions

    def _link(self, href: str) -> None:
        kind, _, value = href.partition(":")
        if kind == "tool" and value.isdigit():
            self.env.open_page("tool", {"tool_id": int(value)})

    def _fit_heading(self) -> None:
        """As tall as its wrapped lines at the width it has (a size hint measured at another
        width left blank lines around it, or cut one)."""
        width = self.heading.width() if self.heading.width() > 100 else self.width() - 24
        self.heading.setMinimumHeight(0)  # heightForWidth answers at least the minimum
        self.heading.setMinimumHeight(max(self.heading.heightForWidth(max(width, 300)), 0))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_heading()

    # -- loading -------------------------------------------------------------------------
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

    def _show_view(self, view: PersonView) -> None:
        self.view_data = view
        self.heading.setText(heading_html(view))
        self.done_action.setVisible(self._departed())
        person = view.person
        self._fit_heading()
        if self.onboarding is None or self.onboarding.person_id != person.id:
            from stackadmin.ui.running_sections import PersonOnboardingSection

            if self.onboarding is not None:
                self.onboarding.deleteLater()
            self.onboarding = PersonOnboardingSection(self.env, person.id, self)
            self.onboarding.setMaximumHeight(260)
            self.extra_layout.addWidget(self.onboarding)
        self.table.set_rows(view.accounts)
        self._enable()
        self.loaded.emit()


def heading_html(view: PersonView) -> str:
    """The person, their accounts and cost, and what needs doing, as rich text."""
    person = view.person
    departed = person.status == "departed"
    status = f"departed {date_text(person.end_date)}" if departed else person.status
    facts = " · ".join(x for x in (person.email, person.department, person.title, status) if x)
    extra = []
    if view.flat_priced:
        extra.append(f"plus {plural(view.flat_priced, 'flat-priced tool')}")
    if view.cost_unknown:
        extra.append(f"and {plural(view.cost_unknown, 'seat')} of unknown cost: no rate from "
                     f"{', '.join(view.missing_rates)} to {view.base_currency}")
    flat = f" ({'; '.join(extra)})" if extra else ""
    lines = [f"<span style='font-size:15pt; font-weight:600'>{escape(person.name)}</span>",
             escape(facts),
             escape(f"{plural(len(view.accounts), 'account')}, "
                    f"{base_text(view.annual_cost_base, view.base_currency)} a year{flat}")]
    after = view.active_after_leaving
    if after:
        tools = ", ".join(f"{escape(a.tool)} ({date_text(a.last_activity)})" for a in after[:5])
        more = f" and {len(after) - 5} more" if len(after) > 5 else ""
        lines.append(f"<span style='color:{WARN}; font-weight:600'>⚠ Used after their last "
                     f"day ({date_text(person.end_date)}): {tools}{more}.</span> Check their "
                     "access was removed at each vendor.")
    if view.owned_tools:
        links = ", ".join(f"<a href='tool:{t.id}'>{escape(t.name)}</a>"
                          for t in view.owned_tools)
        if view.left:
            lines.append(f"<span style='color:{WARN}; font-weight:600'>Owns "
                         f"{plural(len(view.owned_tools), 'tool')}: hand them over</span> "
                         f"to someone still here (Edit on its page): {links}")
        else:
            lines.append(f"Owns {plural(len(view.owned_tools), 'tool')}: {links}")
    if departed:
        lines.append(f"<b>Offboarding checklist:</b> {view.done} of "
                     f"{plural(len(view.accounts), 'account')} done (deprovisioned accounts "
                     "count as done). Select several to reclaim or mark them at once.")
    return "<br>".join(lines)
