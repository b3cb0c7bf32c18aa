"""A tool's page: opened from the Tools page, every term reachable and editable from it
(those without a renewal date too), accounts by role, integration and last sync, documents,
contacts, notes and the decisions taken."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.renewals.reminders import decide
from stackadmin.store.models import Integration, SubscriptionTerm, SyncRun, Tool, ToolDocument
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle


def _tool(ctx: ServiceContext, name: str) -> int:
    with ctx.read() as session:
        found = session.scalar(select(Tool.id).where(Tool.name == name))
    assert found is not None
    return found


def _open(window: MainWindow, qtbot: Any, tool_id: int) -> Any:
    window.show_page("tool", {"tool_id": tool_id})
    wait_idle(qtbot, window.env)
    return window.pages["tool"]


def test_double_clicking_a_tool_opens_its_page(window: MainWindow, demo_ctx: ServiceContext,
                                                qtbot: Any) -> None:
    window.show_page("tools")
    wait_idle(qtbot, window.env)
    tools_page = window.pages["tools"]
    n = tools_page.model.row_of(lambda t: t.tool.name == "Figma")
    tools_page.view.doubleClicked.emit(tools_page.model.index(n, 0))
    wait_idle(qtbot, window.env)
    assert window.current_key == "tool"
    page = window.pages["tool"]
    assert page.name.text() == "Figma" and "Design" in page.facts.text()
    assert window.sidebar.currentItem().text() == "Tools"  # it lives under Tools
    page.back.click()
    assert window.current_key == "tools"


def test_every_term_of_the_tool_is_listed_and_the_undated_one_can_be_dated(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """Figma's $11k term has no renewal date: it was reachable nowhere; here it is, and
    editing it from the tool's page dates it."""
    figma = _tool(demo_ctx, "Figma")
    page = _open(window, qtbot, figma)
    terms = page.section("terms")
    with demo_ctx.read() as session:
        ids = set(session.scalars(select(SubscriptionTerm.id).where(
            SubscriptionTerm.tool_id == figma)))
    assert {s.term.id for s in terms.model.all_rows()} == ids
    undated = next(s for s in terms.model.all_rows() if s.term.renewal_date is None)
    n = terms.model.row_of(lambda s: s is undated)
    renews = [c.title for c in terms.model.columns].index("Renews")
    assert terms.model.index(n, renews).data() == "no renewal date"
    assert "without a renewal date" in terms.summary.text()
    terms.view.selectRow(n)
    dialog = terms.edit()
    assert dialog is not None and dialog.isVisible()
    dialog.set_value("renewal_date", "2027-03-01")
    dialog.set_value("term_start", "2026-03-01")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        stored = session.get(SubscriptionTerm, undated.term.id)
        assert stored is not None and stored.renewal_date == date(2027, 3, 1)
    again = next(s for s in terms.model.all_rows() if s.term.id == undated.term.id)
    assert again.term.renewal_date == date(2027, 3, 1)


def test_terms_over_time_show_the_change_at_each_renewal(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    with demo_ctx.read() as session:
        renewed = session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.previous_term_id.is_not(None))).first()
        assert renewed is not None
        tool_id, term_id = renewed.tool_id, renewed.id
    page = _open(window, qtbot, tool_id)
    terms = page.section("terms")
    titles = [c.title for c in terms.model.columns]
    n = terms.model.row_of(lambda s: s.term.id == term_id)
    assert terms.model.index(n, titles.index("At renewal")).data() == "same seats, price +11.1 %"
    assert terms.model.row_at(0).term.id == term_id  # the current term on top


