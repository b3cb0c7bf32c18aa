"""The history of an integration's runs, newest first, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import SyncRun


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    integration_id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    dry_run: bool
    forced: bool
    trigger: str
    actor: str | None
    added: int
    changed: int
    deprovisioned: int
    unchanged: int
    pages: int
    requests: int
    retries: int
    error: str | None
    error_kind: str | None
    notices: tuple[str, ...]

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "started_at": self.started_at, "finished_at": self.finished_at,
            "status": self.status, "dry_run": self.dry_run, "forced": self.forced,
            "trigger": self.trigger, "added": self.added, "changed": self.changed,
            "deprovisioned": self.deprovisioned, "unchanged": self.unchanged,
            "pages": self.pages, "requests": self.requests, "retries": self.retries,
            "error": self.error, "error_kind": self.error_kind, "notices": list(self.notices),
        }


def runs(ctx: ServiceContext, integration_id: int, *, limit: int = 200) -> list[RunRow]:
    query = (select(SyncRun).where(SyncRun.integration_id == integration_id)
             .order_by(SyncRun.id.desc()).limit(limit))
    with ctx.read() as session:
        return [RunRow(r.id, r.integration_id, r.started_at, r.finished_at, r.status,
                       r.dry_run, r.forced, r.trigger, r.actor, r.added, r.changed,
                       r.deprovisioned, r.unchanged, r.pages, r.requests, r.retries, r.error,
                       r.error_kind, tuple(r.notices or ()))
                for r in session.scalars(query)]
