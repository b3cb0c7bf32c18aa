"""The reminder panel: pops up at start with the due reminders (most urgent first), once; its
answers are stored (database state and audit log); tray notification where a tray exists,
the in-app panel alone where none does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtCore import Qt as QtNs
from PySide6.QtWidgets import QLabel, QSystemTrayIcon
from sqlalchemy import select

from stackadmin.domain.reminders import ReminderKey
from stackadmin.domain.vocab import ReminderState
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals.reminders import ReminderRow, due_reminders
from stackadmin.store.models import (
    AuditEvent,
    ReminderStateRow,
    SubscriptionTerm,
    TermDecision,
    Tool,
)
from stackadmin.ui.env import Env
from stackadmin.ui.fmt import date_text
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.reminders.panel import ReminderCenter, install_reminders, seats_text
from stackadmin.ui.tray import TrayNotifier
from tests.conftest import TODAY
from tests.ui.conftest import make_env, screenshot, wait_idle


class FakeTray(QSystemTrayIcon):
    """A tray icon that records instead of reaching a platform tray (offscreen, a real
    `show()` warns about a missing native interface)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.messages: list[tuple[str, str]] = []
        self.was_shown = False

    def show(self) -> None:
        self.was_shown = True

    def showMessage(self, title: str, text: str, *_args: Any) -> None:  # type: ignore[override]
        self.messages.append((title, text))


def _tray(window: MainWindow, available: bool) -> tuple[TrayNotifier, list[FakeTray]]:
    made: list[FakeTray] = []

    def factory(parent: QObject) -> QSystemTrayIcon:
        made.append(FakeTray(parent))
        return made[-1]

    return TrayNotifier(window, available=lambda: available, factory=factory), made


def _start(window: MainWindow, qtbot: Any, *, tray_available: bool = False,
           expect_popup: bool = True) -> tuple[ReminderCenter, list[FakeTray]]:
    tray, made = _tray(window, tray_available)
    center = install_reminders(window, window.env, tray=tray)
    if expect_popup:
        with qtbot.waitSignal(center.popped, timeout=20_000):
            center.start()
    else:
        with qtbot.waitSignal(center.checked, timeout=20_000):
            center.start()
    wait_idle(qtbot, window.env)
    return center, made


def _states(ctx: ServiceContext) -> dict[ReminderKey, tuple[str, date | None]]:
    from stackadmin.domain.vocab import ReminderKind

    with ctx.read() as session:
        rows = session.scalars(select(ReminderStateRow)).all()
        return {ReminderKey(r.term_id, r.renewal_date, ReminderKind(r.kind), r.lead_days):
                (r.state, r.snoozed_until) for r in rows}


def _audit(ctx: ServiceContext, entity: str) -> list[AuditEvent]:
    with ctx.read() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.entity == entity)))


def _tool_name(ctx: ServiceContext, term_id: int) -> str:
    with ctx.read() as session:
        name = session.scalar(select(Tool.name).join(SubscriptionTerm).where(
            SubscriptionTerm.id == term_id))
    assert name is not None
    return name


