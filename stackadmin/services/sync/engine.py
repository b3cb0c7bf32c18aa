"""Running a sync: fetch everything the vendor lists, then apply it to the tool in one
transaction, all or nothing, and record the run.

    result = sync(ctx, "GitHub acme", progress=show, cancelled=stop.is_set)

A failed, timed-out or cancelled fetch changes no account: it is recorded as failed or
cancelled with its reason. A run that would deprovision more than the integration's brake
(20 % of the tool's accounts by default) stops before writing and says why; `force` goes
through. A dry run computes the same plan and writes nothing but the run record. After a
sync that wrote, today's adoption snapshot is refreshed.

The app's first sync of an integration is two steps: `stage` fetches (the run recorded as a
dry run, its plan shown), then `apply` writes the fetched accounts if the user agrees.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from stackadmin.domain.vocab import AuditSource, SyncStatus
from stackadmin.errors import UserError
from stackadmin.plugins.api import (
    AccountRecord,
    Cancelled,
    PluginCrashed,
    PluginError,
    SeatCount,
    partial_options,
)
from stackadmin.plugins.host import PluginRun
from stackadmin.plugins.http import HttpStats, Progress
from stackadmin.plugins.registry import Registry, load_registry
from stackadmin.secrets import SecretStore
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.sync import directory, integrations, owner
from stackadmin.services.sync.apply import write_plan, write_seat_counts
from stackadmin.services.sync.integrations import find_integration, read_secret
from stackadmin.services.sync.owner import STALE
from stackadmin.services.sync.reconcile import ChangeLine, Plan, plan_sync
from stackadmin.store.engine import refresh_statistics
from stackadmin.store.models import Integration, SyncRun, Tool, utcnow

log = logging.getLogger(__name__)

HEARTBEAT = timedelta(seconds=30)
_OK, _FAILED, _CANCELLED = (SyncStatus.OK.value, SyncStatus.FAILED.value,
                            SyncStatus.CANCELLED.value)


@dataclass(frozen=True, slots=True)
class SyncResult:
    """How one integration's sync (or dry run) ended."""

    integration: str
    integration_id: int | None
    plugin_id: str
    tool: str | None
    run_id: int | None
    status: str  # ok, failed, cancelled
    dry_run: bool = False
    forced: bool = False
    added: int = 0
    changed: int = 0
    deprovisioned: int = 0
    unchanged: int = 0
    pages: int = 0
    requests: int = 0
    retries: int = 0
    error: str | None = None
    error_kind: str | None = None  # a PluginError kind, "brake", "secret", "busy"...
    notices: tuple[str, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lines: tuple[ChangeLine, ...] = ()  # what a dry run would change
    brake: str | None = None  # a dry run that the brake would stop: why
    accounts_before: int = 0  # the tool's accounts holding a seat before the run

    @property
    def ok(self) -> bool:
        return self.status == _OK

    def summary(self) -> str:
        """One line: "GitHub acme: 3 added, 1 changed, 0 deprovisioned, 120 unchanged (4
        pages, 1 retry)" or the failure."""
        if not self.ok:
            word = "cancelled" if self.status == _CANCELLED else "failed"
            return f"{self.integration}: {word}: {self.error}"
        prefix = "dry run, would change: " if self.dry_run else ""
        retries = f", {self.retries} retr{'y' if self.retries == 1 else 'ies'}" \
            if self.retries else ""
        return (f"{self.integration}: {prefix}{self.added} added, {self.changed} changed, "
                f"{self.deprovisioned} deprovisioned, {self.unchanged} unchanged "
                f"({self.pages} page{'s' if self.pages != 1 else ''}{retries})")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "integration": self.integration, "plugin": self.plugin_id, "tool": self.tool,
            "run_id": self.run_id, "status": self.status, "dry_run": self.dry_run,
            "forced": self.forced, "added": self.added, "changed": self.changed,
            "deprovisioned": self.deprovisioned, "unchanged": self.unchanged,
            "pages": self.pages, "requests": self.requests, "retries": self.retries,
            "error": self.error, "error_kind": self.error_kind,
            "notices": list(self.notices), "started_at": self.started_at,
            "finished_at": self.finished_at, "brake": self.brake}
        if self.dry_run:
            data["changes"] = {
                action: [{"account": line.account,
                          "fields": {f: [b, a] for f, b, a in line.fields}}
                         for line in self.lines if line.action == action]
                for action in ("add", "change", "deprovision", "add person",
                               "change person")}
        return data


