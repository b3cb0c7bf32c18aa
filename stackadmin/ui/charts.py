"""A small bar chart painted with QPainter (no chart library to import at start-up); a click
on a bar emits its index so the dashboard can open the rows behind it. The value axis names
its unit (the currency) and a column chart's labels carry their group (the year) where it
changes, so "Jan" is never read without its year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

BAR = QColor("#3b82f6")
BAR_HOVER = QColor("#60a5fa")


@dataclass(frozen=True, slots=True)
class Canvas:
    """What a chart paints with: an antialiased painter on the widget, the palette's text,
    muted and grid colours (so dark mode gets light ink), and the font's metrics."""

    widget: QWidget
    painter: QPainter
    text: QColor
    muted: QColor
    grid: QColor
    metrics: QFontMetrics

    def say(self, message: str) -> None:
        """The chart's one line in place of a chart (nothing to draw yet), centred, muted."""
        self.painter.setPen(self.muted)
        self.painter.drawText(self.widget.rect(), Qt.AlignmentFlag.AlignCenter, message)


def canvas(widget: QWidget) -> Canvas:
    """A Canvas on `widget`, for its paintEvent."""
    painter = QPainter(widget)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    palette = widget.palette()
    return Canvas(widget, painter, palette.color(QPalette.ColorRole.WindowText),
                  palette.color(QPalette.ColorRole.PlaceholderText),
                  palette.color(QPalette.ColorRole.Mid), QFontMetrics(widget.font()))


