"""Tools and their vendors: create, edit, delete, each audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from stackadmin.domain.limits import MAX_INACTIVITY_DAYS, check_days
from stackadmin.domain.values import normalize_email, optional_text, required_text
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import (
    FieldCleaner,
    add_audited,
    apply_changes,
    check_version,
    delete_audited,
    flush_or_explain,
    get_or_404,
)
from stackadmin.services.records import ToolRow, by_name, parse_leads
from stackadmin.store.models import (
    Account,
    BundleItem,
    Connection,
    FeedbackResponse,
    Person,
    SubscriptionTerm,
    Tool,
    ToolContact,
    ToolDocument,
    TrainingResource,
    Vendor,
)

FIELDS = ("name", "vendor_id", "category", "owner_id", "website", "notes", "inactivity_days",
          "reminder_leads")


def _row(t: Tool) -> ToolRow:
    return ToolRow(t.id, t.name, t.vendor.name if t.vendor else None, t.category,
                   t.owner.email if t.owner else None, t.owner.name if t.owner else None,
                   t.website, t.notes, t.inactivity_days, t.reminder_leads, t.version,
                   t.owner.status if t.owner else None, t.owner.end_date if t.owner else None)


def named(session: Session, model: Any, name: str) -> Any | None:
    """The row of `model` (a tool, a vendor, an integration: any model with id and name
    columns) of that name in any case, or None. Compared in Python, as the imports compare:
    SQLite's lower() folds ASCII letters only ('Ĝ' stays 'Ĝ')."""
    wanted = name.strip()
    exact = session.scalars(select(model).where(model.name == wanted)).first()
    if exact is not None:
        return exact
    key = wanted.lower()
    for row_id, row_name in session.execute(select(model.id, model.name)):
        if row_name.lower() == key:
            return session.get(model, row_id)
    return None


def vendor_id_for(session: Session, name: str | None) -> int | None:
    """The vendor of that name (case-insensitive), created when new; None for a blank name."""
    clean = optional_text(name, "vendor", 200)
    if clean is None:
        return None
    vendor = named(session, Vendor, clean)
    if vendor is None:
        vendor = Vendor(name=clean)
        session.add(vendor)
        session.flush()
    return vendor.id


def owner_id_for(session: Session, email: str | None) -> int | None:
    if not (email or "").strip():
        return None
    address = normalize_email(email or "")
    person_id = session.scalar(select(Person.id).where(Person.email == address))
    if person_id is None:
        raise ValidationError(f"owner {address} is not in the people list")
    return person_id


def _optional_days(value: Any) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValidationError(f"inactivity threshold must be whole days, got "
                              f"'{str(value)[:40]}'") from None
    return check_days(days, "inactivity threshold", MAX_INACTIVITY_DAYS, low=1)


