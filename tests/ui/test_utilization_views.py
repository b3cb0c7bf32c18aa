"""Utilization where it is shown outside the Savings page: the Tools page's columns, the
rightsizing brief on terms inside their window (and not outside), the dashboard's savings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt

from stackadmin.domain.money import Money
from stackadmin.services.context import ServiceContext
from stackadmin.services.overview.dashboard import renewal_lines
from stackadmin.services.seats import utilization
from stackadmin.services.seats.rightsizing import BRIEF_LEAD_DAYS, rightsizing_brief
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.rightsizing import brief_lines
from stackadmin.ui.tablemodel import FOREGROUND_ROLE, TOOLTIP_ROLE
from tests.ui.conftest import screenshot, wait_idle


def _text(page: Any, row: int, title: str) -> str:
    column = next(n for n, c in enumerate(page.model.columns) if c.title == title)
    return str(page.model.data(page.model.index(row, column)))


def _tools_page(window: MainWindow, qtbot: Any) -> Any:
    window.show_page("tools")
    wait_idle(qtbot, window.env)
    return window.pages["tools"]


def test_tools_page_utilization_columns_equal_the_service(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _tools_page(window, qtbot)
    report = utilization.compute(demo_ctx)
    figures = {t.tool_id: t for t in report.tools}
    assert page.model.total == len(figures)
    for n in range(page.model.shown):
        line = page.model.row_at(n)
        fig = figures[line.tool.id]
        assert line.utilization == fig
        assert _text(page, n, "Purchased") == (
            "flat" if fig.flat_priced else f"{fig.seats_purchased:,}")
        held = _text(page, n, "Held")
        if fig.seats_held is None:
            assert held == "—"
        elif fig.over_allocated:  # said in the cell: "+N" seats over the purchased ones
            assert held == f"{fig.seats_held:,} (+{fig.seats_held - fig.seats_purchased:,})"
        else:
            assert held == f"{fig.seats_held:,}"
        assert _text(page, n, "Active") == f"{fig.seats_active:,}"
        pct = _text(page, n, "Utilization")
        if not fig.seat_data:
            assert pct == "no seat data"
        elif not fig.activity_known:
            assert pct == "activity unknown"
        elif fig.utilization_pct is None:
            assert pct == "—"
        else:
            assert pct == f"{fig.utilization_pct.quantize(Decimal(1))} %"
        # Over-allocation: the warning colour and the tooltip's first words.
        for title in ("Utilization", "Held"):
            column = next(c for c, col in enumerate(page.model.columns) if col.title == title)
            index = page.model.index(n, column)
            warned = page.model.data(index, FOREGROUND_ROLE) is not None
            assert warned == fig.over_allocated
            tip = str(page.model.data(index, TOOLTIP_ROLE))
            assert tip.startswith("Over-allocated") == fig.over_allocated
        assert _text(page, n, "Savings/yr") == (
            Money.rounded(fig.potential_savings_base, "USD").format("en_US")
            if fig.potential_savings_base is not None else "—")
    shown = {_text(page, n, "Utilization") for n in range(page.model.shown)}
    assert {"no seat data", "activity unknown"} <= shown  # the demo has both
    assert any(page.model.row_at(n).utilization.over_allocated  # type: ignore[union-attr]
               for n in range(page.model.shown))


def test_rightsizing_column_marks_exactly_the_tools_with_a_term_in_its_window(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _tools_page(window, qtbot)
    due = {r.term.tool_id for r in renewal_lines(demo_ctx)
           if r.days_left is not None and 0 <= r.days_left <= BRIEF_LEAD_DAYS}
    assert due  # the demo has terms inside the window
    marked = {page.model.row_at(n).tool.id for n in range(page.model.shown)
              if _text(page, n, "Rightsizing")}
    assert marked == due
    n = page.model.row_of(lambda r: r.tool.id in due)
    page.view.selectRow(n)
    page.open_rightsizing()
    wait_idle(qtbot, window.env)
    dialog = page.brief_dialog
    assert dialog.isVisible() and dialog.panels
    assert {p.brief.term_id for p in dialog.panels} == {d.term_id for d in
                                                        page.model.row_at(n).rightsizing}
    screenshot(dialog, "tools-rightsizing-brief")
    dialog.close()


def _terms(ctx: ServiceContext) -> tuple[Any, Any]:
    lines = [r for r in renewal_lines(ctx) if r.days_left is not None]
    inside = next(r for r in lines if 0 <= r.days_left <= BRIEF_LEAD_DAYS)  # type: ignore[operator]
    outside = next(r for r in lines if r.days_left > BRIEF_LEAD_DAYS)  # type: ignore[operator]
    return inside.term, outside.term


def test_the_term_dialog_shows_the_brief_inside_its_window_only(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, qapp: Any) -> None:
    from stackadmin.ui import theme
    from stackadmin.ui.dialogs import terms

    theme.apply(qapp)
    page = _tools_page(window, qtbot)
    inside, outside = _terms(demo_ctx)
    dialog = terms.edit(page, inside)
    assert dialog is not None
    wait_idle(qtbot, window.env)
    panel = dialog.rightsizing  # type: ignore[attr-defined]
    assert panel.isVisible()
    brief = rightsizing_brief(demo_ctx, inside.id)
    assert brief.due
    from stackadmin.ui.rightsizing import brief_overlaps

    expected = dict(brief_lines(brief) + [("Overlap", t) for t in brief_overlaps(
        demo_ctx, inside.id)])
    assert {k: v.text() for k, v in panel.values.items()} == expected
    assert f"{brief.recommended_seats:,} seats at renewal" in panel.values["Recommended"].text()
    assert f"{brief.seats_active:,} active" in panel.values["Seats"].text()
    screenshot(dialog, "term-dialog-rightsizing")
    dialog.reject()
    dialog = terms.edit(page, outside)
    assert dialog is not None
    wait_idle(qtbot, window.env)
    assert not hasattr(dialog, "rightsizing")
    assert not rightsizing_brief(demo_ctx, outside.id).due
    dialog.reject()


def test_brief_lines_say_the_price_change_since_the_previous_term(
        demo_ctx: ServiceContext) -> None:
    from stackadmin.services.inventory.terms import list_terms

    renewed = [t for t in list_terms(demo_ctx) if t.previous_term_id is not None]
    assert renewed
    brief = rightsizing_brief(demo_ctx, renewed[0].id)
    price = dict(brief_lines(brief))["Price change"]
    assert brief.price_change is not None
    assert Money.rounded(abs(brief.price_change), brief.currency).format("en_US") in price
    assert "was " in price


def test_dashboard_savings_equal_the_service_and_open_the_savings_page(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("dashboard")
    wait_idle(qtbot, window.env)
    page = window.pages["dashboard"]
    report = utilization.compute(demo_ctx)
    assert page.board.savings_base == report.total_savings_base  # type: ignore[attr-defined]
    assert page.savings.value.text() == Money.rounded(  # type: ignore[attr-defined]
        report.total_savings_base, "USD").format("en_US")
    page.savings.clicked.emit()  # type: ignore[attr-defined]
    wait_idle(qtbot, window.env)
    assert window.current_key == "savings"
    assert window.pages["savings"].figure.text() == page.savings.value.text()  # type: ignore[attr-defined]


def test_screens(window: MainWindow, qtbot: Any, qapp: Any) -> None:
    from stackadmin.ui import theme

    theme.apply(qapp)
    page = _tools_page(window, qtbot)
    screenshot(window, "tools-utilization")
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(page.model.columnCount())]
    assert {"Utilization", "Savings/yr", "Rightsizing"} <= set(headers)


def test_the_brief_says_over_allocation_in_words(demo_ctx: ServiceContext) -> None:
    from stackadmin.services.inventory.terms import list_terms

    over = {t.tool_id for t in utilization.compute(demo_ctx).tools if t.over_allocated}
    term = next(t for t in list_terms(demo_ctx)
                if t.tool_id in over and t.status == "active")
    brief = rightsizing_brief(demo_ctx, term.id)
    lines = dict(brief_lines(brief))
    assert brief.over_allocated and brief.seats_over > 0
    assert f"{brief.seats_over} seat" in lines["Over-allocated"]
    assert "more than the terms cover" in lines["Over-allocated"]
    assert next(iter(lines)) == "Over-allocated"  # the first thing the brief says
    from stackadmin.ui.rightsizing import BriefPanel

    panel = BriefPanel(brief)
    panel.resize(560, panel.sizeHint().height())
    screenshot(panel, "brief-over-allocated")
    panel.deleteLater()
