"""Integrations: the vendor connections that read seats and activity into the inventory.
Add, edit and remove them (a form made from each plugin's declaration, the secret in a
password field), test their connection, sync one or all with a progress bar per integration
and Cancel, and read each one's history of runs with their counts and errors. A first sync
shows what it will change before it writes anything; broken plugins are listed with the
reason; with none set up, the page says what to do."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.empty import EmptyState
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.fmt import moment_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import ROW_ROLE, Column, RowTableModel, search_text

if TYPE_CHECKING:
    from PySide6.QtGui import QPainter

    from stackadmin.services.context import ServiceContext
    from stackadmin.services.sync.history import RunRow
    from stackadmin.services.sync.integrations import IntegrationRow
    from stackadmin.ui.tasks import Job

PROGRESS_COLUMN = 5  # the Last run column


def when(value: datetime | None) -> str:
    if value is None:
        return ""
    return moment_text(value)


def last_run_text(i: IntegrationRow) -> str:
    if i.last_status is None:
        return "never synced"
    if i.last_status == "ok" and i.last_counts is not None:
        added, changed, gone, same = i.last_counts
        counts = f"{added} added, {changed} changed, {gone} deprovisioned, {same} unchanged"
        return f"dry run, would change: {counts}" if i.last_dry_run else f"ok: {counts}"
    if i.last_status in ("failed", "cancelled"):
        return f"{i.last_status}: {i.last_error or ''}".strip()
    return i.last_status


def _plugin_text(i: IntegrationRow) -> str:
    if i.plugin_problem is not None:
        return f"{i.plugin_id} (broken)"
    return i.plugin_name or i.plugin_id


def _schedule(i: IntegrationRow) -> str:
    return i.schedule + (", directory" if i.is_directory_source else "")


def _columns() -> list[Column[IntegrationRow]]:
    # While a sync runs, its progress bar is drawn over the "Last run" cell (ProgressDelegate).
    return [
        Column("Name", lambda i: i.name, width=150,
               bold=lambda i: i.last_status == "failed" and not i.last_dry_run),
        Column("Plugin", _plugin_text, width=110, tooltip=lambda i: i.plugin_problem or "",
               warn=lambda i: i.plugin_problem is not None),
        Column("Tool", lambda i: i.tool or "no tool", width=120,
               warn=lambda i: i.tool is None),
        Column("Schedule", _schedule, width=90),
        Column("Last good sync", lambda i: when(i.last_success_at),
               key=lambda i: i.last_success_at, searchable=False, width=120),
        Column("Last run", last_run_text, tooltip=last_run_text,
               warn=lambda i: i.last_status == "failed"),
    ]


def _run_result(r: RunRow) -> str:
    text = r.status + (" (dry run)" if r.dry_run else "") + (" (forced)" if r.forced else "")
    return text + (", scheduled" if r.trigger == "schedule" else "")


def _run_columns() -> list[Column[RunRow]]:
    return [
        Column("Started", lambda r: when(r.started_at), key=lambda r: r.started_at, width=120),
        Column("Result", _run_result, width=110, warn=lambda r: r.status == "failed"),
        Column("Added", lambda r: str(r.added), key=lambda r: r.added, numeric=True, width=55),
        Column("Changed", lambda r: str(r.changed), key=lambda r: r.changed, numeric=True,
               width=62),
        Column("Deprov.", lambda r: str(r.deprovisioned), key=lambda r: r.deprovisioned,
               numeric=True, width=55),
        Column("Unchanged", lambda r: str(r.unchanged), key=lambda r: r.unchanged,
               numeric=True, width=75),
        Column("Pages", lambda r: str(r.pages), key=lambda r: r.pages, numeric=True, width=50),
        Column("Retries", lambda r: str(r.retries), key=lambda r: r.retries, numeric=True,
               width=55),
        Column("Seconds", lambda r: "" if r.seconds is None else f"{r.seconds:.1f}",
               key=lambda r: r.seconds, numeric=True, width=60),
        Column("Error or notes", _run_note, tooltip=_run_note),
    ]


def _run_note(r: RunRow) -> str:
    return "\n".join(filter(None, [r.error, *r.notices]))


class ProgressDelegate(QStyledItemDelegate):
    """Draws a running sync's progress bar in its row (the page keeps the state)."""

    def __init__(self, page: IntegrationsPage) -> None:
        super().__init__(page)
        self.page = page

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row = index.data(ROW_ROLE)
        state = self.page.progress.get(getattr(row, "id", -1))
        if state is None:
            super().paint(painter, option, index)
            return
        text, items, total = state
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)  # type: ignore[attr-defined]
        bar.minimum = 0
        bar.maximum = total if total else 0  # 0..0: busy
        bar.progress = min(items, total) if total else 0
        bar.text = (f"{items:,} of {total:,}" if total else text[-40:])
        bar.textVisible = True
        bar.state = (QStyle.StateFlag.State_Enabled  # type: ignore[attr-defined]
                     | QStyle.StateFlag.State_Horizontal)
        bar.palette = option.palette  # type: ignore[attr-defined]
        style = QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class IntegrationsPage(TablePage):
    title = "Integrations"
    icon = "integrations"
    reload_on: ClassVar[frozenset[str]] = frozenset({"integration"})
    columns = _columns()
    search_hint = "Search: name, plugin, tool, 'failed'…"

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.sync_center import sync_center

        self.center = sync_center(env)
        self.progress: dict[int, tuple[str, int, int]] = {}
        self.plugins: list[Any] = []
        self.rows: list[IntegrationRow] = []
        self.add_action("Add…", "add", self.add, shortcut="Ctrl+N")
        self.edit_action = self.add_action("Edit…", "edit", self.edit, needs_row=True)
        self.remove_action = self.add_action("Remove…", "delete", self.remove,
                                             needs_row=True)
        self.test_action = self.add_action("Test", "acknowledge", self.test, needs_row=True)
        self.test_action.setToolTip("Test connection: proves the token with one cheap call")
        self.sync_action = self.add_action("Sync", "refresh", self.sync, needs_row=True)
        self.sync_all_action = self.add_action("Sync all", "refresh", self.sync_all)
        self.cancel_action = self.add_action("Cancel", "delete", self.cancel)
        self.cancel_action.setEnabled(False)
        self.search.setMinimumWidth(200)  # seven actions fit beside it at 1024 pixels
        self.view.setItemDelegateForColumn(PROGRESS_COLUMN, ProgressDelegate(self))

        self.broken = QLabel(self)
        self.broken.setObjectName("brokenPlugins")
        self.broken.setWordWrap(True)
        self.broken.setProperty("problem", True)
        self.broken.hide()
        self.status = QLabel(self)
        self.status.setObjectName("testResult")
        self.status.setWordWrap(True)
        self.status.hide()
        self.extra_layout.addWidget(self.broken)
        self.extra_layout.addWidget(self.status)

        self.empty = self._empty_state()
        self.table.set_empty_state(self.empty)  # after the table, where the splitter goes
        self.history_model: RowTableModel[RunRow] = RowTableModel(_run_columns(), self)
        self.history_view = make_view(self.history_model, self)
        self.history_title = QLabel("History", self)
        self.history_title.setObjectName("figureTitle")
        history = QWidget(self)
        box = QVBoxLayout(history)
        box.setContentsMargins(0, 6, 0, 0)
        self.run_detail = QLabel(history)
        self.run_detail.setObjectName("runDetail")
        self.run_detail.setWordWrap(True)
        self.run_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.history_title)
        box.addWidget(self.history_view, 1)
        box.addWidget(self.run_detail)
        self.history_view.selectionModel().selectionChanged.connect(
            lambda *_: self._show_run_detail())
        outer = self.table.layout()
        assert isinstance(outer, QVBoxLayout)
        at = outer.indexOf(self.view)
        outer.removeWidget(self.view)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(history)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer.insertWidget(at, self.splitter, 1)

        self.view.selectionModel().selectionChanged.connect(lambda *_: self.load_history())
        self.center.started.connect(self._sync_started)
        self.center.progressed.connect(self._sync_progressed)
        self.center.finished.connect(self._sync_finished)
        self.center.previewed.connect(self.show_preview)

    def _empty_state(self) -> EmptyState:
        """Until an integration is set up: what one does, and the accounts import meanwhile
        (the text names the plugins installed, once they are known)."""
        empty = EmptyState("No vendor integrations yet", "", [
            ("Add an integration…", "Choose the vendor's plugin, the tool it feeds and its "
             "token (kept in the OS keyring).", "add", self.add),
            ("Import accounts…", "Meanwhile, a vendor's user-list export (CSV): seats, "
             "roles, last activity.", "import", self._import),
        ], self)
        return empty

    def _import(self) -> None:
        if self.env.import_hook is not None:
            self.env.import_hook()

    # -- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.plugins.registry import load_registry
            from stackadmin.services.sync.integrations import list_integrations

            registry = load_registry()
            rows = list_integrations(ctx, registry=registry)
            return prepare(rows), registry.plugins(), registry.broken()

        self.env.run(work, self._loaded, title="", key=f"load:{self.key}")

    def _loaded(self, result: Any) -> None:
        shown, plugins, broken = result
        self.plugins = plugins
        self.rows = list(shown[0])
        if broken:
            self.broken.setText("Broken plugins (installed, cannot be used): " + "; ".join(
                f"{b.id}: {b.reason}" for b in broken))
        self.broken.setVisible(bool(broken))
        names = ", ".join(p.name for p in plugins) or "none installed"
        self.empty.set_text(
            "An integration reads who holds a seat in a tool, with which role, and when they "
            "last used it, from the vendor's admin API. Add one, choose the tool it feeds, "
            "give its token (kept in the OS keyring), test the connection, then sync: the "
            "first sync shows what it will change before it writes anything, and the "
            f"schedule keeps it fresh after that. Plugins: {names}.\n\nUntil one is set "
            "up, bring the seats in yourself: export the user list from the vendor's admin "
            "console and import it as a tool's accounts.")
        self.empty.setVisible(not self.rows)
        self.splitter.setVisible(bool(self.rows))
        self._update_actions()
        self._show_rows(shown)
        if self.current_row() is None and self.rows:
            self.view.selectRow(0)
        self.load_history()

    def load_history(self) -> None:
        row = self.current_row()
        if row is None:
            self.history_model.set_rows([])
            self.history_title.setText("History")
            self._show_run_detail()
            return
        self.history_title.setText(f"History of {row.name}")
        self._update_actions()

        def work(ctx: ServiceContext, job: Job) -> list[RunRow]:
            from stackadmin.services.sync.history import runs

            return runs(ctx, row.id)

        self.env.run(work, self._show_history, key="load:integration-history")

    def _show_history(self, runs: list[RunRow]) -> None:
        self.history_model.set_rows(runs, search_text(_run_columns(), runs), {})
        if runs:
            self.history_view.selectRow(0)
        self._show_run_detail()

    def _show_run_detail(self) -> None:
        """The selected run's error and notes in full (the cell cuts them)."""
        rows = self.history_view.selectionModel().selectedRows()
        run = self.history_model.row_at(rows[0].row()) if rows else None
        text = "" if run is None else _run_note(run)
        self.run_detail.setText(text)
        self.run_detail.setVisible(bool(text))

    # -- actions ---------------------------------------------------------------------------
    def _open_dialog(self, row: Any = None) -> None:
        from stackadmin.ui.dialogs.integration import IntegrationDialog

        def work(ctx: ServiceContext, job: Job) -> list[str]:
            from stackadmin.services.inventory.tools import list_tools

            return [t.name for t in list_tools(ctx)]

        def show(tools: list[str]) -> None:
            if not self.plugins:
                self.env.error.emit("No plugin is installed: see `stackadmin plugins list`.")
                return
            dialog = IntegrationDialog(self.env, self.plugins, tools, row, self)
            dialog.setObjectName("integrationDialog")
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog = dialog
            dialog.open()

        self.env.run(work, show)

    def activate(self, row: Any) -> None:
        if row is not None:
            self._open_dialog(row)

    def add(self) -> None:
        self._open_dialog()

    def edit(self) -> None:
        row = self.current_row()
        if row is not None:
            self._open_dialog(row)

    def remove(self) -> None:
        row = self.current_row()
        if row is None:
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Remove integration",
                          f"Remove {row.name}, its history of runs and its secret (from the "
                          f"OS keyring)? The accounts it synced into {row.tool or 'its tool'} "
                          "are kept.", QMessageBox.StandardButton.Cancel, self)
        ok = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setObjectName("removeIntegration")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._removed(row) if button is ok else None)
        self.confirm_box = box
        box.open()

    def _removed(self, row: Any) -> None:
        name = row.name
        secrets = self.center.settings.get("secrets")

        def work(ctx: ServiceContext, job: Job) -> str:
            from stackadmin.services.sync.integrations import remove_integration

            return remove_integration(ctx, name, secrets=secrets)

        def done(removed: str) -> None:
            self.env.message.emit(f"Removed {removed} and its secret.")
            self.env.changed("integration")

        self.env.run(work, done)

    def test(self) -> None:
        row = self.current_row()
        if row is None:
            return
        name = row.name
        self.show_status(f"Testing {name}…")
        settings = dict(self.center.settings)

        def work(ctx: ServiceContext, job: Job) -> str:
            from stackadmin.services.sync.integrations import test_integration

            return test_integration(ctx, name, **settings).summary

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.mainwindow import describe_error

            self.show_status(f"✘ {name}: {describe_error(exc)}", problem=True)

        self.env.run(work, lambda summary: self.show_status(f"✔ {name}: {summary}"), failed,
                     key="integration-test")

    def show_status(self, text: str, *, problem: bool = False) -> None:
        self.status.setProperty("problem", problem)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)
        self.status.show()

    def sync(self) -> None:
        row = self.current_row()
        if row is not None:
            self._sync_one(row)

    def sync_all(self) -> None:
        for row in self.rows:
            if row.enabled and row.plugin_problem is None:
                self._sync_one(row)

    def _sync_one(self, row: IntegrationRow) -> None:
        if row.plugin_problem is not None:
            self.show_status(f"✘ {row.name}: {row.plugin_problem}", problem=True)
            return
        self.center.sync(row.id, row.name, first=row.last_success_at is None)

    def cancel(self) -> None:
        row = self.current_row()
        if row is not None and self.center.running(row.id):
            self.center.cancel(row.id)
        else:
            self.center.cancel()
        self.env.message.emit("Cancelled: nothing the sync fetched is written.")

    def show_preview(self, preview: Any) -> None:
        from stackadmin.ui.dialogs.sync_preview import SyncPreviewDialog

        dialog = SyncPreviewDialog(preview, self)
        dialog.setObjectName("syncPreview")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(lambda force: self.center.apply(preview, force=force))
        self.preview_dialog = dialog
        dialog.open()

    # -- progress --------------------------------------------------------------------------
    def _sync_started(self, integration_id: int) -> None:
        self.progress[integration_id] = ("starting…", 0, 0)
        self._repaint()

    def _sync_progressed(self, integration_id: int, text: str, items: int, total: int) -> None:
        self.progress[integration_id] = (text, items, total)
        self._repaint()

    def _sync_finished(self, integration_id: int, result: Any) -> None:
        self.progress.pop(integration_id, None)
        if result is not None and not result.ok:
            self.show_status(f"✘ {result.summary()}", problem=True)
        elif result is not None and result.ok and not result.dry_run:
            self.show_status(f"✔ {result.summary()}")
        self._repaint()  # the center says "integration" changed: the page reloads

    def _repaint(self) -> None:
        self.view.viewport().update()
        self._update_actions()

    def _update_actions(self) -> None:
        self.cancel_action.setEnabled(bool(self.center.jobs))
        self.sync_all_action.setEnabled(bool(self.rows))
        row = self.current_row()
        self.sync_action.setEnabled(row is not None and not self.center.running(row.id))