def _said(field: str, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`parse`, its problems saying which field they are about ("owner: 'x' is not an email
    address"): a form shows each under its field."""
    def parsed(value: Any) -> Any:
        try:
            return parse(value)
        except ValidationError as exc:
            raise ValidationError([p if field in p.lower() else f"{field}: {p}"
                                   for p in exc.problems]) from None
    return parsed


def _clean(session: Session, values: dict[str, Any], partial: bool) -> dict[str, Any]:
    c = FieldCleaner(values, partial=partial)
    c.require("name")
    c.take("name", lambda v: required_text(v, "tool name"))
    c.take("category", lambda v: optional_text(v, "category", 120))
    c.take("website", lambda v: optional_text(v, "website", 500))
    c.take("notes", lambda v: optional_text(v, "notes", 10_000, multiline=True))
    c.take("inactivity_days", _optional_days)
    c.take("reminder_leads", _said("reminder leads",
                                   lambda v: ",".join(map(str, parse_leads(v))) if v else None))
    c.take("vendor", lambda v: vendor_id_for(session, v))
    c.take("owner_email", _said("owner", lambda v: owner_id_for(session, v)))
    data = c.result()
    if "vendor" in data:
        data["vendor_id"] = data.pop("vendor")
    if "owner_email" in data:
        data["owner_id"] = data.pop("owner_email")
    return data


def add_tool(session: Session, ctx: ServiceContext, **values: Any) -> Tool:
    """`create_tool` inside the caller's transaction (a purchase adds a tool and its first
    term in one)."""
    data = _clean(session, values, partial=False)
    if named(session, Tool, data["name"]) is not None:
        raise ValidationError(f"a tool named {data['name']} exists already")
    tool = Tool(**data)
    session.add(tool)
    flush_or_explain(session, f"a tool named {data['name']} exists already")
    add_audited(session, ctx, tool, entity="tool", label=f"tool {tool.name}", fields=FIELDS)
    return tool


def create_tool(ctx: ServiceContext, **values: Any) -> ToolRow:
    """Fields: name (required), vendor, category, owner_email, website, notes,
    inactivity_days, reminder_leads."""
    with ctx.transaction() as session:
        return _row(add_tool(session, ctx, **values))


def update_tool(ctx: ServiceContext, tool_id: int, *, expected_version: int | None = None,
                **values: Any) -> ToolRow:
    """Changes the given fields; `expected_version` as for terms.update_term."""
    with ctx.transaction() as session:
        tool = get_or_404(session, Tool, tool_id, "tool")
        check_version(session, tool, expected_version, entity="tool", label=f"tool {tool.name}")
        data = _clean(session, values, partial=True)
        apply_changes(session, ctx, tool, data, entity="tool", label=f"tool {tool.name}")
        flush_or_explain(session, f"a tool named {data.get('name')} exists already")
        return _row(tool)


@dataclass(frozen=True, slots=True)
class DeleteImpact:
    """What deleting a tool takes with it, named before the user confirms: its terms and
    accounts, and whatever else is recorded about the tool and goes with it."""

    terms: int
    accounts: int
    connections: int = 0
    documents: int = 0
    contacts: int = 0
    training: int = 0
    bundle_entries: int = 0
    feedback_answers: int = 0

    def describe(self) -> str:
        parts = [_count(self.terms, "subscription term"), _count(self.accounts, "account")]
        parts += [_count(n, word) for n, word in (
            (self.connections, "connection"), (self.documents, "document"),
            (self.contacts, "vendor contact"), (self.training, "training resource"),
            (self.bundle_entries, "onboarding bundle entry"),
            (self.feedback_answers, "feedback answer")) if n]
        return ", ".join(parts[:-1]) + " and " + parts[-1]


def _count(n: int, word: str) -> str:
    many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {word if n == 1 else many}"


def delete_impact(ctx: ServiceContext, tool_id: int) -> DeleteImpact:
    def count(model: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    with ctx.read() as session:
        get_or_404(session, Tool, tool_id, "tool")
        return DeleteImpact(
            terms=count(SubscriptionTerm, SubscriptionTerm.tool_id == tool_id),
            accounts=count(Account, Account.tool_id == tool_id),
            connections=count(Connection, or_(Connection.from_tool_id == tool_id,
                                              Connection.to_tool_id == tool_id)),
            documents=count(ToolDocument, ToolDocument.tool_id == tool_id),
            contacts=count(ToolContact, ToolContact.tool_id == tool_id),
            training=count(TrainingResource, TrainingResource.tool_id == tool_id),
            bundle_entries=count(BundleItem, BundleItem.tool_id == tool_id),
            feedback_answers=count(FeedbackResponse, FeedbackResponse.tool_id == tool_id))


def delete_tool(ctx: ServiceContext, tool_id: int) -> DeleteImpact:
    impact = delete_impact(ctx, tool_id)
    with ctx.transaction() as session:
        tool = get_or_404(session, Tool, tool_id, "tool")
        delete_audited(session, ctx, tool, entity="tool", label=f"tool {tool.name}",
                       fields=FIELDS, took=f" with {impact.describe()}")
    return impact


def find_tool(session: Session, name: str) -> Tool:
    tool: Tool | None = named(session, Tool, name)
    if tool is None:
        raise NotFoundError(f"there is no tool named '{name}'")
    return tool


def tool_by_name(ctx: ServiceContext, name: str) -> ToolRow:
    with ctx.read() as session:
        return _row(find_tool(session, name))


def get_tool(ctx: ServiceContext, tool_id: int) -> ToolRow:
    """One tool by id; NotFoundError in words when it is not there (deleted meanwhile)."""
    with ctx.read() as session:
        return _row(get_or_404(session, Tool, tool_id, "tool"))


def list_tools(ctx: ServiceContext) -> list[ToolRow]:
    with ctx.read() as session:
        query = select(Tool).options(joinedload(Tool.vendor), joinedload(Tool.owner))
        return sorted((_row(t) for t in session.scalars(query)), key=lambda r: by_name(r.name))
