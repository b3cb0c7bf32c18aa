"""The Renewals page: ordered by cancel-by date, its filters keep exactly the terms they
promise, the 12-month timeline shows the same terms and selects with a click, and decisions,
snoozes and acknowledgements made here are stored."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import select

from stackadmin.domain.vocab import ReminderState
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals.reminders import decide
from stackadmin.store.models import ReminderStateRow, TermDecision
from stackadmin.ui.fmt import date_text
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages.renewals import UNDATED, WINDOWS, RenewalLine, RenewalsPage
from stackadmin.ui.reminders import actions
from stackadmin.ui.timeline import HEADER_H, LANE_H
from tests.conftest import TODAY
from tests.ui.conftest import screenshot, wait_idle


def _page(window: MainWindow, qtbot: Any) -> RenewalsPage:
    window.show_page("renewals")
    wait_idle(qtbot, window.env)
    page = window.pages["renewals"]
    assert isinstance(page, RenewalsPage)
    return page


def _all(page: RenewalsPage, qtbot: Any) -> list[RenewalLine]:
    page.set_filters(within_days=None, undecided=False, auto_renew=False)
    wait_idle(qtbot, page.env)
    return page.model.visible_rows()


def _open_terms(ctx: ServiceContext, *, dated: bool | None = None) -> set[int]:
    """Active terms (with a renewal date, without one, or both), straight from the table."""
    from stackadmin.store.models import SubscriptionTerm

    query = select(SubscriptionTerm.id).where(SubscriptionTerm.status == "active")
    if dated is not None:
        column = SubscriptionTerm.renewal_date
        query = query.where(column.is_not(None) if dated else column.is_(None))
    with ctx.read() as session:
        return set(session.scalars(query))


def _seats(page: RenewalsPage) -> dict[int, str]:
    column = [c.title for c in page.columns].index("Seats")
    model = page.model
    return {model.row_at(n).id: model.index(n, column).data() for n in range(model.rowCount())}


def test_rows_show_first_and_their_tools_active_seats_follow(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The rows show before their tools' active seats are counted (a count over every seat
    of those tools: 1.5 s with a million), "…" meanwhile; the counts then fill the Seats
    column where the rows are, the same as the renewals service gives them, and a reload
    keeps them shown until they are counted again."""
    from stackadmin.services.renewals.listing import list_renewals
    from stackadmin.ui.reminders.panel import seats_text

    expected = {r.term_id: seats_text(r) for r in list_renewals(demo_ctx)}
    assert any(not text.endswith(("/ 0", "/ …")) for text in expected.values())
    window.show_page("renewals")
    page = window.pages["renewals"]
    assert isinstance(page, RenewalsPage)
    first: list[dict[int, str]] = []
    page.loaded.connect(lambda: first.append(_seats(page)))
    wait_idle(qtbot, window.env)
    dated = {k: v for k, v in _seats(page).items() if k in expected}
    assert first and all(first[0][k].endswith(" / …") for k in dated)
    assert dated == {k: v for k, v in expected.items() if k in dated}
    assert len(dated) >= 5
    first.clear()
    window.env.changed(actions.DECISION)  # a reload
    wait_idle(qtbot, window.env)
    assert first and {k: first[0][k] for k in dated} == dated
    assert {k: v for k, v in _seats(page).items() if k in dated} == dated


def test_seats_filled_in_wider_than_before_are_not_cut(window: MainWindow, qtbot: Any) -> None:
    """Numbers that come after the rows may be wider than the "…" measured with them: the
    column widens to the widest, as it does for the rows."""
    from dataclasses import replace

    from stackadmin.ui.pages.renewals import with_counted

    page = _page(window, qtbot)
    column = [c.title for c in page.columns].index("Seats")
    header = page.view.horizontalHeader()
    lines = [x for x in page.table.all_rows() if x.renewal is not None]
    page.table.update_rows(with_counted({
        x.renewal.term_id: replace(x.renewal, seats_active=7_654_321, seats_counted=True)
        for x in lines}))
    texts = [page.model.index(n, column).data() for n in range(page.model.rowCount())]
    assert texts[0].endswith("/ 7,654,321")
    widest = max(page.view.fontMetrics().horizontalAdvance(t) for t in texts)
    assert header.sectionSize(column) >= page.table.sizer.number_width(column) > widest


