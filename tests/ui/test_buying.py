"""Buying in the window: the request form from anywhere, the Requests page and a request's
page with its comparison, deciding, Feedback with its import, Consolidation, the dashboard's
lowest-rated tools, the brief's overlap line; each rendered to PNG."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QToolButton
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import SubscriptionTerm, Tool, ToolRequest, ToolTag
from stackadmin.ui.buying.feedback_section import ToolFeedbackSection
from stackadmin.ui.buying.request_form import RequestForm, install_request_action
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feedback"


def _show(window: MainWindow, qtbot: Any, key: str, target: object = None) -> Any:
    window.show_page(key, target)
    wait_idle(qtbot, window.env)
    return window.pages[key]


def _form(window: MainWindow, qtbot: Any, trigger: Any) -> RequestForm:
    opened: list[RequestForm] = []
    qtbot.waitUntil(lambda: window.env.ready)
    import stackadmin.ui.buying.request_form as module

    original = module.RequestForm.open
    try:
        module.RequestForm.open = lambda self: (opened.append(self),  # type: ignore[method-assign]
                                                original(self))
        trigger()
        qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    finally:
        module.RequestForm.open = original  # type: ignore[method-assign]
    return opened[0]


def test_the_request_form_is_one_click_away_and_says_what_is_paid_for(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    wait_idle(qtbot, window.env)
    file_menu = window.menuBar().addMenu("&File")
    file_menu.setObjectName("fileMenu")
    file_menu.addAction("&Quit")
    action = install_request_action(window, window.env)
    assert file_menu.actions()[0] is action  # File → New request…, first
    button = window.menuBar().cornerWidget(Qt.Corner.TopRightCorner)
    assert isinstance(button, QToolButton) and "New request" in button.text()
    # Installed once the window is up (as the start does): shown all the same.
    assert button.isVisible() and button.width() > 0
    form = _form(window, qtbot, button.click)
    assert form.paid_label.isHidden()
    form.set_value("category", "whiteboard")
    qtbot.waitUntil(lambda: not form.paid_label.isHidden(), timeout=5000)
    assert "Miro (Design) is paid for:" in form.paid_label.text()
    assert "unused" in form.paid_label.text()
    form.adjustSize()
    qtbot.wait(50)  # the wrapped hints are laid out on the next pass
    screenshot(form, "request-form")
    with demo_ctx.read() as s:
        email = s.scalars(select(ToolRequest.requested_by_email)).first()
    form.set_value("title", "Whiteboard for the board meeting")
    form.set_value("requested_by", email)
    form.set_value("urgency", "high")
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.submit()
    with demo_ctx.read() as s:
        row = s.scalars(select(ToolRequest).where(
            ToolRequest.title == "Whiteboard for the board meeting")).one()
        assert (row.status, row.urgency, row.category) == ("new", "high", "whiteboard")
    wait_idle(qtbot, window.env)


def test_the_shortcut_opens_the_form_and_bad_input_stays_in_it(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    wait_idle(qtbot, window.env)
    action = install_request_action(window, window.env)
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    form = _form(window, qtbot, action.trigger)
    form.set_value("title", "")
    form.set_value("requested_by", "nobody@example.com")
    form.submit()
    qtbot.waitUntil(lambda: bool(form.problem_text("title")), timeout=10_000)
    assert "required" in form.problem_text("title")
    form.set_value("title", "A scanner app")
    form.submit()
    qtbot.waitUntil(lambda: bool(form.problem_text("requested_by")), timeout=10_000)
    assert "no one in the people list" in form.problem_text("requested_by")
    assert form.isVisible() and not form.problem_text("title")
    form.reject()


def test_an_empty_request_says_what_is_required_above_its_buttons(
        window: MainWindow, qtbot: Any) -> None:
    wait_idle(qtbot, window.env)
    form = _form(window, qtbot, install_request_action(window, window.env).trigger)
    form.submit()
    qtbot.waitUntil(lambda: bool(form.problem_text("requested_by")), timeout=10_000)
    assert "requested by is required" in form.problem_text("requested_by").lower()
    assert "required" in form.problem_text("title")
    qtbot.wait(50)  # the dialog grows on the next layout pass
    buttons = QRect(form.buttons.mapTo(form, form.buttons.rect().topLeft()),
                    form.buttons.size())
    fields = QRect(form.scroll.mapTo(form, form.scroll.rect().topLeft()), form.scroll.size())
    assert not buttons.intersects(fields)
    form.reject()


def test_the_requests_page_filters_by_status(window: MainWindow, qtbot: Any) -> None:
    page = _show(window, qtbot, "requests")
    assert {r.status for r in page.model.visible_rows()} <= {"new", "triaged", "evaluating",
                                                             "approved"}
    assert page.model.shown == 4
    page.set_status_filter("All requests")
    assert page.model.shown == 6
    page.set_status_filter("Rejected")
    assert [r.title for r in page.model.visible_rows()] == [
        "Webinar tool for customer onboarding"]
    page.set_status_filter("Open (new to approved)")
    whiteboard = next(r for r in page.model.visible_rows() if r.id == 1)
    assert any(s.startswith("Miro (Design) is paid for") for s in whiteboard.paid_sentences())
    page.activate(whiteboard)
    wait_idle(qtbot, window.env)
    assert window.current_key == "request"


def test_a_requests_page_shows_its_evaluation_side_by_side(window: MainWindow,
                                                           qtbot: Any) -> None:
    page = _show(window, qtbot, "request", {"request_id": 1})
    assert "A whiteboard for remote workshops" in page.heading.text()
    assert "evaluating" in page.heading.text()
    assert page.paid.text().startswith("Already paid for: ")
    assert "Miro (Design) is paid for: " in page.paid.text()
    assert [e.summary.split(": ", 1)[1] for e in page.history_model.all_rows()] == [
        "new → evaluating"] or page.history_model.total == 2
    rows = page.comparison.model.all_rows()
    assert [c.name for c in rows] == ["Miro", "FigJam", "Mural"]  # best total first
    assert page.comparison.model.index(0, 7).data() == "4.17"  # Miro's weighted total
    bars = page.comparison.chart.bars
    assert [b.label for b in bars] == ["Miro", "FigJam", "Mural"]
    assert len(bars[1].evaluators) == 3 and bars[1].text.startswith("3.98 · spread")
    assert set(page.status_buttons) == {"triaged", "approved", "rejected", "duplicate",
                                        "purchased"}
    assert "Evaluators:" in page.comparison.notes.text()


def test_deciding_on_the_page_buys_the_candidate(window: MainWindow, demo_ctx: ServiceContext,
                                                 qtbot: Any) -> None:
    page = _show(window, qtbot, "request", {"request_id": 1})
    page.comparison.view.selectRow(1)
    assert page.comparison.selected().name == "FigJam"
    page.run_action("decide")
    qtbot.waitUntil(lambda: hasattr(page, "decide_dialog"), timeout=10_000)
    dialog = page.decide_dialog
    assert dialog.values()["term:unit_price"] == "5.00"
    assert dialog.values()["term:seats"] == "25"
    screenshot(dialog, "request-decide")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("rationale")), timeout=10_000)
    dialog.set_value("rationale", "Cheapest seat, and the designers already know it")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as s:
        tool = s.scalars(select(Tool).where(Tool.name == "FigJam")).one()
        terms = s.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.tool_id == tool.id)).all()
        assert len(terms) == 1 and terms[0].unit_price_minor == 500 and terms[0].seats == 25
        assert s.get(ToolRequest, 1).status == "purchased"  # type: ignore[union-attr]
    wait_idle(qtbot, window.env)
    assert "purchased" in page.heading.text() and not page.actions_["decide"].isEnabled()
    from stackadmin.ui.fmt import date_text

    decided = page.comparison.notes.text()  # the day as the pages write it, not ISO
    day = page.comparison.report.decision.decided_at
    assert f"Decided {date_text(day)} by " in decided
    assert day.date().isoformat() not in decided


def test_scoring_from_the_page(window: MainWindow, demo_ctx: ServiceContext,
                               qtbot: Any) -> None:
    page = _show(window, qtbot, "request", {"request_id": 1})
    dialog = page.run_action("score")
    dialog.set_value("candidate", "Mural")
    dialog.set_value("evaluator", page.data.choices.people[0])
    dialog.set_value("score:security", "5")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    mural = next(c for c in page.comparison.model.all_rows() if c.name == "Mural")
    assert mural.result.mean("security") is not None
    screenshot(page.run_action("score"), "request-score")


def test_consolidation_lists_overlaps_and_edits_tags(window: MainWindow,
                                                     demo_ctx: ServiceContext,
                                                     qtbot: Any) -> None:
    page = _show(window, qtbot, "consolidation")
    assert page.model.shown >= 5
    first = page.current_row()
    assert first is not None and "saving" in page.detail.text()
    whiteboards = page.model.row_of(lambda o: "whiteboard" in o.shared)
    assert whiteboards >= 0
    page.edit_tags()
    qtbot.waitUntil(lambda: hasattr(page, "tags_dialog"), timeout=10_000)
    dialog = page.tags_dialog
    dialog.set_value("tool", "Zoom")
    assert dialog.values()["tags"] == "video calls"
    dialog.set_value("tags", "video calls, webinars")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as s:
        zoom = s.scalars(select(Tool.id).where(Tool.name == "Zoom")).one()
        assert sorted(s.scalars(select(ToolTag.tag).where(ToolTag.tool_id == zoom))) == [
            "video calls", "webinars"]
    wait_idle(qtbot, window.env)


def test_feedback_page_import_and_the_tool_section(window: MainWindow,
                                                   demo_ctx: ServiceContext, qtbot: Any,
                                                   tmp_path: Path) -> None:
    page = _show(window, qtbot, "feedback")
    rows = page.model.visible_rows()
    assert [r.average for r in rows] == sorted(r.average for r in rows)  # lowest first
    assert page.round_box.currentText() == "2026 H2 tool survey"
    qtbot.waitUntil(lambda: page.section.data is not None, timeout=10_000)
    assert page.section.data.tool == rows[0].tool
    assert len(page.section.chart.points) == 2  # both rounds
    path = tmp_path / "survey.csv"
    with demo_ctx.read() as s:
        email = s.scalars(select(ToolRequest.requested_by_email)).first()
    path.write_text("Timestamp,Email Address,Which tool are you rating?,Stars given,"
                    "What should we know?\r\n"
                    f"1/12/2027 9:14:03,{email},Slack,2,Too many channels\r\n", "utf-8")
    page.ask_path = lambda _parent, _request, chosen: chosen(str(path))
    page.import_csv()
    qtbot.waitUntil(lambda: hasattr(page, "import_dialog"), timeout=10_000)
    dialog = page.import_dialog
    dialog.round_box.setCurrentText("2027 H1 tool survey")
    qtbot.waitUntil(lambda: "problem" in dialog.report.toPlainText(), timeout=10_000)
    assert not dialog.import_button.isEnabled()  # "Stars given": not known until chosen
    screenshot(dialog, "feedback-import")
    combo = dialog.maps["Stars given"]
    combo.setCurrentIndex(combo.findData("score"))
    qtbot.waitUntil(dialog.import_button.isEnabled, timeout=10_000)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    assert page.round_box.currentText() == "2027 H1 tool survey"
    assert [r.tool for r in page.model.all_rows()] == ["Slack"]


def test_the_feedback_section_stands_alone(env: Any, demo_ctx: ServiceContext,
                                           qtbot: Any) -> None:
    with demo_ctx.read() as s:
        jira = s.scalars(select(Tool.id).where(Tool.name == "Jira")).one()
    section = ToolFeedbackSection(env, jira)
    qtbot.addWidget(section)
    section.resize(420, 420)
    section.show()
    qtbot.waitUntil(lambda: section.data is not None, timeout=10_000)
    assert section.data.tool == "Jira" and len(section.chart.points) == 2
    assert "/ 5 from" in section.headline.text()
    screenshot(section, "tool-feedback-section")
    dialog = section.add_feedback()
    assert dialog is not None
    dialog.set_value("email", "nobody-here@example.com")
    dialog.set_value("score", "1")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: section.data is not None and section.data.latest is not None
                    and any(c.email == "nobody-here@example.com"
                            for c in section.data.latest.comments), timeout=10_000)
    env.tasks.wait()


def test_the_dashboard_lists_the_lowest_rated_tools_and_open_requests(
        window: MainWindow, qtbot: Any) -> None:
    page = _show(window, qtbot, "dashboard")
    qtbot.waitUntil(lambda: page.rated_model.total > 0, timeout=20_000)
    rated = page.rated_model.visible_rows()
    assert len(rated) == 5 and [r.average for r in rated] == sorted(r.average for r in rated)
    assert all(r.annual_cost_base is not None for r in rated)
    assert "2026 H2 tool survey" in page.rated_section.title.text()
    assert {r.status for r in page.requests_model.all_rows()} <= {
        "new", "triaged", "evaluating", "approved"}


def test_the_brief_of_a_term_in_an_overlap_says_so(ctx: ServiceContext, qtbot: Any,
                                                   tmp_path: Path) -> None:
    from stackadmin.services.inventory import terms
    from stackadmin.ui.dialogs import terms as term_dialogs
    from stackadmin.ui.pages.base import Page
    from tests.conftest import TODAY
    from tests.services.buying.helpers import whiteboards
    from tests.ui.conftest import make_env

    ids = whiteboards(ctx)
    term = next(t for t in terms.list_terms(ctx) if t.tool_id == ids["Miro"])
    terms.update_term(ctx, term.id, renewal_date=TODAY + timedelta(days=40))
    env = make_env(ctx, tmp_path)
    page = Page(env)
    qtbot.addWidget(page)
    dialog = term_dialogs.edit(page, terms.get_term(ctx, term.id))
    assert dialog is not None
    qtbot.waitUntil(lambda: hasattr(dialog, "rightsizing"), timeout=10_000)
    text = dialog.rightsizing.values["Overlap"].text()  # type: ignore[attr-defined]
    assert text == "Miro renews in 40 days; 2 of its 4 active users also use FigJam"
    screenshot(dialog, "brief-overlap")
    dialog.reject()
    env.tasks.wait()


@pytest.mark.parametrize(("scheme", "width"), [("light", 1280), ("dark", 1024),
                                               ("light", 1024), ("dark", 1280)])
def test_the_buying_pages_render(window: MainWindow, qtbot: Any, qapp: Any, monkeypatch: Any,
                                 scheme: str, width: int) -> None:
    from stackadmin.ui import theme

    monkeypatch.setenv(theme.SCHEME_ENV, scheme)
    theme.apply(qapp)
    wait_idle(qtbot, window.env)
    window.menuBar().addMenu("&File").setObjectName("fileMenu")  # as the app has one
    install_request_action(window, window.env)
    try:
        window.resize(width, 800)
        for key, target in (("requests", None), ("request", {"request_id": 1}),
                            ("feedback", None), ("consolidation", None), ("dashboard", None)):
            _show(window, qtbot, key, target)
            if key == "dashboard":
                board = window.pages["dashboard"]
                qtbot.waitUntil(lambda b=board: b.rated_model.total > 0, timeout=20_000)
                from PySide6.QtWidgets import QScrollArea

                bar = board.findChild(QScrollArea).verticalScrollBar()
                bar.setValue(bar.maximum())  # the lowest-rated tools are at the bottom
            screenshot(window, f"buying-{key}-{scheme}-{width}")
    finally:
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)