def test_panel_pops_up_at_start_with_every_due_reminder_most_urgent_first(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    expected = due_reminders(demo_ctx)
    assert expected and all(r.is_new for r in expected)
    center, _made = _start(window, qtbot)
    panel = center.panel
    assert panel.isVisible()
    rows = panel.model.visible_rows()
    assert [r.key for r in rows] == [r.key for r in expected]
    cancel_bys = [r.renewal.cancel_by for r in rows]
    assert cancel_bys == sorted(cancel_bys)
    # What each row shows comes from the term itself.
    first = rows[0]
    assert panel.model.index(0, 1).data() == _tool_name(demo_ctx, first.key.term_id)
    assert panel.current() is not None and panel.current().key == first.key  # type: ignore[union-attr]
    # Popping up is recorded: every popped reminder is now 'shown' (not an Activity entry).
    states = _states(demo_ctx)
    assert {k: s for k, (s, _) in states.items()} == {
        r.key: ReminderState.SHOWN.value for r in expected}
    assert _audit(demo_ctx, "reminder_state") == []
    assert center.button.isVisible() and str(len(expected)) in center.button.text()
    screenshot(window, "reminder-panel")


def test_a_first_check_made_without_seats_shows_at_once_and_its_seats_follow(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The start's check says which reminders are due; their tools' active seats (a count
    over every seat of those tools) are filled in right after, as the panel's own checks
    give them."""
    full = due_reminders(demo_ctx)
    quick = due_reminders(demo_ctx, with_seats=False)
    assert [r.key for r in quick] == [r.key for r in full]
    assert any(r.renewal.seats_active for r in full)
    tray, _made = _tray(window, False)
    center = install_reminders(window, window.env, tray=tray, popup=False,
                               first=(demo_ctx.today(), quick, 0.0))
    seats = 7  # "Seats / active"
    assert center.panel.model.headerData(seats, QtNs.Orientation.Horizontal) == "Seats / active"
    shown: list[list[str]] = []
    center.checked.connect(lambda: shown.append(_column(center, seats)))
    with qtbot.waitSignal(center.seats_counted, timeout=20_000):
        center.start()
    assert shown and all(text.endswith(" / …") for text in shown[0])
    assert _column(center, seats) == [seats_text(r.renewal) for r in full]
    assert center.seats_seconds > 0
    wait_idle(qtbot, window.env)


def _column(center: ReminderCenter, column: int) -> list[str]:
    model = center.panel.model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_a_restart_does_not_pop_up_reminders_already_shown(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    first, _ = _start(window, qtbot)
    popped = len(first.panel.model.all_rows())
    env2 = make_env(demo_ctx, tmp_path / "second")
    try:
        second_window = MainWindow(env2)
        qtbot.addWidget(second_window)
        second_window.show()
        tray, made = _tray(second_window, True)
        center = install_reminders(second_window, env2, tray=tray)
        with qtbot.assertNotEmitted(center.popped), \
                qtbot.waitSignal(center.checked, timeout=20_000):
            center.start()
        wait_idle(qtbot, env2)
        assert not center.panel.isVisible()
        assert made == []  # no tray message either
        # The reminders are still listed (the status-bar button opens them), just not news.
        assert len(center.panel.model.all_rows()) == popped
        center.button.click()
        assert center.panel.isVisible()
    finally:
        env2.tasks.cancel()
        env2.tasks.wait()


def test_catch_up_after_40_closed_days_pops_one_panel_one_row_per_term(
        demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    later = replace(demo_ctx, today=lambda: TODAY + timedelta(days=40))
    env = make_env(later, tmp_path)
    try:
        window = MainWindow(env)
        qtbot.addWidget(window)
        window.show()
        tray, made = _tray(window, True)
        center = install_reminders(window, env, tray=tray)
        popups: list[list[ReminderRow]] = []
        center.popped.connect(popups.append)
        with qtbot.waitSignal(center.popped, timeout=20_000):
            center.start()
        wait_idle(qtbot, env)
        center.check(popup=True)  # a timer tick soon after: nothing new
        wait_idle(qtbot, env)
        assert len(popups) == 1
        rows = popups[0]
        terms = [r.key.term_id for r in rows]
        assert len(terms) == len(set(terms))
        assert [r.key for r in rows] == [r.key for r in due_reminders(later)]
        assert len(made) == 1 and len(made[0].messages) == 1
        assert made[0].messages[0][0] == f"{len(rows)} renewal reminders"
    finally:
        env.tasks.cancel()
        env.tasks.wait()


def test_a_new_day_brings_its_reminders_without_a_restart(
        demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    clock = [TODAY]
    moving = replace(demo_ctx, today=lambda: clock[0])
    env = make_env(moving, tmp_path)
    window = MainWindow(env)
    qtbot.addWidget(window)
    # Ticks far quicker than a check: a tick must not restart (cancel) the running check.
    center = ReminderCenter(env, window, tray=_tray(window, False)[0], day_check_ms=5)
    try:
        with qtbot.waitSignal(center.popped, timeout=20_000):
            center.start()
        wait_idle(qtbot, env)
        before = {r.key for r in center.panel.model.all_rows()}
        clock[0] = TODAY + timedelta(days=60)
        started: list[Any] = []
        env.tasks.started.connect(started.append)
        for _ in range(3):  # ticks while the new day's check still runs start no other
            center._day_tick()
        assert [j.key for j in started] == ["reminders:check"]
        with qtbot.waitSignal(center.popped, timeout=20_000) as blocker:
            pass
        wait_idle(qtbot, env)
        new = blocker.args[0]
        assert new and not {r.key for r in new} & before
        assert center.day == clock[0]
    finally:
        center.stop()
        env.tasks.cancel()
        env.tasks.wait()


def test_snooze_for_a_day_is_stored_audited_and_hides_the_reminder(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    panel = center.panel
    row = panel.current()
    assert row is not None
    with qtbot.waitSignal(center.checked, timeout=20_000):
        panel.snooze(1)
    wait_idle(qtbot, window.env)
    assert _states(demo_ctx)[row.key] == (ReminderState.SNOOZED.value, TODAY + timedelta(days=1))
    assert any("snoozed until" in e.summary and e.source == "ui"
               for e in _audit(demo_ctx, "reminder_state"))
    assert row.key not in {r.key for r in panel.model.all_rows()}
    assert "snoozed until" in window.statusBar().currentMessage()


def test_snooze_until_a_date_asks_for_it_and_explains_bad_input(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    panel = center.panel
    row = panel.current()
    assert row is not None
    dialog = panel.snooze(None)
    dialog.set_value("until", "next tuesday")
    dialog.submit()
    wait_idle(qtbot, window.env)
    assert "expected a date" in dialog.problem_text("until").lower()
    assert _states(demo_ctx)[row.key][0] == ReminderState.SHOWN.value  # nothing changed
    dialog.set_value("until", "2027-01-04")
    dialog.submit()
    wait_idle(qtbot, window.env)
    assert _states(demo_ctx)[row.key] == (ReminderState.SNOOZED.value, date(2027, 1, 4))


def test_acknowledge_is_stored_audited_and_hides_the_reminder(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    panel = center.panel
    panel.view.selectRow(1)
    row = panel.current()
    assert row is not None
    with qtbot.waitSignal(center.checked, timeout=20_000):
        panel.acknowledge()
    wait_idle(qtbot, window.env)
    assert _states(demo_ctx)[row.key] == (ReminderState.ACKNOWLEDGED.value, None)
    assert any("acknowledged" in e.summary for e in _audit(demo_ctx, "reminder_state"))
    assert row.key not in {r.key for r in panel.model.all_rows()}


@pytest.mark.parametrize("decision", ["renew", "renegotiate", "cancel"])
def test_a_decision_with_a_note_is_stored_audited_and_ends_the_terms_reminders(
        decision: str, window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    panel = center.panel
    row = panel.current()
    assert row is not None
    dialog = panel.decide(decision)
    # The most urgent reminder is a missed date: the dialog says so.
    assert any("(passed)" in label.text() for label in dialog.findChildren(QLabel))
    dialog.set_value("note", "  Quote from the vendor: -10%  ")
    screenshot(dialog, f"decide-{decision}")
    with qtbot.waitSignal(center.checked, timeout=20_000):
        dialog.submit()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        stored = session.scalars(select(TermDecision).where(
            TermDecision.term_id == row.key.term_id)).one()
        assert (stored.decision, stored.note, stored.renewal_date) == (
            decision, "Quote from the vendor: -10%", row.renewal.renewal_date)
    events = _audit(demo_ctx, "term_decision")
    assert len(events) == 1 and decision in events[0].summary and events[0].source == "ui"
    assert row.key.term_id not in {r.key.term_id for r in panel.model.all_rows()}
    assert due_reminders(demo_ctx, with_seats=False)[0].key != row.key


def test_open_term_shows_it_on_the_renewals_page_even_outside_the_filter(
        window: MainWindow, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    window.show_page("renewals")
    wait_idle(qtbot, window.env)
    page = window.pages["renewals"]
    page.set_filters(within_days=30)
    wait_idle(qtbot, window.env)
    far = max(center.panel.model.all_rows(), key=lambda r: r.renewal.days_left)
    assert far.renewal.days_left > 30
    assert far.key.term_id not in {x.id for x in page.model.visible_rows()}
    center.panel.select_term(far.key.term_id)
    center.panel.open_button.click()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    assert window.current_key == "renewals"
    assert page.current_row() is not None and page.current_row().id == far.key.term_id


def test_tray_path_notifies_and_a_click_opens_the_panel(
        window: MainWindow, qtbot: Any) -> None:
    center, made = _start(window, qtbot, tray_available=True)
    assert len(made) == 1 and made[0].was_shown
    rows = center.panel.model.all_rows()
    (title, text), = made[0].messages
    assert title == f"{len(rows)} renewal reminders"
    assert rows[0].renewal.tool in text and f"{len(rows) - 1} more" in text
    # Its date as the panel writes dates, not in ISO beside them.
    assert date_text(rows[0].renewal.cancel_by) in text
    assert rows[0].renewal.cancel_by.isoformat() not in text
    center.panel.hide()
    made[0].messageClicked.emit()
    assert center.panel.isVisible()
    center.panel.hide()
    made[0].activated.emit(QSystemTrayIcon.ActivationReason.Trigger)
    assert center.panel.isVisible()
    center.panel.hide()
    made[0].activated.emit(QSystemTrayIcon.ActivationReason.Context)  # the menu, not a click
    assert not center.panel.isVisible()


def test_without_a_tray_the_panel_alone_is_the_notice(window: MainWindow, qtbot: Any) -> None:
    messages: list[str] = []
    window.env.message.connect(messages.append)
    center, made = _start(window, qtbot, tray_available=False)
    assert made == [] and center.tray.icon is None
    assert center.panel.isVisible() and center.panel.model.total > 0
    assert any("renewal reminder" in m for m in messages)


def test_the_real_tray_gate_is_closed_offscreen() -> None:
    from stackadmin.ui.tray import system_tray_available

    assert system_tray_available() is False  # offscreen: so the panel must do it alone


def test_nothing_due_shows_no_popup_and_says_so(ui_ctx: ServiceContext, qtbot: Any,
                                                tmp_path: Path) -> None:
    env: Env = make_env(ui_ctx, tmp_path)
    try:
        window = MainWindow(env)
        qtbot.addWidget(window)
        center, made = _start_on(window, qtbot)
        assert not center.panel.isVisible() and made == []
        assert center.panel.empty.isVisibleTo(center.panel)
        assert not center.button.isVisibleTo(window)
    finally:
        env.tasks.cancel()
        env.tasks.wait()


def _start_on(window: MainWindow, qtbot: Any) -> tuple[ReminderCenter, list[FakeTray]]:
    return _start(window, qtbot, tray_available=True, expect_popup=False)


def test_panel_model_passes_the_model_tester(window: MainWindow, qtbot: Any,
                                             qtmodeltester: Any) -> None:
    center, _ = _start(window, qtbot)
    qtmodeltester.check(center.panel.model, force_py=True)


def test_installed_before_the_database_opens_it_starts_when_the_first_page_is_ready(
        demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    """The order of app.py: install, then the database opens, then the first page loads."""
    from stackadmin.ui.reminders.panel import HOUR_MS

    env = make_env(None, tmp_path)
    try:
        window = MainWindow(env)
        qtbot.addWidget(window)
        window.show()
        center = install_reminders(window, env, tray=_tray(window, False)[0])
        assert not center.started
        env.tasks.ctx = demo_ctx
        with qtbot.waitSignal(center.popped, timeout=20_000):
            window.attach(False)
        wait_idle(qtbot, env)
        assert center.started and center.panel.isVisible()
        assert center.timer.isActive() and center.timer.interval() == HOUR_MS
        assert center.day_timer.isActive()
    finally:
        env.tasks.cancel()
        env.tasks.wait()


def _select_rows(panel: Any, rows: list[int]) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    selection = QItemSelection()
    last = panel.model.columnCount() - 1
    for n in rows:
        selection.select(panel.model.index(n, 0), panel.model.index(n, last))
    panel.view.selectionModel().select(selection,
                                       QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_several_reminders_snoozed_acknowledged_and_decided_together(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    center, _ = _start(window, qtbot)
    panel = center.panel
    assert panel.model.shown >= 5
    _select_rows(panel, [0, 1])
    snoozed = [r.key for r in panel.selected()]
    assert len(snoozed) == 2 and "2 selected" in panel.selection_note.text()
    with qtbot.waitSignal(center.checked, timeout=20_000):
        panel.snooze(7)
    wait_idle(qtbot, window.env)
    week = TODAY + timedelta(days=7)
    assert all(_states(demo_ctx)[k] == (ReminderState.SNOOZED.value, week) for k in snoozed)
    assert not {r.key for r in panel.model.all_rows()} & set(snoozed)

    _select_rows(panel, [0])
    acked = [r.key for r in panel.selected()]
    with qtbot.waitSignal(center.checked, timeout=20_000):
        panel.acknowledge()
    wait_idle(qtbot, window.env)
    assert len(acked) == 1
    assert _states(demo_ctx)[acked[0]][0] == ReminderState.ACKNOWLEDGED.value

    _select_rows(panel, [0, 1])
    chosen = panel.selected()
    assert len(chosen) == 2
    dialog = panel.decide("cancel")
    assert "2 renewals" in dialog.windowTitle()
    screenshot(dialog, "reminders-decide-several")
    dialog.set_value("note", "moving to one suite")
    with qtbot.waitSignal(center.checked, timeout=20_000):
        dialog.submit()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        decided = {(d.term_id, d.decision, d.note) for d in session.scalars(
            select(TermDecision))}
    assert decided == {(r.key.term_id, "cancel", "moving to one suite") for r in chosen}
    screenshot(window, "reminders-after-several")
