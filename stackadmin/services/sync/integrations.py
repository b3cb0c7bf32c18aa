"""The configured vendor integrations and their last sync, as plain rows for lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Integration, SyncRun, Tool


@dataclass(frozen=True, slots=True)
class IntegrationRow:
    id: int
    name: str
    plugin_id: str
    tool: str | None
    enabled: bool
    is_directory_source: bool
    last_sync_at: datetime | None
    last_status: str | None
    last_error: str | None
    tool_id: int | None = None
    last_finished_at: datetime | None = None
    last_added: int | None = None
    last_changed: int | None = None
    last_removed: int | None = None


def list_integrations(ctx: ServiceContext, *, tool_id: int | None = None
                      ) -> list[IntegrationRow]:
    """Every integration (or one tool's) with its latest sync run."""
    latest = (select(SyncRun.integration_id, func.max(SyncRun.id).label("run_id"))
              .group_by(SyncRun.integration_id).subquery())
    query = (
        select(Integration, Tool.name, SyncRun)
        .outerjoin(Tool, Tool.id == Integration.tool_id)
        .outerjoin(latest, latest.c.integration_id == Integration.id)
        .outerjoin(SyncRun, SyncRun.id == latest.c.run_id)
        .order_by(Integration.name)
    )
    if tool_id is not None:
        query = query.where(Integration.tool_id == tool_id)
    with ctx.read() as session:
        return [
            IntegrationRow(i.id, i.name, i.plugin_id, tool, i.enabled, i.is_directory_source,
                           run.started_at if run else None, run.status if run else None,
                           run.error if run else None, i.tool_id,
                           run.finished_at if run else None, run.added if run else None,
                           run.changed if run else None, run.removed if run else None)
            for i, tool, run in session.execute(query)
        ]