def test_lists_every_open_term_by_cancel_by_date(window: MainWindow, demo_ctx: ServiceContext,
                                                 qtbot: Any, qtmodeltester: Any) -> None:
    """Every active term, those without a renewal date last (reachable, to be dated)."""
    page = _page(window, qtbot)
    everything = _all(page, qtbot)
    assert {x.id for x in everything} == _open_terms(demo_ctx)
    undated = _open_terms(demo_ctx, dated=False)
    assert len(undated) == 2  # the demo has two, among them Figma's $11k term
    assert {x.id for x in everything[-2:]} == undated
    assert all(x.renewal is None and x.term is not None for x in everything[-2:])
    everything = everything[:-2]
    cancel_bys = [x.renewal.cancel_by for x in everything]
    assert cancel_bys == sorted(cancel_bys)
    for x in everything:  # the cancel-by date is the renewal date less notice and lead
        r = x.renewal
        assert r.cancel_by == r.renewal_date - timedelta(r.notice_days + r.internal_lead_days)
        assert r.days_left == (r.cancel_by - TODAY).days
    qtmodeltester.check(page.model, force_py=True)


@pytest.mark.parametrize(("label", "days"), [w for w in WINDOWS
                                              if w[1] is not None and w[1] != UNDATED])
def test_each_window_keeps_what_falls_due_in_it_and_missed_undecided_ones(
        label: str, days: int, window: MainWindow, demo_ctx: ServiceContext,
        qtbot: Any) -> None:
    page = _page(window, qtbot)
    missed = [x for x in _all(page, qtbot) if x.renewal and x.renewal.days_left < 0]
    assert len(missed) >= 2
    decide(demo_ctx, missed[0].id, "renew")  # decided and past: done with, in no window
    window.env.changed("decision")
    wait_idle(qtbot, window.env)
    everything = page.model.visible_rows()
    page.window_box.setCurrentText(label)  # as a user picks it
    wait_idle(qtbot, window.env)
    shown = {x.id for x in page.model.visible_rows()}
    expected = {x.id for x in everything if x.renewal is not None
                and x.renewal.days_left <= days
                and not (x.renewal.days_left < 0 and x.renewal.decided)}
    assert shown == expected
    assert missed[0].id not in shown and missed[1].id in shown
    assert f"{len(shown)} of {len(everything)}" in page.count.text() or \
        f"{len(shown)} rows" in page.count.text()


