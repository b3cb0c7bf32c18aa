"""While the app is open: today's adoption snapshot (at start, every hour, and a little after
seats or terms change, e.g. an import), and the digest e-mail when it is due. Everything runs
on worker jobs; a failed send is told once in the banner, with the server's words, and the
next hourly check tries again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

HOUR_MS = 60 * 60 * 1000
SETTLE_MS = 30 * 1000  # after a change, wait for the burst of changes to end
_SNAPSHOT_AFTER = frozenset({"*", "account", "term", "tool"})


class RunningCenter(QObject):
    def __init__(self, env: Env, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.timer = QTimer(self)
        self.timer.setInterval(HOUR_MS)
        self.timer.timeout.connect(self.check)
        self.settle = QTimer(self)
        self.settle.setSingleShot(True)
        self.settle.setInterval(SETTLE_MS)
        self.settle.timeout.connect(lambda: self.check(refresh=True))
        env.data_changed.connect(self._changed)
        self.last: dict[str, Any] = {}  # what the last check did (tests read it)

    def start(self) -> None:
        self.timer.start()
        self.check()

    def _changed(self, entity: str) -> None:
        if entity in _SNAPSHOT_AFTER:
            self.settle.start()

    def check(self, refresh: bool = False) -> None:
        """Takes today's snapshot (refreshes it after a change), then sends the digest if
        due. The keyring and the mail server are reached from the worker, never here."""

        def work(ctx: ServiceContext, job: Job) -> dict[str, Any]:
            from stackadmin.errors import UserError
            from stackadmin.services.digest import run
            from stackadmin.services.running import adoption

            done: dict[str, Any] = {}
            if refresh or not adoption.snapshot_taken(ctx):
                done["snapshot"] = adoption.take_snapshot(ctx)
            job.check()
            if run.is_due(ctx):
                try:
                    done["sent"] = run.send_digest(ctx)
                except UserError as exc:
                    done["error"] = str(exc)
            failure = run.failure_to_report(ctx)
            if failure is not None:
                done["report"] = failure.error
                run.mark_reported(ctx)
            return done

        self.env.run(work, self._done, self._failed, key="running-center")

    def _done(self, done: dict[str, Any]) -> None:
        self.last = done
        if "snapshot" in done and (done["snapshot"].added or done["snapshot"].refreshed):
            self.env.changed("snapshot")
        if "sent" in done:
            sent = done["sent"]
            self.env.message.emit(f"Digest sent to {', '.join(sent.recipients)}.")
            self.env.changed("audit")
        if done.get("report"):
            self.env.error.emit(f"The digest e-mail was not sent: {done['report']}. "
                                "It will be tried again within the hour.")

    def _failed(self, exc: BaseException) -> None:
        import logging

        logging.getLogger(__name__).warning("running check failed", exc_info=exc)


def install_running(window: Any, env: Env) -> RunningCenter:
    center = RunningCenter(env, window)
    window.running_center = center
    center.start()
    return center
