"""The Savings page: exactly the demo's unused seats with their reasons and total; exempt,
clear and reclaim persist with an audit event and update the rows; filters; missing rates
in words; the Directory tab; screenshots."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import delete, func, select

from stackadmin.domain.money import Money
from stackadmin.services.context import ServiceContext
from stackadmin.services.seats import utilization
from stackadmin.store.models import Account, AuditEvent, ExchangeRate
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.pages.savings import SavingsPage
from tests.ui.conftest import screenshot, wait_idle


def _open(window: MainWindow, qtbot: Any, target: object = None) -> SavingsPage:
    window.show_page("savings", target)
    wait_idle(qtbot, window.env)
    page = window.pages["savings"]
    assert isinstance(page, SavingsPage)
    return page


def _select(page: SavingsPage, *account_ids: int) -> None:
    view = page.seats.view
    view.clearSelection()
    for account_id in account_ids:
        n = page.seat_model.row_of(lambda s, a=account_id: s.account_id == a)
        assert n >= 0, account_id
        view.selectionModel().select(
            page.seat_model.index(n, 0),
            view.selectionModel().SelectionFlag.Select
            | view.selectionModel().SelectionFlag.Rows)


def _audit_count(ctx: ServiceContext, account_id: int) -> int:
    with ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity == "account", AuditEvent.entity_id == account_id)) or 0)


def test_lists_exactly_the_unused_seats_with_their_reasons_and_the_total(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _open(window, qtbot)
    report = utilization.compute(demo_ctx)
    shown = {(s.account_id, s.reason) for s in page.seat_model.visible_rows()}
    assert shown == {(s.account_id, s.reason) for s in report.unused}
    assert len(shown) == len(report.unused) > 0
    # Every listed seat holds a paid seat, is not exempt and is not a bot: the database says.
    with demo_ctx.read() as session:
        listed = dict(session.execute(
            select(Account.id, Account.status).where(
                Account.id.in_([a for a, _ in shown]), Account.exempt.is_(False),
                Account.is_bot.is_(False))).all())
    assert set(listed) == {a for a, _ in shown}
    assert set(listed.values()) <= {"active", "invited", "suspended"}
    total = Money.rounded(report.total_savings_base, "USD").format("en_US")
    assert page.figure.text() == total
    groups = page.group_model.all_rows()
    assert Money.rounded(sum((g.annual_cost_base or Decimal(0) for g in groups), Decimal(0)),
                         "USD") == Money.rounded(report.total_savings_base, "USD")
    per_group = Counter((s.tool_id, s.reason.value) for s in report.unused)
    assert {(g.tool_id, g.reason): g.seats for g in groups if g.reason != "unassigned"} == \
        dict(per_group)
    assert {g.tool_id: g.seats for g in groups if g.reason == "unassigned"} == {
        t.tool_id: t.seats_unassigned for t in report.tools if t.seats_unassigned}
    assert f"{len(report.unused)} unused seats" in page.figure_detail.text()
    assert not page.missing_note.isVisible()


def test_tool_reason_and_search_filters_narrow_the_seats(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _open(window, qtbot)
    rows = page.seat_model.visible_rows()
    tool_id = rows[0].tool_id
    page.seats.choose("tool", tool_id)
    assert {s.tool_id for s in page.seat_model.visible_rows()} == {tool_id}
    assert page.seat_model.shown == sum(1 for s in rows if s.tool_id == tool_id)
    page.seats.choose("tool", None)
    page.seats.choose("reason", "inactive")
    assert page.seat_model.shown == sum(1 for s in rows if s.reason and s.reason == "inactive")
    # Selecting a group line filters the seats to that tool and reason.
    group = next(g for g in page.group_model.all_rows() if g.reason == "never_active")
    page.group_view.selectRow(page.group_model.row_of(lambda g: g is group))
    assert {(s.tool_id, s.reason) for s in page.seat_model.visible_rows()} == {
        (group.tool_id, "never_active")}
    assert page.seat_model.shown == group.seats
    assert page.seats.empty_note.isHidden()
    # Unassigned seats have no account: the tool's unused seats are listed, and a note says so.
    spare = next(g for g in page.group_model.all_rows() if g.reason == "unassigned")
    page.group_view.selectRow(page.group_model.row_of(lambda g: g is spare))
    assert {s.tool_id for s in page.seat_model.visible_rows()} <= {spare.tool_id}
    assert page.seat_model.shown == sum(1 for s in rows if s.tool_id == spare.tool_id)
    assert not page.seats.empty_note.isHidden()
    assert "held by nobody" in page.seats.empty_note.text()
    page.seats.choose("tool", None, apply=False)
    page.seats.choose("reason", None)
    email = rows[5].email
    assert email
    qtbot.keyClicks(page.seats.search, email)
    assert [s.account_id for s in page.seat_model.visible_rows()] == [
        s.account_id for s in rows if email in (s.email or "")]
    assert "of 130 seats shown" in page.seats.count.text() or page.seat_model.shown < len(rows)


def test_exempt_with_a_reason_persists_audits_and_moves_the_row(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _open(window, qtbot)
    seat = page.seat_model.row_at(0)
    before = _audit_count(demo_ctx, seat.account_id)
    _select(page, seat.account_id)
    assert page.exempt_action.isEnabled() and not page.clear_action.isEnabled()
    dialog = page.exempt()
    assert dialog is not None and dialog.isVisible()
    dialog.set_value("reason", "on-call admin")
    dialog.submit()
    wait_idle(qtbot, window.env)
    assert not dialog.isVisible()
    with demo_ctx.read() as session:
        account = session.get(Account, seat.account_id)
        assert account is not None
        assert (account.exempt, account.exempt_reason) == (True, "on-call admin")
        assert account.exempt_by
    assert _audit_count(demo_ctx, seat.account_id) == before + 1
    # No longer unused: gone from the list, and listed under "Exempt seats" with its reason.
    assert page.seat_model.row_of(lambda s: s.account_id == seat.account_id) < 0
    assert page.view_data is not None and page.view_data.seats_exempt == 1
    page.seats.choose("reason", "exempt")
    exempt = page.seat_model.visible_rows()
    assert [s.account_id for s in exempt] == [seat.account_id]
    assert "on-call admin" in page.seat_model.data(page.seat_model.index(0, 7))
    _select(page, seat.account_id)
    assert page.clear_action.isEnabled()
    page.clear_exemption()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        assert session.get(Account, seat.account_id).exempt is False  # type: ignore[union-attr]
    assert _audit_count(demo_ctx, seat.account_id) == before + 2
    page.seats.choose("reason", None)
    assert page.seat_model.row_of(lambda s: s.account_id == seat.account_id) >= 0


def test_exempt_dialog_refuses_an_empty_reason_and_saves_nothing(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _open(window, qtbot)
    seats = [page.seat_model.row_at(0), page.seat_model.row_at(1)]
    _select(page, *(s.account_id for s in seats))
    before = [_audit_count(demo_ctx, s.account_id) for s in seats]
    dialog = page.exempt()
    assert dialog is not None
    for reason in ("", "   "):
        dialog.set_value("reason", reason)
        dialog.submit()
        wait_idle(qtbot, window.env)
        assert dialog.isVisible()
        assert "needs a reason" in dialog.problem_text("reason")
    with demo_ctx.read() as session:
        assert not any(session.scalars(select(Account.exempt).where(
            Account.id.in_([s.account_id for s in seats]))))
    assert [_audit_count(demo_ctx, s.account_id) for s in seats] == before
    dialog.reject()


def test_mark_reclaimed_asks_then_deprovisions_audits_and_updates(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _open(window, qtbot)
    seats = [page.seat_model.row_at(0), page.seat_model.row_at(3)]
    ids = [s.account_id for s in seats]
    before = page.view_data  # type: ignore[union-attr]
    assert before is not None
    _select(page, *ids)
    box = page.reclaim()
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()  # cancel: nothing happens
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        assert set(session.scalars(select(Account.status).where(Account.id.in_(ids)))) != {
            "deprovisioned"}
    _select(page, *ids)
    box = page.reclaim()
    assert box is not None
    ok = next(b for b in box.buttons() if b.text() == "Mark reclaimed")
    ok.click()
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        assert set(session.scalars(select(Account.status).where(Account.id.in_(ids)))) == {
            "deprovisioned"}
        events = session.scalars(select(AuditEvent.summary).where(
            AuditEvent.entity == "account", AuditEvent.entity_id.in_(ids))).all()
    assert sum("reclaimed" in e for e in events) == 2
    assert all(page.seat_model.row_of(lambda s, a=a: s.account_id == a) < 0 for a in ids)
    report = utilization.compute(demo_ctx)
    assert page.figure.text() == Money.rounded(report.total_savings_base, "USD").format("en_US")
    assert page.view_data.total_savings_base == report.total_savings_base  # type: ignore[union-attr]
    # A reclaimed seat is no longer unused; the paid seat it frees is unassigned capacity
    # until the count is lowered at renewal, so the savings move from one line to the other.
    assert page.view_data.seats_unused == before.seats_unused - 2  # type: ignore[union-attr]
    # (the demo's tools hold fewer seats than they buy, so each reclaimed seat is unassigned)
    assert page.view_data.seats_unassigned == before.seats_unassigned + 2  # type: ignore[union-attr]


def test_open_person_goes_to_the_persons_page(window: MainWindow, qtbot: Any) -> None:
    page = _open(window, qtbot)
    seat = next(s for s in page.seat_model.visible_rows() if s.person_id is not None)
    _select(page, seat.account_id)
    page.open_person()
    wait_idle(qtbot, window.env)
    assert window.current_key == "person"
    assert window.pages["person"].person_id == seat.person_id  # type: ignore[attr-defined]


def test_a_missing_rate_is_said_in_words_never_counted_as_zero(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    with demo_ctx.transaction() as session:
        session.execute(delete(ExchangeRate).where(ExchangeRate.currency == "EUR"))
    page = _open(window, qtbot)
    report = utilization.compute(demo_ctx)
    eur_tools = sorted(t.tool for t in report.tools if "EUR" in t.missing_rates)
    assert eur_tools
    note = page.missing_note.text()
    assert page.missing_note.isVisible()
    assert (f"EUR has no rate to USD: the costs of {len(eur_tools)} tools "
            f"({', '.join(eur_tools)}) are not counted") in note
    assert page.figure.text() == Money.rounded(report.total_savings_base, "USD").format("en_US")
    eur_seat = next(s for s in page.seat_model.visible_rows() if s.tool in eur_tools)
    n = page.seat_model.row_of(lambda s: s is eur_seat)
    assert page.seat_model.data(page.seat_model.index(n, 6)) == "no rate"
    screenshot(window, "savings-missing-rate")


def test_directory_tab_shows_the_reconciliation(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.services.inventory.accounts import create_account
    from stackadmin.services.seats.reconcile import reconcile

    with demo_ctx.read() as session:  # add one unknown user and one duplicate account
        first = session.execute(select(Account.tool_id, Account.person_id, Account.email).where(
            Account.person_id.is_not(None), Account.status == "active")).first()
    assert first is not None
    tool_id, person_id, email = first
    create_account(demo_ctx, tool_id=tool_id, email="stranger@elsewhere.test")
    create_account(demo_ctx, tool_id=tool_id, person_id=person_id, email=email,
                   external_id="second-login")
    page = _open(window, qtbot)
    report = reconcile(demo_ctx)
    assert report.unknown_users and report.duplicates and report.departed_holders
    lines = page.directory_model.all_rows()
    expected = ([("unknown user", u.account.account_id) for u in report.unknown_users]
                + [("departed, still holds a seat", a.account_id)
                   for h in report.departed_holders for a in h.accounts]
                + [("duplicate account", a.account_id)
                   for d in report.duplicates for a in d.accounts]
                + [("used after leaving", a.account.account_id)
                   for a in report.active_after_leaving])
    assert report.active_after_leaving  # the demo has a leaver who kept using tools
    assert sorted((d.finding, d.account_id) for d in lines) == sorted(expected)
    summary = page.directory.summary.text()
    after = len(report.active_after_leaving)
    assert f"⚠ {after} accounts used after the person's last day" in summary
    n = len(report.unknown_users)
    assert f"{n} unknown user{'' if n == 1 else 's'} (accounts matched to no person)" in summary
    departed_seats = sum(len(h.accounts) for h in report.departed_holders)
    assert f"still holding {departed_seats} seats" in summary
    from stackadmin.ui.fmt import date_text

    leaver = report.active_after_leaving[0]  # its detail writes the day as the pages do
    model = page.directory_model
    row = model.row_of(lambda d: d.finding == "used after leaving"
                       and d.account_id == leaver.account.account_id)
    detail = model.index(row, len(model.columns) - 1).data()
    assert f"left on {date_text(leaver.end_date)} and used" in detail
    assert leaver.end_date.isoformat() not in detail
    page.tabs.setCurrentIndex(1)
    page.directory.table.choose("finding", "duplicate account")
    assert {d.finding for d in page.directory_model.visible_rows()} == {"duplicate account"}
    screenshot(window, "savings-directory")


def test_screens(window: MainWindow, qtbot: Any, qapp: Any) -> None:
    from stackadmin.ui import theme

    theme.apply(qapp)
    page = _open(window, qtbot)
    screenshot(window, "savings-light")
    page.group_view.selectRow(0)
    _select(page, page.seat_model.row_at(0).account_id)
    screenshot(window, "savings-group-selected")
    dialog = page.exempt()
    assert dialog is not None
    dialog.submit()
    wait_idle(qtbot, window.env)
    screenshot(dialog, "savings-exempt-refused")
    dialog.reject()
