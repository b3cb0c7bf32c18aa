"""Every page loads the demo inventory, its models follow Qt's rules, and it renders to PNG."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Account, Person
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages import PAGES
from stackadmin.ui.tablemodel import RowTableModel
from tests.ui.conftest import screenshot, wait_idle


def _first_person_with_accounts(ctx: ServiceContext) -> tuple[int, set[int]]:
    with ctx.read() as session:
        person_id = session.scalars(select(Account.person_id).where(
            Account.person_id.is_not(None)).order_by(Account.person_id)).first()
        assert person_id is not None
        ids = set(session.scalars(select(Account.id).where(Account.person_id == person_id)))
    return person_id, ids


def _figma(ctx: ServiceContext) -> int:
    from stackadmin.store.models import Tool

    with ctx.read() as session:
        tool_id = session.scalar(select(Tool.id).where(Tool.name == "Figma"))
    assert tool_id is not None
    return tool_id


@pytest.mark.parametrize("key", [p.key for p in PAGES])
def test_each_page_loads_passes_the_model_tester_and_renders(
        key: str, window: MainWindow, demo_ctx: ServiceContext, qtbot: Any,
        qtmodeltester: Any) -> None:
    from PySide6.QtCore import QAbstractTableModel

    targets = {"person": {"person_id": _first_person_with_accounts(demo_ctx)[0]},
               "tool": {"tool_id": _figma(demo_ctx)}}
    window.show_page(key, targets.get(key))
    page = window.pages[key]
    wait_idle(qtbot, window.env)
    models = [m for m in page.findChildren(QAbstractTableModel)
              if isinstance(m, RowTableModel)]
    for model in models:
        qtmodeltester.check(model, force_py=True)
    if key not in ("integrations", "settings", "map"):
        assert any(m.total for m in models) or key == "dashboard"
    screenshot(window, key)


def test_the_dark_palette_renders_too(window: MainWindow, qtbot: Any, monkeypatch: Any,
                                      qapp: Any) -> None:
    from stackadmin.ui import theme

    monkeypatch.setenv(theme.SCHEME_ENV, "dark")
    theme.apply(qapp)
    try:
        window.show_page("tools")
        wait_idle(qtbot, window.env)
        screenshot(window, "tools-dark")
        assert theme.is_dark()
    finally:
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)


def test_the_start_up_guess_of_dark_mode_gives_way_to_what_the_system_says(
        qapp: Any, monkeypatch: Any) -> None:
    """Before the first paint the look is guessed from the platform's palette (asking the
    colour scheme costs ~30 ms there); after it, the system's scheme decides."""
    from PySide6.QtGui import QPalette

    from stackadmin.ui import theme

    def window_is_dark() -> bool:
        return qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128

    monkeypatch.delenv(theme.SCHEME_ENV, raising=False)
    try:
        guess = theme.follow_system(qapp)
        assert guess is False and not window_is_dark()  # offscreen: a light palette
        monkeypatch.setattr(theme, "_system_says_dark", lambda: True)
        theme.confirm_system(qapp, guess)
        assert window_is_dark()
        monkeypatch.setattr(theme, "_system_says_dark", lambda: None)  # says nothing
        theme.apply(qapp, dark=True)
        theme.confirm_system(qapp, True)
        assert window_is_dark()  # the guess stands
        monkeypatch.setenv(theme.SCHEME_ENV, "light")  # forced: neither guess nor system
        assert theme.follow_system(qapp) is False and not window_is_dark()
    finally:
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)


def test_person_page_lists_exactly_their_accounts(window: MainWindow, demo_ctx: ServiceContext,
                                                  qtbot: Any) -> None:
    person_id, account_ids = _first_person_with_accounts(demo_ctx)
    window.env.open_page("person", {"person_id": person_id})
    wait_idle(qtbot, window.env)
    page = window.pages["person"]
    assert {r.id for r in page.model.all_rows()} == account_ids
    with demo_ctx.read() as session:
        name = session.get(Person, person_id).name  # type: ignore[union-attr]
    assert name in page.heading.text()


