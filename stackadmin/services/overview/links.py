"""What a stackadmin:// link names, looked up in the database before the app opens it: the
record's name for the status bar, or that it is not there (deleted since the digest was
sent, or the link came from another database)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackadmin.domain.limits import MAX_ID
from stackadmin.domain.links import ID_WORDS, AppLink
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Connection, Person, SubscriptionTerm, Tool, ToolRequest


@dataclass(frozen=True, slots=True)
class LinkTarget:
    link: AppLink
    found: bool  # every id the link gives is in the database (True for a page alone)
    what: str  # "Jira's Business term", "Ada Okafor", "Jira → Slack"...; "" for a page alone
    missing: str = ""  # "term 999", when not found


def _name(session: Session, key: str, row_id: int) -> str | None:
    if not 1 <= row_id <= MAX_ID:
        return None
    if key == "term_id":
        term = session.get(SubscriptionTerm, row_id)
        if term is None:
            return None
        tool = session.get(Tool, term.tool_id)
        name = tool.name if tool is not None else "a tool"
        return f"{name}'s {term.plan} term" if term.plan else f"{name}'s term"
    if key == "tool_id":
        found = session.get(Tool, row_id)
        return None if found is None else found.name
    if key == "person_id":
        person = session.get(Person, row_id)
        return None if person is None else (person.name or person.email)
    if key == "connection_id":
        link = session.get(Connection, row_id)
        if link is None:
            return None
        ends = [session.get(Tool, link.from_tool_id), session.get(Tool, link.to_tool_id)]
        return " → ".join(t.name if t is not None else "?" for t in ends)
    if key == "request_id":
        request = session.get(ToolRequest, row_id)
        return None if request is None else f"request {row_id} ({request.title})"
    return None


def resolve(ctx: ServiceContext, link: AppLink) -> LinkTarget:
    """Whether the records the link names are there, and what they are called."""
    names = []
    with ctx.read() as session:
        for key, row_id in link.target.items():
            name = _name(session, key, row_id)
            if name is None:
                return LinkTarget(link, False, "", f"{ID_WORDS.get(key, key)} {row_id}")
            names.append(name)
    return LinkTarget(link, True, ", ".join(names))
