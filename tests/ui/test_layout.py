"""At 1024 × 700 every page works without sideways scrolling (the dashboard reflows, every
toolbar button stays on screen, tables fit their columns), and an empty inventory says
what to do next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractScrollArea, QTableView, QToolBar
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Account, Tool
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages import PAGES
from tests.ui.conftest import make_env, screenshot, wait_idle


def _targets(ctx: ServiceContext) -> dict[str, dict[str, int]]:
    with ctx.read() as session:
        person = session.scalar(select(Account.person_id).where(
            Account.person_id.is_not(None)).order_by(Account.person_id))
        tool = session.scalar(select(Tool.id).where(Tool.name == "Figma"))
    assert person is not None and tool is not None
    return {"person": {"person_id": person}, "tool": {"tool_id": tool}}


def _sideways(page: Any) -> list[str]:
    """What on the page would need a horizontal scroll, in words (empty: nothing)."""
    found = []
    for area in page.findChildren(QAbstractScrollArea):
        if not area.isVisible():
            continue
        if area.horizontalScrollBar().isVisible():
            found.append(f"{type(area).__name__} {area.objectName()} scrolls sideways")
        if isinstance(area, QTableView):
            header = area.horizontalHeader()
            if header.length() > area.viewport().width() + 1:
                titles = [str(area.model().headerData(n, header.orientation()))
                          for n in range(header.count())]
                found.append(f"table {titles[:3]}: {header.length()} px of columns in "
                             f"{area.viewport().width()}")
    return found


def _hidden_buttons(page: Any) -> list[str]:
    """Toolbar actions pushed out of sight (into the toolbar's overflow)."""
    lost = []
    for bar in page.findChildren(QToolBar):
        if not bar.isVisible():
            continue
        for action in bar.actions():
            if action.isSeparator() or not action.isVisible():
                continue
            widget = bar.widgetForAction(action)
            if widget is None or not widget.isVisible() or \
                    widget.geometry().right() > bar.contentsRect().right():
                lost.append(action.text())
    return lost


@pytest.mark.parametrize("key", [p.key for p in PAGES])
def test_every_page_works_at_1024_by_700(key: str, window: MainWindow,
                                         demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.resize(1024, 700)
    window.show_page(key, _targets(demo_ctx).get(key))
    wait_idle(qtbot, window.env)
    page = window.pages[key]
    hint = page.minimumSizeHint()
    assert hint.width() <= 1024 and hint.height() <= 700, hint
    assert hint.width() <= page.width() and hint.height() <= page.height(), (hint, page.size())
    window_hint = window.minimumSizeHint()
    assert window_hint.width() <= 1024 and window_hint.height() <= 700
    assert _sideways(page) == []
    assert _hidden_buttons(page) == []
    screenshot(window, f"{key}-1024")


def test_savings_keeps_its_cost_column_on_screen_at_1024(window: MainWindow,
                                                         qtbot: Any) -> None:
    window.resize(1024, 700)
    window.show_page("savings")
    wait_idle(qtbot, window.env)
    page = window.pages["savings"]
    for view, title in ((page.seats.view, "Annual cost"), (page.group_view, "Annual cost")):
        header = view.horizontalHeader()
        titles = [c.title for c in view.model().columns]
        n = titles.index(title)
        right = header.sectionViewportPosition(n) + header.sectionSize(n)
        assert header.sectionViewportPosition(n) >= 0 and right <= view.viewport().width()


def test_the_dashboard_reflows_to_the_width_there_is(window: MainWindow, qtbot: Any) -> None:
    window.resize(1280, 800)
    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    # Eight cards (the vendor data last) in two rows of four, two columns of sections.
    assert page._layout_shape == (4, 2) and len(page.cards) == 8
    assert not window.compact and window.sidebar.item(1).text() == "Tools"
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: page._layout_shape != (4, 2))
    # The sidebar gives its room to the page: icons only, names in the tooltips.
    assert window.compact and window.sidebar.width() < 80
    assert window.sidebar.item(1).text() == "" and "Tools" in window.sidebar.item(1).toolTip()
    per_row, columns = page._layout_shape
    assert per_row <= 4 and columns == 1
    assert not page.scroll.horizontalScrollBar().isVisible()
    for card in page.cards:  # every figure whole
        assert card.value.width() >= card.value.sizeHint().width()


def test_screens_in_the_dark_at_both_widths(window: MainWindow, demo_ctx: ServiceContext,
                                            qtbot: Any, qapp: Any, monkeypatch: Any) -> None:
    from stackadmin.ui import theme

    monkeypatch.setenv(theme.SCHEME_ENV, "dark")
    theme.apply(qapp)
    try:
        for width, height in ((1280, 800), (1024, 700)):
            window.resize(width, height)
            for key in ("dashboard", "tools", "seats", "savings", "renewals", "people",
                        "integrations", "settings"):
                window.show_page(key)
                wait_idle(qtbot, window.env)
                screenshot(window, f"{key}-{width}-dark")
    finally:
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)


