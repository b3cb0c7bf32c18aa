"""The request form: what a teammate asks the ops manager for, reachable from anywhere (the
menu bar's New request button, File → New request…, Ctrl+Shift+R). As the category or the
tool is typed, it says at once what is already paid for ("Miro (Design) is paid for: 25
seats, 6 unused"): the cheapest answer is often a seat that is already paid for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QToolButton,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none

if TYPE_CHECKING:
    from stackadmin.services.buying.paid import PaidInventory
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

SHORTCUT = "Ctrl+Shift+R"
URGENCIES = ("normal", "high", "low")


@dataclass(frozen=True)
class FormChoices:
    """What the form offers in its drop-downs, and what is paid for (read once)."""

    people: list[str]  # emails
    teams: list[str]
    categories: list[str]  # the inventory's categories and capability tags
    tools: list[str]
    paid: PaidInventory


def load_choices(ctx: ServiceContext) -> FormChoices:
    from stackadmin.services.buying.paid import paid_tools
    from stackadmin.services.buying.tags import known_tags
    from stackadmin.services.inventory.people import list_people
    from stackadmin.services.inventory.tools import list_tools

    people = [p for p in list_people(ctx) if p.status == "active"]
    tools = list_tools(ctx)
    categories = sorted({t.category for t in tools if t.category} | set(known_tags(ctx)),
                        key=str.casefold)
    teams = sorted({p.department for p in people if p.department}, key=str.casefold)
    return FormChoices(sorted(p.email for p in people), teams, categories,
                       [t.name for t in tools], paid_tools(ctx, people=False))


def fields(choices: FormChoices) -> list[Field]:
    return [
        Field("title", "What is needed", words=("title",),
              placeholder="e.g. a whiteboard for remote workshops, or a tool by name"),
        Field("requested_by", "Requested by", kind="edit_choice", choices=choices.people,
              words=("requested by", "email"), help="Someone in the people list."),
        Field("team", "Team", kind="edit_choice", choices=choices.teams, words=("team",)),
        Field("category", "Category or capability", kind="edit_choice",
              choices=choices.categories, words=("category",),
              help="e.g. Design, whiteboard, video calls"),
        Field("tool", "A tool by name", kind="edit_choice", choices=choices.tools,
              words=("tool",), help="When they ask for a particular tool."),
        Field("urgency", "Urgency", kind="choice", choices=URGENCIES, words=("urgency",)),
        Field("problem", "Problem to solve", kind="multiline", words=("problem",)),
        Field("considered", "Tools already considered", words=("considered",)),
        Field("note", "Note", kind="multiline", words=("note",)),
    ]


class RequestForm(FormDialog):
    """The form, with the line saying what is already paid for (`paid_label`)."""

    def __init__(self, env: Env, choices: FormChoices, parent: QWidget | None = None,
                 values: dict[str, Any] | None = None) -> None:
        def save(ctx: ServiceContext, data: dict[str, Any]) -> Any:
            from stackadmin.services.buying.requests import create_request

            data = blank_to_none(dict(data), "team", "category", "tool", "problem",
                                 "considered", "note")
            return create_request(ctx, data.pop("title"), data.pop("requested_by") or "",
                                  **data)

        start = {"urgency": "normal", "requested_by": None, "team": None, "category": None,
                 "tool": None, **(values or {})}
        super().__init__(env, "New request", fields(choices), start, save, parent,
                         intro="What does the team need? Record it here; it appears on the "
                               "Requests page as new.", changed="request")
        self.choices = choices
        self.setMinimumWidth(600)
        for widget in self.inputs.values():
            if isinstance(widget, QComboBox) and widget.isEditable():
                widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.paid_label = QLabel(self)
        self.paid_label.setObjectName("paidNote")
        self.paid_label.setWordWrap(True)
        self.paid_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.buttons), self.paid_label)  # type: ignore[attr-defined]
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.update_paid)
        for name in ("category", "tool"):
            combo = self.inputs[name]
            assert isinstance(combo, QComboBox)
            combo.currentTextChanged.connect(lambda _t: self._timer.start())
        self.saved.connect(self._said)
        self.update_paid()

    def update_paid(self) -> None:
        from stackadmin.services.buying.requests import paid_for

        values = self.values()
        found = paid_for(self.choices.paid, category=values.get("category") or None,
                         tool_name=values.get("tool") or None)
        if found:
            self.paid_label.setText("Already paid for:\n" + "\n".join(
                f"• {t.sentence()}" for t in found))
            self.paid_label.setStyleSheet(
                "QLabel#paidNote { background: rgba(37, 99, 235, 0.12); "
                "border-left: 3px solid #2563eb; padding: 6px 8px; }")
            self.paid_label.show()
        else:
            self.paid_label.clear()
            self.paid_label.hide()
        self.fit()  # the dialog grows with the note, never under its buttons

    def _said(self, row: Any) -> None:
        self.env.message.emit(f"Request {row.id} added: {row.title}.")


def open_request_form(env: Env, parent: QWidget | None = None,
                      values: dict[str, Any] | None = None,
                      opened: Any = None) -> None:
    """Reads the choices on a worker, then opens the form (not blocking). `opened(form)`
    is called with it (tests)."""
    if not env.ready:
        env.message.emit("The database is not open yet.")
        return

    def work(ctx: ServiceContext, job: Job) -> FormChoices:
        return load_choices(ctx)

    def done(choices: FormChoices) -> None:
        form = RequestForm(env, choices, parent, values)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.open()
        if opened is not None:
            opened(form)

    env.run(work, done, title="opening the request form", key="request-form")


def install_request_action(window: QMainWindow, env: Env) -> QAction:
    """New request… everywhere: a button at the right end of the menu bar (one click),
    File → New request… and Ctrl+Shift+R (the shortcut works with the menu closed)."""
    action = QAction(icons.icon("requests"), "New &request…", window)
    action.setObjectName("newRequestAction")
    action.setShortcut(QKeySequence(SHORTCUT))
    action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
    action.setStatusTip("Record what a teammate needs (a tool, or a problem to solve)")
    action.triggered.connect(lambda _checked=False: open_request_form(env, window))
    window.addAction(action)
    bar = window.menuBar()
    menu = next((a.menu() for a in bar.actions()
                 if a.menu() is not None and a.menu().objectName() == "fileMenu"), None)
    if menu is not None:
        first = menu.actions()[0] if menu.actions() else None
        if first is not None:
            menu.insertAction(first, action)
            menu.insertSeparator(first)
        else:
            menu.addAction(action)
    button = QToolButton(bar)
    button.setObjectName("newRequestButton")
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAutoRaise(True)
    button.setToolTip(f"New request ({SHORTCUT})")
    bar.setCornerWidget(button, Qt.Corner.TopRightCorner)
    button.show()  # a corner widget set on a menu bar already shown stays hidden until shown
    return action
