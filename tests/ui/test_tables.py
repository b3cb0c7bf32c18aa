"""The big tables: filters beside the search box, the right-click menu, saved views,
"Export this view…", and columns that keep rows apart (names cut in the middle, numbers
never cut, a cut cell's full text as its tooltip, widths kept per table)."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyleOptionViewItem
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.store.models import Account, Person, Tool
from stackadmin.ui.columns import CellDelegate, cell_tooltip
from stackadmin.ui.filtertable import ALL, FilteredTable
from stackadmin.ui.mainwindow import MainWindow
from stackadmin.ui.tablemodel import Column, search_text
from tests.ui.conftest import screenshot, wait_idle

LONG = "1Password Business Security Operations — EMEA"


def _page(window: MainWindow, qtbot: Any, key: str, target: object = None) -> Any:
    window.show_page(key, target)
    wait_idle(qtbot, window.env)
    return window.pages[key]


def _choose_text(combo: Any, text: str) -> None:
    """Picks a drop-down entry by its words, as a user clicks it."""
    n = combo.findText(text)
    assert n >= 0, f"{text!r} not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(n)


def _tool_id(ctx: ServiceContext, name: str) -> int:
    with ctx.read() as session:
        found = session.scalar(select(Tool.id).where(Tool.name == name))
    assert found is not None
    return found


# -- filters -----------------------------------------------------------------------------
def test_who_has_admin_in_a_tool_is_two_choices_and_agrees_with_the_database(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _page(window, qtbot, "seats")
    filters = page.table.filters.choices
    _choose_text(filters["role"].combo, "Owner or admin")
    _choose_text(filters["tool"].combo, "Figma")
    figma = _tool_id(demo_ctx, "Figma")
    with demo_ctx.read() as session:
        expected = set(session.scalars(select(Account.id).where(
            Account.tool_id == figma, Account.role.in_(("owner", "admin")))))
    shown = {s.account_id for s in page.model.visible_rows()}
    assert shown == expected and len(expected) >= 2
    assert f"{len(expected)} of {page.table.all_rows().__len__():,} seats shown" in \
        page.count.text()
    _choose_text(filters["status"].combo, "Suspended")
    assert all(s.status == "suspended" for s in page.model.visible_rows())
    page.table.clear_filters()
    assert page.model.shown == len(page.table.all_rows())


def test_the_department_and_use_filters_follow_the_people_and_the_rules(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _page(window, qtbot, "seats")
    with demo_ctx.read() as session:
        sales = set(session.scalars(select(Account.id).join(Person).where(
            Person.department == "Sales")))
    _choose_text(page.table.filters.choices["department"].combo, "Sales")
    assert {s.account_id for s in page.model.visible_rows()} == sales
    page.table.choose("department", ALL)
    _choose_text(page.table.filters.choices["use"].combo, "Unused (any reason)")
    rows = page.model.visible_rows()
    assert rows and all(s.reason is not None for s in rows)
    assert len(rows) == sum(1 for s in page.table.all_rows() if s.reason is not None)


def test_a_target_sets_the_filters_when_the_rows_arrive(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The dashboard's seat table opens exactly one tool's seats (not every tool whose name
    contains it), even before the Seats page has loaded."""
    slack = _tool_id(demo_ctx, "Slack")
    page = _page(window, qtbot, "seats", {"tool_id": slack})
    with demo_ctx.read() as session:
        expected = set(session.scalars(select(Account.id).where(Account.tool_id == slack)))
    assert {s.account_id for s in page.model.visible_rows()} == expected


