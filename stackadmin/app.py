"""The GUI entry point: the one place that wires Qt, the services and the database together.

Start-up order matters (the costs are in docs/platform-notes.md):
0. One window per database (stackadmin.ui.handoff): a window already open on the database
   is handed the link and this process exits. Else (~2 ms: no socket file, nobody there)
   the window listens for later starts once it is painted (QtNetwork ~5 ms, then).
1. The window is painted with Qt alone: no data stack, not even the Qt namespace (`Qt.*`
   enums, ~30 ms to build) before the first paint. PySide6's per-module feature scan is
   off from the start (stackadmin.ui.bindings), and no garbage collection runs until the
   start is over (gcpause.hold_for_start): both only cost the start time.
2. A first page with a `first_look` (the dashboard) is read on a worker with the database's
   driver alone (sqlite3, psycopg) from a database at the head revision, and shown: the
   window is ready.
3. The data stack (SQLAlchemy ~0.3 s) is imported and the database opened, on a worker,
   which also makes the first reminder check: which reminders are due.
4. The reminder panel shows that check, then the first page finishes loading (or loads,
   when there was no first look): the start is over (`gui --exit-when-ready` exits then,
   once the panel has also counted its reminders' seats, which it does right after).
   The menus the start does not need (Import, Export, New request, Help) come after it.
`STACKADMIN_TRACE_STARTUP=1` prints each step with its time (what `python -m benchmarks`
reads for the window figures).
"""

from __future__ import annotations

import gc
import os
import sys
import time
from enum import Enum, auto
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.pages import PageSpec
    from stackadmin.ui.tasks import Job

TRACE_ENV = "STACKADMIN_TRACE_STARTUP"  # prints "stackadmin-trace <event> <unix time>"
EXIT_WHEN_READY_ENV = "STACKADMIN_EXIT_WHEN_READY"
SHUTDOWN_WAIT_MS = 1500
FINISH_WINDOW_MS = 2000  # the menus the start does not need, at the latest
LOOK_WAIT_MS = 300  # the longest the open waits for the first page's read (see painted)


class Step(Enum):
    """What has happened of the start (run_gui keeps the set of those done)."""

    OPENING = auto()  # the job opening the database is started
    READY = auto()  # the first page shows its data
    OPENED = auto()  # the database is open
    PANEL = auto()  # the reminder panel is installed (once READY and OPENED)
    REMINDERS = auto()  # its first check is shown: the start is over
    MENUS = auto()  # the menus the start does not need are installed


def _trace(event: str) -> None:
    if os.environ.get(TRACE_ENV):
        print(f"stackadmin-trace {event} {time.time():.6f}", file=sys.stderr, flush=True)


def _trace_value(name: str, value: float) -> None:
    """A measured value (seconds) for the benchmarks: "stackadmin-trace-value NAME VALUE"."""
    if os.environ.get(TRACE_ENV):
        print(f"stackadmin-trace-value {name} {value:.6f}", file=sys.stderr, flush=True)


def first_reminder_check(ctx: ServiceContext) -> Any:
    """The reminder panel's first check (its result, as a check job gives it), done in the
    job that opens the database: before any page's work starts, so it does not share the
    interpreter lock with them. None when it fails: the panel then checks on its own.
    Which reminders are due, without their tools' active seats: the panel counts those
    right after, as the first page counts its seats once it shows its figures."""
    try:
        from stackadmin.services.renewals.reminders import due_reminders

        started = time.thread_time()  # its own work: the CPU time of this thread
        day = ctx.today()
        rows = due_reminders(ctx, day, with_seats=False)
        return day, rows, time.thread_time() - started
    except Exception:
        import logging

        logging.getLogger(__name__).warning("the first reminder check failed", exc_info=True)
        return None


