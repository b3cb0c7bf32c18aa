"""Every page that shows amounts in the base currency follows a change of the base currency
or of a rate made on the Settings page, without a restart."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Account, Tool
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import wait_idle


def _choose_euro(window: MainWindow, qtbot: Any) -> None:
    """The base currency set to EUR as a user does it: on the Settings page, saved."""
    window.show_page("settings")
    wait_idle(qtbot, window.env)
    page = window.pages["settings"]
    box = page.inputs["base_currency"]
    box.setCurrentIndex(box.findData("EUR"))
    page.save()
    wait_idle(qtbot, window.env)


def _loaded(window: MainWindow, qtbot: Any, key: str, target: object = None) -> Any:
    window.show_page(key, target)
    wait_idle(qtbot, window.env)
    return window.pages[key]


def test_the_tools_page_shows_the_new_base_currency(window: MainWindow, qtbot: Any) -> None:
    before = _loaded(window, qtbot, "tools")
    assert all(t.base_currency == "USD" for t in before.model.all_rows())
    _choose_euro(window, qtbot)
    page = _loaded(window, qtbot, "tools")
    rows = page.model.all_rows()
    assert rows and all(t.base_currency == "EUR" for t in rows)


def test_a_tool_page_and_a_person_page_show_the_new_base_currency(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    with demo_ctx.read() as session:
        tool_id, person_id = session.execute(
            select(Tool.id, Account.person_id).join(Account, Account.tool_id == Tool.id)
            .where(Account.person_id.is_not(None)).order_by(Tool.id)).first()  # type: ignore[misc]
    tool = _loaded(window, qtbot, "tool", {"tool_id": tool_id})
    assert tool.header_data.base_currency == "USD"
    person = _loaded(window, qtbot, "person", {"person_id": person_id})
    assert all(a.base_currency == "USD" for a in person.model.all_rows())
    _choose_euro(window, qtbot)
    tool = _loaded(window, qtbot, "tool", {"tool_id": tool_id})
    assert tool.header_data.base_currency == "EUR"
    assert "€" in tool.figures.text()
    person = _loaded(window, qtbot, "person", {"person_id": person_id})
    rows = person.model.all_rows()
    assert rows and all(a.base_currency == "EUR" for a in rows)
