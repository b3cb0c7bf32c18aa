"""Help: the keyboard shortcuts (Ctrl+1…9 among them), the data and log folders, About with
the versions; and Settings' light, dark or system look, applied at once and kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtGui import QAction, QPalette

from stackadmin import __version__, paths
from stackadmin.store.migrate import head_revision
from stackadmin.ui.help_menu import HelpMenu, install_help, log_folder
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages import PAGES
from tests.ui.conftest import screenshot, wait_idle


def _menu(window: MainWindow) -> HelpMenu:
    return install_help(window, window.env)


def test_the_help_menu_is_in_the_menu_bar(window: MainWindow) -> None:
    menu = _menu(window)
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Help" in titles
    assert [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()] == [
        "Keyboard shortcuts", "Open the data folder", "Open the log folder",
        "About stackadmin"]
    assert menu.shortcuts_action.shortcut().toString() == "F1"


def test_the_shortcuts_list_the_page_keys(window: MainWindow, qtbot: Any) -> None:
    dialog = _menu(window).show_shortcuts()
    rows = dict(dialog.rows())
    pages = [p.title for p in PAGES if not p.hidden]
    for n, title in enumerate(pages[:9]):
        assert rows[f"Ctrl+{n + 1}"] == f"Open {title}"
    assert "Ctrl+F" in rows and "Ctrl+I" in rows
    # The sidebar says them too.
    assert window.sidebar.item(1).toolTip() == f"{pages[1]} (Ctrl+2)"
    screenshot(dialog, "help-shortcuts")
    dialog.reject()


def test_the_folders_open_in_the_file_manager_and_are_made_if_missing(
        window: MainWindow) -> None:
    menu = _menu(window)
    opened: list[QUrl] = []
    menu.open_url = lambda url: opened.append(url) or True
    assert not log_folder().exists()
    menu.actions()[2].trigger()  # the data folder
    menu.actions()[3].trigger()  # the log folder
    assert [Path(u.toLocalFile()) for u in opened] == [paths.data_dir(), log_folder()]
    assert log_folder().is_dir()
    errors: list[str] = []
    window.env.error.connect(errors.append)
    menu.open_url = lambda _url: False  # no file manager
    assert not menu.open_folder(log_folder())
    assert errors and "No file manager could open" in errors[0]


def test_about_says_the_versions_and_the_schema(window: MainWindow, qtbot: Any) -> None:
    import PySide6

    dialog = _menu(window).show_about()
    wait_idle(qtbot, window.env)
    values = {k: v.text() for k, v in dialog.values.items()}
    assert values["stackadmin"] == __version__
    assert values["PySide6"] == PySide6.__version__ and values["Qt"]
    assert values["Schema revision"] == head_revision()
    assert values["Database"] == window.env.ctx.target.describe()
    assert values["Log folder"] == str(log_folder())
    screenshot(dialog, "help-about")
    dialog.reject()


def test_the_look_is_chosen_in_settings_applied_at_once_and_kept(
        window: MainWindow, qtbot: Any, qapp: Any, monkeypatch: Any, tmp_path: Path) -> None:
    from stackadmin.ui import icons, theme

    monkeypatch.delenv(theme.SCHEME_ENV, raising=False)

    def dark() -> bool:
        return bool(qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128)

    window.show_page("settings")
    wait_idle(qtbot, window.env)
    page = window.pages["settings"]
    assert [page.scheme_box.itemText(n) for n in range(page.scheme_box.count())] == [
        "As the system", "Light", "Dark"]
    window.draw_icons()
    before = window.sidebar.item(0).icon().cacheKey()
    try:
        page.scheme_box.setCurrentIndex(page.scheme_box.findData("dark"))
        assert dark() and theme.is_dark()
        assert window.env.settings.value(theme.SCHEME_SETTING) == "dark"
        assert window.sidebar.item(0).icon().cacheKey() != before  # drawn again, light
        screenshot(window, "settings-dark")
        # The next start begins dark, whatever the platform's palette suggests.
        settings = QSettings(str(tmp_path / "again.ini"), QSettings.Format.IniFormat)
        settings.setValue(theme.SCHEME_SETTING, "dark")
        assert theme.follow_system(qapp, settings) is True and dark()
        settings.setValue(theme.SCHEME_SETTING, "light")
        assert theme.follow_system(qapp, settings) is False and not dark()
        page.scheme_box.setCurrentIndex(page.scheme_box.findData("light"))
        assert not dark()
        assert icons.icon("tools").cacheKey() == window.sidebar.item(1).icon().cacheKey()
    finally:
        theme.choose(qapp, "system")
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)


def test_the_shortcuts_listed_are_the_windows_own(window: MainWindow, qtbot: Any) -> None:
    """Ctrl+7, 8 and 9 open Requests, Feedback and Consolidation; the list says so, and
    Undo and New request too, with the keys the window answers to."""
    from PySide6.QtGui import QKeySequence, QShortcut

    from stackadmin.ui.buying.request_form import install_request_action

    window.menuBar().addMenu("&File").setObjectName("fileMenu")  # as the app has one
    install_request_action(window, window.env)
    rows = dict(_menu(window).show_shortcuts().rows())
    assert [rows[f"Ctrl+{n}"] for n in (7, 8, 9)] == [
        "Open Requests", "Open Feedback", "Open Consolidation"]
    keys = {s.key().toString(): s for s in window.findChildren(QShortcut)}
    for n in range(1, 10):
        title = rows[f"Ctrl+{n}"].removeprefix("Open ")
        keys[f"Ctrl+{n}"].activated.emit()
        wait_idle(qtbot, window.env)
        assert window.pages[window.current_key].title == title
    assert "Undo" in rows["Ctrl+Z"] and window.undo.action.shortcut() == QKeySequence("Ctrl+Z")
    assert "New request" in rows["Ctrl+Shift+R"]
    assert window.findChild(QAction, "newRequestAction").shortcut().toString() == \
        "Ctrl+Shift+R"
