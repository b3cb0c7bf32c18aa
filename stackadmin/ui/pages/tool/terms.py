"""A tool's terms over time (price and seats, and the change at each renewal), with every
term editable from here, and the decisions taken at each renewal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from stackadmin.ui import words
from stackadmin.ui.fmt import date_text, int_text, money_text
from stackadmin.ui.pages.tool.section import ToolSection, enable_with_selection, selected
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.renewals.history import DecisionRow, TermStep, ToolHistory


def _price(step: TermStep) -> str:
    t = step.term
    per = " a seat" if t.pricing == "per_seat" else ""
    return f"{money_text(t.unit_price)}{per}, {t.billing_period}"


def _change(step: TermStep) -> str:
    if step.previous_id is None:
        return "first term" if step.term.previous_term_id is None else ""
    parts = []
    if step.seat_change is not None:
        parts.append("same seats" if step.seat_change == 0 else f"{step.seat_change:+,} seats")
    if step.price_change_pct is not None:
        parts.append("same price" if step.price_change_pct == 0
                     else f"price {step.price_change_pct:+} %")
    elif step.price_change is None:
        parts.append("price not comparable")
    return ", ".join(parts)


def _change_tip(step: TermStep) -> str:
    if step.previous_id is None:
        return "No earlier term of this tool is recorded"
    if step.price_change is None:
        return "The term before had another currency or pricing model"
    sign = "+" if step.price_change.minor > 0 else ""
    unit = "a seat a year" if step.term.pricing == "per_seat" else "a year"
    return f"{sign}{money_text(step.price_change)} {unit} against the term before"


def _undated(step: TermStep) -> bool:
    return step.term.renewal_date is None and step.term.status == "active"


def _renews_tip(step: TermStep) -> str:
    if _undated(step):
        return "Set its renewal date with Edit: without one it is never reminded"
    if step.rolled:
        return (f"Renews by itself: recorded as renewing on {date_text(step.term.renewal_date)}, "
                "it has renewed since")
    return ""


def term_columns() -> list[Column[TermStep]]:
    return [
        Column("Plan", lambda s: s.term.plan or "(no plan)", width=110),
        Column("Status", lambda s: words.label(words.TERM_STATUS, s.term.status), width=80),
        Column("Start", lambda s: date_text(s.term.term_start), key=lambda s: s.term.term_start,
               width=92, whole=True),
        Column("Renews", lambda s: date_text(s.renews) if s.renews else "no renewal date",
               key=lambda s: s.renews, width=110, warn=_undated, tooltip=_renews_tip),
        Column("Price", _price, width=170),
        Column("Seats", lambda s: int_text(s.term.seats) if s.term.seats is not None else "—",
               key=lambda s: s.term.seats, numeric=True, width=60),
        Column("Annual cost", lambda s: money_text(s.annual_cost),
               key=lambda s: s.annual_cost.amount, numeric=True, width=100,
               export=lambda s: s.annual_cost.amount),
        Column("At renewal", _change, tooltip=_change_tip),
    ]


def decision_columns() -> list[Column[DecisionRow]]:
    return [
        Column("Renewal", lambda d: date_text(d.renewal_date), key=lambda d: d.renewal_date,
               width=95),
        Column("Plan", lambda d: d.plan or "(no plan)", width=110),
        Column("Decision", lambda d: words.label(words.DECISION, d.decision), width=100),
        Column("By", lambda d: d.decided_by, width=100),
        Column("On", lambda d: date_text(d.decided_at), key=lambda d: d.decided_at, width=95),
        Column("Note", lambda d: d.note or "", tooltip=lambda d: d.note or ""),
    ]


class TermsSection(ToolSection):
    key = "terms"
    title = "Terms over time"
    reload_on: ClassVar[frozenset[str]] = frozenset({"term", "tool", "decision"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.model, self.view = self.table(term_columns())
        self.view.doubleClicked.connect(lambda _i: self.edit())
        self.empty = self.note("No terms yet: add the contract's term (plan, price, seats, "
                               "renewal date) with Add term.")
        self.add_button("Add term…", self.add, icon="add")
        edit = self.add_button("Edit…", self.edit, icon="edit")
        renew = self.add_button("Renew…", self.renew, icon="renew",
                                tip="The next term, starting at this one's renewal date; "
                                    "the seat count the rightsizing brief recommends")
        delete = self.add_button("Delete…", self.delete, icon="delete")
        renewals = self.add_button("In Renewals", self.open_in_renewals, icon="renewals",
                                   tip="This term on the Renewals page: decide, snooze...")
        enable_with_selection(self.view, self.model, edit, renew, delete, renewals)

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> ToolHistory:
        from stackadmin.services.renewals.history import tool_history

        return tool_history(ctx, tool_id)

    def show_data(self, data: ToolHistory) -> None:
        steps = list(reversed(data.terms))  # the current term on top
        self.show_rows(self.model, self.view, steps)
        self.empty.setVisible(not steps)
        active = [s for s in steps if s.term.status == "active"]
        undated = sum(1 for s in active if s.term.renewal_date is None)
        text = f"{len(steps)} term{'' if len(steps) == 1 else 's'}, {len(active)} active"
        if undated:
            text += f"; {undated} without a renewal date"
        self.summary.setText(text)
        if active:
            self.select(active[0].term.id)

    def select(self, term_id: int) -> bool:
        n = self.model.row_of(lambda s: s.term.id == term_id)
        if n >= 0:
            self.view.selectRow(n)
        return n >= 0

    def current(self) -> Any:
        rows = selected(self.model, self.view)
        return rows[0].term if rows else None

    def add(self) -> Any:
        from stackadmin.ui.dialogs import terms

        tool = self.page.tool
        return None if tool is None else terms.create(self.page, [(tool.id, tool.name)],
                                                      tool.id)

    def edit(self) -> Any:
        from stackadmin.ui.dialogs import terms

        return terms.edit(self.page, self.current())

    def renew(self) -> Any:
        from stackadmin.ui.dialogs import terms

        return terms.renew(self.page, self.current())

    def delete(self) -> None:
        from stackadmin.ui.dialogs import terms

        terms.delete(self.page, self.current())

    def open_in_renewals(self) -> None:
        term = self.current()
        if term is not None:
            self.env.open_page("renewals", {"term_id": term.id})


class DecisionsSection(ToolSection):
    key = "decisions"
    title = "Decisions at each renewal"
    reload_on: ClassVar[frozenset[str]] = frozenset({"term", "decision"})

    def __init__(self, page: Any) -> None:
        super().__init__(page)
        self.model, self.view = self.table(decision_columns())
        self.empty = self.note("No decision recorded yet. Before each cancel-by date, decide "
                               "on the Renewals page (renew, renegotiate or cancel): each "
                               "decision is kept here.")

    @staticmethod
    def fetch(ctx: ServiceContext, tool_id: int) -> list[DecisionRow]:
        from stackadmin.services.renewals.history import tool_decisions

        return tool_decisions(ctx, tool_id)

    def show_data(self, data: list[DecisionRow]) -> None:
        self.show_rows(self.model, self.view, data, most=6)
        self.empty.setVisible(not data)
        self.summary.setText(f"{len(data)} recorded" if data else "")