@dataclass
class Staged:
    """A completed fetch waiting to be applied (or shown)."""

    integration_id: int
    name: str
    plugin_id: str
    tool_id: int
    tool: str
    run_id: int
    started_at: datetime
    directory: bool
    brake_pct: int
    last_success_at: datetime | None
    accounts: tuple[AccountRecord, ...]
    seat_counts: tuple[SeatCount, ...]
    notices: tuple[str, ...]
    stats: HttpStats
    trigger: str = "manual"


@dataclass
class _Beat:
    """The run's sign of life, written from the fetching thread now and then."""

    ctx: ServiceContext
    run_id: int
    cancelled: Callable[[], bool]
    last: float = field(default_factory=time.monotonic)

    def __call__(self) -> bool:
        now = time.monotonic()
        if now - self.last >= HEARTBEAT.total_seconds():
            self.last = now
            try:
                with self.ctx.transaction() as session:
                    session.execute(update(SyncRun).where(SyncRun.id == self.run_id)
                                    .values(heartbeat_at=utcnow()))
            except Exception:  # a busy database must not break the fetch
                log.warning("could not record the sync's heartbeat", exc_info=True)
        return self.cancelled()


def _crash_log(what: str, details: str) -> None:
    """A plugin's bug, its traceback already redacted, for a bug report
    (`<data folder>/logs/crash.log`, private and without emails, as the program's own)."""
    from stackadmin import crashlog

    if crashlog.write_details(what, details) == crashlog.UNWRITTEN:
        log.warning("%s; the crash log could not be written", what)


def _sync_ctx(ctx: ServiceContext) -> ServiceContext:
    return ctx.with_source(AuditSource.SYNC)


def _failed(name: str, plugin_id: str, integration_id: int | None, tool: str | None,
            error: str, kind: str, run_id: int | None = None, **extra: Any) -> SyncResult:
    return SyncResult(name, integration_id, plugin_id, tool, run_id, _FAILED, error=error,
                      error_kind=kind, **extra)


def _begin(ctx: ServiceContext, name: str, *, trigger: str, dry_run: bool,
           forced: bool) -> tuple[Integration, str | None, int]:
    """Records a new run (status running, owned by this process); marks an interrupted
    earlier one as failed: its process on this host has ended, or it gave no sign of life
    for `STALE`. A UserError when the integration is being synced already.

    Its transaction holds the database's write lock (store.engine) from its first
    statement: of two processes starting a sync of one integration at once, the second
    finds the first's run."""
    now = utcnow()
    with ctx.transaction() as session:
        row = find_integration(session, name)
        for run in session.scalars(select(SyncRun).where(
                SyncRun.integration_id == row.id,
                SyncRun.status == SyncStatus.RUNNING.value)):
            alive = run.heartbeat_at or run.started_at
            if not owner.stopped(run.owner, alive, now):
                # Its program runs, or cannot be seen from here (another computer sharing
                # the database, a run recorded before owners were): say when it counts as
                # stopped, rather than leave the user to guess.
                raise Busy(f"'{row.name}' is being synced already (since "
                           f"{run.started_at:%Y-%m-%d %H:%M} UTC, last heard from at "
                           f"{alive:%H:%M:%S} UTC); if the program running it has stopped, "
                           f"a new sync can start from {alive + STALE:%H:%M:%S} UTC")
            log.info("sync run %s of '%s' was interrupted (its program stopped)", run.id,
                     row.name)
            run.status, run.finished_at = _FAILED, alive
            run.error_kind = "interrupted"
            run.error = "interrupted: the program running this sync stopped before its end"
        tool = session.get(Tool, row.tool_id) if row.tool_id is not None else None
        run = SyncRun(integration_id=row.id, started_at=now, heartbeat_at=now,
                      status=SyncStatus.RUNNING.value, dry_run=dry_run, forced=forced,
                      trigger=trigger, actor=ctx.actor, owner=str(owner.this_process()))
        session.add(run)
        session.flush()
        session.expunge(row)
        return row, tool.name if tool else None, run.id


