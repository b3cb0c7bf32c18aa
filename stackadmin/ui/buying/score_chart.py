"""The comparison's chart: a bar per candidate for its weighted total on the 1–5 scale, and a
line across it from the lowest to the highest evaluator's own total (the spread), with a dot
for each evaluator. Painted with QPainter, like the dashboard's charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from stackadmin.ui.charts import BAR, canvas

CHOSEN = QColor("#16a34a")
WIDE = QColor("#d97706")  # a spread worth a conversation
SCALE = (1.0, 5.0)
WIDE_SPREAD = 1.0  # evaluators a whole point or more apart
ROW = 30


@dataclass(frozen=True, slots=True)
class ChartBar:
    label: str
    total: float | None  # None: not scored yet
    evaluators: tuple[float, ...]  # each evaluator's own total
    text: str  # shown right of the bar: "4.17 · spread 0.45"
    chosen: bool = False


class ScoreChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[ChartBar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(360)
        self._fit()

    def set_bars(self, bars: Sequence[ChartBar]) -> None:
        self.bars = list(bars)
        self._fit()
        self.update()

    def _fit(self) -> None:
        metrics = QFontMetrics(self.font())
        # The bars, the scale's numbers, two lines of legend.
        self.setFixedHeight(ROW * max(len(self.bars), 1) + 3 * metrics.lineSpacing() + 16)

    def sizeHint(self) -> QSize:
        return QSize(560, self.height())

    def _x(self, value: float, left: float, width: float) -> float:
        low, high = SCALE
        return left + width * (min(max(value, low), high) - low) / (high - low)

    def paintEvent(self, event: QPaintEvent) -> None:
        ink = canvas(self)
        painter, text, muted, grid, metrics = (ink.painter, ink.text, ink.muted, ink.grid,
                                               ink.metrics)
        if not self.bars:
            ink.say("No candidates yet")
            return
        label_w = min(max(metrics.horizontalAdvance(b.label) for b in self.bars) + 16,
                      self.width() // 4)
        text_w = max(metrics.horizontalAdvance(b.text) for b in self.bars) + 16
        left = float(label_w)
        width = max(float(self.width() - label_w - text_w - 8), 40.0)
        top = 4.0
        bottom = top + ROW * len(self.bars)
        # The scale: a line at each whole score, labelled below.
        for score in range(int(SCALE[0]), int(SCALE[1]) + 1):
            x = self._x(score, left, width)
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            painter.drawLine(QPointF(x, top), QPointF(x, bottom))
            painter.setPen(muted)
            painter.drawText(QRectF(x - 20, bottom + 2, 40, metrics.height()),
                             Qt.AlignmentFlag.AlignCenter, str(score))
        for n, bar in enumerate(self.bars):
            y = top + n * ROW
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w - 8, ROW),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight,
                                                label_w - 8))
            end = left
            if bar.total is not None:
                end = self._x(bar.total, left, width)
                painter.fillRect(QRectF(left, y + 7, max(end - left, 2), ROW - 14),
                                 CHOSEN if bar.chosen else BAR)
            if len(bar.evaluators) > 1:
                low, high = min(bar.evaluators), max(bar.evaluators)
                colour = WIDE if high - low >= WIDE_SPREAD else text
                x1, x2 = self._x(low, left, width), self._x(high, left, width)
                mid = y + ROW / 2
                painter.setPen(QPen(colour, 2))
                painter.drawLine(QPointF(x1, mid), QPointF(x2, mid))
                for x in (x1, x2):
                    painter.drawLine(QPointF(x, mid - 6), QPointF(x, mid + 6))
                painter.setBrush(colour)
                for value in bar.evaluators:
                    painter.drawEllipse(QPointF(self._x(value, left, width), mid), 3, 3)
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(text)
            painter.drawText(QRectF(left + width + 8, y, text_w, ROW),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             bar.text)
        painter.setPen(muted)
        painter.drawText(QRectF(0, bottom + metrics.height() + 8, self.width(),
                                2 * metrics.lineSpacing()),
                         Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
                         "Bar: weighted total (1–5). Line: lowest to highest evaluator's own "
                         "total (the spread), a dot per evaluator; orange when a point or more "
                         "apart.")
