"""Editing through the dialogs: saved to the database and the audit log, or, on invalid
input, the problem shown next to its field and nothing saved."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from stackadmin.services.context import ServiceContext
from stackadmin.store.models import AuditEvent, Person, SubscriptionTerm, Tool
from stackadmin.ui.dialogs import people as people_dialogs
from stackadmin.ui.dialogs import terms as term_dialogs
from stackadmin.ui.dialogs import tools as tool_dialogs
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import wait_idle


def _audits(ctx: ServiceContext) -> int:
    with ctx.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_tool_created_in_the_dialog_is_stored_and_audited(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("tools")
    page = window.pages["tools"]
    wait_idle(qtbot, window.env)
    dialog = tool_dialogs.create(page)
    dialog.set_value("name", "Retool")
    dialog.set_value("vendor", "Retool Inc")
    dialog.set_value("category", "Engineering")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as session:
        tool = session.scalars(select(Tool).where(Tool.name == "Retool")).one()
        assert tool.category == "Engineering" and tool.vendor is not None
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.entity == "tool", AuditEvent.entity_id == tool.id)).one()
    assert event.action == "create" and event.source == "ui"
    wait_idle(qtbot, window.env)  # the page reloads on data_changed
    assert page.model.row_of(lambda r: r.tool.name == "Retool") >= 0


def test_invalid_term_input_is_explained_next_to_each_field_and_nothing_is_saved(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("renewals")
    page = window.pages["renewals"]
    wait_idle(qtbot, window.env)
    term = page.model.row_at(0).term
    before = _audits(demo_ctx)
    dialog = term_dialogs.edit(page, term)
    assert dialog is not None
    dialog.set_value("unit_price", "twelve")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("unit_price")), timeout=10_000)
    assert "not an amount" in dialog.problem_text("unit_price")
    dialog.set_value("unit_price", "12")
    dialog.set_value("currency", "EURO")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("currency")), timeout=10_000)
    assert "ISO 4217" in dialog.problem_text("currency")
    assert dialog.problem_text("unit_price") == ""
    dialog.set_value("currency", "USD")
    dialog.set_value("term_start", "2027-06-01")
    dialog.set_value("renewal_date", "2027-01-01")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("renewal_date")), timeout=10_000)
    assert "before the term start" in dialog.problem_text("renewal_date")
    assert dialog.isVisible()
    with demo_ctx.read() as session:
        stored = session.get(SubscriptionTerm, term.id)
        assert stored is not None and stored.currency == term.unit_price.currency
        assert stored.unit_price_minor == term.unit_price.minor
    assert _audits(demo_ctx) == before
    dialog.reject()


def test_renewing_a_term_in_the_dialog_creates_the_next_term(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("renewals")
    page = window.pages["renewals"]
    wait_idle(qtbot, window.env)
    line = next(r for r in page.model.all_rows() if r.term.renewal_date is not None)
    dialog = term_dialogs.renew(page, line.term)
    assert dialog is not None
    dialog.set_value("seats", "7")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as session:
        new = session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.previous_term_id == line.term.id)).one()
        old = session.get(SubscriptionTerm, line.term.id)
    assert new.seats == 7 and new.term_start == line.term.renewal_date
    assert new.currency == line.term.unit_price.currency
    assert old is not None and old.status == "renewed"


def test_marking_departed_opens_the_checklist_and_outcomes_are_audited(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, monkeypatch: Any) -> None:
    window.show_page("people")
    page = window.pages["people"]
    wait_idle(qtbot, window.env)
    person = max(page.model.all_rows(), key=lambda p: (p.status == "active", p.account_count))
    page.select_where(lambda p: p.id == person.id)
    dialog = people_dialogs.depart(page, person)
    assert dialog is not None
    dialog.set_value("end_date", "2026-11-20")
    dialog.submit()
    qtbot.waitUntil(lambda: window.current_key == "person", timeout=10_000)
    wait_idle(qtbot, window.env)
    person_page = window.pages["person"]
    assert "Offboarding checklist" in person_page.heading.text()
    first = person_page.model.row_at(0)
    person_page.view.selectRow(0)
    kept = person_page.decide("kept")
    assert kept is not None
    kept.submit()  # no reason: refused, in words, next to the field
    qtbot.waitUntil(lambda: bool(kept.problem_text("reason")), timeout=10_000)
    kept.set_value("reason", "shared mailbox, still needed")
    kept.submit()
    qtbot.waitUntil(lambda: not kept.isVisible(), timeout=10_000)
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        stored = session.get(Person, person.id)
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "offboard")).all()
    assert stored is not None and stored.status == "departed"
    assert stored.end_date == date(2026, 11, 20)
    assert len(events) == 1 and "shared mailbox" in events[0].summary
    row = person_page.model.row_of(lambda a: a.id == first.id)
    assert person_page.model.row_at(row).outcome == "kept"


def test_deleting_a_tool_asks_naming_everything_that_goes_with_it(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any, questions: list[str]) -> None:
    """The demo's HubSpot has one term, accounts and a connection to Salesforce: the
    question names the connection too (it is deleted with the tool), in the singular."""
    from stackadmin.store.models import Connection

    window.show_page("tools")
    page = window.pages["tools"]
    wait_idle(qtbot, window.env)
    assert page.select_where(lambda r: r.tool.name == "HubSpot Marketing Hub")
    with demo_ctx.read() as session:
        hubspot = session.scalars(select(Tool).where(
            Tool.name == "HubSpot Marketing Hub")).one().id
        connections = session.scalar(select(func.count()).select_from(Connection).where(
            (Connection.from_tool_id == hubspot) | (Connection.to_tool_id == hubspot)))
    assert connections == 1
    tool_dialogs.delete(page, page._tool())
    wait_idle(qtbot, window.env)
    assert len(questions) == 1
    assert "with its 1 subscription term, 15 accounts and 1 connection?" in questions[0]
    with demo_ctx.read() as session:  # cancelled: nothing deleted
        assert session.get(Tool, hubspot) is not None


def test_deleting_a_term_asks_with_its_dates_as_the_pages_write_them(
        window: MainWindow, qtbot: Any, questions: list[str]) -> None:
    from stackadmin.ui.fmt import date_text

    window.show_page("renewals")
    page = window.pages["renewals"]
    wait_idle(qtbot, window.env)
    term = page.model.row_at(0).term
    assert term.term_start is not None and term.renewal_date is not None
    term_dialogs.delete(page, term)
    assert len(questions) == 1
    assert (f"({date_text(term.term_start)} to {date_text(term.renewal_date)})"
            in questions[0])  # 12/15/2025, not 2025-12-15
    assert term.term_start.isoformat() not in questions[0]
