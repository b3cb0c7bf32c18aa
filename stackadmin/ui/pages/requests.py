"""Requests: what the team asked for, by status (open ones first), with what is already paid
for that would answer each; a request opens its own page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.buying.requests import RequestRow
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job

OPEN = ("new", "triaged", "evaluating", "approved")
# (label, statuses shown): the status filter.
FILTERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("Open (new to approved)", OPEN), ("New", ("new",)), ("Triaged", ("triaged",)),
    ("Evaluating", ("evaluating",)), ("Approved", ("approved",)),
    ("Purchased", ("purchased",)), ("Rejected", ("rejected",)),
    ("Duplicate", ("duplicate",)), ("All requests", None))
EVERY = ("new", "triaged", "evaluating", "approved", "purchased", "rejected", "duplicate")
_URGENCY = {"high": 0, "normal": 1, "low": 2}
_STATUS = {s: n for n, s in enumerate(EVERY)}


def paid_text(r: RequestRow) -> str:
    return "; ".join(t.brief() for t in r.already_paid)


def _columns() -> list[Column[RequestRow]]:
    return [
        Column("#", lambda r: str(r.id), key=lambda r: r.id, numeric=True, width=40),
        Column("Status", lambda r: r.status, key=lambda r: _STATUS.get(r.status, 9), width=82,
               tooltip=lambda r: r.status_reason or ""),
        Column("Urgency", lambda r: r.urgency, key=lambda r: _URGENCY.get(r.urgency, 9),
               width=64, warn=lambda r: r.urgency == "high" and r.open),
        Column("Request", lambda r: r.title, width=230,
               tooltip=lambda r: r.problem or r.title),
        Column("Already paid for", paid_text, width=220,
               tooltip=lambda r: "\n".join(r.paid_sentences()) or
               "Nothing paid for answers it yet"),
        Column("Category / tool", lambda r: " / ".join(x for x in (r.category, r.tool_name)
                                                        if x), width=130),
        Column("Requested by", lambda r: r.requested_by_name or r.requested_by, width=120,
               tooltip=lambda r: r.requested_by),
        Column("Team", lambda r: r.team or "", width=70),
        Column("Candidates", lambda r: str(r.candidates) if r.candidates else "",
               key=lambda r: r.candidates, numeric=True, width=72, hidden=True),
        Column("Raised", lambda r: date_text(r.created_at), key=lambda r: r.created_at,
               searchable=False),
    ]


class RequestsPage(TablePage):
    empty_state = ("No requests yet",
                   "Requests for a new tool land here: the problem, the team, how urgent. New "
                   "request (Ctrl+Shift+R, anywhere) adds one, and says what is already paid "
                   "for that might do the job.")
    title = "Requests"
    icon = "requests"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"request", "tool", "term", "account", "person", "evaluation"})
    columns = _columns()
    search_hint = "Search title, person, team, category, tool"
    noun = ("request", "requests")

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.add_action("New request", "add", self.new_request, shortcut="Ctrl+N")
        self.add_action("Open", "edit", lambda: self.activate(self.current_row()),
                        needs_row=True)
        # "Open" (the first entry) keeps the open statuses; "All requests" every one.
        self.status_box = self.table.add_choice("status", lambda r: r.status, width=190,
                                                when_all=lambda r: r.status in OPEN,
                                                tip="Requests by status")
        self.table.set_choices("status", FILTERS[0][0], [
            (label, statuses[0] if len(statuses) == 1 else statuses)
            for label, statuses in FILTERS[1:-1] if statuses is not None]
            + [(FILTERS[-1][0], EVERY)])
        self.status_box.currentIndexChanged.connect(self._filter_changed)
        self._filter_restored = False

    @staticmethod
    def fetch(ctx: ServiceContext, job: Job) -> list[Any]:
        from stackadmin.services.buying.requests import list_requests

        return list_requests(ctx)

    def load(self) -> None:
        """What is already paid for comes from the seat figures the window shares (counted
        once until data changes), when they are there."""
        known = self.env.recall("utilization")
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> Shown:
            from stackadmin.services.buying.paid import paid_tools
            from stackadmin.services.buying.requests import list_requests

            paid = None if known is None else paid_tools(ctx, report=known, people=False)
            rows = list_requests(ctx, paid=paid)
            job.check()
            return prepare(rows)

        self.env.run(work, self._show_rows, title=f"loading {self.title}",
                     key=f"load:{self.key}")

    def _filter_changed(self, _index: int) -> None:
        self.env.settings.setValue(self.setting_key("status"), self.status_box.currentIndex())

    def set_status_filter(self, label: str) -> None:
        self.status_box.setCurrentIndex([f for f, _ in FILTERS].index(label))

    def showEvent(self, event: Any) -> None:
        saved = str(self.env.settings.value(self.setting_key("status"), 0))
        if not self._filter_restored and saved.isdigit() and int(saved) < len(FILTERS):
            self._filter_restored = True
            self.status_box.setCurrentIndex(int(saved))
        super().showEvent(event)

    def new_request(self) -> None:
        from stackadmin.ui.buying.request_form import open_request_form

        open_request_form(self.env, self)

    def activate(self, row: Any) -> None:
        if row is not None:
            self.env.open_page("request", {"request_id": row.id})

    def apply_target(self, target: object) -> None:
        """{"status": a filter's label}, {"request_id": n} (selects it), {"search": text}."""
        super().apply_target(target)
        if isinstance(target, dict):
            if "status" in target:
                self.set_status_filter(str(target["status"]))
            if "request_id" in target:
                self.select_where(lambda r: r.id == target["request_id"])