def _finish(ctx: ServiceContext, run_id: int, status: str, *, error: str | None = None,
            kind: str | None = None, stats: HttpStats | None = None,
            notices: tuple[str, ...] = ()) -> datetime:
    finished = utcnow()
    with ctx.transaction() as session:
        run = session.get(SyncRun, run_id)
        if run is not None:
            run.status, run.finished_at, run.error, run.error_kind = status, finished, error, kind
            if stats is not None:
                run.pages, run.requests, run.retries = stats.pages, stats.requests, stats.retries
            run.notices = list(notices) or None
    return finished


def stage(ctx: ServiceContext, name: str, *, dry_run: bool = False, force: bool = False,
          progress: Callable[[Progress], None] | None = None,
          cancelled: Callable[[], bool] | None = None, secrets: SecretStore | None = None,
          registry: Registry | None = None, trigger: str = "manual",
          **run_settings: Any) -> Staged | SyncResult:
    """Records a run and fetches everything the integration's vendor lists. A Staged fetch,
    or the SyncResult of a run that failed or was cancelled (recorded)."""
    try:
        row, tool, run_id = _begin(ctx, name, trigger=trigger, dry_run=dry_run, forced=force)
    except Busy as exc:
        return _failed(name, "", None, None, str(exc), "busy")
    started = utcnow()
    stop = cancelled or (lambda: False)
    stats = HttpStats()

    def fail(error: str, kind: str, status: str = _FAILED) -> SyncResult:
        finished = _finish(ctx, run_id, status, error=error, kind=kind, stats=stats)
        return SyncResult(row.name, row.id, row.plugin_id, tool, run_id, status,
                          dry_run=dry_run, forced=force, error=error, error_kind=kind,
                          pages=stats.pages, requests=stats.requests, retries=stats.retries,
                          started_at=started, finished_at=finished)

    try:
        if row.tool_id is None or tool is None:
            return fail(f"'{row.name}' feeds no tool (its tool was deleted): choose one with "
                        f"`stackadmin integrations edit \"{row.name}\" --tool TOOL`", "config")
        try:
            info = (registry or load_registry()).get(row.plugin_id)
            secret = read_secret(row, info, secrets or SecretStore())
        except UserError as exc:
            return fail(str(exc), "secret" if "keyring" in str(exc) else "plugin")
        beat = _Beat(ctx, run_id, stop)
        try:
            with PluginRun(info.plugin_class, dict(row.options or {}), secret,
                           progress=progress, cancelled=beat, **run_settings) as plugin_run:
                try:
                    fetched = plugin_run.fetch(keep_raw=False)
                finally:
                    stats = plugin_run.stats
        except Cancelled as exc:
            return fail(f"cancelled: {exc}" if str(exc) != "cancelled" else "cancelled",
                        "cancelled", _CANCELLED)
        except PluginError as exc:
            if isinstance(exc, PluginCrashed) and exc.details:
                _crash_log(f"the plugin '{row.plugin_id}' crashed during a sync of "
                           f"'{row.name}'", exc.details)
            return fail(str(exc), exc.kind)
        except UserError as exc:  # options that no longer fit the plugin's declaration
            return fail(str(exc), "config")
    except KeyboardInterrupt:
        fail("cancelled (interrupted)", "cancelled", _CANCELLED)
        raise
    notices = tuple(n.text for n in fetched.notices)
    directory = row.is_directory_source
    # Stored before such options were refused with directory=true: the accounts are synced,
    # the people list is left alone (its missing users are not leavers).
    if directory and (narrowed := partial_options(info.options, row.options or {})):
        directory = False
        why = integrations.directory_refused(narrowed)
        notices += (f"the people list was not updated: {why}",)
    return Staged(row.id, row.name, row.plugin_id, row.tool_id, tool, run_id, started,
                  directory, row.brake_pct, row.last_success_at,
                  fetched.accounts, fetched.seat_counts, notices, stats, trigger)


