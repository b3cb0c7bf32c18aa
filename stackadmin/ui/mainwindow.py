"""The main window: sidebar of pages, the current page, an error banner, background-job status.

Imports only Qt at module level: it is shown before the data stack is imported.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSize, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui.errors import describe_error
from stackadmin.ui.pages import PAGES, spec
from stackadmin.ui.undo import UndoControl

if TYPE_CHECKING:
    from stackadmin.ui.env import Env
    from stackadmin.ui.pages.base import Page
    from stackadmin.ui.tasks import Job

log = logging.getLogger(__name__)

# Qt.ItemDataRole.UserRole, as the int item roles are: this module runs before the first
# paint, and the Qt namespace is built on first use (~30 ms). Nothing here touches it.
_KEY_ROLE = 256
SIDEBAR_WIDE, SIDEBAR_NARROW = 188, 60
# Below this window width the sidebar shows its icons only (names in the tooltips): at
# 1024 pixels its 188 took room a page's table needs.
COMPACT_BELOW = 1180


class Banner(QFrame):
    """A non-modal message above the page (a modal box would block tests and the user)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        close = QToolButton(self)
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.setStyleSheet("#banner { background: #fde8e8; border: 1px solid #f5b5b5;"
                           " border-radius: 4px; } #banner QLabel { color: #7a1c1c; }")
        self.hide()

    def show_text(self, text: str) -> None:
        from PySide6.QtCore import Qt  # not before the first paint (see _KEY_ROLE)

        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setText(text)
        self.show()