class BarChart(QWidget):
    """Horizontal bars (label left, value right) or vertical columns (labels below)."""

    bar_clicked = Signal(int)

    def __init__(self, *, horizontal: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontal = horizontal
        self.labels: list[str] = []
        self.values: list[float] = []  # for drawing only; the text shows exact amounts
        self.texts: list[str] = []
        self.short_texts: list[str] = []
        self.groups: list[str] = []  # under the labels (a column chart), where they change
        self.unit = ""  # what the values are in, e.g. "USD": drawn at the value axis
        self._bars: list[QRectF] = []
        self._hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(160 if horizontal else 175)

    def set_data(self, labels: Sequence[str], values: Sequence[float],
                 texts: Sequence[str], *, groups: Sequence[str] = (), unit: str = "") -> None:
        self.labels, self.values, self.texts = list(labels), list(values), list(texts)
        self.groups = list(groups)
        self.unit = unit
        self.short_texts = [_short(v) for v in self.values]
        self._bars = []
        if self.horizontal:
            self.setFixedHeight(max(60, 22 * len(self.labels) + 8))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, max(180, 24 * len(self.labels) + 8) if self.horizontal else 220)

    def paintEvent(self, event: QPaintEvent) -> None:
        ink = canvas(self)
        painter, text_colour, muted, metrics = ink.painter, ink.text, ink.muted, ink.metrics
        self._bars = []
        if not self.values:
            ink.say("Nothing to show yet")
            return
        top = max(self.values) or 1.0
        if self.horizontal:
            label_w = min(max(metrics.horizontalAdvance(s) for s in self.labels) + 12,
                          self.width() // 3)
            text_w = max(metrics.horizontalAdvance(s) for s in self.texts) + 12
            room = max(self.width() - label_w - text_w - 8, 10)
            row_h = min(22, max((self.height() - 8) // max(len(self.values), 1), 14))
            for n, (label, value, text) in enumerate(zip(self.labels, self.values, self.texts,
                                                         strict=True)):
                y = 4 + n * row_h
                painter.setPen(text_colour)
                elided = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_w - 8)
                painter.drawText(QRectF(0, y, label_w - 8, row_h),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 elided)
                bar = QRectF(label_w, y + 4, max(room * value / top, 2), row_h - 8)
                self._bars.append(QRectF(0, y, self.width(), row_h))
                painter.fillRect(bar, BAR_HOVER if n == self._hover else BAR)
                painter.drawText(QRectF(bar.right() + 6, y, text_w, row_h),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            return
        lines = 2 if self.groups else 1
        label_h = lines * metrics.height() + 6
        unit_h = metrics.height() + 2 if self.unit else 0
        chart_h = max(self.height() - label_h - metrics.height() - 8 - unit_h, 10)
        if self.unit:
            painter.setPen(muted)
            painter.drawText(QRectF(0, 0, self.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.unit)
        slot = self.width() / len(self.values)
        for n, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            x = n * slot
            h = chart_h * value / top
            bar = QRectF(x + slot * 0.18, unit_h + metrics.height() + 4 + chart_h - h,
                         slot * 0.64, max(h, 1))
            self._bars.append(QRectF(x, 0, slot, self.height()))
            painter.fillRect(bar, BAR_HOVER if n == self._hover else BAR)
            painter.setPen(muted)
            painter.drawText(QRectF(x, self.height() - label_h, slot, metrics.height() + 6),
                             Qt.AlignmentFlag.AlignCenter, label)
            group = self.groups[n] if n < len(self.groups) else ""
            if group and (n == 0 or self.groups[n - 1] != group):
                painter.drawText(QRectF(x, self.height() - metrics.height() - 2, slot * 2,
                                        metrics.height()),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                                 f" {group}")
            painter.setPen(text_colour)
            short = self.short_texts[n] if n < len(self.short_texts) else ""
            painter.drawText(QRectF(x, bar.top() - metrics.height() - 2, slot,
                                    metrics.height()), Qt.AlignmentFlag.AlignCenter, short)

    def bar_at(self, point: QPointF) -> int:
        for n, rect in enumerate(self._bars):
            if rect.contains(point):
                return n
        return -1

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.bar_at(event.position())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(Qt.CursorShape.PointingHandCursor if hover >= 0
                           else Qt.CursorShape.ArrowCursor)
            if hover >= 0:
                QToolTip.showText(event.globalPosition().toPoint(),
                                  f"{self.labels[hover]}: {self.texts[hover]} — click for the "
                                  "rows behind it", self)
            self.update()

    def leaveEvent(self, event: object) -> None:
        self._hover = -1
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        n = self.bar_at(event.position())
        if n >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(n)


def _short(value: float) -> str:
    """12.3k, 1.2M: a label that fits above a column (the tooltip has the exact amount)."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{value / 1_000:.0f}k" if value >= 10_000 else f"{value / 1_000:.1f}k"
    return f"{value:.0f}" if value else ""


class TrendChart(QWidget):
    """Lines over days (e.g. seats purchased and active over 12 months), painted with
    QPainter; days without a value are gaps, never drawn as zero."""

    COLOURS = ("#9ca3af", "#2563eb", "#16a34a")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[object] = []  # datetime.date, oldest first
        self.series: list[tuple[str, list[float | None]]] = []
        self.caption = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(170)

    def set_data(self, days: Sequence[object], series: Sequence[tuple[str, Sequence[
            float | None]]], caption: str = "") -> None:
        self.days = list(days)
        self.series = [(name, list(values)) for name, values in series]
        self.caption = caption
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 170)

    def paintEvent(self, event: QPaintEvent) -> None:
        ink = canvas(self)
        painter, text, muted, metrics = ink.painter, ink.text, ink.muted, ink.metrics
        values = [v for _n, vs in self.series for v in vs if v is not None]
        if not self.days or not values:
            ink.say(self.caption or "No snapshot yet: history starts today")
            return
        top = max(values) or 1.0
        left, bottom = metrics.horizontalAdvance(f"{top:,.0f}") + 8, metrics.height() * 2 + 6
        chart = QRectF(left, 6, max(self.width() - left - 8, 10),
                       max(self.height() - bottom - 6, 10))
        painter.setPen(muted)
        painter.drawLine(chart.bottomLeft(), chart.bottomRight())
        painter.drawText(QRectF(0, chart.top() - 2, left - 4, metrics.height()),
                         Qt.AlignmentFlag.AlignRight, f"{top:,.0f}")
        painter.drawText(QRectF(0, chart.bottom() - metrics.height(), left - 4,
                                metrics.height()), Qt.AlignmentFlag.AlignRight, "0")
        count = len(self.days)
        step = chart.width() / max(count - 1, 1)
        for n, (_name, series) in enumerate(self.series):
            pen = QPen(QColor(self.COLOURS[n % len(self.COLOURS)]), 2)
            painter.setPen(pen)
            previous: QPointF | None = None
            for i, value in enumerate(series):
                if value is None:
                    previous = None
                    continue
                point = QPointF(chart.left() + i * step if count > 1 else chart.center().x(),
                                chart.bottom() - chart.height() * value / top)
                if previous is not None:
                    painter.drawLine(previous, point)
                painter.drawEllipse(point, 2.5, 2.5)
                previous = point
        painter.setPen(muted)
        first, last = str(self.days[0]), str(self.days[-1])
        y = chart.bottom() + 2
        painter.drawText(QRectF(chart.left(), y, chart.width() / 2, metrics.height()),
                         Qt.AlignmentFlag.AlignLeft, first)
        if count > 1:
            painter.drawText(QRectF(chart.center().x(), y, chart.width() / 2,
                                    metrics.height()), Qt.AlignmentFlag.AlignRight, last)
        x = chart.left()
        y += metrics.height() + 2
        for n, (name, _s) in enumerate(self.series):
            painter.fillRect(QRectF(x, y + metrics.height() / 2 - 2, 14, 4),
                             QColor(self.COLOURS[n % len(self.COLOURS)]))
            painter.setPen(text)
            painter.drawText(QPointF(x + 18, y + metrics.ascent()), name)
            x += 18 + metrics.horizontalAdvance(name) + 16
