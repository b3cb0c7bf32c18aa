"""The person page: many accounts selected and acted on at once, the confirmation before a
reclaim, Edit → Undo and the status bar's undo, the leaver's red flags and hand-over."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.seats.reconcile import reconcile
from stackadmin.store.models import Account, AuditEvent, OffboardingItem, Tool
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.tablemodel import FONT_ROLE
from tests.ui.conftest import screenshot, wait_idle


def _open(window: MainWindow, qtbot: Any, person_id: int) -> Any:
    window.show_page("person", {"person_id": person_id})
    page = window.pages["person"]
    wait_idle(qtbot, window.env)
    qtbot.waitUntil(lambda: page.model.total > 0, timeout=20_000)
    return page


def _select(page: Any, predicate: Any) -> list[Any]:
    """Selects every row the predicate keeps, as ctrl-clicks would."""
    model, selection = page.model, QItemSelection()
    chosen = []
    for n in range(model.shown):
        if predicate(model.row_at(n)):
            selection.select(model.index(n, 0), model.index(n, model.columnCount() - 1))
            chosen.append(model.row_at(n))
    page.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.
                                      ClearAndSelect)
    return chosen


def _statuses(ctx: ServiceContext, ids: list[int]) -> dict[int, str]:
    with ctx.read() as session:
        return dict(session.execute(select(Account.id, Account.status)
                                    .where(Account.id.in_(ids))).all())


def test_reclaiming_many_asks_first_and_edit_undo_puts_them_back(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    leaver = reconcile(demo_ctx).active_after_leaving[0].person_id
    page = _open(window, qtbot, leaver)
    assert "after their last day" in page.heading.text()
    chosen = _select(page, lambda a: a.status == "active")[:3]
    _select(page, lambda a: a.id in {c.id for c in chosen})
    ids = [a.id for a in chosen]
    assert len(ids) == 3 and page.reclaim_action.isEnabled()

    box = page.reclaim()  # asks first, without blocking
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "3 seats" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, window.env)
    assert set(_statuses(demo_ctx, ids).values()) == {"active"}  # cancelled: nothing

    box = page.reclaim()
    screenshot(box, "person-reclaim-confirm")
    next(b for b in box.buttons() if b.text() == "Mark reclaimed").click()
    qtbot.waitUntil(lambda: set(_statuses(demo_ctx, ids).values()) == {"deprovisioned"},
                    timeout=20_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        items = set(session.scalars(select(OffboardingItem.account_id).where(
            OffboardingItem.person_id == leaver, OffboardingItem.outcome == "reclaimed")))
    assert set(ids) <= items  # a leaver's checklist records each
    undo = window.undo
    assert undo.action.isEnabled() and undo.action.text() == "&Undo reclaimed 3 seats"
    assert undo.button.isVisible() and undo.button.text() == "↶ Undo reclaimed 3 seats"
    qtbot.waitUntil(lambda: page.model.total > 0
                    and all(page.model.row_at(n).done for n in range(page.model.shown)
                            if page.model.row_at(n).id in ids), timeout=20_000)
    screenshot(window, "person-after-reclaim")

    undo.action.trigger()  # Edit → Undo
    qtbot.waitUntil(lambda: set(_statuses(demo_ctx, ids).values()) == {"active"},
                    timeout=20_000)
    wait_idle(qtbot, window.env)
    assert not undo.action.isEnabled() and not undo.button.isVisible()
    with demo_ctx.read() as session:
        left = set(session.scalars(select(OffboardingItem.account_id).where(
            OffboardingItem.person_id == leaver)))
        undone = session.scalars(select(AuditEvent.summary).where(
            AuditEvent.action == "undo")).all()
    assert not set(ids) & left
    assert undone == ["undid: reclaimed 3 seats"]


def test_the_status_bar_undo_and_marking_kept_together(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    leaver = reconcile(demo_ctx).active_after_leaving[0].person_id
    page = _open(window, qtbot, leaver)
    chosen = _select(page, lambda a: a.status == "active")[:2]
    _select(page, lambda a: a.id in {c.id for c in chosen})
    dialog = page.decide("kept")
    assert dialog is not None
    dialog.submit()  # no reason: refused next to the field, nothing recorded
    qtbot.waitUntil(lambda: bool(dialog.problem_text("reason")), timeout=10_000)
    dialog.set_value("reason", "legal hold")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        kept = dict(session.execute(select(OffboardingItem.account_id, OffboardingItem.reason)
                                    .where(OffboardingItem.person_id == leaver)).all())
    assert kept == {a.id: "legal hold" for a in chosen}
    assert window.undo.button.text() == "↶ Undo marked kept 2 seats"
    window.undo.button.click()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        assert not session.scalars(select(OffboardingItem).where(
            OffboardingItem.person_id == leaver)).all()


def test_deprovisioned_accounts_count_as_done_and_owners_admins_stand_out(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    leaver = reconcile(demo_ctx).active_after_leaving[0].person_id
    page = _open(window, qtbot, leaver)
    rows = page.model.all_rows()
    done = [a for a in rows if a.status == "deprovisioned"]
    assert done and all(a.done and a.outcome is None for a in done)
    assert f"{len(done)} of {len(rows)} accounts done" in page.heading.text()
    with demo_ctx.read() as session:
        owned = session.scalars(select(Tool.name).where(Tool.owner_id == leaver)).all()
    assert owned and "hand them over" in page.heading.text()
    assert all(name in page.heading.text() for name in owned)
    # Someone who is an owner or admin somewhere: the role is set in bold.
    with demo_ctx.read() as session:
        admin = session.scalars(select(Account.person_id).where(
            Account.role.in_(["owner", "admin"]), Account.person_id.is_not(None))).first()
    assert admin is not None
    page = _open(window, qtbot, admin)
    role = next(n for n, c in enumerate(page.model.columns) if c.title == "Role")
    for n in range(page.model.shown):
        font = page.model.data(page.model.index(n, role), FONT_ROLE)
        privileged = page.model.row_at(n).role in ("owner", "admin")
        assert (font is not None and font.bold()) == privileged
    screenshot(window, "person-roles")


def test_the_right_click_menu_has_the_batches_and_a_row_opens_its_tool(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    leaver = reconcile(demo_ctx).active_after_leaving[0].person_id
    page = _open(window, qtbot, leaver)
    chosen = _select(page, lambda a: a.status == "active")[:1]
    _select(page, lambda a: a.id == chosen[0].id)
    n = page.model.row_of(lambda a: a.id == chosen[0].id)
    menu = page.table.context_menu_at(page.view.visualRect(page.model.index(n, 0)).center())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open tool", "Reclaim…", "Exempt…", "Clear exemption",
                     "Mark transferred to…", "Mark kept (with a reason)…", "Copy",
                     "Export this view…"]
    actions = {a.text(): a for a in menu.actions()}
    assert actions["Reclaim…"].isEnabled() and not actions["Clear exemption"].isEnabled()
    actions["Reclaim…"].trigger()  # the same confirmation as the toolbar's
    assert isinstance(page.confirm_box, QMessageBox) and page.confirm_box.isVisible()
    assert chosen[0].tool in page.confirm_box.text()
    page.confirm_box.button(QMessageBox.StandardButton.Cancel).click()
    menu.deleteLater()
    page.view.doubleClicked.emit(page.model.index(n, 0))
    wait_idle(qtbot, window.env)
    assert window.current_key == "tool"
    assert window.pages["tool"].tool_id == chosen[0].tool_id


def test_the_heading_is_as_tall_as_its_lines_at_each_width(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """No blank lines around the person's heading, and none of its lines cut."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel

    leaver = reconcile(demo_ctx).active_after_leaving[0].person_id
    page = _open(window, qtbot, leaver)
    for width in (1280, 1024):
        window.resize(width, 800)
        qtbot.wait(50)
        heading = page.heading
        probe = QLabel()  # the same text, measured afresh at the heading's width
        probe.setTextFormat(Qt.TextFormat.RichText)
        probe.setWordWrap(True)
        probe.setFont(heading.font())
        probe.setText(heading.text())
        need = probe.heightForWidth(heading.width())
        assert need <= heading.height() <= need + 4, (width, need, heading.height())
