"""The Integrations page under pytest-qt against a loopback GitHub: add with the form made
from the plugin's declaration, test the connection, a first sync shown before it writes,
sync with a progress bar and Cancel, history, broken plugins, remove; scheduled syncs and a
failure told once."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from stackadmin.plugins.testing import FakeVendor, RecordedRequest, Reply, write_distribution
from stackadmin.services.context import ServiceContext
from stackadmin.ui.env import Env
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages.integrations import IntegrationsPage
from stackadmin.ui.sync_center import SyncCenter, sync_center
from tests.services.sync.conftest import BILLING, SEATS, SECRET, Kit, body, dump, seat
from tests.ui.conftest import make_env, screenshot, wait_idle


@pytest.fixture
def kit(ui_ctx: ServiceContext) -> Iterator[Kit]:
    with FakeVendor() as vendor:
        yield Kit(ui_ctx, vendor)


@pytest.fixture
def env(ui_ctx: ServiceContext, tmp_path: Path, kit: Kit) -> Iterator[Env]:
    environment = make_env(ui_ctx, tmp_path)
    center = sync_center(environment)
    center.settings = kit.settings()  # the in-memory keyring, the fake clock
    yield environment
    environment.tasks.cancel()
    environment.tasks.wait()


def serve_slowly(kit: Kit, count: int, per_page: int, delay: float) -> None:
    """Copilot seats served with a delay per page (so that a sync can be watched and
    cancelled)."""
    seats = [seat(n) for n in range(count)]
    pages = [seats[i:i + per_page] for i in range(0, count, per_page)]
    kit.vendor.add(BILLING, body("github_copilot_billing.json"))

    def answer(request: RecordedRequest) -> Reply:
        number = int(request.param("page") or 1)
        headers = {}
        if number < len(pages):
            headers["Link"] = (f'<{kit.vendor.url}{SEATS}?per_page=100&page={number + 1}>; '
                               'rel="next"')
        return Reply.json({"total_seats": count, "seats": pages[number - 1]},
                          headers=headers).after(delay)

    kit.vendor.add(SEATS, answer)


def open_page(window: MainWindow, qtbot: Any, env: Env) -> IntegrationsPage:
    window.show_page("integrations")
    page = window.pages["integrations"]
    assert isinstance(page, IntegrationsPage)
    wait_idle(qtbot, env)
    return page


def test_add_test_first_sync_and_history(window: MainWindow, qtbot: Any, env: Env,
                                         kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(7)])
    page = open_page(window, qtbot, env)
    assert page.empty.isVisible() and not page.splitter.isVisible()
    text = page.empty.text
    assert "GitHub Copilot" in text.text()
    # Set once the plugins are known: the whole sentence shows, not the height of none.
    assert text.height() >= text.heightForWidth(text.width()) > 3 * text.fontMetrics().height()
    screenshot(window, "integrations-empty")

    page.add()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None)
    dialog = page.dialog
    dialog.plugin.setCurrentIndex(dialog.plugin.findData("github-copilot"))
    assert set(dialog.option_inputs) == {"org", "base_url"}  # from the declaration
    assert dialog.secret.echoMode() == dialog.secret.EchoMode.Password
    dialog.name.setText("Copilot acme")
    dialog.tool.setCurrentText("GitHub Copilot")
    dialog.set_option("org", "acme")
    dialog.set_option("base_url", kit.vendor.url)
    dialog.secret.setText(SECRET)
    qtbot.wait(50)
    screenshot(dialog, "integrations-add-dialog")
    dialog.test()
    qtbot.waitUntil(lambda: "token accepted" in dialog.test_result.text())
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        dialog.submit()
    wait_idle(qtbot, env)
    assert list(kit.keyring.store.values()) == [SECRET]
    qtbot.waitUntil(lambda: [r.name for r in page.rows] == ["Copilot acme"])
    assert page.splitter.isVisible() and not page.empty.isVisible()

    page.test()
    qtbot.waitUntil(lambda: "token accepted" in page.status.text())

    page.view.selectRow(0)
    page.sync()  # a first sync: shown before anything is written
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20_000)
    preview = page.preview_dialog
    assert "add 7 accounts" in preview.findChild(type(page.status), "previewSummary").text()
    assert preview.model.rowCount() == 7
    assert dump(kit.ctx)["account"] == []
    screenshot(preview, "integrations-first-sync-preview")
    preview.apply_button.click()
    qtbot.waitUntil(lambda: len(dump(kit.ctx)["account"]) == 7, timeout=20_000)
    wait_idle(qtbot, env)
    qtbot.waitUntil(lambda: page.history_model.rowCount() == 2)
    results = [page.history_model.index(n, 1).data() for n in range(2)]
    assert results == ["ok", "ok (dry run)"]
    assert "Copilot acme: 7 added" in page.status.text()
    assert "ok: 7 added" in page.model.index(0, 5).data()
    screenshot(window, "integrations-after-first-sync")


def test_sync_with_progress_and_cancel(window: MainWindow, qtbot: Any, env: Env,
                                       kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(4)])
    kit.add()
    assert kit.sync().ok
    before = dump(kit.ctx)
    serve_slowly(kit, 60, per_page=5, delay=0.25)
    page = open_page(window, qtbot, env)
    page.view.selectRow(0)
    page.sync()
    qtbot.waitUntil(lambda: page.progress.get(page.rows[0].id, ("", 0, 0))[1] >= 10,
                    timeout=20_000)
    text, _items, total = page.progress[page.rows[0].id]
    assert total == 60 and "page" in text
    assert window.busy_label is not None and window.busy_label.text() == "Syncing Copilot acme…"
    assert window.busy_bar is not None and window.busy_bar.maximum() == 60
    screenshot(window, "integrations-sync-progress")
    assert page.cancel_action.isEnabled()
    page.cancel_action.trigger()
    qtbot.waitUntil(lambda: not page.center.jobs, timeout=20_000)
    wait_idle(qtbot, env)
    assert page.progress == {}
    assert dump(kit.ctx) == before  # nothing written
    qtbot.waitUntil(lambda: page.history_model.rowCount() >= 2)
    assert page.history_model.index(0, 1).data() == "cancelled"


def test_the_brake_asks_before_applying(window: MainWindow, qtbot: Any, env: Env,
                                        kit: Kit) -> None:
    kit.serve_copilot([seat(n) for n in range(10)])
    kit.add()
    assert kit.sync().ok
    kit.serve_copilot([seat(n) for n in range(5)])
    page = open_page(window, qtbot, env)
    page.view.selectRow(0)
    page.sync()
    qtbot.waitUntil(lambda: getattr(page, "preview_dialog", None) is not None, timeout=20_000)
    preview = page.preview_dialog
    assert preview.apply_button.text() == "Apply anyway"
    warning = preview.findChild(type(page.status), "brakeWarning")
    assert "5 of the 10 accounts" in warning.text()
    screenshot(preview, "integrations-brake")
    preview.apply_button.click()
    qtbot.waitUntil(lambda: sum(1 for r in dump(kit.ctx)["account"]
                                if "deprovisioned" in r) == 5, timeout=20_000)
    qtbot.waitUntil(lambda: not page.center.jobs, timeout=20_000)
    wait_idle(qtbot, env)


def test_broken_plugins_are_listed_with_their_reason(window: MainWindow, qtbot: Any,
                                                     env: Env, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write_distribution(tmp_path / "site", "broken-vendor",
                       {"broken": "broken_vendor_plugin:Plugin"},
                       modules={"broken_vendor_plugin": "raise ImportError('no module xyz')"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    page = open_page(window, qtbot, env)
    assert page.broken.isVisible()
    assert "broken:" in page.broken.text() and "xyz" in page.broken.text()
    sys.modules.pop("broken_vendor_plugin", None)


def test_edit_and_remove(window: MainWindow, qtbot: Any, env: Env, kit: Kit) -> None:
    kit.serve_copilot([seat(1)])
    kit.add()
    page = open_page(window, qtbot, env)
    page.view.selectRow(0)
    page.edit()
    qtbot.waitUntil(lambda: getattr(page, "dialog", None) is not None)
    dialog = page.dialog
    assert not dialog.plugin.isEnabled() and dialog.name.text() == "Copilot acme"
    assert dialog.secret.text() == ""  # the stored one is never shown
    dialog.schedule.setCurrentIndex(dialog.schedule.findData("weekly"))
    dialog.brake.setValue(40)
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        dialog.submit()
    wait_idle(qtbot, env)
    qtbot.waitUntil(lambda: page.rows and page.rows[0].schedule == "weekly")
    assert page.rows[0].brake_pct == 40 and list(kit.keyring.store.values()) == [SECRET]
    page.view.selectRow(0)
    page.remove()
    box = page.confirm_box
    remove = next(b for b in box.buttons()
                  if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    remove.click()
    qtbot.waitUntil(lambda: page.rows == [])
    assert kit.keyring.store == {}
    assert page.empty.isVisible()


def test_a_due_sync_runs_in_the_background_and_a_failure_is_told_once(
        qtbot: Any, env: Env, kit: Kit) -> None:
    from datetime import timedelta

    from stackadmin.store.models import Integration, SyncRun

    kit.serve_copilot([seat(n) for n in range(3)])
    kit.add()
    assert kit.sync().ok
    with kit.ctx.transaction() as session:
        for row in session.query(Integration):
            row.last_success_at -= timedelta(days=2)
        for run in session.query(SyncRun):
            run.started_at -= timedelta(days=2)
    kit.vendor.add(SEATS, Reply.error(401, "Bad credentials"))
    center: SyncCenter = env.sync_center
    messages: list[str] = []
    env.error.connect(messages.append)
    center.check_due()
    qtbot.waitUntil(lambda: bool(center.reported), timeout=20_000)
    wait_idle(qtbot, env)
    assert len(messages) == 1 and "Copilot acme could not sync" in messages[0]
    assert "token was rejected" in messages[0]
    # The next checks (every few minutes) say nothing more; the retry waits an hour.
    center.check_due()
    wait_idle(qtbot, env)
    center.check_due()
    wait_idle(qtbot, env)
    assert len(messages) == 1