def test_seats_search_narrows_with_each_word_and_shows_the_count(
        window: MainWindow, qtbot: Any) -> None:
    window.show_page("seats")
    wait_idle(qtbot, window.env)
    page = window.pages["seats"]
    total = page.model.total
    first = page.model.row_at(0)
    qtbot.keyClicks(page.search, first.tool.split()[0])
    one_word = page.model.shown
    qtbot.keyClicks(page.search, f" {first.role}")
    assert 0 < page.model.shown <= one_word < total
    assert all(first.tool.split()[0].lower() in r.tool.lower() for r in page.model.visible_rows())
    assert f"{page.model.shown:,} of {total:,}" in page.count.text()


def test_last_page_and_geometry_are_remembered(window: MainWindow, qtbot: Any) -> None:
    window.show_page("people")
    wait_idle(qtbot, window.env)
    window.save_state()
    assert window.env.settings.value("window/page") == "people"
    assert window.env.settings.value("pages/people/header") is not None
    second = MainWindow(window.env)
    qtbot.addWidget(second)
    second.attach(False)
    assert second.current_key == "people"


def test_keyboard_search_down_enter_opens_the_person(window: MainWindow, qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)  # People
    assert window.current_key == "people"
    wait_idle(qtbot, window.env)
    page = window.pages["people"]
    someone = page.model.row_at(0)
    page.search.setFocus()
    qtbot.keyClicks(page.search, someone.email)
    assert page.model.shown == 1
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.current_row() == someone
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert window.current_key == "person"
    wait_idle(qtbot, window.env)
    assert window.pages["person"].person_id == someone.id


def test_a_pages_shortcuts_work_with_the_focus_in_the_sidebar(window: MainWindow,
                                                             qtbot: Any) -> None:
    """Ctrl+2 (or a click in the sidebar) leaves the focus in the sidebar: Ctrl+F and
    Ctrl+N still act on the page shown, as its toolbar and the Help say."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from stackadmin.ui.dialogs import FormDialog

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)  # Tools
    wait_idle(qtbot, window.env)
    assert window.current_key == "tools"
    window.sidebar.setFocus()
    assert QApplication.focusWidget() is window.sidebar
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.pages["tools"].search
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    forms = [w for w in window.pages["tools"].findChildren(FormDialog) if w.isVisible()]
    assert [f.windowTitle() for f in forms] == ["Add a tool"]
    forms[0].reject()
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Down)  # the sidebar's own keys are its own
    wait_idle(qtbot, window.env)
    assert window.current_key == "renewals"


def test_people_page_adds_with_ctrl_n_and_deletes_with_del_after_asking(
        window: MainWindow, qtbot: Any, questions: list[str]) -> None:
    """The keys the Help lists work on People as on the other pages with Add and Delete."""
    from PySide6.QtCore import Qt

    from stackadmin.ui.dialogs import FormDialog

    window.show_page("people")
    wait_idle(qtbot, window.env)
    page = window.pages["people"]
    page.view.setFocus()
    page.view.selectRow(0)
    someone = page.current_row()
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    assert len(questions) == 1 and someone.email in questions[0]
    qtbot.keyClick(page.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    forms = [w for w in page.findChildren(FormDialog) if w.isVisible()]
    assert [f.windowTitle() for f in forms] == ["Add a person"]
    forms[0].reject()


def test_overdue_cancel_by_dates_are_shown_in_the_warning_colour(window: MainWindow,
                                                                 qtbot: Any) -> None:
    """Undecided terms past their cancel-by date are red, those within 30 days orange, in the
    cancel-by and days-left cells as the view paints them."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleOptionViewItem

    from stackadmin.ui.timeline import MISSED, SOON, SOON_DAYS

    window.show_page("renewals")
    wait_idle(qtbot, window.env)
    page = window.pages["renewals"]
    model, view = page.model, page.view
    seen = set()
    for n in range(model.rowCount()):
        renewal = model.row_at(n).renewal
        option = QStyleOptionViewItem()
        index = model.index(n, 1)
        view.itemDelegate().initStyleOption(option, index)
        colour = option.palette.color(QPalette.ColorRole.Text)
        if renewal.decided:
            expected = None
        elif renewal.days_left < 0:
            expected = MISSED
        elif renewal.days_left <= SOON_DAYS:
            expected = SOON
        else:
            expected = None
        seen.add(expected.name() if expected is not None else None)
        assert (colour == expected) if expected is not None else colour not in (MISSED, SOON)
    assert len(seen) >= 2  # the demo has urgent and calm renewals


