"""Vendor sync as it looks on the demo inventory, light and dark, at 1280 and 1024 pixels
(test-artifacts/screens/sync-<page>-<look>-<width>.png): the Integrations page with its
history, the Seats page saying where each seat came from and when, and the dashboard naming
the oldest vendor data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QScrollArea

from stackadmin.plugins.testing import FakeVendor, Reply
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Integration
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.sync_center import sync_center
from tests.services.sync.conftest import SEATS, Kit, seat
from tests.ui.conftest import make_env, screenshot, wait_idle

LOOKS = [("light", 1280), ("light", 1024), ("dark", 1280), ("dark", 1024)]


@pytest.fixture
def kit(demo_ctx: ServiceContext) -> Iterator[Kit]:
    with FakeVendor() as vendor:
        yield Kit(demo_ctx, vendor)


@pytest.fixture
def env(demo_ctx: ServiceContext, tmp_path: Path, kit: Kit) -> Iterator[Env]:
    environment = make_env(demo_ctx, tmp_path)
    sync_center(environment).settings = kit.settings()
    yield environment
    environment.tasks.cancel()
    environment.tasks.wait()


@pytest.fixture
def look(request: pytest.FixtureRequest, qapp: Any, monkeypatch: Any) -> Iterator[str]:
    from stackadmin.ui import theme

    scheme, _width = request.param
    monkeypatch.setenv(theme.SCHEME_ENV, scheme)
    theme.apply(qapp)
    yield scheme
    monkeypatch.setenv(theme.SCHEME_ENV, "light")
    theme.apply(qapp)


def _synced(kit: Kit) -> None:
    seats = [seat(n, last_activity_at="2026-11-20T10:00:00Z") for n in range(12)]
    seats[3] = seat(3, last_activity_at="2026-11-20T10:00:00Z",
                    pending_cancellation_date="2026-12-31")
    kit.serve_copilot(seats)
    kit.add()
    assert kit.sync().ok
    assert kit.sync().ok
    with kit.ctx.transaction() as session:  # its data is nine days old
        for row in session.query(Integration):
            row.last_success_at -= timedelta(days=9)
    kit.vendor.link_pages("/scim/v2/Users", [], per_page=2)
    kit.add("scim", name="Figma SCIM", tool="Figma")
    kit.vendor.add("/scim/v2/Users", Reply.error(401, "invalid token"))
    assert not kit.sync("Figma SCIM").ok
    kit.vendor.add(SEATS, Reply.json({"total_seats": 0, "seats": []}))


def _show(window: MainWindow, qtbot: Any, key: str, width: int, target: object = None) -> Any:
    window.resize(width, 760)
    window.show_page(key, target)
    wait_idle(qtbot, window.env)
    qtbot.wait(50)
    return window.pages[key]


@pytest.mark.parametrize("look", LOOKS, indirect=True, ids=[f"{s}-{w}" for s, w in LOOKS])
def test_sync_in_the_pages(look: str, request: pytest.FixtureRequest, window: MainWindow,
                           kit: Kit, qtbot: Any) -> None:
    width = request.node.callspec.params["look"][1]
    name = f"{look}-{width}"
    _synced(kit)

    page = _show(window, qtbot, "integrations", width)
    assert [r.name for r in page.rows] == ["Copilot acme", "Figma SCIM"]
    page.view.selectRow(1)
    qtbot.waitUntil(lambda: page.history_model.rowCount() == 1)
    assert "token was rejected" in page.history_model.index(0, 9).data()
    screenshot(window, f"sync-integrations-{name}")

    seats = _show(window, qtbot, "seats", width, {"search": "copilot acme"})
    qtbot.waitUntil(lambda: seats.model.rowCount() == 12, timeout=20_000)
    shown = {seats.model.index(n, 2).data(): (seats.model.index(n, 7).data(),
                                              seats.model.index(n, 8).data(),
                                              seats.model.index(n, 9).data())
             for n in range(12)}
    use, source, synced = shown["user3@example.com"]
    assert use == "cancelling 12/31/2026" and source == "Copilot acme" and synced
    screenshot(window, f"sync-seats-{name}")

    tools = _show(window, qtbot, "tools", width, {"search": "github copilot"})
    column = [c.title for c in tools.model.columns].index("Purchased")

    def purchased() -> str:
        return str(tools.model.index(0, column).data() or "")

    qtbot.waitUntil(lambda: "≠" in purchased(), timeout=20_000)
    assert purchased() == "30 ≠ 12"  # the vendor's own count, beside the contract's
    screenshot(window, f"sync-tools-{name}")

    board = _show(window, qtbot, "dashboard", width)
    qtbot.waitUntil(lambda: board.running is not None, timeout=20_000)
    card = board.sync_card
    assert card.value.text() == "9 days ago"
    assert "Copilot acme last synced 9 days ago" in card.detail.text()
    assert "last sync failed: Figma SCIM" in card.detail.text()
    scroll = board.findChild(QScrollArea)
    scroll.ensureWidgetVisible(card)
    qtbot.wait(50)
    screenshot(window, f"sync-dashboard-{name}")