def open_job(db: str | None) -> Any:
    """The worker job that imports the data stack, opens the database and makes the first
    reminder check: (context, empty, the check's result or None)."""

    def work(_ctx: ServiceContext | None, job: Job) -> tuple[ServiceContext, bool, Any]:
        _trace("open-start")
        from stackadmin.domain.vocab import AuditSource
        from stackadmin.services.context import open_context
        from stackadmin.store.first_run import is_empty

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
        first = None if empty or job.is_cancelled else first_reminder_check(ctx)
        return ctx, empty, first

    return work


def tune_gc() -> None:
    """The GUI process's garbage-collector thresholds, which the GUI thread's collector
    (ui.gcpause) follows. A worker building 100k rows (the Seats page) set off five full
    collections with the defaults, each holding the interpreter lock, so freezing the window
    up to 130 ms at a time; with these, none (measured loading the large demo's seats).
    Young collections stay cheap (50,000 objects), and reference counting frees everything
    else as always."""
    gc.set_threshold(50_000, 20, 20)


def first_look_job(page: PageSpec, db: str | None) -> Any:
    """The worker job that reads the first page's data before the data stack is imported
    (services.first_look); None when it cannot, and the page then loads the usual way."""

    def work(_ctx: ServiceContext | None, _job: Job) -> Any:
        look = page.first_look_function()
        try:
            return None if look is None else look(db)
        except Exception:  # never in the way of opening: the usual load says what is wrong
            # (a damaged file or schema, in words; a bug, in the crash log): not here, where
            # a traceback would reach the terminal.
            import logging

            logging.getLogger(__name__).debug("start-up read of %s failed", page.key,
                                              exc_info=True)
            return None

    return work


