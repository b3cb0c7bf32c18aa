"""Vendor contacts: validated, stored per tool, audited."""

from __future__ import annotations

import pytest

from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory import tools
from stackadmin.services.tools import contacts


def test_contacts_are_added_edited_listed_and_removed_with_an_audit_trail(
        ctx: ServiceContext) -> None:
    figma = tools.create_tool(ctx, name="Figma").id
    slack = tools.create_tool(ctx, name="Slack").id
    jo = contacts.create_contact(ctx, figma, name=" Jo Rep ", role="Account manager",
                                 email="Jo@Figma.example", phone="+1 555 0100")
    contacts.create_contact(ctx, slack, name="Sam Support")
    assert (jo.name, jo.email, jo.tool) == ("Jo Rep", "jo@figma.example", "Figma")
    assert [c.name for c in contacts.list_contacts(ctx, tool_id=figma)] == ["Jo Rep"]
    assert [c.tool for c in contacts.list_contacts(ctx)] == ["Figma", "Slack"]
    edited = contacts.update_contact(ctx, jo.id, phone="+1 555 0199", notes="Renewal owner")
    assert (edited.phone, edited.notes) == ("+1 555 0199", "Renewal owner")
    event = audit.list_events(ctx, entity="tool_contact", entity_id=jo.id)[0]
    assert event.action == "update" and event.changes == {
        "phone": ["+1 555 0100", "+1 555 0199"], "notes": [None, "Renewal owner"]}
    contacts.delete_contact(ctx, jo.id)
    assert [c.name for c in contacts.list_contacts(ctx)] == ["Sam Support"]
    assert audit.list_events(ctx, entity="tool_contact", entity_id=jo.id)[0].action == "delete"


def test_bad_contacts_are_refused_in_words(ctx: ServiceContext) -> None:
    figma = tools.create_tool(ctx, name="Figma").id
    with pytest.raises(ValidationError) as info:
        contacts.create_contact(ctx, figma, name=" ", email="not-an-email")
    assert "contact name is required" in str(info.value)
    assert "not an email address" in str(info.value)
    with pytest.raises(NotFoundError, match="no tool with id 99"):
        contacts.create_contact(ctx, 99, name="Jo")
    with pytest.raises(NotFoundError, match="no contact with id 5"):
        contacts.update_contact(ctx, 5, name="Jo")
    assert contacts.list_contacts(ctx) == []


def test_notes_keep_their_lines_and_no_field_takes_a_control_character(
        ctx: ServiceContext) -> None:
    """Notes are several lines (as the contact dialog's notes field is); a terminal escape
    in any field is refused in words, and nothing is saved."""
    figma = tools.create_tool(ctx, name="Figma").id
    jo = contacts.create_contact(ctx, figma, name="Jo", notes="Renewals: March\nSupport: 24/7")
    assert jo.notes == "Renewals: March\nSupport: 24/7"
    with pytest.raises(ValidationError, match="role contains a control character, U\\+001B"):
        contacts.create_contact(ctx, figma, name="Sam", role="\x1b[31mowner")
    with pytest.raises(ValidationError, match="contact name must be on one line"):
        contacts.create_contact(ctx, figma, name="Sam\nSupport")
    assert [c.name for c in contacts.list_contacts(ctx)] == ["Jo"]
