"""File → Export: a save dialog, the export on a worker, what was written in the status bar,
problems in words in the error banner."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QMenu

from stackadmin.services.context import ServiceContext
from stackadmin.services.spreadsheets.exports import finance_report
from stackadmin.ui.env import Env
from stackadmin.ui.file_menu import ImportExport, install_import_export
from stackadmin.ui.filedialogs import PathRequest, ask_with_dialog
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle

# The finance export's columns, in this order (README: Export).
FINANCE_HEADER = [
    "tool", "vendor", "plan", "cost_center", "owner", "pricing", "billing_period", "currency",
    "unit_price", "seats_purchased", "period_cost", "annual_cost", "base_currency", "fx_rate",
    "annual_cost_base", "term_start", "renewal_date", "cancel_by", "auto_renew", "seats_held",
    "seats_active", "seats_unused", "unused_annual_cost_base", "po_reference",
]


class Answer:
    """Stands in for the save dialog: records what was asked and answers with a path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.requests: list[PathRequest] = []

    def __call__(self, _parent: Any, request: PathRequest, chosen: Any) -> None:
        self.requests.append(request)
        chosen(str(self.path))


def _menu_action(menu: QMenu, text: str) -> Any:
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def _install(window: MainWindow, env: Env, answer: Answer, qtbot: Any) -> ImportExport:
    wait_idle(qtbot, env)  # the first page's load: a test must not end with a job running
    controller = install_import_export(window, env)
    controller.ask_path = answer
    return controller


def test_the_file_menu_comes_first_with_import_and_the_four_exports(
        window: MainWindow, env: Env, qtbot: Any, tmp_path: Path) -> None:
    controller = _install(window, env, Answer(tmp_path / "x.csv"), qtbot)
    first = window.menuBar().actions()[0]
    assert first.text() == "&File" and first.menu() is controller.menu
    texts = [a.text() for a in controller.menu.actions() if not a.isSeparator()]
    assert texts[:2] == ["&Import…", "&Export"]
    assert [a.text() for a in controller.export_menu.actions()] == [
        "Finance CSV…", "Seats CSV…", "Access review CSV…", "People CSV…",
        "Renewals calendar (.ics)…"]
    assert env.import_hook is not None


def test_finance_export_writes_the_csv_and_says_what_was_written(
        window: MainWindow, env: Env, demo_ctx: ServiceContext, qtbot: Any,
        tmp_path: Path) -> None:
    target = tmp_path / "finance.csv"
    answer = Answer(target)
    _install(window, env, answer, qtbot)
    messages: list[str] = []
    env.message.connect(messages.append)
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    export_menu = _menu_action(menu, "Export").menu()
    _menu_action(export_menu, "Finance CSV…").trigger()
    wait_idle(qtbot, env)

    request = answer.requests[0]
    assert request.save and request.suffix == "csv"
    assert request.suggested == f"finance-{demo_ctx.today().isoformat()}.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == FINANCE_HEADER
    report = finance_report(demo_ctx)
    assert len(rows) - 1 == len(report.rows) > 0
    assert [r[0] for r in rows[1:]] == [r.tool for r in report.rows]
    said = messages[-1]
    assert str(target) in said and f"{len(report.rows)} terms" in said
    if report.annual_total_base is not None:
        assert f"Annual cost: {env.format_money(report.annual_total_base)}" in said
    for currency in report.missing_rates:
        assert currency in said
    assert window.statusBar().currentMessage() == said
    assert not window.banner.isVisible()


def test_finance_export_names_the_missing_rates(
        window: MainWindow, env: Env, demo_ctx: ServiceContext, qtbot: Any,
        tmp_path: Path) -> None:
    from sqlalchemy import delete

    from stackadmin.store.models import ExchangeRate

    with demo_ctx.transaction() as session:
        session.execute(delete(ExchangeRate))
    report = finance_report(demo_ctx)
    assert report.missing_rates  # the demo has terms in other currencies than the base
    messages: list[str] = []
    env.message.connect(messages.append)
    controller = _install(window, env, Answer(tmp_path / "finance.csv"), qtbot)
    controller.export("finance")
    wait_idle(qtbot, env)
    said = messages[-1]
    assert f"No total in {report.base_currency}" in said
    assert all(currency in said for currency in report.missing_rates)