class MainWindow(QMainWindow):
    """Pages are created on first visit, from the registry in stackadmin.ui.pages."""

    painted = Signal()  # the first paint happened (start-up: now import the data stack)
    ready = Signal()  # the first page shows its data (or the first-run choice is shown)

    def __init__(self, env: Env) -> None:
        super().__init__()
        self.env = env
        self.setWindowTitle("stackadmin")
        self.setMinimumSize(QSize(960, 600))
        self.pages: dict[str, Page] = {}
        self._painted = False
        self._ready_sent = False
        self.current_key = ""

        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(SIDEBAR_WIDE)
        self.compact = False  # the sidebar shows icons only (a narrow window)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setSpacing(2)
        for n, page in enumerate(p for p in PAGES if not p.hidden):
            item = QListWidgetItem(page.title)  # icons come after the first paint
            item.setData(_KEY_ROLE, page.key)
            if n < 9:
                item.setToolTip(f"{page.title} (Ctrl+{n + 1})")
            item.setSizeHint(QSize(170, 34))
            self.sidebar.addItem(item)
        self.sidebar.setEnabled(False)  # until the database is open
        # Ctrl+1 … Ctrl+9 open the pages in sidebar order (Help → Keyboard shortcuts).
        for n, page in enumerate(p for p in PAGES if not p.hidden):
            if n < 9:
                shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
                shortcut.activated.connect(lambda key=page.key: self.show_page(key))
        self.sidebar.currentItemChanged.connect(self._sidebar_changed)

        self.stack = QStackedWidget(self)
        self.placeholder = QLabel("Opening the database…", self)
        # Centred by the theme's style sheet (qproperty-alignment): see _KEY_ROLE.
        self.placeholder.setObjectName("placeholder")
        self.stack.addWidget(self.placeholder)
        self.banner = Banner(self)

        content = QWidget(self)
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.stack, 1)
        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Plain)
        line.setObjectName("sidebarLine")
        row.addWidget(line)
        row.addWidget(content, 1)
        self.setCentralWidget(central)

        self.where = QLabel(self)
        self.statusBar().addWidget(self.where, 1)
        # A message takes the label's place until it goes: the status bar hides its widgets
        # only when the message arrives, and a widget added later (the busy bar, Undo) shows
        # the label again under the message.
        self.statusBar().messageChanged.connect(self._message_changed)
        # Edit → Undo and the status bar's "Undo …" button (the File menu goes before it).
        self.edit_menu = self.menuBar().addMenu("&Edit")
        self.edit_menu.setObjectName("editMenu")
        self.undo = UndoControl(self, env, self.edit_menu)
        # The busy label, bar and Cancel button are made with the first titled job (after
        # the first paint: ~5 ms of widgets that start hidden).
        self.busy_label: QLabel | None = None
        self.busy_bar: QProgressBar | None = None
        self.cancel_button: QPushButton | None = None

        env.tasks.on_error = lambda exc, job: self.show_error(exc)
        # Bound methods, not lambdas: Qt drops these connections when the window is deleted,
        # so a job that finishes afterwards never reaches destroyed widgets.
        env.tasks.started.connect(self._job_event)
        env.tasks.finished.connect(self._job_event)
        env.tasks.progressed.connect(self._job_progress)
        env.navigate.connect(self.show_page)
        env.message.connect(self._status_message)
        env.error.connect(self.banner.show_text)
        self.placeholder.installEventFilter(self)
        self.sidebar.installEventFilter(self)
        self._restore_geometry()

    # -- start-up ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self._painted and event.type() == QEvent.Type.Paint:
            self._painted = True
            # Emitted after this paint returns, so the pixels are out before heavy imports.
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.painted.emit)
            QTimer.singleShot(0, self.undo.add_shortcut)
            QTimer.singleShot(0, self.draw_icons)
        return super().eventFilter(watched, event)

    def draw_icons(self) -> None:
        """Sidebar and window icons (SVG rendering, after the first paint)."""
        from stackadmin.ui import icons

        self.setWindowIcon(icons.icon("stackadmin"))
        keys = [p for p in PAGES if not p.hidden]
        for n, page in enumerate(keys):
            self.sidebar.item(n).setIcon(icons.icon(page.icon))

    def attach(self, empty: bool) -> None:
        """The database is open: show the first-run choice on an empty one, else the page
        the user was on last time."""
        self.where.setText(self.env.ctx.target.describe())
        self.setWindowTitle(f"stackadmin — {self.env.ctx.target.describe()}")
        if empty:
            from stackadmin.ui.firstrun import FirstRunPanel

            panel = FirstRunPanel(self.env, self)
            panel.finished.connect(lambda: self._open_last_page(remove=panel))
            self.stack.addWidget(panel)
            self.stack.setCurrentWidget(panel)
            self._send_ready()
            return
        self._open_last_page()

    def first_page_key(self) -> str:
        """The page the window opens on: the one the user was on last time."""
        last = str(self.env.settings.value("window/page", PAGES[0].key))
        return last if spec(last) else PAGES[0].key

    def show_first_look(self, key: str, data: Any) -> None:
        """Shows the first page with the data read at start-up before the database is open
        (its registry entry's `first_look`); that is the window ready. Once the database is
        open, `attach` lets the page finish loading."""
        if self.env.ready or data is None:
            return  # too late, or nothing read: the page loads the usual way
        page = self.page(key)
        self.current_key = key
        self.stack.setCurrentWidget(page)
        self._highlight(key)
        self.where.setText("Opening the database…")  # until attach names it
        page.show_first_look(data)

    def _open_last_page(self, remove: QWidget | None = None) -> None:
        if remove is not None:
            self.stack.removeWidget(remove)
            remove.deleteLater()
        self.sidebar.setEnabled(True)
        self.show_page(self.first_page_key())

    def _send_ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    # -- pages -------------------------------------------------------------------------
    def page(self, key: str) -> Page:
        """The page with this key, created (and its module imported) on first use."""
        page = self.pages.get(key)
        if page is None:
            page_spec = spec(key)
            if page_spec is None:
                raise KeyError(key)
            page = page_spec.load_class()(self.env, self.stack)
            page.key = key
            page.loaded.connect(self._send_ready)
            self.pages[key] = page
            self.stack.addWidget(page)
        return page

    def show_page(self, key: str, target: object = None) -> None:
        if spec(key) is None or not self.env.ready:
            return
        page = self.page(key)
        self.current_key = key
        self.stack.setCurrentWidget(page)
        self.env.settings.setValue("window/page", key)
        self._highlight(key)
        page.ensure_loaded()
        if target is not None:
            page.show_target(target)

    def open_link(self, text: str) -> None:
        """Opens a stackadmin:// link (stackadmin://renewals?term_id=3): its page, its row
        or record; what is wrong with it is said in the status bar."""
        from stackadmin.ui.links import open_link

        open_link(self, text)

    def _highlight(self, key: str) -> None:
        # A person's page lives under People, a tool's under Tools, a request's under Requests.
        highlight = {"person": "people", "tool": "tools", "request": "requests"}.get(key, key)
        for n in range(self.sidebar.count()):
            item = self.sidebar.item(n)
            if item.data(_KEY_ROLE) == highlight and self.sidebar.currentRow() != n:
                self.sidebar.blockSignals(True)
                self.sidebar.setCurrentRow(n)
                self.sidebar.blockSignals(False)

    def _sidebar_changed(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is not None:
            self.show_page(str(item.data(_KEY_ROLE)))

    # -- messages and background jobs --------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        self.banner.show_text(describe_error(exc))

    def _job_event(self, _job: object) -> None:
        self._show_busy()

    def _message_changed(self, text: str) -> None:
        self.where.setVisible(not text)

    def _status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _busy_widgets(self) -> tuple[QLabel, QProgressBar, QPushButton]:
        if self.busy_label is None or self.busy_bar is None or self.cancel_button is None:
            self.busy_label = QLabel(self)
            self.busy_bar = QProgressBar(self)
            self.busy_bar.setMaximumWidth(160)
            self.busy_bar.setTextVisible(False)
            self.cancel_button = QPushButton("Cancel", self)
            self.cancel_button.clicked.connect(self._cancel_jobs)
            status = self.statusBar()
            status.addPermanentWidget(self.busy_label)
            status.addPermanentWidget(self.busy_bar)
            status.addPermanentWidget(self.cancel_button)
        return self.busy_label, self.busy_bar, self.cancel_button

    def _show_busy(self) -> None:
        titled = [j for j in self.env.tasks.active() if j.title]
        if not titled and self.busy_label is None:
            return
        label, bar, cancel = self._busy_widgets()
        for widget in (label, bar, cancel):
            widget.setVisible(bool(titled))
        if titled:
            title = titled[-1].title  # "syncing GitHub acme": names keep their capitals
            label.setText(title[:1].upper() + title[1:] + "…")
            bar.setRange(0, 0)  # busy until a job reports progress

    def _job_progress(self, job: Job, done: int, total: int) -> None:
        if total > 0:
            _label, bar, _cancel = self._busy_widgets()
            bar.setRange(0, total)
            bar.setValue(done)

    def _cancel_jobs(self) -> None:
        self.env.tasks.cancel()
        self.env.message.emit("Cancelled.")

    # -- state -------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = self.env.settings.value("window/geometry")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(QByteArray(geometry))
        else:
            self.resize(1280, 800)

    def save_state(self) -> None:
        self.env.settings.setValue("window/geometry", self.saveGeometry())
        for page in self.pages.values():
            page.save_state()
        self.env.settings.sync()

    def resizeEvent(self, event: Any) -> None:
        self.set_compact(event.size().width() < COMPACT_BELOW)
        super().resizeEvent(event)

    def set_compact(self, compact: bool) -> None:
        """The sidebar with icons only (narrow window) or icons and names."""
        if compact == self.compact:
            return
        self.compact = compact
        self.sidebar.setFixedWidth(SIDEBAR_NARROW if compact else SIDEBAR_WIDE)
        shown = [p for p in PAGES if not p.hidden]
        for n, page in enumerate(shown):
            item = self.sidebar.item(n)
            item.setText("" if compact else page.title)
            item.setSizeHint(QSize(40 if compact else 170, 34))

    def keyPressEvent(self, event: Any) -> None:
        """A page's own shortcut (Ctrl+N, Ctrl+F…) pressed where the page does not see it
        (the sidebar, which keeps the focus after a click or Ctrl+1…9; or no focus at all)
        works on the page shown, as its toolbar and Help → Keyboard shortcuts say."""
        if not self._page_shortcut(event):
            super().keyPressEvent(event)

    def _page_shortcut(self, event: Any) -> bool:
        from PySide6.QtCore import Qt

        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False  # Del and the like act where the focus is, never from afar
        page = self.pages.get(self.current_key)
        if page is None or not page.isVisible():
            return False
        pressed = QKeySequence(event.keyCombination())
        for widget in (page, *page.findChildren(QWidget)):
            if not widget.isVisible():
                continue
            for action in widget.actions():
                if action.isEnabled() and pressed in action.shortcuts():
                    action.trigger()
                    event.accept()
                    return True
        return False

    def closeEvent(self, event: Any) -> None:
        self.save_state()
        self.env.tasks.cancel()
        super().closeEvent(event)
