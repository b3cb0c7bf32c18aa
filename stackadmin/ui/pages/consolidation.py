"""Consolidation: paid tools that overlap (a shared category or capability tag), their cost,
who is active in each and in several, and what moving everyone to the most used one would
save a year; capability tags are edited here."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

from stackadmin.ui.dialogs import Field, FormDialog
from stackadmin.ui.fmt import base_amount, base_text, date_text, plural
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.buying.overlaps import Overlap, OverlapReport
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job


def _saving_text(o: Overlap, base: str) -> str:
    if o.saving_base is None:
        return f"unknown (no {', '.join(o.missing_rates) or 'rate'})"
    if o.saving_base < 0:
        return f"none ({base_text(-o.saving_base, base)} more)"
    return base_text(o.saving_base, base)


def _columns(base: str = "USD") -> list[Column[Overlap]]:
    return [
        Column("Tools", lambda o: ", ".join(o.names), width=290,
               tooltip=lambda o: "\n".join(f"{t.tool}: {t.seats_active:,} active of "
                                           f"{t.seats_purchased:,} seats" for t in o.tools)),
        Column("Shared", lambda o: ", ".join(o.shared), width=150),
        Column("Annual cost", lambda o: base_text(o.annual_cost_base, base),
               export=lambda o: base_amount(o.annual_cost_base, base),
               key=lambda o: o.annual_cost_base, numeric=True, width=100, searchable=False),
        Column("Active", lambda o: " / ".join(f"{t.seats_active:,}" for t in o.tools),
               key=lambda o: sum(t.seats_active for t in o.tools), width=90,
               tooltip=lambda o: "Active users in each tool, in the order of the Tools column",
               searchable=False),
        Column("In several", lambda o: f"{len(o.people_in_several):,}",
               key=lambda o: len(o.people_in_several), numeric=True, width=72,
               tooltip=lambda o: ", ".join(o.people_in_several) or "Nobody"),
        Column("Move to", lambda o: f"{o.target} (+{plural(o.extra_seats, 'seat')})",
               width=170, elide="middle",
               tooltip=lambda o: f"{o.target} has the most active users; "
                                 f"{plural(o.movers, 'person', 'people')} active only "
                                 f"elsewhere would move there, needing "
                                 f"{plural(o.extra_seats, 'seat')} more than its unused "
                                 "ones"),
        Column("Saving a year", lambda o: _saving_text(o, base),
               export=lambda o: _saving_text(o, base) if o.saving_base is None
               else base_amount(o.saving_base, base),
               key=lambda o: o.saving_base, numeric=True, searchable=False,
               warn=lambda o: o.saving_base is None),
    ]


def describe(o: Overlap, base: str) -> str:
    """The selected overlap in sentences: who would move where, at what cost and saving."""
    lines = [f"<b>{escape(', '.join(o.names))}</b> share {escape(', '.join(o.shared))}."]
    for t in o.tools:
        cost = base_text(t.annual_cost_base, base)
        lines.append(f"• {escape(t.tool)}: {cost} a year, {t.seats_active:,} active of "
                     f"{t.seats_purchased:,} seats"
                     + (f", {base_text(t.price_per_seat_base, base)} a seat a year"
                        if t.price_per_seat_base else ""))
    others = [t.tool for t in o.tools if t.tool != o.target]
    target = next(t for t in o.tools if t.tool == o.target)
    price = base_text(target.price_per_seat_base, base)
    if o.saving_base is None:
        lines.append(f"The saving is unknown: no exchange rate for "
                     f"{escape(', '.join(o.missing_rates))}.")
    else:
        spare = o.movers - o.extra_seats
        taken = (f" (after the {plural(spare, 'paid seat')} nobody uses there)" if spare
                 else "")
        lines.append(
            f"If the {o.movers:,} people active in {escape(', '.join(others))} but not in "
            f"{escape(o.target)} moved to {escape(o.target)}: {o.extra_seats:,} extra seats"
            f"{taken} at {price} = {base_text(o.extra_cost_base, base)}; the others cost "
            f"{base_text((o.saving_base or Decimal(0)) + (o.extra_cost_base or Decimal(0)), base)}"
            f" a year; <b>saving {_saving_text(o, base)}</b> a year.")
    if o.people_in_several:
        shown = ", ".join(o.people_in_several[:12])
        more = f" and {len(o.people_in_several) - 12} more" if len(o.people_in_several) > 12 \
            else ""
        lines.append(f"Active in more than one: {escape(shown)}{more}.")
    return "<br>".join(lines)


class ConsolidationPage(TablePage):
    title = "Consolidation"
    icon = "consolidation"
    reload_on: ClassVar[frozenset[str]] = frozenset(
        {"tool", "term", "account", "person", "setting", "tags"})
    columns = _columns()
    search_hint = "Search tools, categories, tags"
    default_sort: ClassVar[tuple[int, Qt.SortOrder]] = (6, Qt.SortOrder.DescendingOrder)

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.report: OverlapReport | None = None
        self.add_action("Tags…", "edit", self.edit_tags, shortcut="Ctrl+T")
        self.add_action("Open tools", "tools", self.open_tools, needs_row=True)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("count")
        self.extra_layout.addWidget(self.summary)
        self.detail = QLabel(self)
        self.detail.setObjectName("card")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setStyleSheet("QLabel#card { padding: 8px 10px; }")
        self.detail.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.table.add_below_view(self.detail)
        self.table.selection_changed.connect(self._selected)

    def load(self) -> None:
        prepare = self.prepare()
        generation = self.env.generation
        known = self.env.recall("utilization")

        def work(ctx: ServiceContext, job: Job) -> tuple[Any, Shown]:
            from stackadmin.services.buying.overlaps import overlaps

            report = overlaps(ctx, report=known)
            job.check()
            return report, prepare(report.overlaps)

        def done(result: tuple[OverlapReport, Shown]) -> None:
            self.report = result[0]
            self.env.remember("overlaps", self.report, generation=generation)
            self._show_rows(result[1])

        self.env.run(work, done, title="finding overlaps", key=f"load:{self.key}")

    def _show_rows(self, result: Shown) -> None:
        base = self.report.base_currency if self.report else "USD"
        self.model.columns = _columns(base)  # amounts in the base currency of the report
        super()._show_rows(result)
        report = self.report
        if report is not None:
            known = [o.saving_base for o in report.overlaps if o.saving_base is not None]
            best = max(known, default=None)
            self.summary.setText(
                f"{len(report.overlaps)} overlaps among the tools paid for on "
                f"{date_text(report.as_of)}" + (
                    f"; the largest saving: {base_text(best, base)} a year" if best else "")
                + ". Overlaps share tools, so their savings do not add up."
                + (f" No exchange rate for {', '.join(report.missing_rates)}: those savings "
                   "are unknown." if report.missing_rates else ""))
        if self.current_row() is None and self.model.shown:
            self.view.selectRow(0)

    def _selected(self) -> None:
        row = self.current_row()
        base = self.report.base_currency if self.report else "USD"
        self.detail.setVisible(row is not None)
        if row is not None:
            self.detail.setText(describe(row, base))

    def open_tools(self) -> None:
        row = self.current_row()
        if row is not None:
            self.env.open_page("tools", {"search": row.target})

    def edit_tags(self) -> None:
        """A tool's capability tags (comma-separated), read first on a worker."""

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.buying.tags import list_tags

            return list_tags(ctx)

        self.env.run(work, self._tags_dialog)

    def _tags_dialog(self, rows: list[Any]) -> FormDialog | None:
        if not rows:
            self.env.error.emit("Add a tool first: tags belong to tools.")
            return None
        current = self.current_row()
        first = current.target if current is not None else rows[0].tool
        by_tool = {r.tool: ", ".join(r.tags) for r in rows}
        fields = [Field("tool", "Tool", kind="choice", choices=[r.tool for r in rows],
                        words=("tool",)),
                  Field("tags", "Tags", words=("tag",),
                        help="Capabilities, comma-separated: whiteboard, video calls…")]

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.buying.tags import set_tags

            return set_tags(ctx, values["tool"], [values.get("tags") or ""])

        dialog = FormDialog(self.env, "Capability tags", fields,
                            {"tool": first, "tags": by_tool.get(first, "")}, save, self,
                            changed="tags",
                            intro="Tools that share a tag or a category are an overlap.")
        tool_box: Any = dialog.inputs["tool"]
        tool_box.currentTextChanged.connect(
            lambda name: dialog.set_value("tags", by_tool.get(name, "")))
        dialog.open()
        self.tags_dialog = dialog
        return dialog
