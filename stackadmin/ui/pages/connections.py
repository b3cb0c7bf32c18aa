"""Connections: the links between the company's tools with their status, owner, last check
and open incidents; add, edit, verify, record an incident; a connection's window shows its
history (incidents, time to fix) and resolves open incidents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.stackmap import STATUS_COLOURS
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.running.connections import (
        ConnectionHistory,
        ConnectionRow,
        IncidentRow,
    )
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

CONNECTION = "connection"  # env.changed() entity
METHODS = ("native", "automation", "webhook", "script", "provisioning")
STATUSES = ("working", "degraded", "broken", "planned", "retired")


def connection_columns() -> list[Column[ConnectionRow]]:
    return [
        Column("From", lambda r: r.from_tool, width=150),
        Column("To", lambda r: r.to_tool, width=150),
        Column("What flows", lambda r: r.what, width=260),
        Column("Method", lambda r: r.method, width=95),
        Column("Status", lambda r: r.status, width=85,
               tooltip=lambda r: f"{r.open_incidents} open incidents" if r.open_incidents
               else r.status),
        Column("Owner", lambda r: r.owner or "no owner", width=140,
               tooltip=lambda r: r.owner_email or ""),
        Column("Last verified", lambda r: date_text(r.last_verified) or "never",
               key=lambda r: r.last_verified, searchable=False, width=100),
        Column("Open incidents", lambda r: str(r.open_incidents) if r.open_incidents else "",
               key=lambda r: r.open_incidents, numeric=True, searchable=False),
    ]


def status_colour(status: str) -> QColor:
    return QColor(STATUS_COLOURS.get(status, "#6b7280"))


def connection_form(env: Env, parent: QWidget, tools: list[str],
                    row: ConnectionRow | None = None) -> FormDialog:
    """Adds a connection, or edits `row`."""
    values = {"from_tool": row.from_tool if row else "", "to_tool": row.to_tool if row else "",
              "what": row.what if row else "", "method": row.method if row else "native",
              "status": row.status if row else "working",
              "owner": row.owner_email or "" if row else "", "notes": row.notes or ""
              if row else ""}
    row_id = None if row is None else row.id

    def save(ctx: ServiceContext, v: dict[str, Any]) -> Any:
        from stackadmin.services.running import connections

        fields = {k: v[k] for k in ("what", "method", "status", "notes")}
        fields["owner"] = v["owner"] or None
        if row_id is None:
            return connections.add_connection(ctx, v["from_tool"], v["to_tool"], **fields)
        return connections.update_connection(ctx, row_id, from_tool=v["from_tool"],
                                              to_tool=v["to_tool"], **fields)

    dialog = FormDialog(env, "Add a connection" if row is None else f"Edit {row.label}", [
        Field("from_tool", "From tool", kind="choice", choices=tools,
              words=("from tool", "no tool named")),
        Field("to_tool", "To tool", kind="choice", choices=tools, words=("to tool",)),
        Field("what", "What flows", placeholder="Jira issues → Slack #eng-alerts",
              words=("what flows",)),
        Field("method", "Method", kind="choice", choices=METHODS, words=("method",)),
        Field("status", "Status", kind="choice", choices=STATUSES, words=("status",)),
        Field("owner", "Owner (email)", words=("owner",),
              help="The person who fixes it when it breaks"),
        Field("notes", "Notes", kind="multiline", words=("notes",)),
    ], values, save, parent, changed=CONNECTION)
    dialog.open()
    return dialog


def incident_form(env: Env, parent: QWidget, row: ConnectionRow) -> FormDialog:
    connection_id = row.id

    def save(ctx: ServiceContext, v: dict[str, Any]) -> Any:
        from stackadmin.services.running import connections

        return connections.record_incident(ctx, connection_id, symptom=v["symptom"],
                                           cause=v["cause"] or None, fix=v["fix"] or None,
                                           handled_by=v["handled_by"] or None,
                                           resolved=bool(v["resolved"]))

    dialog = FormDialog(env, f"Incident: {row.label}", [
        Field("symptom", "Symptom", words=("symptom",), placeholder="No alerts since Monday"),
        Field("cause", "Cause", words=("cause",)),
        Field("fix", "Fix", words=("fix",)),
        Field("handled_by", "Who", words=("who",), help="Default: you"),
        Field("resolved", "Resolved now", kind="bool"),
    ], {}, save, parent, changed=CONNECTION,
        intro="An open incident marks a working connection broken until it is resolved.")
    dialog.open()
    return dialog


def incident_columns() -> list[Column[IncidentRow]]:
    from stackadmin.services.running.connections import duration_text

    return [
        Column("Started (UTC)", lambda i: i.started_at.strftime("%Y-%m-%d %H:%M"),
               key=lambda i: i.started_at, width=130),
        Column("Symptom", lambda i: i.symptom, width=200),
        Column("Cause", lambda i: i.cause or "", width=150),
        Column("Fix", lambda i: i.fix or "", width=150),
        Column("Who", lambda i: i.handled_by or "", width=90),
        Column("Time to fix", lambda i: "open" if i.open else duration_text(i.time_to_fix),
               key=lambda i: i.time_to_fix),
    ]


class ConnectionDialog(QDialog):
    """A connection's page: what it is and its incident history (non-modal)."""

    def __init__(self, env: Env, connection_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.connection_id = connection_id
        self.history: ConnectionHistory | None = None
        self.setWindowTitle("Connection")
        self.resize(860, 420)
        self.heading = QLabel("Loading…", self)
        self.heading.setWordWrap(True)
        self.model: RowTableModel[IncidentRow] = RowTableModel(incident_columns(), self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        buttons = QDialogButtonBox(self)
        self.verify_button = buttons.addButton("Verified today",
                                               QDialogButtonBox.ButtonRole.ActionRole)
        self.incident_button = buttons.addButton("Record incident…",
                                                 QDialogButtonBox.ButtonRole.ActionRole)
        self.resolve_button = buttons.addButton("Resolve selected",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.close)
        self.verify_button.clicked.connect(self.verify)
        self.incident_button.clicked.connect(self.record)
        self.resolve_button.clicked.connect(self.resolve)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        env.data_changed.connect(self._changed)
        self.load()

    def _changed(self, entity: str) -> None:
        if entity in (CONNECTION, "*") and self.isVisible():
            self.load()

    def load(self) -> None:
        connection_id = self.connection_id

        def work(ctx: ServiceContext, job: Job) -> ConnectionHistory:
            from stackadmin.services.running.connections import history

            return history(ctx, connection_id)

        self.env.run(work, self._show, key=f"connection:{id(self)}")

    def _show(self, hist: ConnectionHistory) -> None:
        from html import escape

        from stackadmin.services.running.connections import duration_text

        self.history = hist
        r = hist.connection
        self.setWindowTitle(f"Connection: {r.from_tool} → {r.to_tool}")
        colour = status_colour(r.status).name()
        mean = duration_text(hist.mean_time_to_fix)
        self.heading.setText(
            f"<span style='font-size:14pt; font-weight:600'>{escape(r.from_tool)} → "
            f"{escape(r.to_tool)}</span><br>{escape(r.what)}<br>{escape(r.method)} · "
            f"<b style='color:{colour}'>{escape(r.status)}</b> · owner "
            f"{escape(r.owner or 'nobody')} · verified "
            f"{escape(date_text(r.last_verified) or 'never')}<br>"
            f"{len(hist.incidents)} incident{'' if len(hist.incidents) == 1 else 's'}"
            + (f", mean time to fix {mean}" if mean else "")
            + (f"<br>{escape(r.notes)}" if r.notes else ""))
        self.model.set_rows(hist.incidents)

    def verify(self) -> None:
        connection_id = self.connection_id

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.running.connections import verify

            return verify(ctx, connection_id)

        self.env.run(work, lambda _r: self.env.changed(CONNECTION))

    def record(self) -> FormDialog | None:
        if self.history is None:
            return None
        return incident_form(self.env, self, self.history.connection)

    def resolve(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        incident = self.model.row_at(rows[0].row())
        if not incident.open:
            return

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.running.connections import resolve_incident

            return resolve_incident(ctx, incident.id)

        self.env.run(work, lambda _r: self.env.changed(CONNECTION))


def open_connection(env: Env, parent: QWidget, connection_id: int) -> ConnectionDialog:
    dialog = ConnectionDialog(env, connection_id, parent)
    dialog.show()
    return dialog


class ConnectionsPage(TablePage):
    empty_state = ("No connections yet",
                   "Connections are the links between your tools (Jira issues → Slack "
                   "#eng-alerts): who owns each, and what breaks when a tool goes. Add "
                   "connection (Ctrl+N) adds one.")
    title = "Connections"
    icon = "connections"
    reload_on: ClassVar[frozenset[str]] = frozenset({CONNECTION, "tool", "person"})
    columns = connection_columns()

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.tools: list[str] = []
        self.dialog: QDialog | None = None
        self.add_action("Add connection", "add", self.add, shortcut="Ctrl+N")
        self.add_action("Edit", "edit", self.edit, needs_row=True)
        self.add_action("Verified today", "acknowledge", self.verify, needs_row=True)
        self.add_action("Incident…", "bell", self.incident, needs_row=True)
        self.add_action("Map", "map", lambda: env.open_page("map", None))

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.running.connections import list_connections

        return list_connections(ctx)

    def load(self) -> None:
        def work(ctx: ServiceContext, job: Job) -> list[str]:
            from stackadmin.services.inventory.tools import list_tools

            return [t.name for t in list_tools(ctx)]

        def done(names: list[str]) -> None:
            self.tools = names

        self.env.run(work, done, key="load:connection-tools")
        super().load()

    def add(self) -> FormDialog:
        dialog = connection_form(self.env, self, self.tools)
        self.dialog = dialog
        return dialog

    def edit(self) -> FormDialog | None:
        row = self.current_row()
        return None if row is None else connection_form(self.env, self, self.tools, row)

    def verify(self) -> None:
        row = self.current_row()
        if row is None:
            return
        connection_id = row.id

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.running.connections import verify

            return verify(ctx, connection_id)

        def done(r: Any) -> None:
            self.env.message.emit(f"{r.label}: verified today.")
            self.env.changed(CONNECTION)

        self.env.run(work, done)

    def incident(self) -> FormDialog | None:
        row = self.current_row()
        return None if row is None else incident_form(self.env, self, row)

    def activate(self, row: Any) -> None:
        self.dialog = open_connection(self.env, self, row.id)

    def apply_target(self, target: object) -> None:
        """{"connection_id": n} selects it and opens its history; {"search": text}."""
        super().apply_target(target)
        if isinstance(target, dict) and "connection_id" in target:
            wanted = int(target["connection_id"])
            self.select_where(lambda r: r.id == wanted)
            self.dialog = open_connection(self.env, self, wanted)
