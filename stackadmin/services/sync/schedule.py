"""Scheduled sync: which integrations are due, and failures told once.

An enabled integration with an interval is due once that long has passed since its last
sync that wrote. A first sync is always started by hand (`stackadmin sync NAME`, or Sync in
the app, which shows what it will change first): the schedule keeps the data fresh after
that. After a failed or cancelled attempt the next one waits at least `RETRY_AFTER` (or the
interval, when shorter), so a vendor that is down is not asked every minute. An integration
being synced is not due; a run whose program stopped (services.sync.owner) holds nothing.

A failing integration is reported once (`failures_to_report`, then `mark_reported`); it
is reported again only after a sync of it succeeded and a later one failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from stackadmin.domain.vocab import SyncStatus
from stackadmin.services.context import ServiceContext
from stackadmin.services.records import by_name
from stackadmin.services.sync import owner
from stackadmin.store.models import Integration, SyncRun, Tool, utcnow

RETRY_AFTER = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Due:
    """An integration and why it is (or is not) due."""

    id: int
    name: str
    due: bool
    reason: str  # "due", "not due until …", "never synced: its first sync is started by hand"
    next_at: datetime | None


@dataclass(frozen=True, slots=True)
class Failure:
    """An integration whose latest sync failed, with the run's words."""

    integration_id: int
    name: str
    tool: str | None
    error: str
    at: datetime


def schedule(ctx: ServiceContext, now: datetime | None = None) -> list[Due]:
    """Every enabled integration with an interval, due or not, by name."""
    moment = now or utcnow()
    latest = (select(SyncRun.integration_id, func.max(SyncRun.started_at).label("at"))
              .where(SyncRun.dry_run.is_(False), SyncRun.status != SyncStatus.RUNNING.value)
              .group_by(SyncRun.integration_id).subquery())
    query = (select(Integration.id, Integration.name, Integration.interval_minutes,
                    Integration.last_success_at, latest.c.at)
             .outerjoin(latest, latest.c.integration_id == Integration.id)
             .where(Integration.enabled.is_(True), Integration.interval_minutes.is_not(None)))
    out: list[Due] = []
    with ctx.read() as session:
        # A run its program left "running" (killed, crashed) holds nothing back: the sync
        # that is due records it as interrupted.
        running = {integration_id for integration_id, recorded, heard, started
                   in session.execute(select(SyncRun.integration_id, SyncRun.owner,
                                             SyncRun.heartbeat_at, SyncRun.started_at)
                                      .where(SyncRun.status == SyncStatus.RUNNING.value))
                   if not owner.stopped(recorded, heard or started, moment)}
        rows = sorted(session.execute(query), key=lambda r: by_name(r[1]))
        for integration_id, name, minutes, last_ok, last_try in rows:
            interval = timedelta(minutes=minutes)
            if last_ok is None:
                out.append(Due(integration_id, name, False, "never synced: its first sync is "
                               "started by hand", None))
                continue
            next_at = last_ok + interval
            if isinstance(last_try, str):  # a raw value from an aggregate on SQLite
                last_try = datetime.fromisoformat(last_try)
            if last_try is not None:
                if last_try.tzinfo is None:
                    last_try = last_try.replace(tzinfo=last_ok.tzinfo)
                next_at = max(next_at, last_try + min(interval, RETRY_AFTER))
            if integration_id in running:
                out.append(Due(integration_id, name, False, "being synced now", next_at))
            elif next_at <= moment:
                out.append(Due(integration_id, name, True, "due", next_at))
            else:
                out.append(Due(integration_id, name, False,
                               f"not due until {next_at:%Y-%m-%d %H:%M} UTC", next_at))
    return out


def due_integrations(ctx: ServiceContext, now: datetime | None = None) -> list[Due]:
    """The integrations a scheduled sync runs now."""
    return [d for d in schedule(ctx, now) if d.due]


def failures_to_report(ctx: ServiceContext) -> list[Failure]:
    """Integrations whose latest sync failed and that were not reported since they last
    succeeded."""
    latest = (select(SyncRun.integration_id, func.max(SyncRun.id).label("run_id"))
              .where(SyncRun.dry_run.is_(False), SyncRun.status != SyncStatus.RUNNING.value)
              .group_by(SyncRun.integration_id).subquery())
    query = (select(Integration.id, Integration.name, Tool.name, SyncRun.error,
                    SyncRun.started_at)
             .join(latest, latest.c.integration_id == Integration.id)
             .join(SyncRun, SyncRun.id == latest.c.run_id)
             .outerjoin(Tool, Tool.id == Integration.tool_id)
             .where(SyncRun.status == SyncStatus.FAILED.value,
                    Integration.failure_reported_at.is_(None)))
    with ctx.read() as session:
        rows = sorted(session.execute(query), key=lambda r: by_name(r[1]))
    return [Failure(i, name, tool, error or "failed", at) for i, name, tool, error, at in rows]


def mark_reported(ctx: ServiceContext, integration_ids: list[int],
                  now: datetime | None = None) -> None:
    """These failures were told: not again until the integration has succeeded once."""
    if not integration_ids:
        return
    with ctx.transaction() as session:
        session.execute(update(Integration).where(Integration.id.in_(integration_ids))
                        .values(failure_reported_at=now or utcnow()))
