"""A request's page: what was asked and by whom, what is already paid for that would answer it,
its status (with the moves it can make) and history, and its evaluation: the candidates side
by side, as a table and a chart, with the actions that fill it in and decide it."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import icons
from stackadmin.ui.buying import evaluation_dialogs as dialogs
from stackadmin.ui.buying.comparison import ComparisonView
from stackadmin.ui.fmt import date_text, moment_text
from stackadmin.ui.pages.base import Page
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.audit import AuditRow
    from stackadmin.services.buying.evaluations import EvaluationReport
    from stackadmin.services.buying.requests import RequestView
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job


@dataclass(frozen=True)
class Loaded:
    view: RequestView
    report: EvaluationReport
    choices: dialogs.PageChoices
    allowed: tuple[str, ...]  # the statuses it can move to


def _history_columns() -> list[Column[AuditRow]]:
    return [
        Column("When", lambda e: moment_text(e.at), key=lambda e: e.at,
               width=130, searchable=False),
        Column("Who", lambda e: e.actor, width=160),
        Column("What", lambda e: e.summary),
    ]


def fetch(ctx: ServiceContext, request_id: int | None) -> Loaded | None:
    """Runs on a worker: the request (the newest open one when none is named)."""
    from stackadmin.domain.requests import NEXT, RequestStatus
    from stackadmin.services.buying.evaluations import report
    from stackadmin.services.buying.requests import list_requests, request_view
    from stackadmin.services.inventory.people import list_people
    from stackadmin.services.inventory.tools import list_tools

    if request_id is None:
        rows = list_requests(ctx, paid=titles_only(ctx))
        open_ = [r for r in rows if r.open] or rows
        if not open_:
            return None
        request_id = open_[-1].id
    view = request_view(ctx, request_id)
    every = list_requests(ctx, paid=titles_only(ctx))
    choices = dialogs.PageChoices(
        sorted(p.email for p in list_people(ctx) if p.status == "active"),
        [t.name for t in list_tools(ctx)], [(r.id, r.title) for r in every])
    allowed = tuple(s.value for s in NEXT[RequestStatus(view.request.status)])
    return Loaded(view, report(ctx, request_id), choices, allowed)


def titles_only(ctx: ServiceContext) -> Any:
    """An empty 'paid for' list: other requests are read for their titles only (no seats
    need counting for that)."""
    from stackadmin.services.buying.paid import PaidInventory

    return PaidInventory(ctx.today(), "", [])


class RequestPage(Page):
    title = "Request"
    icon = "requests"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"request", "evaluation", "tool", "term", "account", "person", "setting"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.request_id: int | None = None
        self.data: Loaded | None = None
        back = QToolButton(self)
        back.setText("← All requests")
        back.setAutoRaise(True)
        back.clicked.connect(lambda: self.env.open_page("requests", None))
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.details = QLabel(self)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.paid = QLabel(self)
        self.paid.setObjectName("card")
        self.paid.setWordWrap(True)
        self.paid.setStyleSheet("QLabel#card { border-left: 4px solid #2563eb; "
                                "padding: 8px 10px; }")
        self.status_bar = QHBoxLayout()
        self.status_bar.setSpacing(6)
        self.status_buttons: dict[str, QPushButton] = {}

        self.comparison = ComparisonView(self)
        self.tools = QToolBar(self)
        self.tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.actions_: dict[str, QAction] = {}
        for key, text, icon in (("candidates", "Add candidates…", "add"),
                                ("quote", "Quote…", "savings"), ("score", "Score…", "edit"),
                                ("weights", "Weights…", "settings"),
                                ("decide", "Decide…", "decide")):
            action = QAction(icons.icon(icon), text, self)
            action.triggered.connect(lambda _c=False, k=key: self.run_action(k))
            self.tools.addAction(action)
            self.actions_[key] = action
        evaluation = QWidget(self)
        column = QVBoxLayout(evaluation)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.tools)
        column.addWidget(self.comparison, 1)
        self.history_model: RowTableModel[AuditRow] = RowTableModel(_history_columns(), self)
        history = QTableView(self)
        history.setModel(self.history_model)
        history.verticalHeader().hide()
        history.setShowGrid(False)
        history.setAlternatingRowColors(True)
        history.horizontalHeader().setStretchLastSection(True)
        for n, col in enumerate(self.history_model.columns):
            if col.width:
                history.horizontalHeader().resizeSection(n, col.width)
        self.history_view = history
        self.tabs = QTabWidget(self)
        self.tabs.addTab(evaluation, "Evaluation")
        self.tabs.addTab(history, "Status history")

        top = QHBoxLayout()
        top.addWidget(back)
        top.addStretch(1)
        top.addLayout(self.status_bar)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.heading)
        layout.addWidget(self.details)
        layout.addWidget(self.paid)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("sidebarLine")
        layout.addWidget(line)
        layout.addWidget(self.tabs, 1)

    # -- loading -----------------------------------------------------------------------------
    def show_target(self, target: object) -> None:
        if isinstance(target, dict) and "request_id" in target:
            wanted = int(target["request_id"])
            if wanted != self.request_id:
                self.request_id = wanted
                self.load()

    def load(self) -> None:
        request_id = self.request_id

        def work(ctx: ServiceContext, job: Job) -> Loaded | None:
            return fetch(ctx, request_id)

        self.env.run(work, self._show, key="load:request")

    def _show(self, data: Loaded | None) -> None:
        self.data = data
        if data is None:
            self.heading.setText("<span style='font-size:15pt; font-weight:600'>No requests "
                                 "yet</span>")
            self.details.setText("Use New request (Ctrl+Shift+R) to record one.")
            self.paid.hide()
            self.loaded.emit()
            return
        r = data.view.request
        self.request_id = r.id
        urgency = {"high": "high urgency", "low": "low urgency"}.get(r.urgency,
                                                                     "normal urgency")
        self.heading.setText(
            f"<span style='font-size:15pt; font-weight:600'>{escape(r.title)}</span><br>"
            f"Request {r.id} · <b>{escape(r.status)}</b>"
            + (f" ({escape(r.status_reason)})" if r.status_reason else "")
            + f" · {urgency}")
        facts = [f"Requested by {escape(r.requested_by_name or '')} "
                 f"&lt;{escape(r.requested_by)}&gt;" + (f", team {escape(r.team)}"
                                                        if r.team else "")
                 + f", {date_text(r.created_at)}"]
        for label, value in (("Category", r.category), ("Tool asked for", r.tool_name),
                             ("Problem", r.problem), ("Already considered", r.considered),
                             ("Note", r.note)):
            if value:
                facts.append(f"<b>{label}:</b> {escape(value)}")
        if r.duplicate_of_id:
            facts.append(f"<b>Duplicate of</b> request {r.duplicate_of_id}")
        if data.view.duplicates:
            facts.append("<b>Duplicates of it:</b> " + ", ".join(
                f"{d.id} ({escape(d.title)})" for d in data.view.duplicates))
        if r.purchased_tool:
            facts.append(f"<b>Bought:</b> {escape(r.purchased_tool)}"
                         + (f" (term {r.purchased_term_id})" if r.purchased_term_id else ""))
        self.details.setText("<br>".join(facts))
        sentences = r.paid_sentences()
        self.paid.setText("Already paid for: " + "; ".join(sentences) if sentences else
                          "Nothing the company pays for matches its category or tool.")
        self.paid.show()
        self._status_buttons(data.allowed)
        self.history_model.set_rows(data.view.history)
        self.comparison.show_report(data.report)
        decided = data.report.decision is not None
        has = bool(data.report.candidates)
        closed = r.status in ("rejected", "duplicate", "purchased")
        self.actions_["candidates"].setEnabled(not decided and not closed)
        for key in ("quote", "score", "weights"):
            self.actions_[key].setEnabled(has and not decided)
        self.actions_["decide"].setEnabled(has and not decided and "purchased" in data.allowed)
        self.loaded.emit()

    def _status_buttons(self, allowed: tuple[str, ...]) -> None:
        for button in self.status_buttons.values():
            self.status_bar.removeWidget(button)
            button.deleteLater()
        self.status_buttons = {}
        for status in allowed:
            button = QPushButton(dialogs.STATUS_WORDS[status], self)
            button.clicked.connect(lambda _c=False, s=status: self.move(s))
            self.status_bar.addWidget(button)
            self.status_buttons[status] = button

    # -- actions -------------------------------------------------------------------------
    def move(self, status: str) -> Any:
        """Moves the request; a status that needs nothing more moves at once."""
        if self.data is None:
            return None
        request = self.data.view.request
        if status in ("rejected", "duplicate", "purchased"):
            return dialogs.status_dialog(self, request, status, self.data.choices)
        request_id = request.id

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.buying.requests import set_status

            return set_status(ctx, request_id, status)

        def done(row: Any) -> None:
            self.env.message.emit(f"Request {row.id} is {row.status}.")
            self.env.changed("request")

        return self.env.run(work, done)

    def run_action(self, key: str) -> Any:
        if self.data is None:
            return None
        request_id = self.data.view.request.id
        report = self.data.report
        chosen = self.comparison.selected()
        name = chosen.name if chosen is not None else (
            report.candidates[0].name if report.candidates else None)
        if key == "candidates":
            return dialogs.candidates_dialog(self, request_id)
        if key == "quote":
            return dialogs.quote_dialog(self, request_id, report, name)
        if key == "score":
            return dialogs.score_dialog(self, request_id, report, name, self.data.choices)
        if key == "weights":
            return dialogs.weights_dialog(self, request_id, report)
        if key == "decide" and name is not None:
            return self.decide(name)
        return None

    def decide(self, candidate: str) -> None:
        """Reads what deciding would create, then shows it to change and confirm."""
        if self.data is None:
            return
        request_id = self.data.view.request.id
        people = self.data.choices.people

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.buying.purchase import purchase_draft

            return purchase_draft(ctx, request_id, candidate)

        def done(draft: Any) -> None:
            self.decide_dialog = dialogs.decide_dialog(self, request_id, draft, people)

        self.env.run(work, done)