def _notices(staged: Staged, plan: Plan, people: directory.PeoplePlan | None) -> tuple[str, ...]:
    extra = list(staged.notices)
    if plan.foreign:
        extra.append(f"{plan.foreign} account(s) of {staged.tool} that no integration wrote "
                     "(typed in or imported) are not in the vendor's list: kept as they are")
    if plan.skipped_gone:
        extra.append(f"{plan.skipped_gone} account(s) the vendor lists as deprovisioned were "
                     "never seen before: not added")
    if people is not None and people.summary:
        extra.append(people.summary)
    return tuple(extra)


def _brake(staged: Staged, plan: Plan) -> str | None:
    """Why the brake stops this plan, or None."""
    if plan.held_before == 0 or plan.deprovision_share * 100 <= staged.brake_pct:
        return None
    pct = plan.deprovision_share * 100
    return (f"it would deprovision {plan.deprovisioned} of the {plan.held_before} accounts of "
            f"{staged.tool} ({pct:.0f} %, more than the {staged.brake_pct} % brake): nothing "
            "was written. If the vendor's list is right, run it again with --force (or Sync "
            f"anyway in the app); `--set brake=N` changes the brake of '{staged.name}'")


def _result(staged: Staged, plan: Plan, status: str, *, dry_run: bool, forced: bool,
            finished: datetime, notices: tuple[str, ...], error: str | None = None,
            kind: str | None = None, brake: str | None = None,
            lines: tuple[ChangeLine, ...] = ()) -> SyncResult:
    stats = staged.stats
    return SyncResult(
        staged.name, staged.integration_id, staged.plugin_id, staged.tool, staged.run_id,
        status, dry_run=dry_run, forced=forced, added=plan.added, changed=plan.changed,
        deprovisioned=plan.deprovisioned, unchanged=plan.unchanged, pages=stats.pages,
        requests=stats.requests, retries=stats.retries, error=error, error_kind=kind,
        notices=notices, started_at=staged.started_at, finished_at=finished, lines=lines,
        brake=brake, accounts_before=plan.held_before)


def preview(ctx: ServiceContext, staged: Staged, *, force: bool = False,
            record: bool = True) -> SyncResult:
    """What applying the staged fetch would change, written nowhere: the dry run (its run
    recorded, with the counts, when `record`)."""
    now = utcnow()
    with ctx.read() as session:
        plan = plan_sync(session, staged.integration_id, staged.tool_id, staged.accounts,
                         now=now, explain=True, last_seen=staged.last_success_at)
        people = (directory.plan_people(session, staged.accounts, plan.gone,
                                        today=ctx.today()) if staged.directory else None)
    notices = _notices(staged, plan, people)
    brake = None if force else _brake(staged, plan)
    lines = tuple(plan.lines or ()) + (tuple(people.lines()) if people else ())
    finished = now
    if record:
        with ctx.transaction() as session:
            run = session.get(SyncRun, staged.run_id)
            if run is not None:
                run.status, run.finished_at, run.dry_run = _OK, utcnow(), True
                run.added, run.changed = plan.added, plan.changed
                run.deprovisioned, run.unchanged = plan.deprovisioned, plan.unchanged
                run.pages, run.requests = staged.stats.pages, staged.stats.requests
                run.retries, run.notices = staged.stats.retries, list(notices) or None
                run.error = brake
                finished = run.finished_at
    return _result(staged, plan, _OK, dry_run=True, forced=force, finished=finished,
                   notices=notices, brake=brake, lines=lines)


