"""GUI test fixtures: offscreen Qt, Qt warnings fail the test, a demo inventory, a window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QSettings, QtMsgType, qInstallMessageHandler

from stackadmin.domain.vocab import AuditSource
from stackadmin.services.context import ServiceContext
from stackadmin.services.demo import load_demo
from stackadmin.ui import fmt
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.tasks import TaskRunner

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
_BAD = (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
# The offscreen platform plugin itself says these for every top-level window with a size
# constraint (dialogs) and every popup (a menu raises itself and grabs the keyboard); they
# are not something the application does wrong.
_PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",
                   "This plugin does not support raise()",
                   "This plugin does not support grabbing the keyboard")


@pytest.fixture(autouse=True)
def qt_warnings_fail(qapp: Any) -> Iterator[None]:
    """Any Qt warning during a test fails it (a warning is a bug we have not seen yet)."""
    seen: list[str] = []

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if kind in _BAD and message not in _PLATFORM_NOISE:
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    fmt.locale_changed()  # a test outside tests/ui may have formatted in the "C" locale first
    try:
        yield
    finally:
        qInstallMessageHandler(previous)
    assert not seen, f"Qt warnings: {seen}"


@pytest.fixture(autouse=True)
def keys_let_go(qapp: Any) -> Iterator[None]:
    """No modifier stays held into the next test: the application keeps the modifiers of the
    last key event it saw (a Ctrl+N whose release went to a dialog leaves Ctrl down), and a
    later selectRow with Ctrl down toggles the row instead of selecting it."""
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QWidget

    if QGuiApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        receiver = QWidget()  # a release with no modifier, to a widget of its own
        QTest.keyRelease(receiver, Qt.Key.Key_Control)
        receiver.deleteLater()


@pytest.fixture(autouse=True)
def gui_thread_collector(qapp: Any) -> Iterator[None]:
    """Cycles are collected on the GUI thread only, as the app does (stackadmin.app.run_gui);
    automatic collection is back on after the test, for the tests that are not about Qt."""
    from stackadmin.ui import gcpause

    gcpause.install(qapp)
    try:
        yield
    finally:
        gcpause.uninstall()


@pytest.fixture
def ui_ctx(ctx: ServiceContext) -> ServiceContext:
    return ctx.with_source(AuditSource.UI)


@pytest.fixture
def demo_ctx(ui_ctx: ServiceContext) -> ServiceContext:
    load_demo(ui_ctx, "small")
    return ui_ctx


def make_env(ctx: ServiceContext | None, tmp_path: Path) -> Env:
    tasks = TaskRunner(ctx)
    return Env(tasks, settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def env(demo_ctx: ServiceContext, tmp_path: Path) -> Iterator[Env]:
    environment = make_env(demo_ctx, tmp_path)
    yield environment
    environment.tasks.cancel()
    environment.tasks.wait()


@pytest.fixture
def window(env: Env, qtbot: Any, qapp: Any) -> Iterator[MainWindow]:
    from stackadmin.ui import theme

    theme.apply(qapp)  # as run_gui does, so the screenshots show the real look
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    win.attach(False)
    yield win
    # Jobs still running finish before qtbot closes the window: none may outlive its widgets.
    env.tasks.cancel()
    env.tasks.wait()


def wait_idle(qtbot: Any, env: Env, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not env.tasks.busy, timeout=timeout)


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question a QMessageBox asks during the test, answered Cancel."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        return 0  # Cancel

    monkeypatch.setattr(QMessageBox, "exec", answer)
    return asked


def screenshot(widget: Any, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
