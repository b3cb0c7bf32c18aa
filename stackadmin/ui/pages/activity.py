"""Activity: the audit log, newest first (who changed what, when, from where)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt

from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.audit import AuditRow
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job

LIMIT = 5000


def _when(e: AuditRow) -> str:
    local = e.at.astimezone()
    return f"{date_text(local)} {local:%H:%M}"


def _changes(e: AuditRow) -> str:
    if not e.changes:
        return ""
    return "\n".join(f"{k}: {v[0]!r} → {v[1]!r}" if isinstance(v, list) and len(v) == 2
                     else f"{k}: {v!r}" for k, v in e.changes.items())


def _columns() -> list[Column[AuditRow]]:
    return [
        Column("When", _when, key=lambda e: e.id, searchable=False, width=140),
        Column("Who", lambda e: e.actor, width=110),
        Column("From", lambda e: e.source, width=70),
        Column("Action", lambda e: e.action, width=80),
        Column("What", lambda e: e.entity.replace("_", " "), width=130),
        Column("Summary", lambda e: e.summary, tooltip=_changes),
    ]


class ActivityPage(TablePage):
    title = "Activity"
    icon = "activity"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "term", "person", "account", "setting", "audit", "offboarding", "integration"})
    columns = _columns()
    default_sort = (0, Qt.SortOrder.DescendingOrder)

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.audit import list_events

        return list_events(ctx, limit=LIMIT)
