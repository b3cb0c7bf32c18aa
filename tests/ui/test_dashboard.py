"""The dashboard's figures equal what the database says, computed here independently."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from stackadmin.domain.money import Money
from stackadmin.services.context import ServiceContext
from stackadmin.services.overview import dashboard, figures
from stackadmin.ui.mainwindow import MainWindow
from tests.conftest import TODAY
from tests.ui.conftest import wait_idle

_EXP = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0}


def _expected(ctx: ServiceContext) -> tuple[Decimal, dict[str, Decimal], dict[str, Decimal]]:
    """Annual spend of the terms in force today, in USD, straight from the tables."""
    with ctx.read() as session:
        rates = {c: Decimal(str(r)) for c, r in session.execute(text(
            "SELECT currency, rate FROM exchange_rate WHERE base_currency = 'USD'"))}
        rates["USD"] = Decimal(1)
        rows = session.execute(text(
            "SELECT t.pricing, t.unit_price_minor, t.currency, t.seats, t.billing_months, "
            "t.term_start, t.renewal_date, t.auto_renew, t.status, t.cost_center, "
            "tool.category "
            "FROM subscription_term t JOIN tool ON tool.id = t.tool_id")).all()
    total = Decimal(0)
    by_cat: dict[str, Decimal] = defaultdict(Decimal)
    by_cc: dict[str, Decimal] = defaultdict(Decimal)
    for pricing, minor, cur, seats, months, start_raw, renewal_raw, auto, status, cc, cat in rows:
        # Raw SQL: SQLite gives ISO text, PostgreSQL gives dates.
        start = date.fromisoformat(str(start_raw)) if start_raw else None
        renewal = date.fromisoformat(str(renewal_raw)) if renewal_raw else None
        in_force = status != "ended" and (start is None or start <= TODAY) and (
            renewal is None or renewal > TODAY or (status == "active" and auto))
        if not in_force:
            continue
        price = Decimal(minor).scaleb(-_EXP[cur])
        period = price * (seats or 0) if pricing == "per_seat" else price
        annual = period * 12 / months * rates[cur]
        total += annual
        by_cat[cat or figures.NO_CATEGORY] += annual
        by_cc[cc or figures.NO_COST_CENTRE] += annual
    return total, dict(by_cat), dict(by_cc)


def test_spend_figures_equal_the_database(demo_ctx: ServiceContext) -> None:
    board = dashboard.compute(demo_ctx)
    total, by_cat, by_cc = _expected(demo_ctx)
    assert board.total_base == total and total > 0
    assert board.by_category == by_cat
    assert board.by_cost_center == by_cc
    assert board.missing_rates == []
    assert sum(m.amount_base for m in board.months) > 0


def test_seat_figures_and_savings_come_from_utilization(demo_ctx: ServiceContext) -> None:
    from stackadmin.services.seats import utilization

    board = dashboard.compute(demo_ctx)
    report = utilization.compute(demo_ctx)
    assert board.savings_base == report.total_savings_base > 0
    with demo_ctx.read() as session:
        held = dict(session.execute(text(
            "SELECT tool_id, count(*) FROM account WHERE status IN "
            "('active', 'invited', 'suspended') GROUP BY tool_id")).all())
        recorded = set(session.scalars(text("SELECT DISTINCT tool_id FROM account")))
    for line in board.seats:
        if line.tool_id not in recorded:  # no seat data: unknown, not 0
            assert line.assigned is None and line.unused is None
            continue
        assert line.assigned == held.get(line.tool_id, 0)
        assert line.active <= line.assigned
    assert any(line.assigned is None for line in board.seats)  # the demo has such a tool


def test_next_renewals_and_loose_ends(demo_ctx: ServiceContext) -> None:
    board = dashboard.compute(demo_ctx, with_seats=False)
    days = [r.days_left for r in board.upcoming_renewals]
    assert days == sorted(days) and all(d is not None and d >= 0 for d in days)
    assert len(days) == 10
    missed = board.missed_renewals
    assert board.next_renewals == missed + board.upcoming_renewals  # missed ones first
    assert all(r.days_left is not None and r.days_left < 0 and not r.decided for r in missed)
    with demo_ctx.read() as session:
        no_owner = set(session.scalars(text("SELECT name FROM tool WHERE owner_id IS NULL")))
        no_renewal = session.scalar(text(
            "SELECT count(*) FROM subscription_term WHERE renewal_date IS NULL "
            "AND status = 'active'"))
    assert {t.name for t in board.tools_without_owner} == no_owner
    assert len(board.terms_without_renewal) == no_renewal


def test_next_renewals_include_missed_cancel_by_dates_until_decided(
        demo_ctx: ServiceContext) -> None:
    from stackadmin.services.inventory.terms import list_terms
    from stackadmin.services.renewals.reminders import decide

    lines = [r for r in dashboard.renewal_lines(demo_ctx)
             if r.days_left is not None and r.days_left < 0]
    assert lines  # the demo has terms past their cancel-by date, before their renewal
    board = dashboard.compute(demo_ctx, with_seats=False)
    assert {r.term.id for r in board.missed_renewals} == {r.term.id for r in lines}
    decide(demo_ctx, lines[0].term.id, "renew")
    board = dashboard.compute(demo_ctx, with_seats=False)
    assert lines[0].term.id not in {r.term.id for r in board.next_renewals}
    assert len(board.missed_renewals) == len(lines) - 1
    assert list_terms(demo_ctx)  # the decided term is still there, only not overdue


def test_tools_whose_owner_left_are_listed_for_hand_over(demo_ctx: ServiceContext) -> None:
    from stackadmin.services.inventory import people, tools

    board = dashboard.compute(demo_ctx, with_seats=False)
    owned = next(t for t in tools.list_tools(demo_ctx)
                 if t.owner_email and t.id not in {o.id for o in board.owners_departed})
    owner = next(p for p in people.list_people(demo_ctx) if p.email == owned.owner_email)
    people.mark_departed(demo_ctx, owner.id, TODAY - timedelta(days=3))
    board = dashboard.compute(demo_ctx, with_seats=False)
    assert owned.id in {t.id for t in board.owners_departed}
    assert all(t.owner_email == owner.email or t.owner_departed(TODAY)
               for t in board.owners_departed)
    later = next(p for p in people.list_people(demo_ctx)
                 if p.status == "active" and p.email != owner.email
                 and any(t.owner_email == p.email for t in tools.list_tools(demo_ctx)))
    people.mark_departed(demo_ctx, later.id, TODAY + timedelta(days=10))  # not gone yet
    board = dashboard.compute(demo_ctx, with_seats=False)
    assert all(t.owner_email != later.email for t in board.owners_departed)


def test_the_page_shows_the_figures_and_opens_the_rows_behind_them(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    total, by_cat, _ = _expected(demo_ctx)
    assert page.total.value.text() == Money.rounded(total, "USD").format("en_US")
    assert page.seat_model.total > 0
    category = max(by_cat, key=lambda c: by_cat[c])
    dialog = page.open_spend("category", category)
    assert dialog is not None
    rows = dialog.model.all_rows()
    assert rows and all(r.category == category for r in rows)
    assert sum(r.annual_base for r in rows) == by_cat[category]
    dialog.close()
    page.no_owner.clicked.emit()
    wait_idle(qtbot, window.env)
    assert window.current_key == "tools"
    tools = window.pages["tools"]
    assert {r.tool.name for r in tools.model.visible_rows()} == {
        t.name for t in page.board.tools_without_owner}


def test_spend_by_month_counts_each_billing_date_once(ui_ctx: ServiceContext) -> None:
    """A monthly term bills every month, a quarterly one every third, an annual one once."""
    from stackadmin.services.inventory import terms, tools

    tool = tools.create_tool(ui_ctx, name="Billing test")
    terms.create_term(ui_ctx, tool_id=tool.id, currency="USD", plan="monthly", unit_price="10",
                      seats=2, billing_period="monthly", term_start=date(2026, 1, 15),
                      renewal_date=date(2027, 1, 15), auto_renew=True)
    terms.create_term(ui_ctx, tool_id=tool.id, currency="USD", plan="quarterly", pricing="flat",
                      unit_price="300", billing_period="quarterly", term_start=date(2026, 12, 1),
                      renewal_date=date(2027, 12, 1), auto_renew=False)
    terms.create_term(ui_ctx, tool_id=tool.id, currency="USD", plan="annual", pricing="flat",
                      unit_price="1200", billing_period="annual", term_start=date(2025, 3, 10),
                      renewal_date=date(2026, 3, 10), auto_renew=True)
    months = figures.month_spend(terms.list_terms(ui_ctx),
                                   _rates(ui_ctx), TODAY)  # Nov 2026 .. Oct 2027
    got = {m.month.strftime("%Y-%m"): m.amount_base for m in months}
    expected = {f"{y}-{m:02d}": Decimal(20) for y, m in
                [(2026, 11), (2026, 12)] + [(2027, n) for n in range(1, 11)]}
    for month in ("2026-12", "2027-03", "2027-06", "2027-09"):
        expected[month] += 300
    expected["2027-03"] += 1200
    assert got == expected


def _rates(ctx: ServiceContext) -> Any:
    from stackadmin.services.inventory.rates import load_rates

    with ctx.read() as session:
        return load_rates(session, TODAY)


def test_the_first_look_shows_the_figures_before_the_database_is_open(
        demo_ctx: ServiceContext, db_url: str, qtbot: Any, qapp: Any, tmp_path: Any,
        sqlite_only: None) -> None:
    """The start-up read fills the page with no database open (the window is ready); once
    it is open, the page only counts the seats: the spend is not read a second time."""
    from stackadmin.services.overview import first_look
    from tests.ui.conftest import make_env

    env = make_env(None, tmp_path)  # the database is not open yet
    win = MainWindow(env)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    board = first_look.dashboard(db_url, TODAY)
    assert board is not None
    with qtbot.waitSignal(win.ready, timeout=5000):
        win.show_first_look("dashboard", board)
    page = win.pages["dashboard"]
    total, _, _ = _expected(demo_ctx)
    assert page.total.value.text() == Money.rounded(total, "USD").format("en_US")
    assert page.savings.detail.text() == "Counting seats…"
    assert not win.sidebar.isEnabled() and not env.tasks.busy

    env.tasks.ctx = demo_ctx  # the database is open
    try:
        win.attach(False)
        # Only the seat count and the connections and trends are left to load.
        assert [job.key for job in env.tasks.active()] == ["load:dashboard-seats",
                                                          "load:dashboard-running"]
        wait_idle(qtbot, env)
        assert page.board is board and page.seat_model.total > 0
        assert win.sidebar.isEnabled()
    finally:
        env.tasks.cancel()
        env.tasks.wait()


def test_every_card_opens_exactly_the_rows_it_counts(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """Each figure leads to its rows: as many as the card says (and the same total)."""
    import re

    from PySide6.QtCore import Qt

    def click(card: Any) -> None:
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
        wait_idle(qtbot, window.env)

    def number(text: str) -> int:
        found = re.search(r"[\d,]+", text)
        assert found is not None, text
        return int(found.group().replace(",", ""))

    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    board = page.board
    assert board is not None

    # Annual spend: the terms in force, adding up to the figure.
    dialog = page.open_spend(None, None)
    assert dialog is not None
    assert dialog.model.total == number(page.total.detail.text()) == len(board.spend)
    assert Money.rounded(sum(r.annual_base for r in dialog.model.all_rows()),
                         "USD").format("en_US") == page.total.value.text()
    dialog.close()

    # Terms without a renewal date: the Renewals page lists exactly those.
    click(page.no_renewal)
    assert window.current_key == "renewals"
    renewals = window.pages["renewals"]
    shown = renewals.model.visible_rows()
    assert len(shown) == int(page.no_renewal.value.text()) == 2
    assert {x.id for x in shown} == {t.id for t in board.terms_without_renewal}
    assert all(x.renewal is None for x in shown)

    # Tools without an owner: the Tools page lists exactly those.
    window.show_page("dashboard")
    click(page.no_owner)
    assert window.current_key == "tools"
    tools = window.pages["tools"]
    assert tools.model.shown == int(page.no_owner.value.text())
    assert {t.tool.name for t in tools.model.visible_rows()} == {
        t.name for t in board.tools_without_owner}

    # Next cancel-by: that term, selected.
    window.show_page("dashboard")
    click(page.next_card)
    assert window.current_key == "renewals"
    assert renewals.current_row().id == board.next_renewals[0].term.id

    # Potential savings: the Savings page's lines hold as many seats, for the same total.
    window.show_page("dashboard")
    click(page.savings)
    assert window.current_key == "savings"
    savings = window.pages["savings"]
    lines = savings.group_model.all_rows()
    assert sum(g.seats for g in lines) == number(page.savings.detail.text())
    assert savings.figure.text() == page.savings.value.text()


def test_the_hand_over_card_opens_exactly_the_tools_it_counts_and_charts_name_units(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    board = page.board  # type: ignore[attr-defined]
    assert board.owners_departed
    assert page.owner_left.value.text() == str(len(board.owners_departed))  # type: ignore[attr-defined]
    page.owner_left.clicked.emit()  # type: ignore[attr-defined]
    dialog = page.findChild(figures_dialog())
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.total == len(board.owners_departed)
    assert {t.id for t in dialog.model.all_rows()} == {t.id for t in board.owners_departed}
    dialog.close()
    # The month chart says its currency and, under the months, the years.
    chart = page.by_month  # type: ignore[attr-defined]
    assert chart.unit == "USD"
    years = {str(m.month.year) for m in board.months}
    assert set(chart.groups) == years and len(chart.groups) == 12
    # Missed cancel-by dates lead the next renewals, in the warning colour.
    model = page.renewal_model  # type: ignore[attr-defined]
    missed = [r for r in model.visible_rows() if r.missed]
    assert missed and model.visible_rows()[:len(missed)] == missed
    assert page.next_card.title.text() == "Cancel-by dates missed"  # type: ignore[attr-defined]


def figures_dialog() -> Any:
    from stackadmin.ui.pages.dashboard import RowsDialog

    return RowsDialog


def test_the_hand_over_list_opens_the_tool_the_tools_filter_and_the_connections_card(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.ui.tablemodel import ROW_ROLE

    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    board = page.board  # type: ignore[attr-defined]
    left = {t.id for t in board.owners_departed}
    dialog = page.open_owners_departed()  # type: ignore[attr-defined]
    first = dialog.model.index(0, 0)
    tool_id = first.data(ROW_ROLE).id
    dialog.view.doubleClicked.emit(first)
    wait_idle(qtbot, window.env)
    dialog.close()
    assert window.current_key == "tool" and window.pages["tool"].tool_id == tool_id
    assert "(left: hand it over" in window.pages["tool"].facts.text()
    # The Tools page's owner filter lists the same tools.
    window.show_page("tools", {"owner": "left"})
    wait_idle(qtbot, window.env)
    tools = window.pages["tools"]
    assert {t.tool.id for t in tools.model.visible_rows()} == left
    # The connections card: broken now / not verified; a click lists the broken ones.
    window.show_page("dashboard")
    qtbot.waitUntil(lambda: page.running is not None, timeout=20_000)  # type: ignore[attr-defined]
    health = page.running[0]  # type: ignore[attr-defined]
    assert page.connections_card.value.text() == (  # type: ignore[attr-defined]
        f"{len(health.broken)} / {len(health.unverified)}")
    page.connections_card.clicked.emit()  # type: ignore[attr-defined]
    wait_idle(qtbot, window.env)
    assert window.current_key == "connections"
    shown = window.pages["connections"].model.visible_rows()
    assert shown and {r.id for r in health.broken} <= {r.id for r in shown}
