"""The Map page: the stack as a graph (tools grouped by category, connections coloured by
status); zoom, pan, click to open; export as PNG or SVG."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from stackadmin.ui.fmt import plural
from stackadmin.ui.pages.base import Page
from stackadmin.ui.stackmap import StackMapView

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.running.connections import ConnectionRow
    from stackadmin.ui.tasks import Job

MapData = tuple[dict[int, tuple[str, str | None]], list["ConnectionRow"]]


class MapPage(Page):
    title = "Map"
    icon = "map"
    reload_on: ClassVar[frozenset[str]] = frozenset({"connection", "tool"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        from stackadmin.ui.filedialogs import PathAsker, ask_with_dialog

        self.ask_path: PathAsker = ask_with_dialog
        self.view = StackMapView(self)
        self.view.tool_clicked.connect(
            lambda tool_id: env.open_page("tool", {"tool_id": tool_id}))
        self.view.connection_clicked.connect(
            lambda cid: env.open_page("connections", {"connection_id": cid}))
        self.note = QLabel(self)
        self.note.setObjectName("count")
        self.note.setWordWrap(True)  # beside the buttons at 1024 pixels
        buttons = QHBoxLayout()
        for text, slot in (("Zoom in", lambda: self.view.zoom(1.2)),
                           ("Zoom out", lambda: self.view.zoom(1 / 1.2)),
                           ("Fit", self.view.fit), ("Export PNG…", lambda: self.export("png")),
                           ("Export SVG…", lambda: self.export("svg"))):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addSpacing(12)
        buttons.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)

    def load(self) -> None:
        def work(ctx: ServiceContext, job: Job) -> MapData:
            from stackadmin.services.inventory.tools import list_tools
            from stackadmin.services.running.connections import list_connections

            return ({t.id: (t.name, t.category) for t in list_tools(ctx)},
                    list_connections(ctx))

        self.env.run(work, self._show, key="load:map")

    def _show(self, data: MapData) -> None:
        tools, rows = data
        self.view.set_map(tools, rows, width=max(self.view.viewport().width() - 40, 900))
        broken = sum(1 for r in rows if r.status == "broken")
        self.note.setText(f"{plural(len(tools), 'tool')}, {plural(len(rows), 'connection')}, "
                          f"{broken:,} broken · "
                          "wheel or +/− to zoom, drag to pan, click to open")
        self.view.fit()
        self.loaded.emit()

    def export(self, kind: str) -> None:
        """Asks where (without blocking: `ask_path` is swapped in tests), then writes."""
        from stackadmin.ui.filedialogs import PathRequest, last_dir

        request = PathRequest(f"Export the map as {kind.upper()}", last_dir(self.env.settings),
                              f"stack-map.{kind}", f"{kind.upper()} (*.{kind})", suffix=kind)
        self.ask_path(self, request, lambda path: self.write(kind, path))

    def write(self, kind: str, path: str) -> None:
        from stackadmin.ui.filedialogs import remember_dir

        remember_dir(self.env.settings, path)
        try:
            written = (self.view.export_png(path) if kind == "png"
                       else self.view.export_svg(path))
        except Exception as exc:  # a file that cannot be written is told, not raised
            from stackadmin.ui.errors import describe_error

            self.env.error.emit(describe_error(exc))
            return
        self.env.message.emit(f"Map written to {written}.")

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
