"""A 12-month renewal timeline painted with QPainter: one lane per term, a diamond at the
cancel-by date, a dot at the renewal date, the span between them (too late to cancel) as a
bar, and a line for today. A click on a lane emits the term id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from stackadmin.ui.fmt import date_text, plural

MONTHS = 12
LANE_H = 24
HEADER_H = 46  # legend line + month names
LABEL_W = 230
MISSED = QColor("#dc2626")
SOON = QColor("#ea580c")  # cancel-by within 30 days, undecided
OPEN = QColor("#2563eb")
DECIDED = QColor("#6b7280")
SOON_DAYS = 30


def urgency_colour(days_left: int, decided: bool) -> QColor | None:
    """Red once the cancel-by date has passed undecided, orange within 30 days; else None."""
    if decided:
        return None
    if days_left < 0:
        return MISSED
    return SOON if days_left <= SOON_DAYS else None


@dataclass(frozen=True, slots=True)
class Mark:
    """One lane: what the timeline needs of a term's renewal (plain values)."""

    term_id: int
    label: str
    cancel_by: date
    renewal_date: date
    days_left: int
    decision: str  # "undecided", "renew", ...
    auto_renew: bool
    detail: str = ""  # extra tooltip lines (cost, owner)

    @property
    def decided(self) -> bool:
        return self.decision != "undecided"

    def colour(self) -> QColor:
        if self.decided:
            return DECIDED
        return urgency_colour(self.days_left, False) or OPEN


