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


def list_integrations(ctx: ServiceContext) -> list[IntegrationRow]:
    latest = (select(SyncRun.integration_id, func.max(SyncRun.id).label("run_id"))
              .group_by(SyncRun.integration_id).subquery())
    query = (
        select(Integration, Tool.name, SyncRun)
        .outerjoin(Tool, Tool.id == Integration.tool_id)
        .outerjoin(latest, latest.c.integration_id == Integration.id)
        .outerjoin(SyncRun, SyncRun.id == latest.c.run_id)
        .order_by(Integration.name)
    )
    with ctx.read() as session:
        return [
            IntegrationRow(i.id, i.name, i.plugin_id, tool, i.enabled, i.is_directory_source,
                           run.started_at if run else None, run.status if run else None,
                           run.error if run else None)
            for i, tool, run in session.execute(query)
        ]