def test_every_filter_combination_agrees_with_the_renewals_service(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The dated terms are the service's rows; every open term and the window of terms
    without a renewal date add those, last."""
    from stackadmin.services.inventory.terms import list_terms
    from stackadmin.services.renewals.listing import list_renewals

    page = _page(window, qtbot)
    rows = _all(page, qtbot)
    undated = sorted((t for t in list_terms(demo_ctx, statuses=("active",))
                      if t.renewal_date is None), key=lambda t: t.tool.casefold())
    decide(demo_ctx, rows[0].id, "renew")  # a decided, missed one
    decide(demo_ctx, rows[5].id, "cancel")
    window.env.changed("decision")
    wait_idle(qtbot, window.env)
    for _label, days in WINDOWS:
        for undecided in (False, True):
            for auto in (False, True):
                for renews in (None, 120):
                    page.set_filters(within_days=days, undecided=undecided, auto_renew=auto,
                                     renews_within=renews)
                    expected = [] if days == UNDATED else [r.term_id for r in list_renewals(
                        demo_ctx, within_days=days, undecided=undecided, auto_renew=auto,
                        with_seats=False, renews_within=renews)]
                    if days in (None, UNDATED) and renews is None:
                        expected += [t.id for t in undated if t.auto_renew or not auto]
                    assert [x.id for x in page.model.visible_rows()] == expected, (
                        days, undecided, auto, renews)


def test_undecided_and_auto_renewing_filters(window: MainWindow, demo_ctx: ServiceContext,
                                             qtbot: Any) -> None:
    page = _page(window, qtbot)
    everything = _all(page, qtbot)
    decided = everything[3]
    decide(demo_ctx, decided.id, "renew")
    window.env.changed("decision")
    wait_idle(qtbot, window.env)
    page.undecided_box.click()
    wait_idle(qtbot, window.env)
    undecided = {x.id for x in page.model.visible_rows()}
    assert undecided == {x.id for x in everything} - {decided.id}  # undated: nothing decided
    page.undecided_box.click()
    page.auto_box.click()
    wait_idle(qtbot, window.env)
    auto = {x.id for x in page.model.visible_rows()}
    assert auto == {x.id for x in everything
                    if (x.renewal.auto_renew if x.renewal else x.term.auto_renew)}
    assert 0 < len(auto) < len(everything)


def test_shows_cost_in_term_and_base_currency_and_the_reminder(
        window: MainWindow, qtbot: Any) -> None:
    page = _page(window, qtbot)
    rows = _all(page, qtbot)
    titles = [c.title for c in page.model.columns]
    cost, base, reminder = (titles.index("Annual cost"), titles.index("In base currency"),
                            titles.index("Reminder"))
    foreign = page.model.row_of(lambda x: x.renewal is not None
                                and x.renewal.annual_cost.currency == "EUR")
    assert foreign >= 0
    line = page.model.row_at(foreign)
    assert line.renewal.annual_cost_base is not None
    assert page.model.index(foreign, cost).data() == line.renewal.annual_cost.format("en_US")
    assert page.model.index(foreign, base).data() == line.renewal.annual_cost_base.format(
        "en_US")
    assert "€" in page.model.index(foreign, cost).data()
    assert "$" in page.model.index(foreign, base).data()
    missed = [n for n, x in enumerate(rows) if x.renewal and x.renewal.days_left < 0]
    assert missed and all(page.model.index(n, reminder).data() == "missed" for n in missed)


def test_timeline_shows_the_next_12_months_and_a_click_selects_the_term(
        window: MainWindow, qtbot: Any) -> None:
    page = _page(window, qtbot)
    rows = _all(page, qtbot)
    screenshot(window, "renewals-list")
    page.timeline_button.click()
    assert page.timeline_area.isVisible() and not page.view.isVisible()
    timeline = page.timeline
    end = date(TODAY.year + 1, TODAY.month, 1)
    assert [m.term_id for m in timeline.marks] == [
        x.id for x in rows if x.renewal is not None and x.renewal.cancel_by < end]
    lane = 4
    target = timeline.marks[lane].term_id
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton,
                     pos=QPoint(50, HEADER_H + lane * LANE_H + LANE_H // 2))
    assert page.current_row().id == target
    assert timeline.selected == target
    mark = timeline.marks[lane]
    tip = timeline.tooltip(mark)  # the dates as the list writes them, not ISO
    assert f"Cancel by {date_text(mark.cancel_by)} (" in tip
    assert f"Renews {date_text(mark.renewal_date)}" in tip
    assert mark.cancel_by.isoformat() not in tip
    screenshot(window, "renewals-timeline")
    page.list_button.click()
    assert page.view.isVisible()


def test_decide_from_the_page_is_stored_and_shown(window: MainWindow, demo_ctx: ServiceContext,
                                                  qtbot: Any) -> None:
    page = _page(window, qtbot)
    _all(page, qtbot)
    page.view.selectRow(2)
    line = page.current_row()
    dialog = page.decide()
    dialog.set_value("decision", "cancel")
    dialog.set_value("note", "Nobody uses it")
    dialog.submit()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        stored = session.scalars(select(TermDecision).where(
            TermDecision.term_id == line.id)).one()
    assert (stored.decision, stored.note) == ("cancel", "Nobody uses it")
    n = page.model.row_of(lambda x: x.id == line.id)
    titles = [c.title for c in page.model.columns]
    assert page.model.index(n, titles.index("Decision")).data() == "cancel"
    assert page.model.row_at(n).reminder is None


def test_snooze_and_acknowledge_from_the_page(window: MainWindow, demo_ctx: ServiceContext,
                                              qtbot: Any) -> None:
    page = _page(window, qtbot)
    rows = _all(page, qtbot)
    with_reminder = [n for n, x in enumerate(rows) if x.reminder is not None]
    assert len(with_reminder) >= 2
    without = next(n for n, x in enumerate(rows) if x.reminder is None)
    page.view.selectRow(without)
    assert not page.snooze_button.isEnabled() and not page.ack_action.isEnabled()
    first, second = (rows[with_reminder[0]], rows[with_reminder[1]])
    page.view.selectRow(with_reminder[0])
    assert page.snooze_button.isEnabled() and page.ack_action.isEnabled()
    page.snooze(7)
    wait_idle(qtbot, window.env)
    page.select_where(lambda x: x.id == second.id)
    page.ack_action.trigger()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        states = {(r.term_id, r.lead_days): (r.state, r.snoozed_until)
                  for r in session.scalars(select(ReminderStateRow))}
    assert first.reminder is not None and second.reminder is not None
    assert states[(first.id, first.reminder.key.lead_days)] == (
        ReminderState.SNOOZED.value, TODAY + timedelta(days=7))
    assert states[(second.id, second.reminder.key.lead_days)] == (
        ReminderState.ACKNOWLEDGED.value, None)
    reloaded = {x.id: x for x in page.model.all_rows()}
    assert reloaded[first.id].reminder is None and reloaded[second.id].reminder is None


def test_filters_and_view_are_remembered(window: MainWindow, qtbot: Any) -> None:
    page = _page(window, qtbot)
    page.window_box.setCurrentIndex(0)
    page.timeline_button.click()
    wait_idle(qtbot, window.env)
    page.save_state()
    again = RenewalsPage(window.env)
    qtbot.addWidget(again)
    again.key = "renewals"
    again.ensure_loaded()
    wait_idle(qtbot, window.env)
    assert again.window_box.currentIndex() == 0
    assert again.timeline_button.isChecked()


def test_renews_within_the_total_shown_and_missed_rows_first(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from decimal import Decimal

    page = _page(window, qtbot)
    everything = [x for x in _all(page, qtbot) if x.renewal is not None]
    page.renews_box.setValue(120)  # as a user types it
    wait_idle(qtbot, window.env)
    shown = page.model.visible_rows()
    assert 0 < len(shown) < len(everything)
    assert {x.id for x in shown} == {x.id for x in everything
                                     if (x.renewal.renewal_date - TODAY).days <= 120}
    total = sum((x.renewal.annual_cost_base.amount for x in shown
                 if x.renewal.annual_cost_base is not None), Decimal(0))
    from stackadmin.domain.money import Money

    assert page.total.text() == (f"Annual cost of the {len(shown)} terms shown: "
                                 f"{Money.rounded(total, 'USD').format('en_US')}")
    page.search.setText(shown[0].renewal.tool)  # the search narrows the total too
    assert page.total.text().startswith(
        f"Annual cost of the {page.model.shown} term{'s' if page.model.shown != 1 else ''} "
        "shown")
    page.search.clear()
    page.renews_box.setValue(0)
    wait_idle(qtbot, window.env)
    # Rows past their cancel-by date come first whatever the sort.
    page.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # by tool, Z to A
    rows = page.model.visible_rows()
    past = [x for x in rows if x.renewal is not None and x.renewal.days_left < 0]
    assert any(x.renewal.missed for x in past) and rows[:len(past)] == past
    tools = [x.tool.casefold() for x in rows[len(past):]]  # undated terms among them
    assert tools == sorted(tools, reverse=True)  # the rest in the order asked for
    screenshot(window, "renewals-missed-first")


def test_several_renewals_decided_together(window: MainWindow, demo_ctx: ServiceContext,
                                           qtbot: Any) -> None:
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    page = _page(window, qtbot)
    _all(page, qtbot)
    selection = QItemSelection()
    for n in (1, 2, 3):
        selection.select(page.model.index(n, 0),
                         page.model.index(n, page.model.columnCount() - 1))
    page.view.selectionModel().select(selection,
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect)
    chosen = {x.id for x in page.selected_rows()}
    dialog = page.decide("renegotiate")
    assert "3 renewals" in dialog.windowTitle()
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        decided = {(d.term_id, d.decision) for d in session.scalars(select(TermDecision))}
    assert decided == {(i, "renegotiate") for i in chosen}
