"""Training resources per tool: links, the company's own guide, and champions who help."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.values import normalize_email, optional_text, parse_choice, required_text
from stackadmin.domain.vocab import PersonStatus, TrainingKind
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import add_audited, apply_changes, delete_audited, get_or_404
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
    champion_id: int | None = None

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


def _clean(session: Session, kind: str, title: str | None, url: str | None,
           champion: str | None) -> tuple[str, str, str | None, int | None]:
    """(kind, title, url, champion_id), every problem collected before failing: a link or
    guide needs a title and a URL or path, a champion a person of the people list (the title
    defaults to their name)."""
    problems: list[str] = []
    try:
        choice = parse_choice(kind, TrainingKind, "kind")
    except ValidationError as exc:
        raise ValidationError(exc.problems) from None
    if choice == TrainingKind.CHAMPION.value:
        person = None
        if not (champion or "").strip():
            problems.append("champion is required: someone from the people list")
        else:
            try:
                email = normalize_email(champion or "")
                person = session.scalars(select(Person).where(Person.email == email)).first()
                if person is None:
                    problems.append(f"champion: {email} is not in the people list")
            except ValidationError as exc:
                problems.extend(f"champion: {p}" for p in exc.problems)
        clean_title = None
        try:
            clean_title = optional_text(title, "title", 200)
        except ValidationError as exc:
            problems.extend(exc.problems)
        if problems or person is None:
            raise ValidationError(problems)
        return choice, clean_title or person.name or person.email, None, person.id
    clean_title, link = "", None
    try:
        clean_title = required_text(title, "title", 200)
    except ValidationError as exc:
        problems.extend(exc.problems)
    try:
        link = _url(url)
    except ValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return choice, clean_title, link, None


def add_resource(ctx: ServiceContext, tool: str | int, kind: str, *, title: str | None = None,
                 url: str | None = None, champion: str | None = None) -> ResourceRow:
    """A link or guide (a title and a URL or path) or a champion (a person's email)."""
    with ctx.transaction() as session:
        found = (get_or_404(session, Tool, tool, "tool") if isinstance(tool, int)
                 else find_tool(session, tool))
        choice, clean_title, link, champion_id = _clean(session, kind, title, url, champion)
        row = TrainingResource(tool_id=found.id, kind=choice, title=clean_title, url=link,
                               champion_id=champion_id)
        add_audited(session, ctx, row, entity="training_resource",
                    label=f"training resource for {found.name}: {clean_title}", fields=FIELDS)
        new_id = row.id
    return get_resource(ctx, new_id)


def update_resource(ctx: ServiceContext, resource_id: int, kind: str, *,
                    title: str | None = None, url: str | None = None,
                    champion: str | None = None) -> ResourceRow:
    """Replaces a resource's kind, title, URL and champion by the same rules as adding."""
    with ctx.transaction() as session:
        row = get_or_404(session, TrainingResource, resource_id, "training resource")
        choice, clean_title, link, champion_id = _clean(session, kind, title, url, champion)
        apply_changes(session, ctx, row, {"kind": choice, "title": clean_title, "url": link,
                                          "champion_id": champion_id},
                      entity="training_resource", label=f"training resource {clean_title}")
    return get_resource(ctx, resource_id)


def change_resource(ctx: ServiceContext, resource_id: int, *, kind: str | None = None,
                    title: str | None = None, url: str | None = None,
                    champion: str | None = None) -> ResourceRow:
    """Changes only what is given (None: stays). A new kind carries nothing over: what it
    needs is given with it. A new champion's title defaults to their name, not to the one
    they replace."""
    old = get_resource(ctx, resource_id)
    new_kind = kind or old.kind
    is_champion = new_kind == TrainingKind.CHAMPION.value
    if champion is not None and not is_champion:
        raise ValidationError([f"champion: resource {resource_id} is a {new_kind}, not a "
                               "champion (give --kind champion to make it one)"])
    if url is not None and is_champion:
        raise ValidationError([f"url: resource {resource_id} is a champion, who has no link"])
    same_kind = new_kind == old.kind
    new_champion = champion is not None and champion != old.champion_email
    keep_title = same_kind and not (is_champion and new_champion)
    return update_resource(
        ctx, resource_id, new_kind,
        title=title if title is not None else (old.title if keep_title else None),
        url=url if url is not None else (old.url if same_kind else None),
        champion=(champion if champion is not None
                  else old.champion_email if same_kind else None))


def get_resource(ctx: ServiceContext, resource_id: int) -> ResourceRow:
    found = list_resources(ctx, resource_id=resource_id)
    if not found:
        raise NotFoundError(f"there is no training resource with id {resource_id}")
    return found[0]


def remove_resource(ctx: ServiceContext, resource_id: int) -> None:
    with ctx.transaction() as session:
        row = get_or_404(session, TrainingResource, resource_id, "training resource")
        delete_audited(session, ctx, row, entity="training_resource",
                       label=f"training resource {row.title}", fields=FIELDS)


def list_resources(ctx: ServiceContext, tool_id: int | None = None,
                   tool_ids: list[int] | None = None, *,
                   resource_id: int | None = None) -> list[ResourceRow]:
    """Resources of one tool, of some tools, or all (or the one with `resource_id`): by
    tool, guides, links, champions."""
    query = (select(TrainingResource, Tool.name, Person.email, Person.name)
             .join(Tool, Tool.id == TrainingResource.tool_id)
             .outerjoin(Person, Person.id == TrainingResource.champion_id))
    if tool_id is not None:
        query = query.where(TrainingResource.tool_id == tool_id)
    if tool_ids is not None:
        query = query.where(TrainingResource.tool_id.in_(tool_ids))
    if resource_id is not None:
        query = query.where(TrainingResource.id == resource_id)
    with ctx.read() as session:
        rows = [ResourceRow(r.id, r.tool_id, name, r.kind, r.title, r.url, email, pname,
                            r.champion_id)
                for r, name, email, pname in session.execute(query)]
    rows.sort(key=lambda r: (r.tool.lower(), _KIND_ORDER.get(r.kind, 9), r.title.lower()))
    return rows


def champion_choices(ctx: ServiceContext) -> list[tuple[str, str]]:
    """(email, 'Name <email>') of the people still here, by name: who can be a champion."""
    with ctx.read() as session:
        people = session.execute(select(Person.email, Person.name).where(
            Person.status == PersonStatus.ACTIVE.value)).all()
    people = sorted(people, key=lambda p: ((p.name or p.email).lower(), p.email))
    return [(p.email, f"{p.name} <{p.email}>" if p.name else p.email) for p in people]
