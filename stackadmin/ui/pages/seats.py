"""Seats: every account in every tool, with activity and why a seat counts as unused.

Built for 100k rows: rows are plain SeatStatus tuples from the utilization service, the
search text and each filter's choices are built on the worker, and typing or choosing a
filter works on a Python list (no proxy model). "Who has admin in X" is two choices: Role
"Owner or admin", Tool X.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from stackadmin.ui import words
from stackadmin.ui.filtertable import ALL
from stackadmin.ui.fmt import date_text, moment_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

FIRST_SCREEN = 200  # rows shown before every seat is read: more than a screen holds

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.utilization import SeatStatus
    from stackadmin.ui.tasks import Job

# The Use filter's values beside the unused reasons (domain.utilization.UnusedReason).
IN_USE, EXEMPT, BOT, UNKNOWN, NO_SEAT, IDLE = (
    "in_use", "exempt", "bot", "activity_unknown", "no_seat", "idle")
NO_DEPARTMENT = ""


def use_key(s: SeatStatus) -> str:
    """What the Use filter compares: the unused reason, else why the seat is not one."""
    if not s.holds_seat:
        return NO_SEAT
    if s.reason is not None:
        return s.reason.value
    if s.exempt:
        return EXEMPT
    if s.is_bot:
        return BOT
    if s.active:
        return IN_USE
    return UNKNOWN if not s.activity_known else IDLE


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
    return moment_text(s.synced_at)


def _inactive(s: SeatStatus) -> str:
    if not s.activity_known:
        return "unknown"
    return "" if s.days_inactive is None else f"{s.days_inactive:,} d"


def _columns() -> list[Column[SeatStatus]]:
    return [
        Column("Tool", lambda s: s.tool, width=150, elide="middle"),
        Column("Person", lambda s: s.person or "unmatched", width=140),
        Column("Email", lambda s: s.email or "", width=200),
        Column("Role", lambda s: s.role, width=65),
        Column("Status", lambda s: s.status, width=85),
        Column("Last activity", lambda s: date_text(s.last_activity),
               key=lambda s: s.last_activity, searchable=False, width=95, whole=True),
        Column("Inactive", _inactive, key=lambda s: s.days_inactive, numeric=True,
               searchable=False, width=60),
        # What tells one seat from another on this page ("unused: never active"): never
        # cut, its column fits its widest text.
        Column("Use", _unused, tooltip=_use_tip, warn=lambda s: s.reason is not None,
               width=160, whole=True),
        # Where the seat's data came from (an integration, an import...) and when its vendor
        # last confirmed it.
        Column("Source", lambda s: s.source, width=105, tooltip=_source_tip),
        Column("Synced", _synced, key=lambda s: s.synced_at, searchable=False, width=110),
    ]


def _use_tip(s: SeatStatus) -> str:
    if s.pending_cancellation is not None:
        return (f"The vendor cancels this seat on {date_text(s.pending_cancellation)}: not "
                "counted as unused nor as a saving")
    return s.exempt_reason or ""


def _source_tip(s: SeatStatus) -> str:
    return f"From {s.source}" + (f", last synced {_synced(s)}" if s.synced_at else "")


@dataclass(frozen=True, slots=True)
class SeatChoices:
    """What the filters offer, worked out on the worker with the rows."""

    tools: list[tuple[str, int]]
    departments: dict[int, str]  # person id -> department
    department_names: list[str]


def _choices(seats: list[SeatStatus], people: list[Any]) -> SeatChoices:
    tools = sorted({(s.tool, s.tool_id) for s in seats}, key=lambda t: t[0].casefold())
    departments = {p.id: p.department or NO_DEPARTMENT for p in people}
    names = sorted({d for d in departments.values() if d}, key=str.casefold)
    return SeatChoices(tools, departments, names)


class SeatsPage(TablePage):
    empty_state = ("No seats yet",
                   "Every account in every tool shows here, with its last activity and whether "
                   "it is used. Import a tool's user list (File → Import…, or Import accounts… "
                   "on its page), or sync it from the vendor on the Integrations page.")
    title = "Seats"
    icon = "seats"
    reload_on: ClassVar[frozenset[str]] = frozenset({"account", "person", "tool", "term",
                                                     "setting"})
    columns = _columns()
    search_hint = "Search seats: tool, person, email, role, 'unused'…"
    noun = ("seat", "seats")
    multi_select = True

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.departments: dict[int, str] = {}
        self.add_action("Add account", "add", self._add, shortcut="Ctrl+N")
        self.add_action("Edit", "edit", self._edit, needs_row=True)
        self.add_action("Open person", "people", lambda: self.activate(self.current_row()),
                        needs_row=True)
        self.add_action("Delete", "delete", self._delete, needs_row=True, shortcut="Del")
        table = self.table
        table.add_choice("tool", lambda s: s.tool_id, width=150, tip="Only this tool")
        table.add_choice("role", lambda s: s.role, width=120, tip="Only these roles")
        table.add_choice("status", lambda s: s.status, width=110, tip="Account status")
        table.add_choice("use", use_key, width=130, tip="In use, or why a seat is unused")
        table.add_choice("department", lambda s: self.departments.get(s.person_id or -1,
                                                                      NO_DEPARTMENT),
                         width=130, tip="The person's department")
        table.set_choices("role", "All roles", words.role_choices())
        table.set_choices("status", "All statuses", words.choices(words.ACCOUNT_STATUS))
        table.set_choices("use", "Any use", words.use_choices(
            (IN_USE, "In use"), (EXEMPT, "Exempt"), (BOT, "Bots"),
            (UNKNOWN, "Activity unknown"), (IDLE, "Not used, no reason yet"),
            (NO_SEAT, "Holds no seat (deprovisioned)")))

    def load(self) -> None:
        """The first screenful first (read tool by tool, ~50 ms), then every seat. The
        utilization report is shared with the dashboard: whichever page counts first, the
        other reuses it until data changes (its seats are read on first use)."""
        generation = self.env.generation
        known = self.env.recall("utilization")
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> tuple[Any, Shown, SeatChoices]:
            from stackadmin.services.inventory.people import list_people
            from stackadmin.services.seats.utilization import compute

            report = known if known is not None else compute(ctx)
            job.check()
            seats = report.seats
            job.check()
            return report, prepare(seats), _choices(seats, list_people(ctx))

        def done(result: tuple[Any, Shown, SeatChoices]) -> None:
            report, shown, choices = result
            self.env.remember("utilization", report, generation=generation)
            self.departments = choices.departments
            self.table.set_choices("tool", "All tools", choices.tools)
            self.table.set_choices("department", "All departments",
                                   [(d, d) for d in choices.department_names]
                                   + [("No department (or no person)", NO_DEPARTMENT)])
            self._show_rows(shown)

        def everything() -> None:
            self.env.run(work, done, title="loading seats", key=f"load:{self.key}")

        if (self.model.total or not self._in_seat_order() or self.table.filters.narrowed()
                or self.search.text() or self._target is not None):
            # A reload keeps the rows shown until the new ones are in; a filter, a search or
            # a page's target would show what it keeps of the first seats only.
            everything()
            return

        def head(ctx: ServiceContext, _job: Job) -> Shown:
            from stackadmin.services.seats.seat_list import first_seats

            return prepare(first_seats(ctx, FIRST_SCREEN).seats)

        def head_done(shown: Shown) -> None:
            self.table.set_rows(*shown)
            self.count.setText(f"{len(shown[0]):,} rows shown; loading every seat…")
            self.show_first_rows()
            everything()

        # One job after the other: two at once would only share the interpreter lock.
        self.env.run(head, head_done, title="loading seats", key=f"load:{self.key}")

    def _in_seat_order(self) -> bool:
        """Sorted by tool, A to Z (or not sorted): the first screenful is the first seats."""
        column = self.model.sort_column
        order = self.view.horizontalHeader().sortIndicatorOrder()
        return column < 0 or (column == 0 and order == Qt.SortOrder.AscendingOrder)

    def activate(self, row: Any) -> None:
        if row is not None and row.person_id is not None:
            self.env.open_page("person", {"person_id": row.person_id})

    def apply_target(self, target: object) -> None:
        """{"search": text}, and filters: {"tool_id": n, "role": value, "status": value,
        "use": value, "department": name} (a filter not named shows every value)."""
        if not isinstance(target, dict):
            return
        names = {"tool_id": "tool", "role": "role", "status": "status", "use": "use",
                 "department": "department"}
        if any(k in target for k in names):
            for key, name in names.items():
                value = target.get(key, ALL)
                self.table.filters.choose(name, tuple(value) if isinstance(value, list)
                                          else value)
            self.table.apply_filters()
        if "search" in target:
            self.search.setText(str(target["search"]))

    def row_actions(self, rows: list[Any]) -> list[QAction | None]:
        from stackadmin.ui import seat_actions
        from stackadmin.ui.table_menus import menu_action, open_person_action, open_tool_action

        first = rows[0] if rows else None
        held = [s for s in rows if s.holds_seat]
        return [
            open_person_action(self.env, self, first.person_id if first else None),
            open_tool_action(self.env, self, first.tool_id if first else None),
            None,
            menu_action(self, "Exempt…",
                        lambda: seat_actions.exempt_rows(self, self.env, held),
                        enabled=any(not s.exempt for s in held)),
            menu_action(self, "Clear exemption",
                        lambda: seat_actions.clear_rows(self.env, rows),
                        enabled=any(s.exempt for s in rows)),
            menu_action(self, "Mark reclaimed…",
                        lambda: seat_actions.reclaim_rows(self, self.env, held),
                        enabled=bool(held)),
        ]

    def _add(self) -> None:
        from stackadmin.ui.dialogs import accounts

        def work(ctx: ServiceContext, _job: Any) -> list[tuple[int, str]]:
            from stackadmin.services.inventory.tools import list_tools

            return [(t.id, t.name) for t in list_tools(ctx)]

        def show(tools: list[tuple[int, str]]) -> None:
            if not tools:
                self.env.error.emit("Add a tool first: an account belongs to a tool.")
            else:
                tool = self.table.choice("tool")
                accounts.create(self, tools, tool if isinstance(tool, int) else None)

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
