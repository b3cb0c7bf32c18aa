"""The forms: dates typed or picked from a calendar, enumerations in words, currencies from
the ISO list, a tool's owner added when not a person yet, Renew pre-filled from the brief,
and after a validation error the buttons never cover a field."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QRect, QTimer
from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.settings import all_settings
from stackadmin.store.models import Person, SubscriptionTerm, Tool
from stackadmin.ui.dialogs import FormDialog
from stackadmin.ui.dialogs import terms as term_dialogs
from stackadmin.ui.dialogs import tools as tool_dialogs
from stackadmin.ui.dialogs.fields import DateField
from stackadmin.ui.fmt import date_format
from stackadmin.ui.mainwindow import MainWindow
from tests.conftest import TODAY
from tests.ui.conftest import screenshot, wait_idle


def _renewals(window: MainWindow, qtbot: Any) -> Any:
    window.show_page("renewals")
    wait_idle(qtbot, window.env)
    return window.pages["renewals"]


def _per_seat_line(page: Any) -> Any:
    return next(x for x in page.model.all_rows()
                if x.term is not None and x.term.renewal_date and x.term.pricing == "per_seat")


def test_a_date_is_typed_or_picked_from_the_calendar_with_one_format_hint(
        window: MainWindow, qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    dialog = term_dialogs.edit(page, _per_seat_line(page).term)
    assert dialog is not None
    field = dialog.inputs["renewal_date"]
    assert isinstance(field, DateField)
    hint = field.line.placeholderText()
    assert hint == date_format().lower() and " or " not in hint  # one hint, not two
    seen: list[bool] = []

    def pick() -> None:  # while the calendar pops up: it shows the field's date; click one
        seen.append(field.menu.isVisible())
        seen.append(field.calendar.selectedDate().toPython() == dialog.values()[
            "renewal_date"])
        field.calendar.clicked.emit(QDate(2027, 2, 14))

    QTimer.singleShot(100, pick)
    field.button.click()  # the popup's own event loop runs until a date is clicked
    assert seen == [True, True] and not field.menu.isVisible()
    assert dialog.values()["renewal_date"] == date(2027, 2, 14)
    field.line.setText("2027-03-31")  # typing still works, ISO or the locale's form
    assert dialog.values()["renewal_date"] == date(2027, 3, 31)
    field.line.setText("03/31/2027")
    assert dialog.values()["renewal_date"] == date(2027, 3, 31)
    dialog.reject()


def test_enumerations_are_shown_in_words_and_stored_as_values(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    line = _per_seat_line(page)
    dialog = term_dialogs.edit(page, line.term)
    assert dialog is not None
    pricing, status = dialog.inputs["pricing"], dialog.inputs["status"]
    assert [pricing.itemText(n) for n in range(pricing.count())] == ["Per seat", "Flat fee"]
    assert pricing.currentText() == "Per seat" and dialog.values()["pricing"] == "per_seat"
    assert status.currentText() == "Active"
    dialog.set_value("pricing", "flat")
    assert pricing.currentText() == "Flat fee"
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as session:
        stored = session.get(SubscriptionTerm, line.term.id)
        assert stored is not None and stored.pricing == "flat"


def test_the_currency_is_chosen_from_the_iso_codes(window: MainWindow, qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    dialog = term_dialogs.edit(page, _per_seat_line(page).term)
    assert dialog is not None
    currency = dialog.inputs["currency"]
    texts = [currency.itemText(n) for n in range(currency.count())]
    assert "EUR — Euro" in texts and "JPY — Japanese Yen" in texts and len(texts) > 100
    assert currency.currentText() == "USD — US Dollar" and dialog.values()["currency"] == "USD"
    currency.setCurrentIndex(currency.findData("CHF"))
    assert dialog.values()["currency"] == "CHF"
    dialog.reject()


def test_the_base_currency_setting_is_chosen_from_the_iso_codes(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("settings")
    wait_idle(qtbot, window.env)
    page = window.pages["settings"]
    box = page.inputs["base_currency"]
    assert box.currentData() == "USD" and box.findText("EUR — Euro") >= 0
    box.setCurrentIndex(box.findData("EUR"))
    page.save()
    wait_idle(qtbot, window.env)
    assert all_settings(demo_ctx)["base_currency"] == "EUR"
    box.setEditText("EURO")  # typed: refused in words, nothing saved
    page.save()
    wait_idle(qtbot, window.env)
    assert "ISO 4217" in page.problems["base_currency"].text()
    assert all_settings(demo_ctx)["base_currency"] == "EUR"


def test_a_setting_refused_beside_one_saved_keeps_what_was_typed_and_why(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """Saving reloads the page when something was saved: the refused field keeps the text
    typed into it and its problem (both were replaced by the stored value)."""
    window.show_page("settings")
    wait_idle(qtbot, window.env)
    page = window.pages["settings"]
    page.inputs["reminder_leads"].setText("90,abc")
    page.inputs["headroom_pct"].setText("15")
    page.save()
    wait_idle(qtbot, window.env)
    qtbot.waitUntil(lambda: page.inputs["headroom_pct"].text() == "15")
    wait_idle(qtbot, window.env)  # the reload after the save
    saved = all_settings(demo_ctx)
    assert saved["headroom_pct"] == "15" and saved["reminder_leads"] == "90,60,30,7"
    assert page.inputs["reminder_leads"].text() == "90,abc"
    assert "'abc' is not a number of days" in page.problems["reminder_leads"].text()
    assert not page.problems["reminder_leads"].isHidden()
    page.inputs["reminder_leads"].setText("60,30")  # corrected: saved, the problem gone
    page.save()
    wait_idle(qtbot, window.env)
    assert all_settings(demo_ctx)["reminder_leads"] == "60,30"
    assert page.problems["reminder_leads"].isHidden()
    assert page.inputs["reminder_leads"].text() == "60,30"


def test_the_digest_frequency_and_mail_security_are_chosen_in_words(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("settings")
    wait_idle(qtbot, window.env)
    page = window.pages["settings"]
    often, security = page.inputs["digest_frequency"], page.inputs["smtp_security"]
    assert often.currentText() == "Every week" and security.currentData() == "starttls"
    assert [often.itemText(n) for n in range(often.count())] == [
        "Every day", "Every week", "Every month"]
    often.setCurrentIndex(often.findData("monthly"))
    security.setCurrentIndex(security.findData("tls"))
    page.save()
    wait_idle(qtbot, window.env)
    saved = all_settings(demo_ctx)
    assert saved["digest_frequency"] == "monthly" and saved["smtp_security"] == "tls"


def test_a_tools_bad_owner_and_leads_are_said_under_their_fields(
        window: MainWindow, qtbot: Any) -> None:
    window.show_page("tools")
    wait_idle(qtbot, window.env)
    dialog = tool_dialogs.create(window.pages["tools"])
    dialog.set_value("name", "Retool")
    dialog.set_value("owner_email", "not-an-email")
    dialog.set_value("reminder_leads", "90,x")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("owner_email")), timeout=10_000)
    assert "is not an email address" in dialog.problem_text("owner_email")
    assert "'x' is not a number of days" in dialog.problem_text("reminder_leads")
    assert dialog.general.isHidden()
    dialog.reject()


def test_a_new_tools_owner_who_is_not_a_person_can_be_added_on_the_spot(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    window.show_page("tools")
    wait_idle(qtbot, window.env)
    dialog = tool_dialogs.create(window.pages["tools"])
    dialog.set_value("name", "Retool")
    dialog.set_value("owner_email", "Grace.Hopper@example.com")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("owner_email")), timeout=10_000)
    assert "not in the people list" in dialog.problem_text("owner_email")
    offer = dialog.owner_button  # type: ignore[attr-defined]
    assert offer.isVisible() and "grace.hopper@example.com" in offer.text()
    screenshot(dialog, "tool-owner-offer")
    offer.click()
    person: FormDialog = dialog.person_dialog  # type: ignore[attr-defined]
    assert person.isVisible()
    assert person.values()["email"] == "grace.hopper@example.com"
    assert person.values()["name"] == "Grace Hopper"  # a first guess, editable
    person.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)  # the tool saved too
    wait_idle(qtbot, window.env)
    with demo_ctx.read() as session:
        tool = session.scalars(select(Tool).where(Tool.name == "Retool")).one()
        owner = session.get(Person, tool.owner_id)
        assert owner is not None and owner.email == "grace.hopper@example.com"


def test_renew_prefills_the_seats_the_brief_recommends(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    from stackadmin.services.seats.rightsizing import rightsizing_brief

    page = _renewals(window, qtbot)
    line = _per_seat_line(page)
    brief = rightsizing_brief(demo_ctx, line.term.id)
    assert brief.recommended_seats != line.term.seats  # the demo buys more than it uses
    dialog = term_dialogs.renew(page, line.term)
    assert dialog is not None
    qtbot.waitUntil(lambda: hasattr(dialog, "seats_note"), timeout=10_000)
    assert dialog.values()["seats"] == str(brief.recommended_seats)
    note = dialog.seats_note  # type: ignore[attr-defined]
    assert note.isVisible() and f"this term has {line.term.seats:,}" in note.text()
    screenshot(dialog, "term-renew-recommended")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with demo_ctx.read() as session:
        new = session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.previous_term_id == line.term.id)).one()
        assert new.seats == brief.recommended_seats


def test_renew_starts_at_the_renewal_the_page_shows(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """An auto-renewing monthly term from Jan 31 whose stored renewal date is long past:
    the next term runs from the renewal in play, month ends kept, not from the stored
    date nearly two years back."""
    from stackadmin.services.inventory import terms, tools

    tool = tools.create_tool(demo_ctx, name="Alpha").id
    term = terms.create_term(demo_ctx, tool_id=tool, currency="USD", unit_price="5.00",
                             seats=3, billing_period="monthly", term_start=date(2025, 1, 31),
                             renewal_date=date(2025, 2, 28), auto_renew=True)
    dialog = term_dialogs.renew(_renewals(window, qtbot), term)
    assert dialog is not None
    values = dialog.values()  # today is 2026-11-25: the term last renewed on Oct 31
    assert (values["term_start"], values["renewal_date"]) == (date(2026, 11, 30),
                                                              date(2026, 12, 31))
    dialog.reject()


def test_a_date_problem_asks_for_the_fields_own_format(window: MainWindow,
                                                      qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    dialog = term_dialogs.edit(page, _per_seat_line(page).term)
    assert dialog is not None
    dialog.set_value("term_start", "2027-01-01")
    dialog.set_value("renewal_date", "soonish")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("renewal_date")), timeout=10_000)
    said = dialog.problem_text("renewal_date")
    assert f"in the form {date_format().lower()}" in said and "YYYY" not in said
    dialog.set_value("renewal_date", "2026-01-01")
    dialog.submit()
    qtbot.waitUntil(lambda: "before the term start" in dialog.problem_text("renewal_date"),
                    timeout=10_000)
    assert date(2027, 1, 1).strftime("%Y-%m-%d") not in dialog.problem_text("renewal_date")
    dialog.reject()


def test_after_a_validation_error_the_buttons_cover_no_field(
        window: MainWindow, qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    dialog = term_dialogs.edit(page, _per_seat_line(page).term)
    assert dialog is not None
    dialog.set_value("currency", "EURO")
    dialog.set_value("notice_days", "soon")
    dialog.set_value("seats", "-3")
    dialog.set_value("billing_period", "fortnightly")  # a problem of three lines
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.problem_text("currency")), timeout=10_000)
    qtbot.wait(50)  # the dialog grows on the next layout pass
    buttons = QRect(dialog.buttons.mapTo(dialog, dialog.buttons.rect().topLeft()),
                    dialog.buttons.size())
    area = QRect(dialog.scroll.mapTo(dialog, dialog.scroll.rect().topLeft()),
                 dialog.scroll.size())
    assert not buttons.intersects(area)  # the fields scroll above the buttons
    for name in ("currency", "notice_days", "seats", "billing_period"):
        label = dialog.problem_labels[name]
        # Whole: as tall as its wrapped text needs at the width it has.
        assert label.isVisible() and label.height() >= label.heightForWidth(label.width())
    shown = [w for w in dialog.form_box.findChildren(type(dialog.problem_labels["seats"]))
             if w.isVisible()]
    for a in shown:  # no two texts of the form drawn over each other
        for b in shown:
            if a is not b and a.parent() is b.parent():
                ra = QRect(a.mapTo(dialog.form_box, a.rect().topLeft()), a.size())
                rb = QRect(b.mapTo(dialog.form_box, b.rect().topLeft()), b.size())
                assert not ra.intersects(rb), (a.text(), b.text())
    screenshot(dialog, "term-edit-errors")
    dialog.reject()


def test_dates_in_forms_start_from_today_where_new(window: MainWindow, qtbot: Any) -> None:
    page = _renewals(window, qtbot)
    dialog = term_dialogs.create(page, [(1, "Slack")], 1)
    assert dialog.values()["term_start"] == TODAY
    dialog.reject()
