"""How old the vendor data is: the integration synced longest ago ("GitHub last synced 9 days
ago"), those never synced and those whose last sync failed, for the dashboard. Read from
the sync tables (the sync room sits above this one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from stackadmin.domain.vocab import SyncStatus
from stackadmin.services.context import ServiceContext
from stackadmin.services.records import by_name
from stackadmin.store.models import Integration, SyncRun, Tool, utcnow


@dataclass(frozen=True, slots=True)
class Freshness:
    integrations: int  # enabled ones
    oldest: str | None  # the integration whose data is oldest (of those synced)
    oldest_tool: str | None
    oldest_at: datetime | None
    never: tuple[str, ...]  # enabled, never synced
    failing: tuple[str, ...]  # enabled, the last sync failed
    now: datetime

    @property
    def sentence(self) -> str:
        """"GitHub last synced 9 days ago", or what is missing."""
        if not self.integrations:
            return "No vendor integration: seats come from imports"
        if self.oldest is None or self.oldest_at is None:
            return f"{', '.join(self.never)} never synced"
        return f"{self.oldest} last synced {ago(self.oldest_at, self.now)}"


def ago(moment: datetime, now: datetime) -> str:
    """"just now", "3 hours ago", "yesterday", "9 days ago"."""
    seconds = (now - moment).total_seconds()
    if seconds < 3600:
        return "just now" if seconds < 120 else f"{int(seconds // 60)} minutes ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = int(seconds // 86400)
    return "yesterday" if days == 1 else f"{days} days ago"


def freshness(ctx: ServiceContext, now: datetime | None = None) -> Freshness:
    latest = (select(SyncRun.integration_id, func.max(SyncRun.id).label("run_id"))
              .where(SyncRun.dry_run.is_(False), SyncRun.status != SyncStatus.RUNNING.value)
              .group_by(SyncRun.integration_id).subquery())
    query = (select(Integration.name, Tool.name, Integration.last_success_at, SyncRun.status)
             .outerjoin(Tool, Tool.id == Integration.tool_id)
             .outerjoin(latest, latest.c.integration_id == Integration.id)
             .outerjoin(SyncRun, SyncRun.id == latest.c.run_id)
             .where(Integration.enabled.is_(True)))
    with ctx.read() as session:
        rows = sorted(session.execute(query), key=lambda r: by_name(r[0]))
    synced = sorted((r[2], r[0], r[1]) for r in rows if r[2] is not None)
    oldest = synced[0] if synced else None
    return Freshness(
        integrations=len(rows), oldest=oldest[1] if oldest else None,
        oldest_tool=oldest[2] if oldest else None, oldest_at=oldest[0] if oldest else None,
        never=tuple(r[0] for r in rows if r[2] is None),
        failing=tuple(r[0] for r in rows if r[3] == SyncStatus.FAILED.value),
        now=now or utcnow())
