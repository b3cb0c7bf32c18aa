"""Seats: every account in every tool, with activity and why a seat counts as unused.

Built for 100k rows: rows are plain SeatStatus tuples from the utilization service, the
search text is built on the worker, and typing filters a Python list (no proxy model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.utilization import SeatStatus
    from stackadmin.ui.tasks import Job


def _unused(s: SeatStatus) -> str:
    if s.reason is not None:
        return f"unused: {s.reason.value.replace('_', ' ')}"
    if s.pending_cancellation is not None:
        return f"cancelling {date_text(s.pending_cancellation)}"
    if s.billable is False and s.status != "deprovisioned":
        return "not billed"
    if s.exempt:
        return "exempt"
    if s.is_bot:
        return s.kind if s.kind in ("bot", "service") else "bot"
    return "in use" if s.active else ""


def _synced(s: SeatStatus) -> str:
    if s.synced_at is None:
        return ""
    local = s.synced_at.astimezone()
    return f"{date_text(local)} {local:%H:%M}"


def _inactive(s: SeatStatus) -> str:
    if not s.activity_known:
        return "unknown"
    return "" if s.days_inactive is None else f"{s.days_inactive:,} d"


def _columns() -> list[Column[SeatStatus]]:
    return [
        Column("Tool", lambda s: s.tool, width=150),
        Column("Person", lambda s: s.person or "unmatched", width=140),
        Column("Email", lambda s: s.email or "", width=200),
        Column("Role", lambda s: s.role, width=65),
        Column("Status", lambda s: s.status, width=85),
        Column("Last activity", lambda s: date_text(s.last_activity),
               key=lambda s: s.last_activity, searchable=False, width=95),
        Column("Inactive", _inactive, key=lambda s: s.days_inactive, numeric=True,
               searchable=False, width=60),
        Column("Use", _unused, tooltip=_use_tip, warn=lambda s: s.reason is not None,
               width=160),
        # Where the seat's data came from (an integration, an import...) and when its vendor
        # last confirmed it.
        Column("Source", lambda s: s.source, width=120, tooltip=_source_tip),
        Column("Synced", _synced, key=lambda s: s.synced_at, searchable=False, width=120),
    ]


def _use_tip(s: SeatStatus) -> str:
    if s.pending_cancellation is not None:
        return (f"The vendor cancels this seat on {date_text(s.pending_cancellation)}: not "
                "counted as unused nor as a saving")
    return s.exempt_reason or ""


def _source_tip(s: SeatStatus) -> str:
    return f"From {s.source}" + (f", last synced {_synced(s)}" if s.synced_at else "")


class SeatsPage(TablePage):
    title = "Seats"
    icon = "seats"
    reload_on: ClassVar[frozenset[str]] = frozenset({"account", "person", "tool", "term",
                                                     "setting"})
    columns = _columns()
    search_hint = "Search seats: tool, person, email, role, 'unused'…"

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.add_action("Add account", "add", self._add, shortcut="Ctrl+N")
        self.add_action("Edit", "edit", self._edit, needs_row=True)
        self.add_action("Open person", "people", lambda: self.activate(self.current_row()),
                        needs_row=True)
        self.add_action("Delete", "delete", self._delete, needs_row=True, shortcut="Del")

    def load(self) -> None:
        """The utilization report is shared with the dashboard (counting 100k seats takes
        seconds): whichever page counts first, the other reuses it until data changes."""
        generation = self.env.generation
        known = self.env.recall("utilization")
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> tuple[Any, Shown]:
            from stackadmin.services.seats.utilization import compute

            report = known if known is not None else compute(ctx)
            job.check()
            return report, prepare(report.seats)

        def done(result: tuple[Any, Shown]) -> None:
            report, shown = result
            self.env.remember("utilization", report, generation=generation)
            self._show_rows(shown)

        self.env.run(work, done, title="loading seats", key=f"load:{self.key}")

    def activate(self, row: Any) -> None:
        if row is not None and row.person_id is not None:
            self.env.open_page("person", {"person_id": row.person_id})

    def show_target(self, target: object) -> None:
        if isinstance(target, dict) and "search" in target:
            self.search.setText(str(target["search"]))

    def _add(self) -> None:
        from stackadmin.ui.dialogs import accounts

        def work(ctx: ServiceContext, _job: Any) -> list[tuple[int, str]]:
            from stackadmin.services.inventory.tools import list_tools

            return [(t.id, t.name) for t in list_tools(ctx)]

        def show(tools: list[tuple[int, str]]) -> None:
            if not tools:
                self.env.error.emit("Add a tool first: an account belongs to a tool.")
            else:
                accounts.create(self, tools)

        self.env.run(work, show)

    def _edit(self) -> None:
        from stackadmin.ui.dialogs import accounts

        seat = self.current_row()
        if seat is None:
            return

        def work(ctx: ServiceContext, _job: Any) -> Any:
            from stackadmin.services.inventory.accounts import list_accounts

            found = [a for a in list_accounts(ctx, tool_id=seat.tool_id)
                     if a.id == seat.account_id]
            return found[0] if found else None

        self.env.run(work, lambda account: accounts.edit(self, account))

    def _delete(self) -> None:
        from stackadmin.ui.dialogs import accounts

        seat = self.current_row()
        if seat is not None:
            accounts.delete(self, seat.account_id, f"{seat.email or seat.person} in {seat.tool}")
