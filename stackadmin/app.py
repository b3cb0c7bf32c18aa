"""The GUI entry point: the one place that wires Qt, the services and the database together.

Start-up order matters (FIELD-NOTES): the window is painted first with Qt alone; only then is
the data stack (SQLAlchemy ~0.5 s) imported and the database opened, on a worker thread; the
first page then loads its data on another worker job.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job

TRACE_ENV = "STACKADMIN_TRACE_STARTUP"  # prints "stackadmin-trace <event> <unix time>"
EXIT_WHEN_READY_ENV = "STACKADMIN_EXIT_WHEN_READY"
SHUTDOWN_WAIT_MS = 1500


def _trace(event: str) -> None:
    if os.environ.get(TRACE_ENV):
        print(f"stackadmin-trace {event} {time.time():.6f}", file=sys.stderr, flush=True)


def open_job(db: str | None) -> Any:
    """The worker job that imports the data stack and opens the database."""

    def work(_ctx: ServiceContext | None, job: Job) -> tuple[ServiceContext, bool]:
        _trace("open-start")
        from stackadmin.domain.vocab import AuditSource
        from stackadmin.services.context import open_context
        from stackadmin.services.demo import is_empty

        _trace("imported")
        ctx = open_context(db, source=AuditSource.UI, upgrade=True)
        try:
            with ctx.read() as session:
                empty = is_empty(session)
        except BaseException:
            ctx.close()
            raise
        if job.is_cancelled:
            ctx.close()
        _trace("open-end")
        return ctx, empty

    return work


def run_gui(db: str | None = None, *, exit_when_ready: bool = False) -> int:
    """Opens the main window on the database; returns the process exit code (1 when the
    database cannot be opened: the reason is printed, and shown in the window if it is up)."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from stackadmin.ui import theme
    from stackadmin.ui.env import Env
    from stackadmin.ui.file_menu import install_import_export
    from stackadmin.ui.mainwindow import MainWindow, describe_error
    from stackadmin.ui.tasks import TaskRunner

    exit_when_ready = exit_when_ready or bool(os.environ.get(EXIT_WHEN_READY_ENV))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("stackadmin")
    app.setApplicationName("stackadmin")
    theme.follow_system(app)  # type: ignore[arg-type]
    tasks = TaskRunner()
    env = Env(tasks, settings=QSettings())
    window = MainWindow(env)
    install_import_export(window, env)  # File → Import… / Export ▸, and the first-run import
    outcome = {"code": 0}

    def opened(result: tuple[ServiceContext, bool]) -> None:
        ctx, empty = result
        _trace("opened")
        tasks.ctx = ctx
        window.attach(empty)

    def open_failed(exc: BaseException) -> None:
        message = describe_error(exc)
        print(f"stackadmin: error: {message}", file=sys.stderr)
        outcome["code"] = 1
        if not exit_when_ready:
            QMessageBox.critical(window, "stackadmin cannot open the database", message)
        app.exit(1)

    def painted() -> None:
        _trace("painted")
        # Only now the data stack is imported and the database opened, on a worker: the
        # pixels are out first. (Starting it before the paint, in parallel, was measured on
        # this 2-core machine: no gain in time to ready that stood out of the noise.)
        tasks.run(open_job(db), opened, open_failed, needs_ctx=False)
        # The reminder panel (a hidden dock until something is due) costs ~70 ms of imports:
        # paid after the paint, while the database opens; it starts once the first page is
        # ready.
        from stackadmin.ui.reminders_panel import install_reminders

        install_reminders(window, env)

    def ready() -> None:
        _trace("ready")
        if exit_when_ready:
            # Once the events already queued are handled: the event queue is idle.
            QTimer.singleShot(0, lambda: app.exit(0))

    window.painted.connect(painted)
    window.ready.connect(ready)
    window.show()
    try:
        code = int(app.exec())
    finally:
        window.save_state()
        tasks.cancel()
        finished = tasks.wait(SHUTDOWN_WAIT_MS)
        if finished and tasks.ctx is not None:
            tasks.ctx.close()
    code = outcome["code"] or code
    if not finished:
        # A job that cannot be interrupted mid-query (a 100k-seat count) is still running:
        # leave without waiting for it. Nothing is lost: reads hold nothing, and a write
        # transaction that did not commit is rolled back by the database.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code
