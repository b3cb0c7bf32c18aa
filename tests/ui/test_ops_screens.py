"""The pages an ops manager works through in a day, rendered as they look: light and dark, at
1280 and at 1024 pixels wide (test-artifacts/screens/ops-<page>-<look>-<width>.png).

Each render also checks what the page must say on the demo inventory: the figures it
flags (activity unknown, no seat data, over-allocation, a leaver still active, a tool to
hand over) are on screen in words, not only in a tooltip or a colour."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.seats.reconcile import reconcile
from stackadmin.store.models import Person, Tool
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle

LOOKS = [("light", 1280), ("light", 1024), ("dark", 1280), ("dark", 1024)]
# "1 terms", "1 seats": a count of one with a plural noun, anywhere on a page.
ONE_PLURAL = re.compile(r"(?<![\d,.])1 (terms|seats|tools|accounts|rows|people|reminders|days|"
                        r"lines|renewals|warnings|problems|changes|owners|cancel-by dates)\b")


@pytest.fixture
def look(request: pytest.FixtureRequest, qapp: Any, monkeypatch: Any) -> Iterator[str]:
    from stackadmin.ui import theme

    scheme, _width = request.param
    monkeypatch.setenv(theme.SCHEME_ENV, scheme)
    theme.apply(qapp)
    yield scheme
    monkeypatch.setenv(theme.SCHEME_ENV, "light")
    theme.apply(qapp)


def _leaver(ctx: ServiceContext) -> int:
    """The person whose accounts were used after their last day (the demo has one)."""
    found = reconcile(ctx).active_after_leaving
    assert found
    return found[0].person_id


def _show(window: MainWindow, qtbot: Any, key: str, width: int, target: object = None) -> Any:
    window.resize(width, 760)
    window.show_page(key, target)
    wait_idle(qtbot, window.env)
    qtbot.wait(50)  # layouts settle after the rows arrive
    return window.pages[key]


def _texts(widget: Any) -> str:
    """Every visible label of the page; none may say "1 terms"."""
    from PySide6.QtWidgets import QLabel

    text = "\n".join(label.text() for label in widget.findChildren(QLabel)
                     if label.isVisible())
    assert not ONE_PLURAL.search(text), ONE_PLURAL.search(text)
    return text


@pytest.mark.parametrize("look", LOOKS, indirect=True, ids=[f"{s}-{w}" for s, w in LOOKS])
def test_the_day_in_pages(look: str, request: pytest.FixtureRequest, window: MainWindow,
                          demo_ctx: ServiceContext, qtbot: Any) -> None:
    width = request.node.callspec.params["look"][1]
    name = f"{look}-{width}"

    page = _show(window, qtbot, "dashboard", width)
    qtbot.waitUntil(lambda: page.seat_model.total > 0, timeout=20_000)
    words = _texts(page)
    assert "more seats than purchased" in words and "need a new owner" in words
    screenshot(window, f"ops-dashboard-{name}")
    from PySide6.QtWidgets import QScrollArea

    screenshot(page.findChild(QScrollArea).widget(), f"ops-dashboard-all-{name}")

    page = _show(window, qtbot, "tools", width)
    qtbot.waitUntil(lambda: page.model.total and page.model.row_at(0).utilization is not None,
                    timeout=20_000)
    shown = {page.model.data(page.model.index(n, c))
             for n in range(page.model.shown) for c in range(page.model.columnCount())}
    assert {"activity unknown", "no seat data", "flat"} <= shown
    _texts(window)
    screenshot(window, f"ops-tools-{name}")

    page = _show(window, qtbot, "savings", width)
    assert "used after the person's last day" in _texts(page)
    screenshot(window, f"ops-savings-{name}")

    page = _show(window, qtbot, "person", width, {"person_id": _leaver(demo_ctx)})
    assert "after their last day" in page.heading.text()
    screenshot(window, f"ops-person-{name}")

    page = _show(window, qtbot, "renewals", width)
    page.search.setText(page.model.row_at(0).renewal.tool)  # one row: "1 term", not "1 terms"
    assert "the 1 term shown" in _texts(page)
    page.search.clear()
    _texts(page)
    screenshot(window, f"ops-renewals-{name}")

    page = _show(window, qtbot, "activity", width)
    _texts(page)
    screenshot(window, f"ops-activity-{name}")

    # A tool's page with its hosted sections, and the pages of running and buying.
    with demo_ctx.read() as session:
        jira = session.scalar(select(Tool.id).where(Tool.name == "Jira"))
    page = _show(window, qtbot, "tool", width, {"tool_id": jira})
    assert "3 connections depend on it" in _texts(page)
    screenshot(window, f"ops-tool-{name}")
    for key in ("requests", "feedback", "consolidation", "connections", "map", "onboarding"):
        _texts(_show(window, qtbot, key, width))
    with demo_ctx.read() as session:
        assert session.scalars(select(Person.id)).first() is not None
