"""Background work for the GUI: jobs on a QThreadPool, results posted back to the GUI thread."""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from stackadmin.ui import gcpause

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a job by `job.check()` once the GUI has cancelled it."""


@dataclass(eq=False)
class Job:
    """One piece of background work. The worker sees only this object and the context: it
    never touches a widget. `cancelled` is a threading.Event (a timer queued to a busy worker
    thread would never run: it waits behind the job itself)."""

    id: int
    title: str
    key: str | None
    ctx: ServiceContext | None
    cancelled: threading.Event = field(default_factory=threading.Event)
    _relay: _Relay | None = field(default=None, repr=False)

    def cancel(self) -> None:
        self.cancelled.set()

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled.is_set()

    def check(self) -> None:
        """Call between steps of long work: stops the job once it is cancelled."""
        if self.cancelled.is_set():
            raise Cancelled(self.title)

    def progress(self, done: int, total: int) -> None:
        """Reports progress (thread-safe: delivered on the GUI thread)."""
        if self._relay is not None and not self.cancelled.is_set():
            self._relay.progressed.emit(self.id, done, total)


@dataclass(eq=False)
class _Pending:
    job: Job
    done: Callable[[Any], None] | None
    failed: Callable[[BaseException], None] | None
    progress: Callable[[int, int], None] | None
    # Kept here, on the GUI thread, as long as the job runs: the worker lets go of the work
    # first, so the last reference to anything it holds (a page, a widget) is dropped on
    # the GUI thread, never on a worker.
    work: Callable[..., Any] | None = None


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from workers are queued to it."""

    finished = Signal(int, object, object)  # job id, result, exception
    progressed = Signal(int, int, int)  # job id, done, total


class _Runnable(QRunnable):
    def __init__(self, job: Job, work: Callable[..., Any], relay: _Relay) -> None:
        super().__init__()
        self.job = job
        self.work = work
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:  # on a pool thread: no widget may be touched here
        result: Any = None
        error: BaseException | None = None
        work, self.work = self.work, None
        try:
            self.job.check()
            result = work(self.job.ctx, self.job)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            error = exc
        work = None  # the GUI thread's reference (_Pending.work) is the last one
        self.relay.finished.emit(self.job.id, result, error)


class TaskRunner(QObject):
    """Runs `work(ctx, job)` on a thread pool and calls `done(result)` or `failed(exception)`
    on the GUI thread. A job started with a `key` cancels the running job with that key (a
    page reloading drops its previous load); a cancelled job's result is never delivered.

    The work opens its own sessions through `ctx` (ctx.read() / ctx.transaction() or a
    service function): one session per job, never shared across threads.
    """

    started = Signal(object)  # Job
    progressed = Signal(object, int, int)  # Job, done, total
    finished = Signal(object)  # Job (after its callback ran)
    idle = Signal()  # no job left

    def __init__(self, ctx: ServiceContext | None = None, *, pool: QThreadPool | None = None,
                 on_error: Callable[[BaseException, Job], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool = pool or QThreadPool.globalInstance()
        self.on_error = on_error
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._relay = _Relay(self)
        self._connected = False

    def run(self, work: Callable[[ServiceContext, Job], Any],
            done: Callable[[Any], None] | None = None,
            failed: Callable[[BaseException], None] | None = None, *,
            title: str = "", key: str | None = None,
            progress: Callable[[int, int], None] | None = None,
            needs_ctx: bool = True) -> Job:
        """Starts `work(ctx, job)` on a worker. `failed` defaults to the runner's `on_error`
        (the main window shows it in words). `needs_ctx=False` for work that runs before the
        database is open (opening it)."""
        if needs_ctx and self.ctx is None:
            raise RuntimeError("the database is not open yet")
        if key is not None:
            self.cancel(key)
        if not self._connected:
            # Here, not in __init__: the runner is made before the window's first paint, and
            # the Qt namespace (ConnectionType) is built on first use (~30 ms).
            from PySide6.QtCore import Qt

            queued = Qt.ConnectionType.QueuedConnection
            self._relay.finished.connect(self._deliver, queued)
            self._relay.progressed.connect(self._progress, queued)
            self._connected = True
        job = Job(next(self._ids), title, key, self.ctx, _relay=self._relay)
        self._pending[job.id] = _Pending(job, done, failed, progress, work)
        self.started.emit(job)
        self.pool.start(_Runnable(job, work, self._relay))
        return job

    def cancel(self, key: str | None = None) -> None:
        """Cancels the jobs with this key (every job when None); their results are dropped."""
        for pending in list(self._pending.values()):
            if key is None or pending.job.key == key:
                pending.job.cancel()

    def active(self) -> list[Job]:
        return [p.job for p in self._pending.values()]

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 30_000) -> bool:
        """Blocks until the pool's threads are done (shutdown and tests only)."""
        return bool(self.pool.waitForDone(msecs))

    @Slot(int, int, int)
    def _progress(self, job_id: int, done: int, total: int) -> None:
        pending = self._pending.get(job_id)
        if pending is None or pending.job.is_cancelled:
            return
        if pending.progress is not None:
            pending.progress(done, total)
        self.progressed.emit(pending.job, done, total)

    @Slot(int, object, object)
    def _deliver(self, job_id: int, result: Any, error: BaseException | None) -> None:
        pending = self._pending.pop(job_id, None)
        if pending is None:
            return
        job = pending.job
        try:
            if job.is_cancelled or isinstance(error, Cancelled):
                return
            if error is not None:
                handler = pending.failed
                if handler is not None:
                    handler(error)
                elif self.on_error is not None:
                    self.on_error(error, job)
                else:
                    log.error("background job %r failed", job.title, exc_info=error)
            elif pending.done is not None:
                pending.done(result)
        finally:
            self.finished.emit(job)
            if not self._pending:
                self.idle.emit()
            del pending
            gcpause.after_job()  # what the job left behind is collected here, not on a worker