def test_filters_on_100k_rows_answer_within_a_frame_or_few(qtbot: Any) -> None:
    """Choosing a value among 100,000 rows filters a Python list (no proxy model)."""

    @dataclass(frozen=True, slots=True)
    class Row:
        tool_id: int
        role: str
        days: int

    roles = ("owner", "admin", "member", "member", "guest")
    rows = [Row(i % 300, roles[i % 5], i % 500) for i in range(100_000)]
    columns: list[Column[Row]] = [Column("Tool", lambda r: f"Tool {r.tool_id}"),
                                  Column("Role", lambda r: r.role),
                                  Column("Days", lambda r: f"{r.days:,}", key=lambda r: r.days,
                                         numeric=True)]
    table = FilteredTable(columns)
    qtbot.addWidget(table)
    table.add_choice("tool", lambda r: r.tool_id)
    table.add_choice("role", lambda r: r.role)
    table.set_choices("tool", "All", [(f"Tool {n}", n) for n in range(300)])
    table.set_choices("role", "All", [("Owner or admin", ("owner", "admin"))])
    table.set_rows(rows, search_text(columns, rows))
    started = time.perf_counter()
    table.choose("tool", 10)
    table.choose("role", ("owner", "admin"))
    table.choose("tool", ALL)
    elapsed = time.perf_counter() - started
    assert table.model.shown == sum(1 for r in rows if r.role in ("owner", "admin"))
    assert elapsed < 1.0, f"three choices on 100k rows took {elapsed:.2f} s"


def test_search_finds_accented_names_dashes_and_emoji_whole(qtbot: Any) -> None:
    """The search text is kept as UTF-8 (half a str's size once a row holds an accent or a
    dash): words still match whole characters, case-insensitively, accents as typed."""
    rows = ["Uma García", "Chloé Walsh", "1Password — APAC", "Straße Team", "Build 🚀 bot",
            "Uma Garcia"]
    columns: list[Column[str]] = [Column("Name", lambda r: r)]
    table = FilteredTable(columns)
    qtbot.addWidget(table)
    table.set_rows(rows, search_text(columns, rows))

    def found(query: str) -> list[str]:
        table.model.set_filter(query)
        return sorted(table.model.row_at(n) for n in range(table.model.shown))

    assert found("GARCÍA") == ["Uma García"]
    assert found("garcia") == ["Uma Garcia"]  # an accent typed or not is a different letter
    assert found("é") == ["Chloé Walsh"]
    assert found("— apac") == ["1Password — APAC"]
    assert found("strasse") == ["Straße Team"]  # case folding, as before
    assert found("🚀") == ["Build 🚀 bot"]
    assert found("uma garc") == ["Uma Garcia", "Uma García"]


# -- the right-click menu ----------------------------------------------------------------
def test_the_row_menu_opens_the_tool_and_acts_on_the_seats(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _page(window, qtbot, "seats")
    n = page.model.row_of(lambda s: s.reason is not None and s.person_id is not None)
    seat = page.model.row_at(n)
    menu = page.table.context_menu_at(page.view.visualRect(page.model.index(n, 0)).center())
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open person", "Open tool", "Exempt…", "Clear exemption",
                     "Mark reclaimed…", "Copy", "Export this view…"]
    assert page.current_row() == seat  # the right-clicked row is the one acted on
    actions = {a.text(): a for a in menu.actions()}
    assert not actions["Clear exemption"].isEnabled()
    actions["Open tool"].trigger()
    wait_idle(qtbot, window.env)
    assert window.current_key == "tool"
    assert window.pages["tool"].tool_id == seat.tool_id  # type: ignore[attr-defined]
    menu.deleteLater()


def test_copy_puts_the_rows_shown_columns_on_the_clipboard(
        window: MainWindow, qtbot: Any, qapp: Any) -> None:
    page = _page(window, qtbot, "people")
    page.view.selectRow(0)
    person = page.current_row()
    page.table.menus.copy([person])
    cells = qapp.clipboard().text().split("\t")
    assert cells[0] == person.name and cells[1] == person.email


