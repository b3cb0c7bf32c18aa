"""A tool's satisfaction, for any page that shows a tool: its average in the latest round it
was rated in, the trend across rounds (a small chart), and what people said, lowest scores
first. `ToolFeedbackSection(env, tool_id)` loads itself on a worker and reloads on feedback."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.charts import BAR, canvas
from stackadmin.ui.dialogs import Field, FormDialog

if TYPE_CHECKING:
    from stackadmin.domain.feedback import RoundScore
    from stackadmin.services.buying.feedback import ToolFeedback
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

FEEDBACK = "feedback"  # the env.data_changed entity


def score_text(value: Decimal | None) -> str:
    from stackadmin.domain.scorecard import rounded

    shown = rounded(value)
    return "—" if shown is None else f"{shown}"


class TrendChart(QWidget):
    """A tool's average per round on the 1–5 scale, oldest round left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[RoundScore] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(120)

    def set_points(self, points: Sequence[RoundScore]) -> None:
        self.points = list(points)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(320, 120)

    def paintEvent(self, event: QPaintEvent) -> None:
        ink = canvas(self)
        painter, text, muted, grid, metrics = (ink.painter, ink.text, ink.muted, ink.grid,
                                               ink.metrics)
        if not self.points:
            ink.say("No feedback yet")
            return
        left, right = 22.0, float(self.width() - 12)
        top, bottom = 8.0, float(self.height() - metrics.height() - 8)

        def y(value: float) -> float:
            return bottom - (bottom - top) * (value - 1) / 4

        for score in (1, 3, 5):
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(left, y(score)), QPointF(right, y(score)))
            painter.setPen(muted)
            painter.drawText(QRectF(0, y(score) - 8, left - 4, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             str(score))
        step = (right - left) / max(len(self.points), 1)
        xs = [left + step * (n + 0.5) for n in range(len(self.points))]
        ys = [y(float(p.average)) for p in self.points]
        painter.setPen(QPen(BAR, 2))
        for n in range(1, len(xs)):
            painter.drawLine(QPointF(xs[n - 1], ys[n - 1]), QPointF(xs[n], ys[n]))
        painter.setBrush(BAR)
        for n, point in enumerate(self.points):
            painter.setPen(QPen(BAR, 1))
            painter.drawEllipse(QPointF(xs[n], ys[n]), 4, 4)
            painter.setPen(text)
            painter.drawText(QRectF(xs[n] - step / 2, ys[n] - metrics.height() - 6, step,
                                    metrics.height()), Qt.AlignmentFlag.AlignCenter,
                             score_text(point.average))
            painter.setPen(muted)
            painter.drawText(QRectF(xs[n] - step / 2, bottom + 4, step, metrics.height()),
                             Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText(point.round, Qt.TextElideMode.ElideRight,
                                                int(step) - 4))


class ToolFeedbackSection(QFrame):
    """Satisfaction with one tool. `set_tool(tool_id)` shows another; `loaded` is emitted
    once the data is shown (tests, pages)."""

    loaded = Signal()
    COMPACT_MOST = 220  # the comments' height at most, in a compact section

    def __init__(self, env: Env, tool_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.tool_id = tool_id
        # Compact (on a page of sections, the tool page): the comments are as tall as
        # they are, not as tall as the room there is.
        self.compact = False
        self.data: ToolFeedback | None = None
        self.setObjectName("card")
        title = QLabel("<b>Satisfaction</b>", self)
        self.add_button = QPushButton("Add feedback…", self)
        self.add_button.clicked.connect(self.add_feedback)
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.chart = TrendChart(self)
        self.comments = QTextBrowser(self)
        self.comments.setOpenLinks(False)
        self.comments.setMinimumHeight(90)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addWidget(self.chart)
        layout.addWidget(self.comments, 1)
        env.data_changed.connect(self._changed)
        if tool_id is not None:
            self.load()

    def set_tool(self, tool_id: int | None) -> None:
        self.tool_id = tool_id
        self.load()

    def _changed(self, entity: str) -> None:
        if entity in (FEEDBACK, "tool", "term", "*"):
            self.load()

    def load(self) -> None:
        tool_id = self.tool_id
        if tool_id is None or not self.env.ready:
            self._show(None)
            return

        def work(ctx: ServiceContext, job: Job) -> ToolFeedback:
            from stackadmin.services.buying.feedback import tool_feedback

            return tool_feedback(ctx, tool_id)

        self.env.run(work, self._show, key=f"feedback:{id(self)}")

    def _show(self, data: ToolFeedback | None) -> None:
        self.data = data
        self.add_button.setEnabled(data is not None)
        if data is None:
            self.headline.setText("Choose a tool to see what people think of it.")
            self.chart.set_points([])
            self.comments.clear()
            self.loaded.emit()
            return
        latest = data.latest
        if latest is None:
            self.headline.setText(f"Nobody has rated {escape(data.tool)} yet.")
        else:
            moved = "" if latest.change is None else (
                f", {'+' if latest.change > 0 else ''}{score_text(latest.change)} since "
                f"{escape(latest.trend[-2].round)}")
            cost = ""
            if latest.annual_cost_base is not None:
                from stackadmin.ui.fmt import base_text

                cost = f" · costs {base_text(latest.annual_cost_base, latest.base_currency)} " \
                       "a year"
            self.headline.setText(
                f"<span style='font-size:15pt; font-weight:600'>"
                f"{score_text(latest.average)}</span> / 5 from {latest.responses} "
                f"{'person' if latest.responses == 1 else 'people'} in "
                f"{escape(latest.round)}{moved}{cost}"
                + (f"<br>{latest.low_scores} gave it 1 or 2" if latest.low_scores else ""))
        self.chart.set_points(data.trend)
        said = [c for c in (latest.comments if latest else ()) if c.comment]
        self.comments.setHtml("".join(
            f"<p><b>{c.score}/5</b> {escape(c.comment or '')} "
            f"<span style='color:gray'>— {escape(c.email)}</span></p>" for c in said)
            or "<p style='color:gray'>No comments in this round.</p>")
        if self.compact:
            self._fit_comments()
        self.loaded.emit()

    def _fit_comments(self) -> None:
        document = self.comments.document()
        document.setTextWidth(self.comments.viewport().width())
        height = int(document.size().height()) + 2 * self.comments.frameWidth() + 4
        self.comments.setFixedHeight(max(60, min(height, self.COMPACT_MOST)))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.compact:
            self._fit_comments()

    def add_feedback(self) -> FormDialog | None:
        """Types in one person's score (the round is created when new)."""
        if self.data is None:
            return None
        tool = self.data.tool
        rounds = [r.round for r in self.data.trend]
        fields = [Field("round", "Round", kind="edit_choice", choices=list(reversed(rounds)),
                        words=("round",)),
                  Field("email", "Person (email)", words=("email",)),
                  Field("score", "Score", kind="choice", choices=("5", "4", "3", "2", "1"),
                        words=("score",)),
                  Field("comment", "Comment", kind="multiline", words=("comment",))]

        def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
            from stackadmin.services.buying.feedback import add_feedback

            return add_feedback(ctx, values.get("round") or "", tool, values.get("email") or "",
                                values.get("score") or "", values.get("comment") or None)

        dialog = FormDialog(self.env, f"Feedback on {tool}", fields,
                            {"round": rounds[-1] if rounds else "", "score": "4"}, save, self,
                            changed=FEEDBACK)
        dialog.open()
        return dialog
