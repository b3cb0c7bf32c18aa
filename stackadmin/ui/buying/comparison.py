"""The comparison view: candidates side by side (per-criterion averages, weighted total, the
spread between evaluators, the quoted annual cost in the base currency) as a table and as a
chart of the weighted totals with the spread visible."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.buying.score_chart import WIDE_SPREAD, ChartBar, ScoreChart
from stackadmin.ui.fmt import base_text, date_text, money_text
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.domain.scorecard import Criterion, CriterionResult
    from stackadmin.services.buying.evaluations import CandidateScore, EvaluationReport


def score_text(value: Decimal | None) -> str:
    from stackadmin.domain.scorecard import rounded

    shown = rounded(value)
    return "—" if shown is None else f"{shown}"


def _criterion(c: CandidateScore, key: str) -> CriterionResult | None:
    return next((r for r in c.result.criteria if r.key == key), None)


def _disagree(c: CandidateScore, key: str) -> bool:
    """Two evaluators two points or more apart on one criterion: worth a conversation."""
    found = _criterion(c, key)
    return found is not None and (found.spread or 0) >= 2


def _criterion_tip(c: CandidateScore, criterion: Criterion) -> str:
    found = _criterion(c, criterion.key)
    if found is None or found.mean is None:
        return f"Nobody scored {criterion.label.lower()} yet"
    notes = [f"{s.evaluator}: {s.score}" + (f" ({s.note})" if s.note else "")
             for s in c.scores if s.criterion == criterion.key]
    spread = (f"; evaluators {found.low} to {found.high}" if found.spread else "")
    return (f"{criterion.label} (weight {criterion.weight}): mean of {found.count} "
            f"score{'s' if found.count != 1 else ''}{spread}\n" + "\n".join(notes))


def _cost_text(c: CandidateScore, base: str) -> str:
    if c.annual_cost_base is not None:
        return base_text(c.annual_cost_base, base)
    if c.missing_rate:
        return f"no {c.missing_rate} rate"
    return "no quote"


def _cost_tip(c: CandidateScore) -> str:
    if c.quote is None:
        return "No quote recorded"
    return f"{c.quote.describe()} = {money_text(c.quote.annual_cost)} a year"


def _spread_tip(c: CandidateScore) -> str:
    totals = c.result.evaluator_totals
    if not totals:
        return "Not scored yet"
    return "Each evaluator's own weighted total:\n" + "\n".join(
        f"{who}: {score_text(value)}" for who, value in totals.items())


def columns(criteria: tuple[Criterion, ...], base: str) -> list[Column[CandidateScore]]:
    out: list[Column[CandidateScore]] = [
        Column("Candidate", lambda c: ("✓ " if c.chosen else "") + c.name, width=150,
               tooltip=lambda c: "In the inventory" if c.tool_id else "A new tool"),
    ]
    for criterion in criteria:
        out.append(Column(
            f"{criterion.key.replace('_', ' ').capitalize()}\n{criterion.weight}",
            lambda c, k=criterion.key: score_text(c.result.mean(k)),
            key=lambda c, k=criterion.key: c.result.mean(k), numeric=True, width=92,
            tooltip=lambda c, cr=criterion: _criterion_tip(c, cr),
            warn=lambda c, k=criterion.key: _disagree(c, k)))
    out += [
        Column("Weighted\ntotal", lambda c: score_text(c.result.weighted_total),
               key=lambda c: c.result.weighted_total, numeric=True, width=100,
               tooltip=lambda c: ("Left out (nobody scored them): "
                                  + ", ".join(c.result.left_out)
                                  + "; the other weights rescaled") if c.result.left_out
               else "Σ weight × mean / 100"),
        Column("Spread", lambda c: score_text(c.result.spread), key=lambda c: c.result.spread,
               numeric=True, width=64, tooltip=_spread_tip,
               warn=lambda c: (c.result.spread or 0) >= WIDE_SPREAD),
        Column("Scored\nby", lambda c: str(c.result.evaluators), numeric=True, width=60,
               key=lambda c: c.result.evaluators),
        Column(f"Annual cost\n({base})", lambda c: _cost_text(c, base),
               key=lambda c: c.annual_cost_base, numeric=True, tooltip=_cost_tip),
    ]
    return out


class ComparisonView(QWidget):
    """`show_report(report)`; `model` holds the candidates (best total first), `chart`
    their bars, `notes` what was left out and the decision."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: EvaluationReport | None = None
        self.model: RowTableModel[CandidateScore] = RowTableModel([], self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(26)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setMinimumHeight(80)
        self.chart = ScoreChart(self)
        self.notes = QLabel(self)
        self.notes.setWordWrap(True)
        self.notes.setObjectName("count")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addWidget(self.chart)
        layout.addWidget(self.notes)
        layout.addStretch(1)

    def show_report(self, report: EvaluationReport) -> None:
        self.report = report
        model: RowTableModel[CandidateScore] = RowTableModel(
            columns(report.criteria, report.base_currency), self)
        model.set_rows(report.candidates)
        old, self.model = self.model, model
        self.view.setModel(model)
        old.deleteLater()
        header = self.view.horizontalHeader()
        # The figures take what they need, the names the rest: no sideways scrolling.
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = max(len(report.candidates), 1)
        self.view.setFixedHeight(header.sizeHint().height()
                                 + self.view.verticalHeader().defaultSectionSize() * rows
                                 + 2 * self.view.frameWidth() + 2)
        self.chart.set_bars([
            ChartBar(c.name, None if c.result.weighted_total is None
                     else float(c.result.weighted_total),
                     tuple(float(v) for v in c.result.evaluator_totals.values()),
                     "not scored" if c.result.weighted_total is None else
                     f"{score_text(c.result.weighted_total)} · spread "
                     f"{score_text(c.result.spread)}", c.chosen)
            for c in report.candidates])
        self.notes.setText(notes_text(report))

    def selected(self) -> CandidateScore | None:
        indexes = self.view.selectionModel().selectedRows()
        return self.model.row_at(indexes[0].row()) if indexes else None


def notes_text(report: EvaluationReport) -> str:
    lines = []
    for c in report.candidates:
        if c.result.left_out and c.result.weighted_total is not None:
            labels = {cr.key: cr.label.lower() for cr in report.criteria}
            lines.append(f"{c.name}: nobody scored "
                         f"{', '.join(labels.get(k, k) for k in c.result.left_out)}; left "
                         "out, the other weights rescaled to make up the total.")
        if c.missing_rate:
            lines.append(f"{c.name}: no exchange rate from {c.missing_rate} to "
                         f"{report.base_currency}: its annual cost in {report.base_currency} "
                         "is unknown.")
    if report.decision is not None:
        d = report.decision
        lines.append(f"Decided {date_text(d.decided_at)} by {d.decided_by}: "
                     f"{d.candidate} — {d.rationale}")
    if any(_disagree(c, k.key) for c in report.candidates for k in report.criteria):
        lines.append("In red: evaluators two or more points apart on that criterion (or a "
                     "point apart overall): worth a conversation.")
    weights = ", ".join(f"{c.key} {c.weight}" for c in report.criteria)
    lines.append(f"Weights: {weights}. Evaluators: {', '.join(report.evaluators) or 'none yet'}.")
    return "\n".join(lines)
