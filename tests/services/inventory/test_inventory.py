"""Edits through the services: validated, stored, and audited in the same transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from stackadmin.domain.vocab import TermStatus
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import accounts, people, terms, tools
from stackadmin.store.models import AuditEvent, Person


def _audit_count(ctx: ServiceContext) -> int:
    with ctx.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_creating_a_person_normalises_the_email_and_audits(ctx: ServiceContext) -> None:
    row = people.create_person(ctx, email=" Ada.Lovelace@Example.COM ", name="Ada")
    assert row.email == "ada.lovelace@example.com"
    events = audit.list_events(ctx)
    assert events[0].action == "create" and events[0].entity == "person"
    assert events[0].changes is not None
    assert events[0].changes["email"] == [None, "ada.lovelace@example.com"]
    assert events[0].source == "cli"


def test_a_duplicate_email_is_explained_and_nothing_is_written(ctx: ServiceContext) -> None:
    people.create_person(ctx, email="ada@example.com")
    before = _audit_count(ctx)
    with pytest.raises(ValidationError, match="exists already"):
        people.create_person(ctx, email="ADA@example.com")
    assert _audit_count(ctx) == before


def test_invalid_fields_are_all_listed(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as info:
        people.create_person(ctx, email="not-an-email", status="gone", end_date="31/12/2026")
    assert len(info.value.problems) == 3
    assert "not an email address" in str(info.value)
    assert "active, departed" in str(info.value)


def test_an_update_records_field_level_before_and_after(ctx: ServiceContext) -> None:
    person = people.create_person(ctx, email="ada@example.com", department="R&D")
    people.mark_departed(ctx, person.id, date(2026, 10, 31))
    event = audit.list_events(ctx, entity="person", entity_id=person.id)[0]
    assert event.action == "update"
    assert event.changes == {"status": ["active", "departed"],
                             "end_date": [None, "2026-10-31"]}


def test_an_update_that_changes_nothing_leaves_no_event(ctx: ServiceContext) -> None:
    person = people.create_person(ctx, email="ada@example.com", name="Ada")
    before = _audit_count(ctx)
    people.update_person(ctx, person.id, name="Ada")
    assert _audit_count(ctx) == before


def test_a_failed_edit_rolls_back_both_the_change_and_its_audit(ctx: ServiceContext) -> None:
    people.create_person(ctx, email="ada@example.com")
    bob = people.create_person(ctx, email="bob@example.com")
    before = _audit_count(ctx)
    with pytest.raises(ValidationError):
        people.update_person(ctx, bob.id, email="ada@example.com", name="Bob B.")
    assert _audit_count(ctx) == before
    with ctx.read() as s:
        assert s.get(Person, bob.id).name == "bob"  # type: ignore[union-attr]


def test_tool_with_vendor_and_owner(ctx: ServiceContext) -> None:
    people.create_person(ctx, email="owner@example.com", name="Olu")
    tool = tools.create_tool(ctx, name="Figma", vendor="Figma Inc.", category="Design",
                             owner_email="OWNER@example.com", reminder_leads="30, 90")
    assert (tool.vendor, tool.owner_email, tool.reminder_leads) == (
        "Figma Inc.", "owner@example.com", "90,30")
    with pytest.raises(ValidationError, match="exists already"):
        tools.create_tool(ctx, name="figma")
    with pytest.raises(ValidationError, match="not in the people list"):
        tools.create_tool(ctx, name="Miro", owner_email="nobody@example.com")


def test_deleting_a_tool_names_what_it_takes(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Zoom")
    terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="13.33", seats=10)
    accounts.create_account(ctx, tool_id=tool.id, email="a@example.com")
    impact = tools.delete_tool(ctx, tool.id)
    assert impact.describe() == "1 subscription term and 1 account"
    assert "with 1 subscription term and 1 account" in audit.list_events(ctx)[0].summary
    with pytest.raises(NotFoundError):
        tools.delete_tool(ctx, tool.id)


def test_term_validation_in_words(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Zoom")
    with pytest.raises(ValidationError, match="before the term start"):
        terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="10",
                          term_start="2027-01-01", renewal_date="2026-01-01")
    with pytest.raises(ValidationError, match="more decimals than JPY"):
        terms.create_term(ctx, tool_id=tool.id, currency="JPY", unit_price="10.5")
    with pytest.raises(ValidationError, match="ISO 4217"):
        terms.create_term(ctx, tool_id=tool.id, currency="EURO", unit_price="10")
    with pytest.raises(ValidationError, match="cannot be negative"):
        terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="1", seats=-2)
    # A price left blank is not a free plan: it is asked for (a form's cleared field).
    with pytest.raises(ValidationError, match=r"unit price is required \(0 for a free plan"):
        terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="  ")
    term = terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="131.88")
    with pytest.raises(ValidationError, match="unit price is required"):
        terms.update_term(ctx, term.id, unit_price="")
    assert terms.get_term(ctx, term.id).unit_price.plain() == "131.88"
    # Every problem at once: the price, the dates' order and the seats.
    with pytest.raises(ValidationError) as caught:
        terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="12,5O", seats=-1,
                          term_start="2027-01-01", renewal_date="2026-01-01")
    assert len(caught.value.problems) == 3, caught.value.problems


def test_term_costs(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Slack")
    term = terms.create_term(ctx, tool_id=tool.id, currency="USD", unit_price="8.75", seats=40,
                             billing_period="monthly", renewal_date="2027-02-01",
                             notice_days=30, internal_lead_days=5)
    assert term.annual_cost.plain() == "4200.00"
    assert term.cancel_by == date(2026, 12, 28)
    assert term.billing_period == "monthly"


def test_renewing_makes_the_next_term_and_keeps_history(ctx: ServiceContext) -> None:
    tool = tools.create_tool(ctx, name="Figma")
    old = terms.create_term(ctx, tool_id=tool.id, currency="EUR", unit_price="45", seats=10,
                            term_start="2026-01-15", renewal_date="2027-01-15", notice_days=30,
                            cost_center="CC-120")
    new = terms.renew_term(ctx, old.id, unit_price="49.50", seats=12)
    assert new.term_start == date(2027, 1, 15)
    assert new.renewal_date == date(2028, 1, 15)
    assert new.unit_price.amount == Decimal("49.50")
    assert (new.seats, new.cost_center, new.notice_days) == (12, "CC-120", 30)
    assert new.previous_term_id == old.id
    assert terms.get_term(ctx, old.id).status == TermStatus.RENEWED
    with pytest.raises(ValidationError, match="cannot be renewed again"):
        terms.renew_term(ctx, old.id)


def test_renewing_keeps_month_ends(ctx: ServiceContext) -> None:
    """A monthly term from Jan 31 to Feb 28 is followed by Feb 28 to Mar 31 (not Mar 28); a
    quarter from Nov 30 to Feb 28 by Feb 28 to May 30 (not May 28)."""
    tool = tools.create_tool(ctx, name="Figma")
    month = terms.create_term(ctx, tool_id=tool.id, plan="month", currency="EUR",
                              unit_price="45", seats=10, billing_period="monthly",
                              term_start="2027-01-31", renewal_date="2027-02-28")
    new = terms.renew_term(ctx, month.id)
    assert (new.term_start, new.renewal_date) == (date(2027, 2, 28), date(2027, 3, 31))
    quarter = terms.create_term(ctx, tool_id=tool.id, plan="quarter", currency="EUR",
                                unit_price="45", seats=10, billing_period="quarterly",
                                term_start="2026-11-30", renewal_date="2027-02-28")
    new = terms.renew_term(ctx, quarter.id)
    assert (new.term_start, new.renewal_date) == (date(2027, 2, 28), date(2027, 5, 30))


def test_accounts_match_people_by_email_and_exemptions_need_reasons(
        ctx: ServiceContext) -> None:
    ada = people.create_person(ctx, email="ada@example.com")
    tool = tools.create_tool(ctx, name="GitHub")
    acct = accounts.create_account(ctx, tool_id=tool.id, email="Ada@Example.com",
                                   external_id="1001", role="admin")
    assert acct.person_id == ada.id
    with pytest.raises(ValidationError, match="needs a reason"):
        accounts.set_exempt(ctx, acct.id, "  ")
    exempted = accounts.set_exempt(ctx, acct.id, "break-glass admin")
    assert exempted.exempt and exempted.exempt_reason == "break-glass admin"
    with pytest.raises(ValidationError, match="role must be one of"):
        accounts.create_account(ctx, tool_id=tool.id, email="b@example.com", role="superuser")


def test_an_email_typed_in_twice_for_one_tool_is_the_same_seat(ctx: ServiceContext) -> None:
    slack = tools.create_tool(ctx, name="Slack").id
    zoom = tools.create_tool(ctx, name="Zoom").id
    first = accounts.create_account(ctx, tool_id=slack, email="chloe@example.com")
    with pytest.raises(ValidationError, match=rf"Slack already has an account for "
                                              rf"chloe@example.com \(account {first.id}\)"):
        accounts.create_account(ctx, tool_id=slack, email="Chloe@Example.com")
    assert len(accounts.list_accounts(ctx, tool_id=slack)) == 1
    accounts.create_account(ctx, tool_id=zoom, email="chloe@example.com")  # another tool
    # The vendor's id says it is another account (a second login with the same address).
    accounts.create_account(ctx, tool_id=slack, email="chloe@example.com", external_id="U2")
    assert len(accounts.list_accounts(ctx, tool_id=slack)) == 2