# -- an empty inventory --------------------------------------------------------------------
@pytest.fixture
def empty_window(ui_ctx: ServiceContext, tmp_path: Path, qtbot: Any,
                 qapp: Any) -> Iterator[MainWindow]:
    from stackadmin.ui import theme

    theme.apply(qapp)
    env: Env = make_env(ui_ctx, tmp_path)
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    win.attach(False)  # "Start empty" was chosen
    yield win
    env.tasks.cancel()
    env.tasks.wait()


def test_an_empty_dashboard_says_what_to_do_next(empty_window: MainWindow,
                                                  qtbot: Any) -> None:
    from stackadmin.ui.dialogs import FormDialog

    empty_window.show_page("dashboard")
    wait_idle(qtbot, empty_window.env)
    page = empty_window.pages["dashboard"]
    assert page.empty is not None and page.empty.isVisible()
    assert not any(card.isVisible() for card in page.cards)
    assert set(page.empty.buttons) == {"Add a tool", "Import a spreadsheet…",
                                       "Load the demo inventory"}
    screenshot(empty_window, "dashboard-empty-1024")
    page.empty.buttons["Add a tool"].click()
    wait_idle(qtbot, empty_window.env)
    assert empty_window.current_key == "tools"
    tools = empty_window.pages["tools"]
    assert any(d.isVisible() and d.windowTitle() == "Add a tool"
               for d in tools.findChildren(FormDialog))
    assert tools.table.empty_state is not None and tools.table.empty_state.isVisible()
    assert not tools.view.isVisible() and not tools.search.isVisible()
    screenshot(empty_window, "tools-empty-1024")


@pytest.mark.parametrize("key", ["renewals", "people", "seats", "requests", "connections",
                                 "onboarding"])
def test_an_empty_page_says_what_it_is_for_and_how_rows_come(
        empty_window: MainWindow, qtbot: Any, key: str) -> None:
    empty_window.show_page(key)
    wait_idle(qtbot, empty_window.env)
    page = empty_window.pages[key]
    state = page.table.empty_state
    assert state is not None and state.isVisible() and not page.view.isVisible()
    assert state.text.text() and state.text.height() >= state.text.heightForWidth(
        state.text.width())


def test_loading_the_demo_from_the_empty_dashboard_fills_every_page(
        empty_window: MainWindow, qtbot: Any) -> None:
    empty_window.show_page("dashboard")
    wait_idle(qtbot, empty_window.env)
    page = empty_window.pages["dashboard"]
    assert page.empty is not None
    page.empty.buttons["Load the demo inventory"].click()
    wait_idle(qtbot, empty_window.env)
    wait_idle(qtbot, empty_window.env)
    assert not page.empty.isVisible() and all(card.isVisible() for card in page.cards)
    assert page.board is not None and page.board.tool_count == 25


def test_the_integrations_page_says_where_seats_come_from_meanwhile(
        window: MainWindow, qtbot: Any) -> None:
    window.resize(1024, 700)
    window.show_page("integrations")
    wait_idle(qtbot, window.env)
    page = window.pages["integrations"]
    state = page.table.empty_state
    assert state is not None and state.isVisible() and not page.view.isVisible()
    assert "import it as a tool's accounts" in state.text.text()
    called: list[int] = []
    window.env.import_hook = lambda: called.append(1)
    state.buttons["Import accounts…"].click()
    assert called == [1]
    screenshot(window, "integrations-empty-1024")


def test_each_page_of_the_sidebar_has_an_icon_of_its_own(qapp: Any) -> None:
    """Below 1180 pixels the sidebar shows icons only: two pages with one icon could not be
    told apart. Each is a file that is there."""
    from stackadmin import paths

    shown = [p for p in PAGES if not p.hidden]
    assert len({p.icon for p in shown}) == len(shown)
    assert all((paths.resources_dir() / "icons" / f"{p.icon}.svg").is_file() for p in shown)
