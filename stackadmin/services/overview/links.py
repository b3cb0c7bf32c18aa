"""What a stackadmin:// link names, looked up in the database before the app opens it: the
record's name for the status bar, or that it is not there (deleted since the digest was
sent, or the link came from another database)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.limits import MAX_ID
from stackadmin.domain.links import ID_WORDS, AppLink
from stackadmin.domain.vocab import TermStatus
from stackadmin.services.context import ServiceContext
from stackadmin.store.models import Connection, Person, SubscriptionTerm, Tool, ToolRequest


@dataclass(frozen=True, slots=True)
class LinkTarget:
    link: AppLink
    found: bool  # every id the link gives is in the database (True for a page alone)
    what: str  # "Jira's Business term", "Ada Okafor", "Jira → Slack"...; "" for a page alone
    missing: str = ""  # "term 999", when not found
    # Where the link lands when not on the record it names: a term renewed since lands on
    # the term that renewed it (Renewals lists open terms only).
    target: dict[str, int] | None = None
    listed: bool = True  # False: there, but not on the page's list (`what` says why)


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


def _current_term(session: Session, term: SubscriptionTerm) -> SubscriptionTerm | None:
    """The open term that renewed this one (following renewals), or None."""
    seen = {term.id}
    while term.status != TermStatus.ACTIVE.value:
        after = session.scalars(select(SubscriptionTerm).where(
            SubscriptionTerm.previous_term_id == term.id).order_by(SubscriptionTerm.id)).first()
        if after is None or after.id in seen:
            return None
        seen.add(after.id)
        term = after
    return term


def resolve(ctx: ServiceContext, link: AppLink) -> LinkTarget:
    """Whether the records the link names are there, and what they are called. A renewals
    link to a term that is no longer open (the digest was sent before its renewal) lands on
    the term that renewed it, or says the term is closed."""
    names = []
    with ctx.read() as session:
        for key, row_id in link.target.items():
            name = _name(session, key, row_id)
            if name is None:
                return LinkTarget(link, False, "", f"{ID_WORDS.get(key, key)} {row_id}")
            names.append(name)
        if link.page == "renewals" and "term_id" in link.target:
            term = session.get(SubscriptionTerm, link.target["term_id"])
            if term is not None and term.status != TermStatus.ACTIVE.value:
                name = names[list(link.target).index("term_id")]
                current = _current_term(session, term)
                if current is None:
                    closed = (f"{name} was renewed since, and the term that renewed it is "
                              "closed too" if term.status == TermStatus.RENEWED.value
                              else f"{name} is {term.status}")
                    return LinkTarget(link, True, f"{closed}: Renewals lists open terms only",
                                      listed=False)
                return LinkTarget(link, True, f"{name}, renewed since: its current term",
                                  target={**link.target, "term_id": current.id})
    return LinkTarget(link, True, ", ".join(names))