def apply(ctx: ServiceContext, staged: Staged, *, force: bool = False,
          cancelled: Callable[[], bool] | None = None, snapshot: bool = True,
          new_run: bool = False) -> SyncResult:
    """Writes the staged fetch to the tool in one transaction and records the run (all or
    nothing: a brake, a cancel or an error leaves every account as it was). `new_run`: the
    staged run was recorded as a dry run already (the app's preview): record another."""
    sctx = _sync_ctx(ctx)
    if new_run:
        staged.run_id = _new_run(ctx, staged, force)
    now = utcnow()
    plan = Plan(staged.integration_id, staged.tool_id)
    notices: tuple[str, ...] = staged.notices
    try:
        with sctx.transaction() as session:
            # First a write: the transaction holds the write lock before it reads the
            # accounts it compares (SQLite), so nothing changes them in between.
            session.execute(update(SyncRun).where(SyncRun.id == staged.run_id)
                            .values(heartbeat_at=now, forced=force))
            plan = plan_sync(session, staged.integration_id, staged.tool_id, staged.accounts,
                             now=now, last_seen=staged.last_success_at)
            people = (directory.plan_people(session, staged.accounts, plan.gone,
                                            today=ctx.today()) if staged.directory else None)
            notices = _notices(staged, plan, people)
            brake = None if force else _brake(staged, plan)
            if brake is not None:
                raise _BrakeStop(brake)
            write_plan(session, sctx, plan, now=now, cancelled=cancelled)
            if people is not None:
                directory.write_people(session, sctx, people, now)
            counts_changed = write_seat_counts(session, staged.integration_id,
                                               staged.seat_counts, now)
            wrote = bool(plan.added or plan.changed or plan.deprovisioned or counts_changed
                         or (people is not None and people.summary))
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled while writing: nothing was written")
            finished = utcnow()
            run = session.get(SyncRun, staged.run_id)
            assert run is not None
            run.status, run.finished_at, run.forced = _OK, finished, force
            run.added, run.changed = plan.added, plan.changed
            run.deprovisioned, run.unchanged = plan.deprovisioned, plan.unchanged
            run.pages, run.requests = staged.stats.pages, staged.stats.requests
            run.retries, run.notices = staged.stats.retries, list(notices) or None
            session.execute(update(Integration).where(Integration.id == staged.integration_id)
                            .values(last_success_at=finished, failure_reported_at=None))
            if plan.added or plan.changed or plan.deprovisioned or (
                    people is not None and people.summary):
                audit.record(session, sctx, action="sync", entity="integration",
                             entity_id=staged.integration_id,
                             summary=f"sync of {staged.name} into {staged.tool}: "
                                     f"{plan.added} added, {plan.changed} changed, "
                                     f"{plan.deprovisioned} deprovisioned, "
                                     f"{plan.unchanged} unchanged"
                                     + (f"; {people.summary}" if people and people.summary
                                        else ""))
    except _BrakeStop as stop:
        finished = _finish(ctx, staged.run_id, _FAILED, error=str(stop), kind="brake",
                           stats=staged.stats, notices=notices)
        # Nothing was written: no counts, as the run's history says; the error says what
        # the plan would have done.
        return _result(staged, Plan(staged.integration_id, staged.tool_id), _FAILED,
                       dry_run=False, forced=force, finished=finished, notices=notices,
                       error=str(stop), kind="brake")
    except Cancelled:
        finished = _finish(ctx, staged.run_id, _CANCELLED, error="cancelled while writing: "
                           "nothing was written", kind="cancelled", stats=staged.stats)
        return SyncResult(staged.name, staged.integration_id, staged.plugin_id, staged.tool,
                          staged.run_id, _CANCELLED, forced=force,
                          error="cancelled while writing: nothing was written",
                          error_kind="cancelled", started_at=staged.started_at,
                          finished_at=finished)
    except KeyboardInterrupt:
        _finish(ctx, staged.run_id, _CANCELLED, error="cancelled (interrupted)",
                kind="cancelled", stats=staged.stats)
        raise
    except PluginError as exc:  # a record the plugin should not have made
        finished = _finish(ctx, staged.run_id, _FAILED, error=str(exc), kind=exc.kind,
                           stats=staged.stats)
        return _result(staged, Plan(staged.integration_id, staged.tool_id), _FAILED,
                       dry_run=False, forced=force, finished=finished, notices=notices,
                       error=str(exc), kind=exc.kind)
    except Exception as exc:
        _finish(ctx, staged.run_id, _FAILED, error=f"the sync could not be written "
                f"({type(exc).__name__}); nothing was written", kind="internal",
                stats=staged.stats)
        raise
    refresh_statistics(ctx.engine, plan.added + plan.changed + plan.deprovisioned,
                       ("account", "account_listing", "person"))
    if snapshot and wrote:  # nothing changed: today's figures are what they were
        from stackadmin.services.running.adoption import refresh_snapshot

        refresh_snapshot(ctx, "a sync")
    return _result(staged, plan, _OK, dry_run=False, forced=force, finished=finished,
                   notices=notices)


