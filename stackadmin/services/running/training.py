"""Training resources per tool: links, the company's own guide, and champions who help."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from stackadmin.domain.values import normalize_email, optional_text, parse_choice, required_text
from stackadmin.domain.vocab import TrainingKind
from stackadmin.errors import ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import add_audited, delete_audited, get_or_404
from stackadmin.services.inventory.tools import find_tool
from stackadmin.store.models import Person, Tool, TrainingResource

FIELDS = ("tool_id", "kind", "title", "url", "champion_id")
_KIND_ORDER = {TrainingKind.GUIDE.value: 0, TrainingKind.LINK.value: 1,
               TrainingKind.CHAMPION.value: 2}


@dataclass(frozen=True, slots=True)
class ResourceRow:
    id: int
    tool_id: int
    tool: str
    kind: str
    title: str
    url: str | None
    champion_email: str | None
    champion_name: str | None

    @property
    def text(self) -> str:
        """'Guide: Jira at Acme — https://…', 'Champion: Ada Okafor <ada@…>'."""
        if self.kind == TrainingKind.CHAMPION.value:
            who = self.champion_name or self.champion_email or ""
            mail = f" <{self.champion_email}>" if self.champion_email and self.champion_name \
                else ""
            return f"Champion: {who}{mail}"
        return f"{self.kind.capitalize()}: {self.title} — {self.url}"


def _url(text: str | None) -> str:
    value = required_text(text, "link", 1000)
    if not value.lower().startswith(("https://", "http://", "file://", "/", "\\\\")):
        raise ValidationError(f"link: '{value}' is not a web address (https://…) or a path")
    return value


def add_resource(ctx: ServiceContext, tool: str | int, kind: str, *, title: str | None = None,
                 url: str | None = None, champion: str | None = None) -> ResourceRow:
    """A link or guide (a title and a URL or path) or a champion (a person's email)."""
    choice = parse_choice(kind, TrainingKind, "kind")
    with ctx.transaction() as session:
        found = (get_or_404(session, Tool, tool, "tool") if isinstance(tool, int)
                 else find_tool(session, tool))
        champion_id = None
        if choice == TrainingKind.CHAMPION.value:
            email = normalize_email(champion or "")
            person = session.scalars(select(Person).where(Person.email == email)).first()
            if person is None:
                raise ValidationError(f"champion: {email} is not in the people list")
            champion_id = person.id
            clean_title = optional_text(title, "title", 200) or (person.name or email)
            link = None
        else:
            clean_title = required_text(title, "title", 200)
            link = _url(url)
        row = TrainingResource(tool_id=found.id, kind=choice, title=clean_title, url=link,
                               champion_id=champion_id)
        add_audited(session, ctx, row, entity="training_resource",
                    label=f"training resource for {found.name}: {clean_title}", fields=FIELDS)
        new_id = row.id
    return next(r for r in list_resources(ctx) if r.id == new_id)


def remove_resource(ctx: ServiceContext, resource_id: int) -> None:
    with ctx.transaction() as session:
        row = get_or_404(session, TrainingResource, resource_id, "training resource")
        delete_audited(session, ctx, row, entity="training_resource",
                       label=f"training resource {row.title}", fields=FIELDS)


def list_resources(ctx: ServiceContext, tool_id: int | None = None,
                   tool_ids: list[int] | None = None) -> list[ResourceRow]:
    """Resources of one tool, of some tools, or all: by tool, guides, links, champions."""
    query = (select(TrainingResource, Tool.name, Person.email, Person.name)
             .join(Tool, Tool.id == TrainingResource.tool_id)
             .outerjoin(Person, Person.id == TrainingResource.champion_id))
    if tool_id is not None:
        query = query.where(TrainingResource.tool_id == tool_id)
    if tool_ids is not None:
        query = query.where(TrainingResource.tool_id.in_(tool_ids))
    with ctx.read() as session:
        rows = [ResourceRow(r.id, r.tool_id, name, r.kind, r.title, r.url, email, pname)
                for r, name, email, pname in session.execute(query)]
    rows.sort(key=lambda r: (r.tool.lower(), _KIND_ORDER.get(r.kind, 9), r.title.lower()))
    return rows
