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

from stackadmin.ui.fmt import base_text, date_text, int_text, money_text

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


def brief_lines(b: RightsizingBrief) -> list[tuple[str, str]]:
    """(label, value) lines of a brief, in words; money rounded once, here."""
    from stackadmin.services.seats.savings import reason_words

    reasons = ", ".join(f"{n} {reason_words(r)}" for r, n in sorted(b.unused_by_reason.items()))
    seats = (f"{int_text(b.seats_purchased) if b.seats_purchased is not None else 'no count'} "
             f"purchased · {b.seats_held:,} held · {b.seats_active:,} active")
    if b.utilization_pct is not None:
        seats += f" ({_pct(b.utilization_pct)} used)"
    if b.over_allocated:
        seats += " · more seats held than purchased"
    unused = f"{b.seats_unused:,} unused" + (f" ({reasons})" if reasons else "")
    unused += f" · {b.seats_unassigned:,} unassigned"
    if b.seats_activity_unknown:
        unused += f" · {b.seats_activity_unknown:,} with activity unknown (not judged)"
    change = "" if b.seat_change is None else (
        f" ({b.seat_change:+,} from {b.seats_purchased:,})" if b.seat_change else " (no change)")
    if b.projected_savings:
        base = ("" if b.currency == b.base_currency else
                f" = {base_text(b.projected_savings_base, b.base_currency)}"
                if b.projected_savings_base is not None
                else f" (no rate from {b.currency} to {b.base_currency})")
        savings = f"{_money(b.projected_savings, b.currency)} a year{base}"
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
    lines = [
        ("Seats", seats),
        ("Not used", unused),
        ("Recommended", f"{b.recommended_seats:,} seats at renewal{change}: active seats plus "
                        "headroom, never below the exempt seats"),
        ("Annual cost", f"{_money(b.annual_cost, b.currency)} now → "
                        f"{_money(b.projected_annual_cost, b.currency)} at the recommended count"),
        ("Projected savings", savings),
        ("Price change", price),
    ]
    if b.missing_rates:
        lines.append(("Missing rates", f"no rate from {', '.join(b.missing_rates)} to "
                                       f"{b.base_currency}: amounts in {b.base_currency} "
                                       "are left out"))
    return lines


class BriefPanel(QFrame):
    """One term's brief; `values` maps each line's label to its QLabel (tests read them)."""

    def __init__(self, brief: RightsizingBrief, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.brief = brief
        self.setObjectName("card")
        self.setStyleSheet("QFrame#card { border-left: 4px solid #2563eb; }")
        days = brief.days_to_cancel_by or 0
        when = "today" if days == 0 else f"in {days} days"
        self.heading = QLabel(
            f"<b>Rightsizing brief: {brief.tool} {brief.plan}</b> — cancel by "
            f"{date_text(brief.cancel_by)} ({when}); renews {date_text(brief.renewal_date)}",
            self)
        self.heading.setWordWrap(True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        self.values: dict[str, QLabel] = {}
        for row, (label, text) in enumerate(brief_lines(brief)):
            name = QLabel(label, self)
            name.setObjectName("figureTitle")
            value = QLabel(text, self)
            value.setWordWrap(True)
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

    def work(ctx: ServiceContext, job: Job) -> RightsizingBrief:
        from stackadmin.services.seats.rightsizing import rightsizing_brief

        return rightsizing_brief(ctx, term_id)

    def done(brief: RightsizingBrief) -> None:
        if brief.due:
            panel = BriefPanel(brief, dialog)
            _beside_form(dialog, panel)
            dialog.rightsizing = panel  # type: ignore[attr-defined]

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
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self.panels = [BriefPanel(b, self) for b in briefs]
        layout = QVBoxLayout(self)
        if not self.panels:
            layout.addWidget(QLabel("No term is within 90 days of its cancel-by date.", self))
        for panel in self.panels:
            layout.addWidget(panel)


def open_briefs(env: Env, parent: QWidget, tool: str, term_ids: Sequence[int]) -> None:
    """Works the briefs out on a worker, then opens them in a BriefDialog (not blocking)."""
    ids = list(term_ids)

    def work(ctx: ServiceContext, job: Job) -> list[RightsizingBrief]:
        from stackadmin.services.seats.rightsizing import rightsizing_brief

        return [rightsizing_brief(ctx, i) for i in ids]

    def done(briefs: list[RightsizingBrief]) -> None:
        dialog = BriefDialog(f"Rightsizing: {tool}", [b for b in briefs if b.due], parent)
        parent.brief_dialog = dialog  # type: ignore[attr-defined]
        dialog.open()

    env.run(work, done, title="rightsizing brief")


def due_text(line: Any) -> str:
    """The Tools page's Rightsizing cell, short: the first due term's seats now → recommended
    and the days left to cancel-by (the tooltip says the rest)."""
    due = getattr(line, "rightsizing", ())
    if not due:
        return ""
    first = due[0]
    seats = (f"{first.seats_purchased:,} → {first.recommended_seats:,}"
             if first.seats_purchased is not None else f"→ {first.recommended_seats:,}")
    more = f" +{len(due) - 1}" if len(due) > 1 else ""
    return f"{seats}, {first.days_left} d{more}"


def due_tip(line: Any) -> str:
    due = getattr(line, "rightsizing", ())
    return "\n".join(
        f"{d.plan}: cancel by {date_text(d.cancel_by)} ({d.days_left} days); "
        f"{d.seats_active:,} active, recommended {d.recommended_seats:,}"
        + (f" of {d.seats_purchased:,} purchased" if d.seats_purchased is not None else "")
        for d in due) or "No term within 90 days of its cancel-by date"
