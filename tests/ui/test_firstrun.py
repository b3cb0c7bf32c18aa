"""First run on an empty database: the choice is offered; the demo fills it; empty starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Tool
from stackadmin.ui.firstrun import FirstRunPanel
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import make_env, screenshot, wait_idle


def _window(ui_ctx: ServiceContext, tmp_path: Path, qtbot: Any, qapp: Any) -> MainWindow:
    from stackadmin.ui import theme

    theme.apply(qapp)
    env = make_env(ui_ctx, tmp_path)
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    return win


def test_an_empty_database_offers_demo_import_or_empty(ui_ctx: ServiceContext, tmp_path: Path,
                                                       qtbot: Any, qapp: Any) -> None:
    win = _window(ui_ctx, tmp_path, qtbot, qapp)
    with qtbot.waitSignal(win.ready, timeout=5000):
        win.attach(True)
    panel = win.stack.currentWidget()
    assert isinstance(panel, FirstRunPanel)
    assert not panel.importer.isEnabled()  # no import wizard registered in env.import_hook
    screenshot(win, "first-run")
    panel.demo.click()
    qtbot.waitUntil(lambda: win.current_key == "dashboard", timeout=60_000)
    wait_idle(qtbot, win.env)
    with ui_ctx.read() as session:
        assert (session.scalar(select(func.count()).select_from(Tool)) or 0) > 0
    win.env.tasks.wait()


def test_start_empty_goes_to_the_pages_with_nothing_added(ui_ctx: ServiceContext,
                                                          tmp_path: Path, qtbot: Any,
                                                          qapp: Any) -> None:
    win = _window(ui_ctx, tmp_path, qtbot, qapp)
    win.attach(True)
    hooked: list[bool] = []
    win.env.import_hook = lambda: hooked.append(True)
    panel = win.stack.currentWidget()
    assert isinstance(panel, FirstRunPanel)
    panel.empty.click()
    assert win.current_key == "dashboard"
    wait_idle(qtbot, win.env)
    with ui_ctx.read() as session:
        assert (session.scalar(select(func.count()).select_from(Tool)) or 0) == 0
    win.env.tasks.wait()


def test_the_import_is_offered_once_the_wizard_registers_after_the_panel(
        ui_ctx: ServiceContext, tmp_path: Path, qtbot: Any, qapp: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The app installs File → Import… once its start is over, and on an empty database
    the first-run panel is shown before that: its import choice comes alive then."""
    from stackadmin.ui import file_menu

    win = _window(ui_ctx, tmp_path, qtbot, qapp)
    with qtbot.waitSignal(win.ready, timeout=5000):
        win.attach(True)
    panel = win.stack.currentWidget()
    assert isinstance(panel, FirstRunPanel)
    assert not panel.importer.isEnabled()
    assert "not available" in panel.importer.description()
    opened: list[bool] = []
    monkeypatch.setattr(file_menu.ImportExport, "open_import",
                        lambda self: opened.append(True))
    file_menu.install_import_export(win, win.env)
    assert panel.importer.isEnabled()
    assert panel.importer.description() == "Tools, terms, people and seats from CSV files."
    panel.importer.click()
    assert opened == [True]
    assert win.current_key == "dashboard"  # the panel is done once the wizard opens
    wait_idle(qtbot, win.env)
    win.env.tasks.wait()