class Busy(UserError):
    """The integration is being synced already (by this program or another)."""


class _BrakeStop(Exception):
    """The brake stopped a run: rolled back, then recorded."""


def _new_run(ctx: ServiceContext, staged: Staged, force: bool) -> int:
    now = utcnow()
    with ctx.transaction() as session:
        run = SyncRun(integration_id=staged.integration_id, started_at=now, heartbeat_at=now,
                      status=SyncStatus.RUNNING.value, dry_run=False, forced=force,
                      trigger=staged.trigger, actor=ctx.actor,
                      owner=str(owner.this_process()))
        session.add(run)
        session.flush()
        return run.id


def sync(ctx: ServiceContext, name: str, *, dry_run: bool = False, force: bool = False,
         progress: Callable[[Progress], None] | None = None,
         cancelled: Callable[[], bool] | None = None, secrets: SecretStore | None = None,
         registry: Registry | None = None, trigger: str = "manual", snapshot: bool = True,
         **run_settings: Any) -> SyncResult:
    """Syncs one integration (see the module). Never raises for a failed sync: the result
    says how it ended, and the run is recorded. Ctrl+C records the run as cancelled and
    goes on as KeyboardInterrupt."""
    staged = stage(ctx, name, dry_run=dry_run, force=force, progress=progress,
                   cancelled=cancelled, secrets=secrets, registry=registry, trigger=trigger,
                   **run_settings)
    if isinstance(staged, SyncResult):
        return staged
    if not dry_run:
        return apply(ctx, staged, force=force, cancelled=cancelled, snapshot=snapshot)
    try:
        return preview(ctx, staged, force=force)
    except PluginError as exc:  # a record the plugin should not have made
        finished = _finish(ctx, staged.run_id, _FAILED, error=str(exc), kind=exc.kind,
                           stats=staged.stats)
        return _failed(staged.name, staged.plugin_id, staged.integration_id, staged.tool,
                       str(exc), exc.kind, staged.run_id, dry_run=True,
                       started_at=staged.started_at, finished_at=finished)
    except BaseException:
        # A bug while comparing (or Ctrl+C): recorded, then told as one.
        _finish(ctx, staged.run_id, _FAILED, error="the dry run failed inside stackadmin",
                kind="internal", stats=staged.stats)
        raise
