"""Capability tags on tools ("whiteboard", "video calls"): set a tool's tags, list them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.tools import find_tool
from stackadmin.store.models import Tool, ToolTag

MAX_TAG = 60


@dataclass(frozen=True, slots=True)
class ToolTags:
    tool_id: int
    tool: str
    category: str | None
    tags: tuple[str, ...]


def clean_tag(text: str) -> str:
    """Lower-cased, inner spaces collapsed: "Video  Calls" and "video calls" are one tag."""
    tag = " ".join((text or "").strip().lower().split())
    if not tag:
        raise ValidationError("a tag cannot be empty")
    if len(tag) > MAX_TAG:
        raise ValidationError(f"the tag '{tag[:20]}…' is longer than {MAX_TAG} characters")
    if tag[:1] in ("=", "@", "+", "-"):
        raise ValidationError(f"the tag '{tag}' looks like a spreadsheet formula")
    return tag


def clean_tags(texts: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for text in texts:
        # "video calls, whiteboard" in one argument is two tags, as a user would mean it.
        for part in str(text).split(","):
            if part.strip():
                tag = clean_tag(part)
                if tag not in out:
                    out.append(tag)
    return tuple(sorted(out))


def tags_by_tool(session: Session, tool_ids: Iterable[int] | None = None
                 ) -> dict[int, tuple[str, ...]]:
    query = select(ToolTag.tool_id, ToolTag.tag)
    if tool_ids is not None:
        query = query.where(ToolTag.tool_id.in_(list(tool_ids)))
    out: dict[int, list[str]] = defaultdict(list)
    for tool_id, tag in session.execute(query):
        out[tool_id].append(tag)
    # By code point, as they are set (a database's collation orders 'éditeur' otherwise).
    return {k: tuple(sorted(v)) for k, v in sorted(out.items())}


def write_tags(session: Session, ctx: ServiceContext, tool: Tool, tags: Sequence[str]) -> bool:
    """Replaces the tool's tags inside the caller's transaction; audits a change (and
    returns True), does nothing when they are the same."""
    before = tags_by_tool(session, [tool.id]).get(tool.id, ())
    after = tuple(sorted(tags))
    if before == after:
        return False
    session.execute(delete(ToolTag).where(ToolTag.tool_id == tool.id))
    session.add_all([ToolTag(tool_id=tool.id, tag=t) for t in after])
    session.flush()
    audit.record(session, ctx, action="tags", entity="tool", entity_id=tool.id,
                 summary=f"tool {tool.name} tags: {', '.join(after) or '(none)'}",
                 changes={"tags": [list(before), list(after)]})
    return True


def set_tags(ctx: ServiceContext, tool_name: str, tags: Iterable[str]) -> ToolTags:
    """The tool's tags become exactly `tags` (none clears them); audited."""
    clean = clean_tags(tags)
    with ctx.transaction() as session:
        tool = find_tool(session, tool_name)
        write_tags(session, ctx, tool, clean)
        return ToolTags(tool.id, tool.name, tool.category, clean)


def list_tags(ctx: ServiceContext) -> list[ToolTags]:
    """Every tool with its category and tags, by name."""
    with ctx.read() as session:
        tags = tags_by_tool(session)
        tools = session.execute(select(Tool.id, Tool.name, Tool.category)).all()
    return sorted((ToolTags(i, n, c, tags.get(i, ())) for i, n, c in tools),
                  key=lambda t: t.tool.casefold())


def known_tags(ctx: ServiceContext) -> list[str]:
    with ctx.read() as session:
        return sorted(set(session.scalars(select(ToolTag.tag))))  # by code point
