"""Feedback: how satisfied people are with each tool in a survey round (lowest first), how
that moved since the round before, and what the tool costs; a tool's trend and comments on
the right. Rounds are imported from a form's CSV export or typed in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from stackadmin.domain.scorecard import rounded
from stackadmin.ui.buying.feedback_section import FEEDBACK, ToolFeedbackSection, score_text
from stackadmin.ui.filedialogs import PathAsker, PathRequest, ask_with_dialog, last_dir
from stackadmin.ui.fmt import base_amount, base_text, date_text
from stackadmin.ui.pages.base import Shown, TablePage
from stackadmin.ui.tablemodel import Column

if TYPE_CHECKING:
    from stackadmin.services.buying.feedback import FeedbackReport, ToolSatisfaction
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.tasks import Job


def _trend(t: ToolSatisfaction) -> str:
    return " → ".join(score_text(r.average) for r in t.trend)


def _columns() -> list[Column[ToolSatisfaction]]:
    return [
        Column("Tool", lambda t: t.tool, width=160),
        Column("Score", lambda t: score_text(t.average), key=lambda t: t.average,
               export=lambda t: rounded(t.average), numeric=True, width=60,
               warn=lambda t: t.average < 3,
               tooltip=lambda t: f"Mean of {t.responses} scores out of 5"),
        Column("Change", lambda t: "" if t.change is None else
               f"{'+' if t.change > 0 else ''}{score_text(t.change)}",
               key=lambda t: t.change, export=lambda t: rounded(t.change), numeric=True,
               width=64, searchable=False,
               warn=lambda t: t.change is not None and t.change < 0,
               tooltip=lambda t: "Since the round before" if t.change is not None
               else "Not rated in an earlier round"),
        Column("Answers", lambda t: f"{t.responses:,}", key=lambda t: t.responses,
               numeric=True, width=62, searchable=False),
        Column("1–2", lambda t: f"{t.low_scores:,}", key=lambda t: t.low_scores, numeric=True,
               width=40, searchable=False, tooltip=lambda t: "People who gave it 1 or 2"),
        Column("Trend", _trend, width=120, searchable=False, hidden=True),
        Column("Annual cost", lambda t: base_text(t.annual_cost_base, t.base_currency)
               if t.annual_cost_base is not None else "unknown",
               export=lambda t: base_amount(t.annual_cost_base, t.base_currency),
               key=lambda t: t.annual_cost_base, numeric=True, searchable=False),
    ]


class FeedbackPage(TablePage):
    title = "Feedback"
    icon = "feedback"
    reload_on: ClassVar[frozenset[str]] = frozenset({FEEDBACK, "tool", "term", "setting"})
    columns = _columns()
    search_hint = "Search tools"
    default_sort: ClassVar[tuple[int, Qt.SortOrder]] = (1, Qt.SortOrder.AscendingOrder)

    def __init__(self, env: Any, parent: Any = None) -> None:
        super().__init__(env, parent)
        self.report: FeedbackReport | None = None
        self._next_round: str | None = None  # a round just imported: shown next
        self.ask_path: PathAsker = ask_with_dialog
        self.add_action("Import CSV…", "import", self.import_csv)
        self.round_box = QComboBox(self)
        self.round_box.setMinimumWidth(180)
        self.round_box.activated.connect(lambda _n: self.load())
        self.note = QLabel(self)
        self.note.setObjectName("count")
        self.note.setWordWrap(True)  # at 1024 pixels it shares the line with the rounds
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 4, 0, 4)
        bar.addWidget(QLabel("Round", self))
        bar.addWidget(self.round_box)
        bar.addWidget(self.note, 1)
        self.extra_layout.addLayout(bar)
        self.section = ToolFeedbackSection(env, None, self)
        self.section.setMinimumWidth(300)
        # The tools beside the chosen tool's answers.
        outer = self.layout()
        outer.removeWidget(self.table)  # type: ignore[attr-defined]
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.table, 3)
        row.addWidget(self.section, 2)
        outer.addLayout(row, 1)  # type: ignore[attr-defined]
        self.table.selection_changed.connect(self._selected)

    def load(self) -> None:
        wanted = self._next_round or self.round_box.currentText() or None
        self._next_round = None
        prepare = self.prepare()

        def work(ctx: ServiceContext, job: Job) -> tuple[Any, Shown]:
            from stackadmin.services.buying.feedback import report

            rep = report(ctx, wanted)
            return rep, prepare(rep.tools)

        def done(result: tuple[FeedbackReport, Shown]) -> None:
            self.report = result[0]
            self._rounds(result[0])
            self._show_rows(result[1])
            if self.current_row() is None and self.model.shown:
                self.view.selectRow(0)

        self.env.run(work, done, title="loading feedback", key=f"load:{self.key}")

    def _rounds(self, rep: FeedbackReport) -> None:
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems([r.name for r in reversed(rep.rounds)])
        if rep.round is not None:
            self.round_box.setCurrentText(rep.round.name)
        self.round_box.blockSignals(False)
        r = rep.round
        self.note.setText("No feedback yet: import a round from a form's CSV export."
                          if r is None else
                          f"held {date_text(r.held_on)}: {r.responses:,} answers from "
                          f"{r.people:,} people on {r.tools:,} tools; lowest rated first")

    def _selected(self) -> None:
        row = self.current_row()
        self.section.set_tool(None if row is None else row.tool_id)

    def import_csv(self) -> None:
        request = PathRequest("Import a feedback round", last_dir(self.env.settings),
                              save=False)
        self.ask_path(self, request, self.open_file)

    def open_file(self, path: str) -> None:
        if not path:
            return
        rounds = [self.round_box.itemText(n) for n in range(self.round_box.count())]

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.buying.feedback_import import read_columns

            return read_columns(ctx, path)

        def done(columns: Any) -> None:
            from stackadmin.ui.buying.feedback_import import FeedbackImportDialog

            self.import_dialog = FeedbackImportDialog(self.env, path, columns, rounds, self)
            self.import_dialog.imported.connect(self._imported)
            self.import_dialog.open()

        self.env.run(work, done)

    def _imported(self, result: Any) -> None:
        self._next_round = result.round

    def apply_target(self, target: object) -> None:
        """{"tool_id": n} selects that tool (its answers beside the table)."""
        super().apply_target(target)
        if isinstance(target, dict) and "tool_id" in target:
            self.select_where(lambda t: t.tool_id == target["tool_id"])