# -- saved views and export --------------------------------------------------------------
def test_a_saved_view_brings_back_its_filters_search_and_sort(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _page(window, qtbot, "seats")
    _choose_text(page.table.filters.choices["role"].combo, "Owner or admin")
    page.search.setText("example.com")
    page.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    wanted = [s.account_id for s in page.model.visible_rows()]
    page.table.menus.save_view("Admins")
    page.table.clear_filters()
    page.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [s.account_id for s in page.model.visible_rows()] != wanted
    assert page.table.menus.apply_view("Admins")
    assert [s.account_id for s in page.model.visible_rows()] == wanted
    # Kept in the settings: another window's Seats page offers it too.
    from stackadmin.ui.pages.seats import SeatsPage

    again = SeatsPage(window.env)
    again.key = "seats"
    qtbot.addWidget(again)
    assert "Admins" in again.table.menus.saved_views()
    page.table.menus.delete_view("Admins")
    assert "Admins" not in again.table.menus.saved_views()


def test_export_this_view_writes_the_rows_and_columns_shown_excel_clean(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    tools.create_tool(demo_ctx, name="=SUM(A1:A9)", category="Security")
    page = _page(window, qtbot, "tools")
    _choose_text(page.table.filters.choices["category"].combo, "Security")
    wait_idle(qtbot, window.env)
    shown = page.model.visible_rows()
    target = tmp_path / "security tools.csv"
    page.table.menus.ask_path = lambda _parent, request, chosen: chosen(str(target))
    page.table.menus.export_view()
    wait_idle(qtbot, window.env)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = page.view.horizontalHeader()
    titles = [page.columns[n].title for n in sorted(range(header.count()),
                                                     key=header.visualIndex)
              if not header.isSectionHidden(n)]
    assert rows[0] == titles
    names = [r[titles.index("Name")] for r in rows[1:]]
    assert names == [("'" + t.tool.name) if t.tool.name.startswith("=") else t.tool.name
                     for t in shown]
    assert "'=SUM(A1:A9)" in names  # never a formula in a spreadsheet
    cost = titles.index("Annual cost")
    okta = next(r for r in rows[1:] if r[0] == "Okta Workforce Identity")
    assert okta[cost].replace(".", "").isdigit() and "$" not in okta[cost]  # a number


def test_export_this_view_is_not_written_onto_the_open_database(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    database = demo_ctx.target.sqlite_path
    assert database is not None
    before = database.read_bytes()
    errors: list[str] = []
    window.env.error.connect(errors.append)
    page = _page(window, qtbot, "tools")
    page.table.menus.ask_path = lambda _parent, _request, chosen: chosen(str(database))
    page.table.menus.export_view()
    wait_idle(qtbot, window.env)
    assert database.read_bytes() == before
    assert errors and "choose another file name" in errors[-1], errors
    assert tools.list_tools(demo_ctx)  # the database still opens and reads


# -- columns -----------------------------------------------------------------------------
def test_names_are_cut_in_the_middle_and_a_cut_cell_says_its_full_text(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    tools.create_tool(demo_ctx, name=LONG)
    window.resize(1024, 700)
    page = _page(window, qtbot, "tools")
    n = page.model.row_of(lambda t: t.tool.name == LONG)
    index = page.model.index(n, 0)
    option = QStyleOptionViewItem()
    page.view.itemDelegate().initStyleOption(option, index)
    assert option.textElideMode == Qt.TextElideMode.ElideMiddle
    assert isinstance(page.view.itemDelegate(), CellDelegate)
    tip = cell_tooltip(page.view, n, 0)
    assert tip.startswith(LONG)  # cut at this width: the whole name on hover
    short = page.model.row_of(lambda t: t.tool.name == "Jira")
    assert not cell_tooltip(page.view, short, 0)  # not cut: nothing to add
    screenshot(window, "tools-1024-long-name")


def test_numbers_are_never_cut_even_at_1024_pixels(window: MainWindow, qtbot: Any) -> None:
    window.resize(1024, 700)
    for key in ("tools", "seats", "people"):
        page = _page(window, qtbot, key)
        delegate = page.view.itemDelegate()
        header = page.view.horizontalHeader()
        for column, spec in enumerate(page.columns):
            if not spec.numeric or header.isSectionHidden(column):
                continue
            for row in range(min(page.model.rowCount(), 400)):
                index = page.model.index(row, column)
                option = QStyleOptionViewItem()
                option.initFrom(page.view)
                option.rect = page.view.visualRect(index)
                option.rect.setWidth(header.sectionSize(column))
                assert not delegate.is_cut(page.view, option, index), (key, spec.title, row)
        # A number cannot be made narrower than its widest value, even by hand.
        numeric = next(n for n, c in enumerate(page.columns)
                       if c.numeric and not header.isSectionHidden(n))
        header.resizeSection(numeric, 10)
        assert header.sectionSize(numeric) >= page.table.sizer.number_width(numeric) > 10


def test_column_widths_sized_by_hand_are_kept_per_table(
        window: MainWindow, qtbot: Any) -> None:
    page = _page(window, qtbot, "people")
    header = page.view.horizontalHeader()
    assert page.table.sizer.fitting
    edge = header.sectionViewportPosition(2) + header.sectionSize(2) - 1
    port = header.viewport()
    QTest.mousePress(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(edge, 5))
    QTest.mouseMove(port, QPoint(edge + 60, 5))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       QPoint(edge + 60, 5))
    width = header.sectionSize(2)
    assert not page.table.sizer.fitting  # sized by hand: no longer fitted
    page.save_state()
    from stackadmin.ui.pages.people import PeoplePage

    again = PeoplePage(window.env)
    again.key = "people"
    qtbot.addWidget(again)
    again.resize(page.size())
    again.show()
    assert again.view.horizontalHeader().sectionSize(2) == width
    assert not again.table.sizer.fitting
    again.table.sizer.fit_to_window()  # the header menu's way back
    assert again.table.sizer.fitting


def test_the_seats_menu_exempts_in_one_batch_that_edit_undo_puts_back(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The Seats page's right-click actions are the person page's batches: audited, all or
    nothing, undone by Edit → Undo."""
    from stackadmin.ui.dialogs import FormDialog

    page = _page(window, qtbot, "seats")
    held = [s for s in page.model.visible_rows() if s.holds_seat and not s.exempt][:2]
    ids = {s.account_id for s in held}
    for n in range(page.model.shown):
        if page.model.row_at(n).account_id in ids:
            page.view.selectionModel().select(
                page.model.index(n, 0), page.view.selectionModel().SelectionFlag.Select
                | page.view.selectionModel().SelectionFlag.Rows)
    actions = {a.text(): a for a in page.row_actions(page.selected_rows()) if a is not None}
    actions["Exempt…"].trigger()
    dialog = next(d for d in page.findChildren(FormDialog) if d.isVisible())
    assert dialog.windowTitle() == "Exempt 2 seats"
    dialog.set_value("reason", "shared mailbox")
    dialog.submit()
    qtbot.waitUntil(lambda: window.undo.action.isEnabled(), timeout=20_000)
    assert window.undo.action.text() == "&Undo exempted 2 seats"
    with demo_ctx.read() as session:
        assert set(session.scalars(select(Account.exempt_reason).where(
            Account.id.in_(ids)))) == {"shared mailbox"}
    window.undo.action.trigger()
    qtbot.waitUntil(lambda: not window.undo.action.isEnabled(), timeout=20_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        assert not any(session.scalars(select(Account.exempt).where(Account.id.in_(ids))))


@pytest.mark.parametrize(("key", "target", "columns"), [
    ("feedback", None, ("Score", "Change", "Annual cost")),
    ("consolidation", None, ("Annual cost", "Saving a year")),
    ("person", "maya", ("Annual cost",)),
])
def test_export_this_view_writes_money_and_scores_as_numbers(
        key: str, target: str | None, columns: tuple[str, ...], window: MainWindow,
        demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    """As on the Tools, Renewals and Savings pages: '37620.00', not '$37,620.00' (text to a
    spreadsheet), and a fall '-1.21', not the text "'-1.21"."""
    from decimal import Decimal, InvalidOperation

    if target == "maya":
        with demo_ctx.read() as session:
            maya = session.scalars(select(Person.id).where(
                Person.email == "maya.petrov@example.com")).one()
        window.show_page(key, {"person_id": maya})
        wait_idle(qtbot, window.env)
        page = window.pages[key]
    else:
        page = _page(window, qtbot, key)
    assert page.model.shown
    path = tmp_path / f"{key}.csv"
    page.table.menus.write_view(str(path))
    wait_idle(qtbot, window.env)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    numbers = 0
    for title in columns:
        n = rows[0].index(title)
        for row in rows[1:]:
            cell = row[n]
            if not cell or cell[0].isalpha():  # unknown / flat price: said in words
                continue
            try:
                Decimal(cell)
            except InvalidOperation:
                pytest.fail(f"{key}, {title}: {cell!r} is not a number")
            numbers += 1
    assert numbers