class RenewalTimeline(QWidget):
    """Months from the first of `today`'s month for 12 months. Lanes are given in order (the
    page passes them by cancel-by date); terms wholly outside the window are left out."""

    term_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = date.today()
        self.start = self.today.replace(day=1)
        self.end = self.start + relativedelta(months=MONTHS)
        self.marks: list[Mark] = []
        self.selected: int | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    # -- data ----------------------------------------------------------------------------
    def set_marks(self, marks: Sequence[Mark], today: date) -> None:
        self.today = today
        self.start = today.replace(day=1)
        self.end = self.start + relativedelta(months=MONTHS)
        # Past cancel-by dates show only while undecided (a missed deadline still matters).
        self.marks = [m for m in marks if m.cancel_by < self.end and (
            m.renewal_date >= self.start or (m.days_left < 0 and not m.decided))]
        self.setMinimumHeight(self._height())
        self.updateGeometry()
        self.update()

    def set_selected(self, term_id: int | None) -> None:
        self.selected = term_id
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, self._height())

    def _height(self) -> int:
        return HEADER_H + max(len(self.marks), 1) * LANE_H + 8

    # -- geometry ------------------------------------------------------------------------
    def _x(self, day: date) -> float:
        span = (self.end - self.start).days
        left, right = LABEL_W, self.width() - 12
        clamped = min(max(day, self.start), self.end)
        return left + (right - left) * (clamped - self.start).days / span

    def lane_at(self, point: QPointF) -> int:
        """The lane under a point, -1 for none (the header covers the lanes under it)."""
        if point.y() < self.header_top() + HEADER_H:
            return -1
        n = int((point.y() - HEADER_H) // LANE_H)
        return n if 0 <= n < len(self.marks) else -1

    # -- painting ------------------------------------------------------------------------
    def header_top(self) -> int:
        """Where the header is drawn: the top of the visible part, so it stays put while
        the lanes scroll under it (the scroll area repaints on every scroll)."""
        visible = self.visibleRegion().boundingRect()
        return 0 if visible.isEmpty() else max(visible.top(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        metrics = QFontMetrics(self.font())
        base = pal.color(QPalette.ColorRole.Base)
        painter.fillRect(self.rect(), base)
        self._paint_bands(painter, pal, HEADER_H - 4, self._height() - 8)
        if self.marks:
            first = max((event.rect().top() - HEADER_H) // LANE_H, 0)
            last = min((event.rect().bottom() - HEADER_H) // LANE_H + 1, len(self.marks) - 1)
            for n in range(first, last + 1):
                self._paint_lane(painter, metrics, n, self.marks[n], text, pal)
            today_x = self._x(self.today)
            painter.setPen(QPen(MISSED, 1.5, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(today_x, HEADER_H - 4),
                             QPointF(today_x, self._height() - 8))
        else:
            painter.setPen(muted)
            painter.drawText(QRectF(0, HEADER_H, self.width(), LANE_H * 2),
                             Qt.AlignmentFlag.AlignCenter,
                             "No cancel-by or renewal date in the next 12 months")
        # The header last, over whatever lanes scrolled under it.
        top = self.header_top()
        painter.fillRect(QRectF(0, top, self.width(), HEADER_H - 4), base)
        label_top = top + HEADER_H - metrics.height() - 10
        self._paint_bands(painter, pal, label_top, top + HEADER_H - 4)
        self._paint_legend(painter, metrics, text, top)
        self._paint_month_labels(painter, metrics, muted, label_top)
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(QPointF(0, top + HEADER_H - 4), QPointF(self.width(), top + HEADER_H - 4))

    def _paint_legend(self, painter: QPainter, metrics: QFontMetrics, text: QColor,
                      top: int) -> None:
        x = float(LABEL_W)
        y = top + 4.0
        h = metrics.height()
        items = [("diamond", OPEN, "cancel-by date"), ("dot", OPEN, "renewal date"),
                 ("box", MISSED, "missed"), ("box", SOON, f"within {SOON_DAYS} days"),
                 ("box", OPEN, "undecided"), ("box", DECIDED, "decided"),
                 ("line", MISSED, "today")]
        for shape, colour, label in items:
            centre = QPointF(x + 6, y + h / 2)
            if shape == "diamond":
                self._diamond(painter, centre, colour, 5)
            elif shape == "dot":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawEllipse(centre, 4, 4)
            elif shape == "box":
                painter.fillRect(QRectF(x, y + h / 2 - 4, 12, 8), colour)
            else:
                painter.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(x + 6, y), QPointF(x + 6, y + h))
            painter.setPen(text)
            painter.drawText(QPointF(x + 16, y + metrics.ascent()), label)
            x += 16 + metrics.horizontalAdvance(label) + 18

    def _months(self) -> list[tuple[int, date, float, float]]:
        out = []
        month = self.start
        for n in range(MONTHS):
            following = month + relativedelta(months=1)
            out.append((n, month, self._x(month), self._x(following)))
            month = following
        return out

    def _paint_bands(self, painter: QPainter, pal: QPalette, top: float, bottom: float) -> None:
        """Every other month shaded, a line at each month start, from `top` to `bottom`."""
        band = pal.color(QPalette.ColorRole.AlternateBase)
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        for n, _month, left, right in self._months():
            if n % 2:
                painter.fillRect(QRectF(left, top, right - left, bottom - top), band)
            painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        end = self._x(self.end)
        painter.drawLine(QPointF(end, top), QPointF(end, bottom))

    def _paint_month_labels(self, painter: QPainter, metrics: QFontMetrics, muted: QColor,
                            top: float) -> None:
        painter.setPen(muted)
        for n, month, left, right in self._months():
            name = month.strftime("%b") if n and month.month != 1 else month.strftime("%b %Y")
            painter.drawText(QRectF(left + 4, top, right - left - 4, metrics.height() + 6),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(name, Qt.TextElideMode.ElideRight,
                                                int(right - left - 6)))

    def _paint_lane(self, painter: QPainter, metrics: QFontMetrics, n: int, mark: Mark,
                    text: QColor, pal: QPalette) -> None:
        y = HEADER_H + n * LANE_H
        mid = y + LANE_H / 2
        if mark.term_id == self.selected:
            highlight = QColor(pal.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(50)
            painter.fillRect(QRectF(0, y, self.width(), LANE_H), highlight)
        painter.setPen(text)
        label = metrics.elidedText(mark.label, Qt.TextElideMode.ElideRight, LABEL_W - 20)
        painter.drawText(QRectF(8, y, LABEL_W - 16, LANE_H),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        colour = mark.colour()
        cancel_x, renew_x = self._x(mark.cancel_by), self._x(mark.renewal_date)
        span = QColor(colour)
        span.setAlpha(70)
        painter.fillRect(QRectF(cancel_x, mid - 3, max(renew_x - cancel_x, 1), 6), span)
        if mark.renewal_date < self.end:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawEllipse(QPointF(renew_x, mid), 4.5, 4.5)
        if mark.cancel_by >= self.start:
            self._diamond(painter, QPointF(cancel_x, mid), colour, 6.5)
        else:  # missed before the window opens: an arrow at the left edge
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawPolygon(QPolygonF([QPointF(cancel_x, mid), QPointF(cancel_x + 8, mid - 6),
                                           QPointF(cancel_x + 8, mid + 6)]))

    @staticmethod
    def _diamond(painter: QPainter, centre: QPointF, colour: QColor, r: float) -> None:
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(colour)
        painter.drawPolygon(QPolygonF([QPointF(centre.x(), centre.y() - r),
                                       QPointF(centre.x() + r, centre.y()),
                                       QPointF(centre.x(), centre.y() + r),
                                       QPointF(centre.x() - r, centre.y())]))

    # -- mouse ---------------------------------------------------------------------------
    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        n = self.lane_at(event.position())
        if n >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.set_selected(self.marks[n].term_id)
            self.term_clicked.emit(self.marks[n].term_id)

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            n = self.lane_at(QPointF(event.pos()))
            if n >= 0:
                QToolTip.showText(event.globalPos(), self.tooltip(self.marks[n]), self)
            else:
                QToolTip.hideText()
            return True
        return bool(super().event(event))  # type: ignore[arg-type]

    @staticmethod
    def tooltip(mark: Mark) -> str:
        when = (f"missed {plural(-mark.days_left, 'day')} ago" if mark.days_left < 0
                else "today" if mark.days_left == 0 else f"in {plural(mark.days_left, 'day')}")
        lines = [mark.label, f"Cancel by {date_text(mark.cancel_by)} ({when})",
                 f"Renews {date_text(mark.renewal_date)}"
                 + (" automatically" if mark.auto_renew else ""),
                 f"Decision: {mark.decision}"]
        if mark.detail:
            lines.append(mark.detail)
        return "\n".join(lines)