def test_seats_reuse_the_dashboard_count_until_data_changes(window: MainWindow, qtbot: Any,
                                                            monkeypatch: Any) -> None:
    from stackadmin.services.seats import utilization

    calls: list[int] = []
    real = utilization.compute

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(utilization, "compute", counting)
    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    window.show_page("seats")
    wait_idle(qtbot, window.env)
    assert len(calls) == 1 and window.pages["seats"].model.total > 0
    window.env.changed("account")  # the seats page is visible: it counts again
    wait_idle(qtbot, window.env)
    assert len(calls) == 2


def test_the_tools_page_fits_1280_pixels_and_hidden_columns_come_back_from_the_header(
        window: MainWindow, qtbot: Any, tmp_path: Any) -> None:
    """At 1280×800 every shown column of the Tools page fits without a horizontal scroll;
    Terms, Accounts and Website wait in the header's menu, and what the user turns on is
    remembered."""

    from stackadmin.ui.env import Env
    from stackadmin.ui.pages.tools import ToolsPage

    window.show_page("tools")
    wait_idle(qtbot, window.env)
    page = window.pages["tools"]
    header = page.view.horizontalHeader()
    titles = [c.title for c in page.columns]
    hidden = {titles[n] for n in range(len(titles)) if header.isSectionHidden(n)}
    assert hidden == {"Terms", "Accounts", "Website"}
    assert not page.view.horizontalScrollBar().isVisible()
    assert header.length() <= page.view.viewport().width()

    menu = page.column_menu()
    actions = {a.text(): a for a in menu.actions()}
    assert [a.text() for a in menu.actions()][:len(titles)] == titles
    assert not actions["Website"].isChecked() and actions["Name"].isChecked()
    actions["Website"].trigger()  # checked now: shown
    website = titles.index("Website")
    assert not header.isSectionHidden(website) and header.sectionSize(website) >= 30
    page.save_state()

    env2 = Env(window.env.tasks, settings=window.env.settings)
    again = ToolsPage(env2)
    again.key = "tools"
    qtbot.addWidget(again)
    again.show()
    assert not again.view.horizontalHeader().isSectionHidden(website)
    menu.deleteLater()


def test_the_last_shown_column_cannot_be_hidden(window: MainWindow, qtbot: Any) -> None:
    window.show_page("people")
    wait_idle(qtbot, window.env)
    page = window.pages["people"]
    for n in range(1, len(page.columns)):
        page.show_column(n, False)
    only = page.column_menu().actions()[:len(page.columns)]
    assert [a.isEnabled() for a in only] == [False] + [True] * (len(only) - 1)
    assert only[0].isChecked() and not any(a.isChecked() for a in only[1:])


def test_a_titled_job_shows_its_progress_and_can_be_cancelled(window: MainWindow,
                                                             qtbot: Any) -> None:
    import threading

    wait_idle(qtbot, window.env)
    release = threading.Event()

    def work(_ctx: Any, job: Any) -> None:
        job.progress(1, 4)
        while not release.wait(0.01):
            job.check()

    window.env.run(work, title="counting things")
    qtbot.waitUntil(lambda: window.busy_bar is not None and window.busy_bar.maximum() == 4)
    assert window.busy_label is not None and window.busy_label.isVisible()
    assert window.busy_label.text() == "Counting things…" and window.busy_bar.value() == 1
    assert window.cancel_button is not None and window.cancel_button.isVisible()
    window.cancel_button.click()
    wait_idle(qtbot, window.env)
    assert not window.busy_label.isVisible() and not window.cancel_button.isVisible()
    release.set()
