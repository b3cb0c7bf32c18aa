"""Syncs in the app: the ones the user starts (from the Integrations page) and the scheduled
ones, each a worker job with the status bar's progress and Cancel, one at a time per
integration. What is due is checked when the app starts and every few minutes; a failing
integration is told once in the window's banner (not at every check), and again only once
it has succeeded and failed anew.

The Integrations page listens to `progressed` and `finished` to draw a progress bar per
integration and to reload; a user's first sync of an integration comes back as a preview
(`previewed`) for the page to show before anything is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

log = logging.getLogger(__name__)

CHECK_MS = 5 * 60 * 1000  # how often what is due is looked at
FIRST_CHECK_MS = 20 * 1000  # after the app opened: the first page comes first


@dataclass(frozen=True)
class Preview:
    """A fetch waiting for the user: what applying it would change (`result`, a dry run),
    and why it is asked (a first sync, or the brake stopped it)."""

    integration_id: int
    name: str
    staged: Any  # stackadmin.services.sync.engine.Staged
    result: Any  # the dry run's SyncResult
    reason: str  # "first" | "brake"
    stopped: Any = None  # the brake's failed SyncResult


class _Relay(QObject):
    """Emitted from workers; delivered on the GUI thread (queued)."""

    progress = Signal(int, str, int, int)


class SyncCenter(QObject):
    started = Signal(int)  # integration id
    progressed = Signal(int, str, int, int)  # integration id, text, items, total (0: unknown)
    finished = Signal(int, object)  # integration id, SyncResult (None: cancelled)
    previewed = Signal(object)  # a Preview

    def __init__(self, env: Env, parent: QObject | None = None, *,
                 settings: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.env = env
        # What the engine passes on to the plugin runner and the keyring (tests: a fake
        # clock, an in-memory keyring).
        self.settings = dict(settings or {})
        self.jobs: dict[int, Job] = {}  # running syncs by integration id
        self.last_text: dict[int, str] = {}
        self.queue: list[tuple[int, str]] = []  # scheduled syncs waiting their turn
        self.reported: list[str] = []  # failures told in the banner (tests read it)
        self._relay = _Relay(self)
        self._relay.progress.connect(self._progress)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check_due)
        env.tasks.finished.connect(self._job_finished)

    def start(self, first_check_ms: int = FIRST_CHECK_MS) -> None:
        self.timer.start()
        QTimer.singleShot(first_check_ms, self.check_due)

    def running(self, integration_id: int) -> bool:
        return integration_id in self.jobs

    # -- the user's syncs ------------------------------------------------------------------
    def sync(self, integration_id: int, name: str, *, first: bool = False,
             dry_run: bool = False) -> Job | None:
        """Syncs one integration now. `first`: its first sync (the plan is shown before
        anything is written); a sync the brake stops is shown the same way."""
        if integration_id in self.jobs:
            return None
        settings = self.settings
        relay = self._relay

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.sync import engine

            staged = engine.stage(ctx, name, dry_run=first or dry_run,
                                  progress=_reporter(relay, job, integration_id),
                                  cancelled=job.cancelled.is_set, **settings)
            if isinstance(staged, engine.SyncResult):
                return staged
            if first or dry_run:
                result = engine.preview(ctx, staged)
                return Preview(integration_id, name, staged, result, "first") if first \
                    else result
            result = engine.apply(ctx, staged, cancelled=job.cancelled.is_set)
            if result.error_kind == "brake":
                shown = engine.preview(ctx, staged, force=True, record=False)
                return Preview(integration_id, name, staged, shown, "brake", result)
            return result

        return self._run(integration_id, name, work, user=True)

    def apply(self, preview: Preview, *, force: bool = False) -> Job | None:
        """Writes a previewed fetch (the user agreed), without fetching again."""
        if preview.integration_id in self.jobs:
            return None

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.sync import engine

            return engine.apply(ctx, preview.staged, force=force, new_run=True,
                                cancelled=job.cancelled.is_set)

        return self._run(preview.integration_id, preview.name, work, user=True)

    def cancel(self, integration_id: int | None = None) -> None:
        """Cancels one sync (or every one); nothing it fetched is written."""
        for key, job in list(self.jobs.items()):
            if integration_id is None or key == integration_id:
                job.cancel()
        if integration_id is None:
            self.queue.clear()

    # -- scheduled syncs -------------------------------------------------------------------
    def check_due(self) -> None:
        """Looks for due integrations and failures to tell, on a worker."""
        if not self.env.ready:
            return

        def work(ctx: ServiceContext, job: Job) -> tuple[list[tuple[int, str]], list[Any]]:
            from stackadmin.services.sync import schedule

            due = [(d.id, d.name) for d in schedule.due_integrations(ctx)]
            failures = schedule.failures_to_report(ctx)
            schedule.mark_reported(ctx, [f.integration_id for f in failures])
            return due, failures

        self.env.run(work, self._due, self._check_failed, key="sync-center:due")

    def _due(self, found: tuple[list[tuple[int, str]], list[Any]]) -> None:
        due, failures = found
        for failure in failures:
            self._tell(f"{failure.name} could not sync: {failure.error}. It is tried again "
                       "within the hour; the Integrations page has its history.")
        for item in due:
            if item[0] not in self.jobs and item not in self.queue:
                self.queue.append(item)
        self._next()

    def _next(self) -> None:
        """Starts the next scheduled sync, one at a time."""
        if self.queue and not self.jobs:
            integration_id, name = self.queue.pop(0)
            self._scheduled(integration_id, name)

    def _scheduled(self, integration_id: int, name: str) -> None:
        settings = self.settings
        relay = self._relay

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.sync import engine, schedule

            result = engine.sync(ctx, name, trigger="schedule",
                                 progress=_reporter(relay, job, integration_id),
                                 cancelled=job.cancelled.is_set, **settings)
            if result.status == "failed" and result.integration_id is not None:
                told = schedule.failures_to_report(ctx)
                if any(f.integration_id == result.integration_id for f in told):
                    schedule.mark_reported(ctx, [result.integration_id])
                    return result, True
            return result, False

        self._run(integration_id, name, work, user=False)

    def _check_failed(self, exc: BaseException) -> None:
        log.warning("checking the sync schedule failed", exc_info=exc)

    # -- jobs ------------------------------------------------------------------------------
    def _run(self, integration_id: int, name: str, work: Any, *, user: bool) -> Job:
        job = self.env.run(work, lambda result: self._done(integration_id, result, user),
                           lambda exc: self._failed(integration_id, exc),
                           title=f"syncing {name}", key=f"sync:{integration_id}")
        self.jobs[integration_id] = job
        self.last_text[integration_id] = "starting…"
        self.started.emit(integration_id)
        return job

    def _progress(self, integration_id: int, text: str, items: int, total: int) -> None:
        if integration_id in self.jobs:
            self.last_text[integration_id] = text
            self.progressed.emit(integration_id, text, items, total)

    def _done(self, integration_id: int, result: Any, user: bool) -> None:
        self.jobs.pop(integration_id, None)
        if isinstance(result, Preview):
            self.finished.emit(integration_id, result.result)
            self.previewed.emit(result)
        else:
            told = False
            if isinstance(result, tuple):
                result, told = result
            self.finished.emit(integration_id, result)
            if told:
                self._tell(f"{result.integration} could not sync: {result.error}. It is tried "
                           "again within the hour; the Integrations page has its history.")
            elif user and result is not None and not result.ok:
                self._mark_told(integration_id)  # the user saw it on the page
            if result is not None and result.ok and not result.dry_run:
                self.env.changed("account")
                self.env.message.emit(result.summary())
        self.env.changed("integration")
        self._next()

    def _failed(self, integration_id: int, exc: BaseException) -> None:
        self.jobs.pop(integration_id, None)
        self.finished.emit(integration_id, None)
        from stackadmin.ui.mainwindow import describe_error

        self.env.error.emit(describe_error(exc))
        self.env.changed("integration")
        self._next()

    def _job_finished(self, job: Any) -> None:
        """A cancelled job's result is never delivered: its run is recorded as cancelled
        (by the engine), and the page reloads from here."""
        for integration_id, mine in list(self.jobs.items()):
            if mine is job:
                self.jobs.pop(integration_id, None)
                self.finished.emit(integration_id, None)
                self.env.changed("integration")
                self._next()

    def _tell(self, text: str) -> None:
        self.reported.append(text)
        self.env.error.emit(text)

    def _mark_told(self, integration_id: int) -> None:
        def work(ctx: ServiceContext, job: Job) -> None:
            from stackadmin.services.sync import schedule

            schedule.mark_reported(ctx, [integration_id])

        self.env.run(work, key=f"sync-center:told:{integration_id}")


def _reporter(relay: _Relay, job: Job, integration_id: int) -> Any:
    """The engine's progress callback on the worker: the status bar's bar (job.progress)
    and the page's bar per integration (through the relay)."""

    def report(step: Any) -> None:
        total = step.total or 0
        items = step.items or 0
        if total:
            job.progress(min(items, total), total)
        relay.progress.emit(integration_id, step.text, items, total)

    return report


def secrets_of(env: Env) -> Any:
    """The keyring the window's syncs use (None: the OS keyring; tests hand in another)."""
    center = getattr(env, "sync_center", None)
    return None if center is None else center.settings.get("secrets")


def sync_settings(env: Env) -> dict[str, Any]:
    """What the window's syncs hand the engine and the plugin runner (tests: a fake clock,
    an in-memory keyring); empty in the app."""
    center = getattr(env, "sync_center", None)
    return {} if center is None else dict(center.settings)


def sync_center(env: Env) -> SyncCenter:
    """The window's sync center (made on first use)."""
    center = getattr(env, "sync_center", None)
    if center is None:
        center = SyncCenter(env, env)
        env.sync_center = center
    return center


def install_sync(window: Any, env: Env) -> SyncCenter:
    """Scheduled syncs while the app is open."""
    center = sync_center(env)
    window.sync_center = center
    center.start()
    return center