def test_seats_access_review_and_calendar_exports_write_their_files(
        window: MainWindow, env: Env, qtbot: Any, tmp_path: Path) -> None:
    messages: list[str] = []
    env.message.connect(messages.append)
    controller = _install(window, env, Answer(tmp_path / "unused"), qtbot)
    expected = {"seats": ("seats.csv", "accounts written"),
                "access-review": ("access.csv", "with access written"),
                "calendar": ("renewals.ics", "events for")}
    for key, (name, words) in expected.items():
        controller.ask_path = Answer(tmp_path / name)
        controller.export_actions[key].trigger()
        wait_idle(qtbot, env)
        assert (tmp_path / name).stat().st_size > 0
        assert words in messages[-1] and str(tmp_path / name) in messages[-1]
    header = (tmp_path / "seats.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("tool,")
    assert (tmp_path / "renewals.ics").read_text().startswith("BEGIN:VCALENDAR")


def test_an_export_that_cannot_be_written_is_explained_in_the_banner(
        window: MainWindow, env: Env, qtbot: Any, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "finance.csv"
    _install(window, env, Answer(target), qtbot).export("finance")
    wait_idle(qtbot, env)
    text = window.banner.label.text()
    assert window.banner.isVisible()
    assert "does not exist" in text and "Traceback" not in text
    assert "Something went wrong" not in text  # a known problem, not a bug
    assert not target.exists()


def test_the_default_path_dialog_is_qts_own_and_does_not_block(
        window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    wait_idle(qtbot, window.env)
    chosen: list[str] = []
    request = PathRequest("Export", str(tmp_path), suggested="finance.csv")
    ask_with_dialog(window, request, chosen.append)  # returns at once: not exec()
    dialog = window.findChild(QFileDialog, "pathDialog")
    assert dialog is not None and dialog.isVisible()
    assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    screenshot(dialog, "export-save-dialog")
    dialog.selectFile(str(tmp_path / "finance"))
    dialog.accept()
    assert chosen == [str(tmp_path / "finance.csv")]  # the suffix added


def test_the_file_menu_renders(window: MainWindow, env: Env, qtbot: Any,
                               tmp_path: Path) -> None:
    controller = _install(window, env, Answer(tmp_path / "x.csv"), qtbot)
    wait_idle(qtbot, env)
    # Rendered without popping up: the offscreen platform warns on a popup's raise() and
    # keyboard grab.
    for menu, name in ((controller.menu, "file-menu"),
                       (controller.export_menu, "file-export-menu")):
        menu.aboutToShow.emit()
        menu.resize(menu.sizeHint())
        screenshot(menu, name)
    screenshot(window, "main-window-with-file-menu")
    assert controller.menu.actions()[0] is controller.import_action
    labels = [a.text() for a in controller.export_menu.actions()]
    assert len(labels) == 5 and all(text.endswith("…") for text in labels)


def test_an_existing_file_menu_is_reused_with_import_and_export_first(
        window: MainWindow, env: Env, qtbot: Any, tmp_path: Path) -> None:
    existing = window.menuBar().addMenu("&File")
    existing.addAction("Preferences…")
    controller = _install(window, env, Answer(tmp_path / "x.csv"), qtbot)
    assert controller.menu is existing
    assert [a.text() for a in window.menuBar().actions()].count("&File") == 1
    texts = [a.text() for a in existing.actions()]
    assert texts[:2] == ["&Import…", "&Export"] and texts[-1] == "Preferences…"
    assert "&Quit" not in texts  # the menu's owner decides about Quit


def test_installing_the_menu_loads_no_icon_before_the_first_paint(
        window: MainWindow, env: Env, qtbot: Any, tmp_path: Path) -> None:
    controller = _install(window, env, Answer(tmp_path / "x.csv"), qtbot)
    assert controller.import_action.icon().isNull()  # QtSvg waits for the first paint
    controller.menu.aboutToShow.emit()
    assert not controller.import_action.icon().isNull()
