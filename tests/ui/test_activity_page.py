"""The Activity page: changes to the inventory with their old → new values, filtered by where
they came from and the kind of record; reminders shown are not changes and are not listed."""

from __future__ import annotations

from typing import Any

from stackadmin.domain.vocab import AuditSource
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals.reminders import due_reminders, mark_shown
from stackadmin.services.seats.batch import exempt_seats
from stackadmin.services.seats.utilization import compute
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages.activity import ActivityPage, change_lines
from tests.ui.conftest import screenshot, wait_idle


def _page(window: MainWindow, qtbot: Any) -> ActivityPage:
    window.show_page("activity")
    wait_idle(qtbot, window.env)
    page = window.pages["activity"]
    assert isinstance(page, ActivityPage)
    return page


def _cell(page: ActivityPage, row: int, title: str) -> str:
    column = next(n for n, c in enumerate(page.model.columns) if c.title == title)
    return str(page.model.data(page.model.index(row, column)))


def test_changes_with_old_and_new_values_filtered_by_source_and_record(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    seat = compute(demo_ctx).unused[0]
    exempt_seats(demo_ctx.with_source(AuditSource.CLI), [seat.account_id], "board member")
    mark_shown(demo_ctx, [r.key for r in due_reminders(demo_ctx)])  # notices, not changes
    with demo_ctx.transaction() as session:  # a notice written by an older stackadmin
        audit.record(session, demo_ctx, action="update", entity="reminder_state",
                     entity_id=1, summary="30-day reminder for X (renewal 2027-01-01) shown",
                     changes={"state": ["pending", "shown"]})
    page = _page(window, qtbot)
    rows = page.model.all_rows()
    assert rows and not any(e.summary.endswith(" shown") for e in rows)
    n = page.model.row_of(lambda e: e.entity == "account" and e.source == "cli")
    assert n >= 0
    changes = _cell(page, n, "Changes (old → new)")
    assert "exempt: no → yes" in changes and "exempt reason: — → board member" in changes

    page.set_filters(source="cli")
    assert {e.source for e in page.model.visible_rows()} == {"cli"}
    page.set_filters(source=None, entity="account")
    shown = page.model.visible_rows()
    assert shown and {e.entity for e in shown} == {"account"}
    assert page.entity_box.currentText() == "Account"
    page.set_filters()
    assert page.model.shown == len(rows)
    screenshot(window, "activity-changes")


def test_a_change_reads_in_words() -> None:
    from datetime import UTC, datetime

    row = audit.AuditRow(1, datetime(2026, 11, 25, tzinfo=UTC), "ada", "ui", "update",
                         "subscription_term", 3, "term Slack: seats, renewal_date",
                         {"seats": [25, 30], "renewal_date": ["2027-01-01", None],
                          "auto_renew": [True, False]})
    assert change_lines(row) == ["seats: 25 → 30", "renewal date: 1/1/2027 → —",
                                 "auto renew: yes → no"]