def test_accounts_are_listed_owners_and_admins_first(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    slack = _tool(demo_ctx, "Slack")
    page = _open(window, qtbot, slack)
    accounts = page.section("accounts").accounts
    roles = [a.role for a in accounts.model.visible_rows() if a.status != "deprovisioned"]
    order = {"owner": 0, "admin": 1, "billing": 2, "member": 3, "guest": 4}
    assert roles == sorted(roles, key=order.__getitem__) and roles[0] == "owner"
    with demo_ctx.read() as session:
        from stackadmin.store.models import Account

        ids = set(session.scalars(select(Account.id).where(Account.tool_id == slack)))
    assert {a.id for a in accounts.all_rows()} == ids
    accounts.choose("role", ("owner", "admin"))
    assert {a.role for a in accounts.model.visible_rows()} == {"owner", "admin"}


def test_the_integration_and_its_last_sync_are_said_in_words(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    slack = _tool(demo_ctx, "Slack")
    page = _open(window, qtbot, slack)
    text = page.section("integration").text.text()
    assert "No vendor integration syncs Slack" in text and "accounts import" in text
    with demo_ctx.transaction() as session:
        integration = Integration(plugin_id="slack", tool_id=slack, name="Slack SCIM")
        session.add(integration)
        session.flush()
        session.add(SyncRun(integration_id=integration.id, status="failed",
                            started_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
                            error="401 Unauthorized: the token was revoked"))
    window.env.changed("integration")
    wait_idle(qtbot, window.env)
    text = page.section("integration").text.text()
    assert "Slack SCIM" in text and "failed" in text and "token was revoked" in text
    assert "sync before it is kept" in text


def test_the_accounts_import_is_offered_once_the_wizard_registers(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The app installs the import wizard once its start is over: a tool page shown before
    then offers the accounts import from that moment, not from its next reload."""
    page = _open(window, qtbot, _tool(demo_ctx, "Slack"))
    section = page.section("integration")
    assert window.env.import_hook is None and section.import_button.isHidden()
    opened: list[bool] = []
    window.env.import_hook = lambda: opened.append(True)
    assert not section.import_button.isHidden()
    section.import_button.click()
    assert opened == [True]


def test_documents_are_copied_opened_with_the_viewer_and_removed(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    figma = _tool(demo_ctx, "Figma")
    page = _open(window, qtbot, figma)
    documents = page.section("documents")
    source = tmp_path / "Figma order form 2026.pdf"
    source.write_bytes(b"%PDF-1.7 order form")
    documents.ask_path = lambda _parent, request, chosen: chosen(str(source))
    documents.choose_file("order_form")
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    rows = documents.model.all_rows()
    assert [(d.kind, d.title, d.present) for d in rows] == [
        ("order_form", "Figma order form 2026", True)]
    copy = rows[0].path
    assert copy.read_bytes() == source.read_bytes() and copy != source
    if os.name == "posix":
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    opened: list[QUrl] = []
    documents.open_url = lambda url: opened.append(url) or True
    documents.view.selectRow(0)
    documents.open_selected()
    wait_idle(qtbot, window.env)
    assert [u.toLocalFile() for u in opened] == [str(copy)]
    box = documents.remove_selected()
    assert box is not None
    next(b for b in box.buttons() if b.text() == "Remove").click()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    assert not copy.exists() and source.exists()
    assert documents.model.total == 0 and documents.empty.isVisible()
    with demo_ctx.read() as session:
        assert session.scalar(select(ToolDocument.id)) is None


def test_a_document_missing_on_this_computer_is_said_not_opened(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, tmp_path: Path) -> None:
    from stackadmin.services.tools.documents import add_document

    figma = _tool(demo_ctx, "Figma")
    source = tmp_path / "contract.pdf"
    source.write_bytes(b"contract")
    row = add_document(demo_ctx, figma, source, kind="contract")
    row.path.unlink()
    page = _open(window, qtbot, figma)
    documents = page.section("documents")
    assert "1 not on this computer" in documents.summary.text()
    errors: list[str] = []
    window.env.error.connect(errors.append)
    documents.open_url = lambda _url: pytest.fail("a missing file was opened")
    documents.view.selectRow(0)
    documents.open_selected()
    wait_idle(qtbot, window.env)
    assert errors and "not on this computer" in errors[0]


def test_contacts_are_added_edited_and_removed(window: MainWindow, demo_ctx: ServiceContext,
                                               qtbot: Any) -> None:
    figma = _tool(demo_ctx, "Figma")
    page = _open(window, qtbot, figma)
    contacts = page.section("contacts")
    dialog = contacts.add()
    dialog.set_value("name", "Jo Rep")
    dialog.set_value("role", "Account manager")
    dialog.set_value("email", "not an email")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("email")), timeout=10_000)
    dialog.set_value("email", "jo@figma.example")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    assert [(c.name, c.role, c.email) for c in contacts.model.all_rows()] == [
        ("Jo Rep", "Account manager", "jo@figma.example")]
    contacts.view.selectRow(0)
    edit = contacts.edit()
    edit.set_value("phone", "+1 555 0100")
    edit.submit()
    qtbot.waitUntil(lambda: not edit.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    assert contacts.model.row_at(0).phone == "+1 555 0100"
    contacts.view.selectRow(0)
    box = contacts.remove()
    box.button(QMessageBox.StandardButton.Cancel).click()
    wait_idle(qtbot, window.env)
    assert contacts.model.total == 1  # cancelled: kept
    contacts.view.selectRow(0)
    box = contacts.remove()
    next(b for b in box.buttons() if b.text() == "Remove").click()
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    assert contacts.model.total == 0


def test_notes_and_decisions(window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    slack = _tool(demo_ctx, "Slack")
    with demo_ctx.read() as session:
        term_id = session.scalar(select(SubscriptionTerm.id).where(
            SubscriptionTerm.tool_id == slack, SubscriptionTerm.status == "active"))
    assert term_id is not None
    page = _open(window, qtbot, slack)
    decisions = page.section("decisions")
    assert decisions.model.total == 0 and decisions.empty.isVisible()
    decide(demo_ctx, term_id, "renegotiate", note="ask for the non-profit price")
    window.env.changed("decision")
    wait_idle(qtbot, window.env)
    row = decisions.model.row_at(0)
    assert (row.decision, row.note) == ("renegotiate", "ask for the non-profit price")
    assert decisions.model.index(0, 2).data() == "Renegotiate"
    notes = page.section("notes")
    dialog = notes.edit()
    dialog.set_value("notes", "Admin console: slack.com/admin. SSO through Okta.")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    assert notes.text.text() == "Admin console: slack.com/admin. SSO through Okta."


def test_notes_saved_over_someone_elses_change_are_told_not_lost(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.services.inventory.tools import update_tool

    slack = _tool(demo_ctx, "Slack")
    notes = _open(window, qtbot, slack).section("notes")
    dialog = notes.edit()
    update_tool(demo_ctx, slack, notes="Renewal owner: finance.")  # someone else, meanwhile
    dialog.set_value("notes", "Admin console: slack.com/admin.")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.conflict_text()), timeout=10_000)
    assert "was changed by someone else after you opened it" in dialog.conflict_text()
    assert dialog.isVisible() and dialog.values()["notes"] == "Admin console: slack.com/admin."
    with demo_ctx.read() as session:
        assert session.scalar(select(Tool.notes).where(Tool.id == slack)) == \
            "Renewal owner: finance."
    dialog.reject()


def test_a_deleted_tool_leaves_its_page(window: MainWindow, demo_ctx: ServiceContext,
                                        qtbot: Any) -> None:
    from stackadmin.services.inventory.tools import delete_tool

    zoom = _tool(demo_ctx, "Zoom")
    _open(window, qtbot, zoom)
    delete_tool(demo_ctx, zoom)
    window.env.changed("tool")
    wait_idle(qtbot, window.env)
    assert window.current_key == "tools"


@pytest.mark.parametrize(("width", "dark"), [(1280, False), (1024, False), (1280, True),
                                             (1024, True)])
def test_screens(window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, qapp: Any,
                 monkeypatch: Any, width: int, dark: bool) -> None:
    from stackadmin.ui import theme

    monkeypatch.setenv(theme.SCHEME_ENV, "dark" if dark else "light")
    theme.apply(qapp)
    try:
        window.resize(width, 800 if width > 1024 else 700)
        page = _open(window, qtbot, _tool(demo_ctx, "Figma"))
        assert not page.scroll.horizontalScrollBar().isVisible()
        assert page.minimumSizeHint().width() <= width - window.sidebar.width()
        screenshot(window, f"tool-{width}{'-dark' if dark else ''}")
    finally:
        monkeypatch.setenv(theme.SCHEME_ENV, "light")
        theme.apply(qapp)


def test_the_page_hosts_adoption_satisfaction_connections_and_training(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The self-loading sections of running the stack and buying are the page's own: they
    show the tool shown, and follow when another tool is opened."""
    from stackadmin.services.running import adoption

    adoption.take_snapshot(demo_ctx)
    jira, slack = _tool(demo_ctx, "Jira"), _tool(demo_ctx, "Slack")
    page = _open(window, qtbot, jira)
    keys = [s.key for s in page.sections]
    assert keys.index("accounts") < keys.index("adoption") < keys.index("connections")
    connections = page.section("connections").widget
    assert connections.tool_id == jira and connections.model.total == 3
    assert "3 connections depend on it" in connections.summary.text()
    assert "Jira" in page.section("adoption").widget.summary.text()
    assert "1 champion" in page.section("training").widget.summary.text()
    satisfaction = page.section("satisfaction").widget
    assert satisfaction.data is not None and satisfaction.data.tool == "Jira"
    screenshot(window, "tool-page-hosted-sections")

    page = _open(window, qtbot, slack)
    assert page.section("connections").widget is connections  # the same widget, refilled
    assert connections.tool_id == slack
    assert all(r.from_tool == "Slack" or r.to_tool == "Slack"
               for r in connections.model.all_rows())
    assert satisfaction.data is not None and satisfaction.data.tool == "Slack"


def test_a_click_on_the_map_opens_the_tools_page(window: MainWindow, demo_ctx: ServiceContext,
                                                 qtbot: Any) -> None:
    jira = _tool(demo_ctx, "Jira")
    window.show_page("map")
    wait_idle(qtbot, window.env)
    window.pages["map"].view.tool_clicked.emit(jira)
    wait_idle(qtbot, window.env)
    assert window.current_key == "tool"
    assert window.pages["tool"].name.text() == "Jira"
    assert window.sidebar.currentItem().text() == "Tools"


def test_the_header_says_no_seat_data_and_over_allocation_in_words(
        demo_ctx: ServiceContext) -> None:
    from stackadmin.services.seats import utilization
    from stackadmin.ui.pages.tool.page import ToolHeader, fetch_header, figures_text

    report = utilization.compute(demo_ctx)
    no_data = next(f for f in report.tools if not f.seat_data)
    over = next(f for f in report.tools if f.over_allocated)
    text = figures_text(fetch_header(demo_ctx, no_data.tool_id))
    assert "no seat data" in text and "held" not in text
    header = fetch_header(demo_ctx, over.tool_id)
    assert f"{over.seats_held:,} held ({over.seats_over:,} more than purchased)" in \
        figures_text(header)
    assert isinstance(header, ToolHeader)


def test_a_term_that_renews_by_itself_shows_its_next_renewal(ui_ctx: ServiceContext) -> None:
    """Recorded as renewing on 1 March 2025, it has renewed by itself since: "Renews" says
    1 March 2027 (as the Renewals page), the recorded date is in the tooltip."""
    from stackadmin.services.inventory import terms as term_service
    from stackadmin.services.inventory import tools
    from stackadmin.services.renewals.history import tool_history
    from stackadmin.ui.fmt import date_text
    from stackadmin.ui.pages.tool.terms import term_columns

    tool = tools.create_tool(ui_ctx, name="Miro").id
    term_service.create_term(ui_ctx, tool_id=tool, plan="Business", currency="USD",
                             unit_price="10", seats=5, term_start=date(2024, 3, 1),
                             renewal_date=date(2025, 3, 1), auto_renew=True)
    step = tool_history(ui_ctx, tool).terms[0]
    renews = next(c for c in term_columns() if c.title == "Renews")
    assert renews.text(step) == date_text(date(2027, 3, 1))  # not 1 March 2025
    assert renews.tooltip is not None and date_text(date(2025, 3, 1)) in renews.tooltip(step)
