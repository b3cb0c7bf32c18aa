"""The rightsizing brief where a term is viewed: a panel at the top of the term dialog and a
window from the Tools page, shown only within BRIEF_LEAD_DAYS of the term's cancel-by date."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.fmt import base_text, date_text, int_text, money_text, plural
from stackadmin.ui.theme import WARN

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.seats.rightsizing import RightsizingBrief
    from stackadmin.ui.dialogs import FormDialog
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job


def _money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "—"
    from stackadmin.domain.money import Money

    return money_text(Money.rounded(amount, currency))


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.quantize(Decimal('0.1'))} %"


def _recommended(b: RightsizingBrief) -> str:
    if not b.seat_data:
        return ("no recommendation: no account of this tool is recorded (no seat data); "
                "import its user list to judge the seats. Keep the seat count until then")
    if b.recommended_seats is None:
        return ("no recommendation: activity unknown (the source reports no activity), so "
                "no cut is recommended. Keep the seat count, or check use with the vendor")
    change = "" if b.seat_change is None else (
        f" ({b.seat_change:+,} from {b.seats_purchased:,})" if b.seat_change
        else " (no change)")
    kept = (f", plus the {plural(b.seats_activity_unknown, 'seat')} of unknown activity "
            "(kept)"
            if b.seats_activity_unknown else "")
    others = (f", less the {plural(b.other_terms_seats, 'seat')} of the tool's other terms "
              "in force (they run on as they are)" if b.other_terms_seats else "")
    return (f"{plural(b.recommended_seats, 'seat')} at renewal{change}: active seats plus "
            f"headroom{kept}, never below the exempt seats{others}")


def brief_lines(b: RightsizingBrief) -> list[tuple[str, str]]:
    """(label, value) lines of a brief, in words; money rounded once, here."""
    from stackadmin.services.seats.savings import reason_words

    reasons = ", ".join(f"{n} {reason_words(r)}" for r, n in sorted(b.unused_by_reason.items()))
    held = "no seat data" if b.seats_held is None else f"{b.seats_held:,} held"
    active = ("activity unknown" if b.seat_data and not b.activity_known
              else f"{b.seats_active:,} active")
    seats = (f"{int_text(b.seats_purchased) if b.seats_purchased is not None else 'no count'} "
             f"purchased · {held} · {active}")
    if b.utilization_pct is not None:
        seats += f" ({_pct(b.utilization_pct)} used)"
    unused = f"{b.seats_unused:,} unused" + (f" ({reasons})" if reasons else "")
    if b.seats_unassigned is not None:
        unused += f" · {b.seats_unassigned:,} unassigned"
    if b.seats_activity_unknown:
        unused += f" · {b.seats_activity_unknown:,} of unknown activity (not judged)"
    if b.projected_savings:
        base = ("" if b.currency == b.base_currency else
                f" = {base_text(b.projected_savings_base, b.base_currency)}"
                if b.projected_savings_base is not None
                else f" (no rate from {b.currency} to {b.base_currency})")
        savings = f"{_money(b.projected_savings, b.currency)} a year{base}"
    elif b.recommended_seats is None:
        savings = "none: no cut is recommended without knowing the seats' use"
    else:
        savings = "none: keep the seat count" if b.pricing == "per_seat" else (
            "none: a flat fee does not shrink with fewer seats")
    if b.previous_term_id is None:
        price = "no previous term recorded"
    elif b.price_change is None:
        price = ("pricing model changed: not comparable" if b.previous_annual_price is None
                 or b.previous_currency == b.currency else
                 f"cannot compare: no rate for {', '.join(b.missing_rates) or 'a currency'}")
    else:
        unit = "per seat a year" if b.pricing == "per_seat" else "a year"
        before = _money(b.previous_annual_price, b.previous_currency or b.currency)
        price = (f"{'+' if b.price_change > 0 else ''}{_money(b.price_change, b.currency)} "
                 f"{unit} ({'+' if (b.price_change_pct or 0) > 0 else ''}"
                 f"{_pct(b.price_change_pct)}; was {before})")
    lines = []
    if b.over_allocated and b.seats_held is not None:
        lines.append((OVER_ALLOCATED, f"{plural(b.seats_held, 'seat')} held, "
                                      f"{b.seats_held - b.seats_over:,} purchased: "
                                      f"{plural(b.seats_over, 'seat')} more than the terms "
                                      "cover (the vendor may bill a true-up)"))
    lines += [
        ("Seats", seats),
        ("Not used", unused),
        ("Recommended", _recommended(b)),
        ("Annual cost", f"{_money(b.annual_cost, b.currency)} now → "
                        f"{_money(b.projected_annual_cost, b.currency)} at the recommended count"
         if b.recommended_seats is not None
         else f"{_money(b.annual_cost, b.currency)} (unchanged: nothing to recommend)"),
        ("Projected savings", savings),
        ("Price change", price),
    ]
    if b.missing_rates:
        lines.append(("Missing rates", f"no rate from {', '.join(b.missing_rates)} to "
                                       f"{b.base_currency}: amounts in {b.base_currency} "
                                       "are left out"))
    return lines


OVER_ALLOCATED = "Over-allocated"


class BriefPanel(QFrame):
    """One term's brief; `values` maps each line's label to its QLabel (tests read them)."""

    def __init__(self, brief: RightsizingBrief, parent: QWidget | None = None,
                 overlaps: Sequence[str] = ()) -> None:
        super().__init__(parent)
        self.brief = brief
        self.setObjectName("card")
        self.setStyleSheet("QFrame#card { border-left: 4px solid #2563eb; }")
        days = brief.days_to_cancel_by or 0
        when = "today" if days == 0 else f"in {plural(days, 'day')}"
        self.heading = QLabel(
            f"<b>Rightsizing brief: {brief.tool} {brief.plan}</b> — cancel by "
            f"{date_text(brief.cancel_by)} ({when}); renews {date_text(brief.renewal_date)}",
            self)
        self.heading.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.values: dict[str, QLabel] = {}
        lines = brief_lines(brief) + [("Overlap", text) for text in overlaps]
        for row, (label, text) in enumerate(lines):
            name = QLabel(label, self)
            name.setObjectName("figureTitle")
            value = QLabel(text, self)
            value.setWordWrap(True)
            if label == OVER_ALLOCATED:  # a flag, said in words and in colour
                name.setStyleSheet(f"color: {WARN}; font-weight: 600;")
                value.setStyleSheet(f"color: {WARN};")
            grid.addWidget(name, row, 0)
            grid.addWidget(value, row, 1)
            self.values[label] = value
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.heading)
        layout.addLayout(grid)
        layout.addStretch(1)  # spare height below the figures, not around the heading


def attach_to_dialog(dialog: FormDialog, term_id: int) -> None:
    """Loads the term's brief on a worker and, when it is due, shows it at the top of the
    dialog (`dialog.rightsizing`); outside the window nothing is added."""

    def work(ctx: ServiceContext, job: Job) -> tuple[RightsizingBrief, list[str]]:
        from stackadmin.services.seats.rightsizing import rightsizing_brief

        return rightsizing_brief(ctx, term_id), brief_overlaps(ctx, term_id)

    def done(result: tuple[RightsizingBrief, list[str]]) -> None:
        brief, overlaps = result
        if brief.due:
            panel = BriefPanel(brief, dialog, overlaps)
            _beside_form(dialog, panel)
            dialog.rightsizing = panel  # type: ignore[attr-defined]
            from stackadmin.ui.reminders.actions import attach_impact

            attach_impact(dialog.env, panel, brief.tool_id, brief.tool)

    # A brief that cannot be worked out must not stop anyone editing the term.
    dialog.env.run(work, done, lambda _exc: None, title="rightsizing brief",
                   key=f"brief:{id(dialog)}")


def _beside_form(dialog: QDialog, panel: BriefPanel) -> None:
    """Puts the panel to the right of the dialog's form: above it, the term form (already
    ~540 px tall) no longer fit a laptop screen and its wrapped hints overlapped."""
    layout = dialog.layout()
    if not isinstance(layout, QVBoxLayout):
        return
    fields = getattr(dialog, "scroll", None)  # a FormDialog's scrolling fields
    for n in range(layout.count()):
        item = layout.itemAt(n)
        form = item.layout()
        if isinstance(form, QFormLayout) or (fields is not None and item.widget() is fields):
            layout.takeAt(n)
            row = QHBoxLayout()
            if fields is not None and item.widget() is fields:
                row.addWidget(fields, 1)
            else:
                row.addLayout(form, 1)
            row.addSpacing(12)
            panel.setFixedWidth(400)
            row.addWidget(panel, 0, Qt.AlignmentFlag.AlignTop)
            layout.insertLayout(n, row, 1)
            break
    else:
        layout.insertWidget(0, panel)
    panel.show()  # a layout shows a late child only on a queued call
    hint = dialog.sizeHint()  # the form and the brief side by side, no wider
    dialog.resize(hint.width(), max(dialog.height(), hint.height()))


class BriefDialog(QDialog):
    """The briefs of several terms (a tool's due terms), in a non-modal window."""

    def __init__(self, title: str, briefs: Sequence[RightsizingBrief],
                 parent: QWidget | None = None,
                 overlaps: dict[int, list[str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self.panels = [BriefPanel(b, self, (overlaps or {}).get(b.term_id, ()))
                       for b in briefs]
        layout = QVBoxLayout(self)
        if not self.panels:
            layout.addWidget(QLabel("No term is within 90 days of its cancel-by date.", self))
        for panel in self.panels:
            layout.addWidget(panel)


def open_briefs(env: Env, parent: QWidget, tool: str, term_ids: Sequence[int]) -> None:
    """Works the briefs out on a worker, then opens them in a BriefDialog (not blocking)."""
    ids = list(term_ids)

    def work(ctx: ServiceContext, job: Job) -> tuple[list[RightsizingBrief],
                                                     dict[int, list[str]]]:
        from stackadmin.services.seats.rightsizing import rightsizing_brief

        briefs = [rightsizing_brief(ctx, i) for i in ids]
        return briefs, {b.term_id: brief_overlaps(ctx, b.term_id) for b in briefs if b.due}

    def done(result: tuple[list[RightsizingBrief], dict[int, list[str]]]) -> None:
        briefs, overlaps = result
        dialog = BriefDialog(f"Rightsizing: {tool}", [b for b in briefs if b.due], parent,
                             overlaps)
        parent.brief_dialog = dialog  # type: ignore[attr-defined]
        from stackadmin.ui.reminders.actions import attach_impact

        for panel in dialog.panels:
            attach_impact(env, panel, panel.brief.tool_id, panel.brief.tool)
        dialog.open()

    env.run(work, done, title="rightsizing brief")


def brief_overlaps(ctx: ServiceContext, term_id: int) -> list[str]:
    """The overlap sentence of a term's brief ("Miro renews in 40 days; 18 of its 19 active
    users also use FigJam"), from buying; on a worker."""
    from stackadmin.services.buying.overlaps import brief_notes

    return brief_notes(ctx, term_id)


def due_text(line: Any) -> str:
    """The Tools page's Rightsizing cell, short: the first due term's seats now → recommended
    and the days left to cancel-by (the tooltip says the rest)."""
    due = getattr(line, "rightsizing", ())
    if not due:
        return ""
    first = due[0]
    if first.recommended_seats is None:
        seats = "keep (unknown use)"
    elif first.seats_purchased is not None:
        seats = f"{first.seats_purchased:,} → {first.recommended_seats:,}"
    else:
        seats = f"→ {first.recommended_seats:,}"
    more = f" +{len(due) - 1}" if len(due) > 1 else ""
    return f"{seats}, {first.days_left} d{more}"


def due_tip(line: Any) -> str:
    due = getattr(line, "rightsizing", ())
    return "\n".join(
        f"{d.plan}: cancel by {date_text(d.cancel_by)} ({plural(d.days_left, 'day')}); "
        + ("no recommendation: activity unknown or no seat data"
           if d.recommended_seats is None else
           f"{d.seats_active:,} active, recommended {d.recommended_seats:,}"
           + (f" of {d.seats_purchased:,} purchased" if d.seats_purchased is not None
              else ""))
        for d in due) or "No term within 90 days of its cancel-by date"