def _log_to_file() -> None:
    """Warnings and errors (a bug's traceback among them) also go to the log folder's
    stackadmin.log, where Help → Open the log folder leads: private, as crash.log (the
    folder 0700, the file 0600 whatever the umask)."""
    import logging

    from stackadmin import paths

    try:
        folder = paths.data_dir() / "logs"
        paths.make_private_folder(folder)
        path = folder / "stackadmin.log"
        if not paths.create_private_file(path):
            os.chmod(path, paths.PRIVATE_FILE)  # one an older version left readable to all
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return  # no log file is no reason not to run
    from stackadmin import crashlog

    class Scrubbed(logging.Formatter):
        # A traceback's messages (a failed background job's, a plugin's) may name people:
        # masked here as crash.log masks them.
        def format(self, record: logging.LogRecord) -> str:
            return crashlog.scrub(super().format(record))

    handler.setLevel(logging.WARNING)
    handler.setFormatter(Scrubbed("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


NO_DISPLAY = ("no display: run it in a desktop session, or set QT_QPA_PLATFORM=offscreen "
              "for a headless check")


def check_display(environ: dict[str, str] | None = None, platform: str = sys.platform) -> None:
    """On Linux and the BSDs, Qt without a display aborts (exit 134) blaming a missing
    libxcb-cursor0: say the real cause in one line instead."""
    env = os.environ if environ is None else environ
    if platform.startswith(("win", "darwin", "cygwin")):
        return
    wanted = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if wanted in ("", "xcb") and env.get("DISPLAY"):
        return
    if wanted.startswith("wayland") and env.get("WAYLAND_DISPLAY"):
        return
    if wanted == "" and env.get("WAYLAND_DISPLAY"):
        return
    if wanted not in ("", "xcb") and not wanted.startswith("wayland"):
        return  # offscreen, minimal, vnc, eglfs...: they need no desktop display
    from stackadmin.errors import UserError

    raise UserError(NO_DISPLAY)


def run_gui(db: str | None = None, *, exit_when_ready: bool = False,
            link: str | None = None) -> int:
    """Opens the main window on the database; returns the process exit code (1 when the
    database cannot be opened: the reason is printed, and shown in the window if it is up).
    `link`: a stackadmin:// link to open once the database is (stackadmin.ui.links)."""
    check_display()
    from PySide6.QtWidgets import QApplication

    from stackadmin.ui.bindings import skip_feature_scan

    skip_feature_scan()  # every module imported from here on (stackadmin.ui.bindings)
    exit_when_ready = exit_when_ready or bool(os.environ.get(EXIT_WHEN_READY_ENV))
    tune_gc()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    # One window per database: a window already open on it takes the link, and this
    # process is done before it has built a window of its own (stackadmin.ui.handoff).
    from stackadmin.ui.handoff import claim as claim_start

    claim = claim_start(db, link, exit_when_ready=exit_when_ready)
    if claim.handed_off:
        return 0
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu, QMessageBox

    from stackadmin.ui import gcpause, theme
    from stackadmin.ui.env import Env
    from stackadmin.ui.mainwindow import MainWindow, describe_error
    from stackadmin.ui.pages import spec
    from stackadmin.ui.tasks import TaskRunner

    # Cycles are collected on this (the GUI) thread only: a collection on a worker can
    # destroy a Qt object there and deadlock with this thread (docs/platform-notes.md).
    gcpause.install(app)
    end_gc_hold = gcpause.hold_for_start()  # released once the start is over
    app.setOrganizationName("stackadmin")
    app.setApplicationName("stackadmin")
    settings = QSettings()
    dark_guess = theme.follow_system(app, settings)  # type: ignore[arg-type]
    tasks = TaskRunner()
    env = Env(tasks, settings=settings)
    window = MainWindow(env)
    receivers: list[Any] = []  # the window's answer to later starts, once it is painted
    first = window.first_page_key()
    # The File menu is in the first paint; its Import… and Export ▸ (and their modules)
    # and the shortcuts (the first setShortcut builds the Qt namespace, ~30 ms) come right
    # after it.
    bar = window.menuBar()
    file_menu = QMenu("&File", bar)  # first, before the window's Edit menu
    file_menu.setObjectName("fileMenu")
    bar.insertMenu(bar.actions()[0], file_menu)
    quit_action = file_menu.addAction("&Quit")
    quit_action.triggered.connect(window.close)
    outcome = {"code": 0}
    started: set[Step] = set()
    first_check: list[Any] = []  # the open job's reminder check

    def started_up(step: Step) -> None:
        # The first page may show its data before the database is open (first look), or
        # after: the reminder panel comes once both happened.
        started.add(step)
        if not {Step.READY, Step.OPENED} <= started or Step.PANEL in started:
            return
        started.add(Step.PANEL)
        # The reminder panel (~70 ms of imports, then a query) comes last.
        from stackadmin.ui.reminders.panel import CHECK_KEY, install_reminders

        center = install_reminders(window, env, popup=not exit_when_ready,
                                   first=first_check[0] if first_check else None)

        def checked() -> None:
            # The start is over once the first reminder check is in, or failed (with
            # --exit-when-ready read only: nothing pops up, nothing is recorded as shown).
            if Step.REMINDERS in started:
                return
            started.add(Step.REMINDERS)
            _trace("reminders")
            _trace_value("reminders-work", center.work_seconds)
            end_gc_hold()
            if exit_when_ready:
                # Once the events queued are handled, and the panel's seats are counted (that
                # work, after the start, is traced for the benchmarks too).
                if center.counting:
                    center.seats_counted.connect(lambda: QTimer.singleShot(0, lambda: app.exit(0)))
                    QTimer.singleShot(SHUTDOWN_WAIT_MS, lambda: app.exit(0))  # never hang on it
                else:
                    QTimer.singleShot(0, lambda: app.exit(0))
                return
            finish_window()
            from stackadmin.ui.running_center import install_running

            install_running(window, env)  # daily adoption snapshot, the digest when due
            from stackadmin.ui.sync_center import install_sync

            install_sync(window, env)  # vendor syncs when due

        center.checked.connect(checked)
        center.seats_counted.connect(
            lambda: _trace_value("reminders-seats-work", center.seats_seconds))
        tasks.finished.connect(lambda job: checked() if job.key == CHECK_KEY else None)

    def finish_window() -> None:
        # The menus and actions the start does not need: installed once the start is over
        # (~25 ms of imports that would otherwise delay the first page and the reminder
        # check), or after FINISH_WINDOW_MS if the database is slow to open.
        if Step.MENUS in started:
            return
        started.add(Step.MENUS)
        _trace("menus")
        from stackadmin.ui.file_menu import install_import_export
        from stackadmin.ui.help_menu import install_help

        install_import_export(window, env)  # File → Import… / Export ▸, first-run import
        from stackadmin.ui.buying.request_form import install_request_action

        install_request_action(window, env)  # New request: menu bar, File menu, Ctrl+Shift+R
        install_help(window, env)  # Help: shortcuts, the data and log folders, About

    def opened(result: tuple[ServiceContext, bool, Any]) -> None:
        ctx, empty, first = result
        first_check.append(first)
        _trace("opened")
        tasks.ctx = ctx
        # The reminder panel first when the first page shows its data already (the first
        # look): its check is made, and its rows are in before the page's remaining work
        # (counting seats, a worker's ~0.3 s on 100,000 accounts) starts, not beside it.
        started_up(Step.OPENED)
        QTimer.singleShot(0, lambda: attach(empty))

    def attach(empty: bool) -> None:
        window.attach(empty)
        # The link given at start, then those handed over by later starts meanwhile.
        links = [link] if link else []
        links += receivers[0].take_pending() if receivers else []
        for each in links:
            if empty:
                env.message.emit(f"This database is empty: {each} names nothing in it yet.")
            else:
                window.open_link(each)

    def open_failed(exc: BaseException) -> None:
        from stackadmin.domain.limits import one_line

        end_gc_hold()
        message = describe_error(exc)
        print(f"stackadmin: error: {one_line(message)}", file=sys.stderr)
        outcome["code"] = 1
        if not exit_when_ready:
            QMessageBox.critical(window, "stackadmin cannot open the database", message)
        app.exit(1)

    def open_database() -> None:
        if Step.OPENING not in started:
            started.add(Step.OPENING)
            tasks.run(open_job(db), opened, open_failed, needs_ctx=False)

    def first_look_done(data: object) -> None:
        _trace("first-look")
        # The worker starts importing before the page is laid out here, so that the window
        # shows its data while the import goes on.
        open_database()
        window.show_first_look(first, data)  # unless the page loaded the usual way already

    def painted() -> None:
        _trace("painted")
        theme.confirm_system(app, dark_guess)  # type: ignore[arg-type]
        # Only now the data stack is imported and the database opened, on a worker: the
        # pixels are out first. (Starting it before the paint, in parallel, was measured on
        # this 2-core machine: no gain in time to ready that stood out of the noise.)
        # A page that can be read without the data stack (a database at the head revision)
        # is read and shown first, then the database is opened: one job at a time, as two
        # would only share the one interpreter lock. A read that takes longer (a server far
        # away: its time is spent waiting on the network, without the lock) is not waited
        # for past LOOK_WAIT_MS: the open starts beside it, and the read is shown if it
        # comes before the database is open.
        page = spec(first)
        if page is not None and page.first_look:
            tasks.run(first_look_job(page, db), first_look_done,
                      lambda _exc: open_database(), needs_ctx=False)
            QTimer.singleShot(LOOK_WAIT_MS, open_database)
        else:
            open_database()
        quit_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Quit))
        if not exit_when_ready:
            QTimer.singleShot(FINISH_WINDOW_MS, finish_window)
        _log_to_file()
        server = claim.listen()
        if server is not None:
            from stackadmin.ui.handoff_listener import listen

            receivers.append(listen(window, server))  # later starts hand over here

    def ready() -> None:
        _trace("ready")
        started_up(Step.READY)

    window.painted.connect(painted)
    window.ready.connect(ready)
    window.show()
    try:
        code = int(app.exec())
    finally:
        claim.close()  # first: a later start now opens a window of its own
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
