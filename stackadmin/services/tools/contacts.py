"""The vendor's people for a tool (account manager, support, billing, security): add, edit,
remove, each audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from stackadmin.domain.values import normalize_email, optional_text, required_text
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import (
    FieldCleaner,
    add_audited,
    apply_changes,
    delete_audited,
    get_or_404,
)
from stackadmin.store.models import Tool, ToolContact

FIELDS = ("tool_id", "name", "role", "email", "phone", "notes")


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    tool_id: int
    tool: str
    name: str
    role: str | None
    email: str | None
    phone: str | None
    notes: str | None


def _row(c: ToolContact, tool: str) -> ContactRow:
    return ContactRow(c.id, c.tool_id, tool, c.name, c.role, c.email, c.phone, c.notes)


def _clean(values: dict[str, Any], partial: bool) -> dict[str, Any]:
    c = FieldCleaner(values, partial=partial)
    c.require("name")
    c.take("name", lambda v: required_text(v, "contact name"))
    c.take("role", lambda v: optional_text(v, "role", 120))
    c.take("email", lambda v: normalize_email(v) if (v or "").strip() else None)
    c.take("phone", lambda v: optional_text(v, "phone", 64))
    c.take("notes", lambda v: optional_text(v, "notes", 10_000, multiline=True))
    return c.result()


def create_contact(ctx: ServiceContext, tool_id: int, **values: Any) -> ContactRow:
    """Fields: name (required), role, email, phone, notes."""
    data = _clean(values, partial=False)
    with ctx.transaction() as session:
        tool = get_or_404(session, Tool, tool_id, "tool")
        contact = ToolContact(tool_id=tool_id, **data)
        add_audited(session, ctx, contact, entity="tool_contact",
                    label=f"contact {contact.name} for {tool.name}", fields=FIELDS)
        return _row(contact, tool.name)


def update_contact(ctx: ServiceContext, contact_id: int, **values: Any) -> ContactRow:
    data = _clean(values, partial=True)
    with ctx.transaction() as session:
        contact = get_or_404(session, ToolContact, contact_id, "contact")
        tool = get_or_404(session, Tool, contact.tool_id, "tool")
        apply_changes(session, ctx, contact, data, entity="tool_contact",
                      label=f"contact {contact.name} for {tool.name}")
        return _row(contact, tool.name)


def delete_contact(ctx: ServiceContext, contact_id: int) -> ContactRow:
    with ctx.transaction() as session:
        contact = get_or_404(session, ToolContact, contact_id, "contact")
        tool = get_or_404(session, Tool, contact.tool_id, "tool")
        row = _row(contact, tool.name)
        delete_audited(session, ctx, contact, entity="tool_contact",
                       label=f"contact {contact.name} for {tool.name}", fields=FIELDS)
        return row


def list_contacts(ctx: ServiceContext, *, tool_id: int | None = None) -> list[ContactRow]:
    """A tool's contacts (every tool's without `tool_id`), by tool and name."""
    query = select(ToolContact, Tool.name).join(Tool, Tool.id == ToolContact.tool_id)
    if tool_id is not None:
        query = query.where(ToolContact.tool_id == tool_id)
    with ctx.read() as session:
        rows = [_row(c, tool) for c, tool in session.execute(query)]
    return sorted(rows, key=lambda r: (r.tool.casefold(), r.name.casefold(), r.id))
