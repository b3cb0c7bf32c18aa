"""The map of the stack: tools as nodes grouped by category, connections as edges coloured by
status, in a QGraphicsView (wheel or keys to zoom, drag to pan, click to open a tool or a
connection), exported as PNG or SVG."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

if TYPE_CHECKING:
    from stackadmin.services.running.connections import ConnectionRow

# Status colours, readable on light and dark backgrounds; the legend names them.
STATUS_COLOURS: dict[str, str] = {
    "working": "#16a34a",
    "degraded": "#d97706",
    "broken": "#dc2626",
    "planned": "#6366f1",
    "retired": "#9ca3af",
}
STATUS_DASHED = frozenset({"planned", "retired"})
NODE_W, NODE_H = 150.0, 34.0
GROUP_PAD, NODE_GAP, GROUP_GAP = 14.0, 12.0, 40.0
NO_CATEGORY = "No category"


class ToolNode(QGraphicsRectItem):
    def __init__(self, tool_id: int, name: str, rect: QRectF, palette: QPalette) -> None:
        super().__init__(rect)
        self.tool_id = tool_id
        self.name = name
        self.setBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
        self.setPen(QPen(palette.color(QPalette.ColorRole.Text), 1.2))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{name}: click to open the tool")
        self.setZValue(2)
        label = QGraphicsSimpleTextItem(self)
        metrics = QFontMetrics(label.font())
        label.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(rect.width()) - 12))
        label.setBrush(QBrush(palette.color(QPalette.ColorRole.Text)))
        size = label.boundingRect()
        label.setPos(rect.center().x() - size.width() / 2, rect.center().y() - size.height() / 2)


class ConnectionEdge(QGraphicsPathItem):
    def __init__(self, row: ConnectionRow, path: QPainterPath) -> None:
        super().__init__(path)
        self.row = row
        colour = QColor(STATUS_COLOURS.get(row.status, "#6b7280"))
        pen = QPen(colour, 3.0 if row.status == "broken" else 2.0)
        if row.status in STATUS_DASHED:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{row.from_tool} → {row.to_tool}: {row.what}\n{row.method}, "
                        f"{row.status}; owner {row.owner or 'nobody'}\nClick to open")
        self.setZValue(1)

    def shape(self) -> QPainterPath:
        # A wider target than the 2-pixel line, so the edge is easy to click.
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())


def _layout(tools: dict[int, tuple[str, str]], width: float) -> tuple[
        dict[int, QRectF], list[tuple[str, QRectF]]]:
    """Node rectangles grouped by category: each category a box of nodes in a grid, the
    boxes flowed left to right in rows as wide as `width`."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for tool_id, (name, category) in tools.items():
        groups[category].append((tool_id, name))
    nodes: dict[int, QRectF] = {}
    boxes: list[tuple[str, QRectF]] = []
    x = y = 0.0
    row_h = 0.0
    for category in sorted(groups, key=lambda c: (c == NO_CATEGORY, c.lower())):
        members = sorted(groups[category], key=lambda m: m[1].lower())
        cols = 1 if len(members) <= 3 else 2
        rows = math.ceil(len(members) / cols)
        box_w = GROUP_PAD * 2 + cols * NODE_W + (cols - 1) * NODE_GAP
        box_h = GROUP_PAD * 2 + 22 + rows * NODE_H + (rows - 1) * NODE_GAP
        if x > 0 and x + box_w > width:
            x, y, row_h = 0.0, y + row_h + GROUP_GAP, 0.0
        boxes.append((category, QRectF(x, y, box_w, box_h)))
        for n, (tool_id, _name) in enumerate(members):
            col, row = n % cols, n // cols
            nodes[tool_id] = QRectF(x + GROUP_PAD + col * (NODE_W + NODE_GAP),
                                    y + GROUP_PAD + 22 + row * (NODE_H + NODE_GAP),
                                    NODE_W, NODE_H)
        x += box_w + GROUP_GAP
        row_h = max(row_h, box_h)
    return nodes, boxes


def _edge_path(a: QRectF, b: QRectF, bend: float) -> QPainterPath:
    start, end = _border_point(a, b.center()), _border_point(b, a.center())
    mid = (start + end) / 2
    dx, dy = end.x() - start.x(), end.y() - start.y()
    length = math.hypot(dx, dy) or 1.0
    control = QPointF(mid.x() - dy / length * bend, mid.y() + dx / length * bend)
    path = QPainterPath(start)
    path.quadTo(control, end)
    # An arrow head at the receiving tool, along the curve's last direction.
    angle = math.atan2(end.y() - control.y(), end.x() - control.x())
    for side in (-0.45, 0.45):
        tip = QPointF(end.x() - 11 * math.cos(angle + side), end.y() - 11 * math.sin(angle + side))
        path.moveTo(end)
        path.lineTo(tip)
    return path


def _border_point(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from the rectangle's centre towards a point leaves the rectangle."""
    c = rect.center()
    dx, dy = towards.x() - c.x(), towards.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    scale = min(rect.width() / 2 / abs(dx) if dx else math.inf,
                rect.height() / 2 / abs(dy) if dy else math.inf)
    return QPointF(c.x() + dx * scale, c.y() + dy * scale)


class StackMapView(QGraphicsView):
    """The map. `set_map(tools, connections)` draws it; `tool_clicked(tool_id)` and
    `connection_clicked(connection_id)` say what was clicked."""

    tool_clicked = Signal(int)
    connection_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.nodes: dict[int, ToolNode] = {}
        self.edges: list[ConnectionEdge] = []
        self._press: QPointF | None = None

    def set_map(self, tools: dict[int, tuple[str, str | None]],
                connections: Sequence[ConnectionRow], *, width: float = 1100) -> None:
        """`tools`: id -> (name, category). Tools without a connection are drawn too (a
        tool that talks to nothing is worth seeing)."""
        scene = self.scene()
        scene.clear()
        self.nodes, self.edges = {}, []
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        named = {i: (n, c or NO_CATEGORY) for i, (n, c) in tools.items()}
        rects, boxes = _layout(named, width)
        bold = QFont(self.font())
        bold.setBold(True)
        for category, box in boxes:
            frame = scene.addRect(box, QPen(muted, 1, Qt.PenStyle.DotLine),
                                  QBrush(palette.color(QPalette.ColorRole.AlternateBase)))
            frame.setZValue(0)
            title = scene.addSimpleText(category, bold)
            title.setBrush(QBrush(text))
            title.setPos(box.x() + GROUP_PAD, box.y() + 6)
        for tool_id, rect in rects.items():
            node = ToolNode(tool_id, named[tool_id][0], rect, palette)
            scene.addItem(node)
            self.nodes[tool_id] = node
        pairs: dict[frozenset[int], int] = defaultdict(int)
        for row in connections:
            a, b = rects.get(row.from_tool_id), rects.get(row.to_tool_id)
            if a is None or b is None:
                continue
            key = frozenset((row.from_tool_id, row.to_tool_id))
            n = pairs[key]
            pairs[key] += 1
            # Several connections between two tools fan out instead of overlapping.
            bend = 30.0 + 26.0 * n if n % 2 == 0 else -(30.0 + 26.0 * n)
            edge = ConnectionEdge(row, _edge_path(a, b, bend))
            scene.addItem(edge)
            self.edges.append(edge)
        self._legend(scene, text, max((b.bottom() for _c, b in boxes), default=0.0) + 24)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))

    def _legend(self, scene: QGraphicsScene, text: QColor, y: float) -> None:
        x = 0.0
        for status, colour in STATUS_COLOURS.items():
            pen = QPen(QColor(colour), 3)
            if status in STATUS_DASHED:
                pen.setStyle(Qt.PenStyle.DashLine)
            scene.addLine(x, y + 8, x + 28, y + 8, pen)
            label = scene.addSimpleText(status)
            label.setBrush(QBrush(text))
            label.setPos(x + 34, y)
            x += 34 + label.boundingRect().width() + 24

    # -- zoom and pan ---------------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        if 0.15 <= current * factor <= 6:
            self.scale(factor, factor)

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def wheelEvent(self, event: Any) -> None:
        self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.2)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom(1 / 1.2)
        elif event.key() == Qt.Key.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: Any) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: Any) -> None:
        super().mouseReleaseEvent(event)
        moved = (self._press is None
                 or (event.position() - self._press).manhattanLength() > 4)
        if event.button() == Qt.MouseButton.LeftButton and not moved:
            self.click_at(event.position().toPoint())

    def click_at(self, point: Any) -> None:
        """A click (not a drag) on a tool or an edge opens it."""
        for item in self.items(point):
            found: QGraphicsItem | None = item
            while found is not None and not isinstance(found, ToolNode | ConnectionEdge):
                found = found.parentItem()
            if isinstance(found, ToolNode):
                self.tool_clicked.emit(found.tool_id)
                return
            if isinstance(found, ConnectionEdge):
                self.connection_clicked.emit(found.row.id)
                return

    # -- export ---------------------------------------------------------------------------
    def export_png(self, path: str | Path, scale: float = 2.0) -> Path:
        """The whole map (not only what is in view), at `scale` times its size."""
        rect = self.scene().sceneRect()
        image = QImage(QSize(int(rect.width() * scale), int(rect.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.scene().render(painter, QRectF(image.rect()), rect)
        painter.end()
        target = Path(path)
        if not image.save(str(target), "PNG"):
            from stackadmin.errors import UserError

            raise UserError(f"{target} cannot be written")
        return target

    def export_svg(self, path: str | Path) -> Path:
        from PySide6.QtSvg import QSvgGenerator

        rect = self.scene().sceneRect()
        target = Path(path)
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(QSize(int(rect.width()), int(rect.height())))
        generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
        generator.setTitle("stackadmin: map of the stack")
        painter = QPainter(generator)
        painter.fillRect(QRectF(0, 0, rect.width(), rect.height()),
                         self.palette().color(QPalette.ColorRole.Window))
        self.scene().render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
        painter.end()
        if not target.exists():
            from stackadmin.errors import UserError

            raise UserError(f"{target} cannot be written")
        return target
