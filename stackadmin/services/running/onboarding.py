"""Onboarding bundles, the mirror of offboarding: the standard tools a department's (and,
optionally, a title's) new hire gets; a person's checklist (tool, role to grant, who grants
it, done), the tools they lack and those they hold beyond the bundle; its CSV export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from stackadmin.domain.values import parse_choice, required_text
from stackadmin.domain.vocab import SEAT_HOLDING, Role
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.inventory.tools import find_tool
from stackadmin.services.running.training import ResourceRow, list_resources
from stackadmin.store.models import Account, BundleItem, Person, Tool

CHECKLIST_COLUMNS = ("person", "email", "department", "title", "tool", "role", "granted_by",
                     "granted_by_email", "done", "account_status")
_HOLDING = [s.value for s in SEAT_HOLDING]


@dataclass(frozen=True, slots=True)
class BundleRow:
    id: int
    department: str
    title: str  # "" for every title of the department
    tool_id: int
    tool: str
    role: str
    granted_by: str | None  # the tool's owner: who grants access
    granted_by_email: str | None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    tool_id: int
    tool: str
    role: str
    granted_by: str | None
    granted_by_email: str | None
    done: bool  # the person holds an account in the tool
    account_status: str | None
    account_role: str | None


@dataclass(frozen=True, slots=True)
class HeldTool:
    tool_id: int
    tool: str
    role: str
    status: str


@dataclass(frozen=True, slots=True)
class OnboardingView:
    person_id: int
    name: str
    email: str
    department: str | None
    title: str | None
    checklist: list[ChecklistItem]  # the bundle's tools, by tool name
    beyond: list[HeldTool]  # tools held that the bundle does not list
    training: list[ResourceRow]  # resources of the bundle's tools

    @property
    def lacking(self) -> list[ChecklistItem]:
        return [i for i in self.checklist if not i.done]

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email, "name": self.name, "department": self.department,
            "title": self.title,
            "checklist": [{"tool": i.tool, "role": i.role, "granted_by": i.granted_by,
                           "granted_by_email": i.granted_by_email, "done": i.done,
                           "account_status": i.account_status} for i in self.checklist],
            "lacking": [i.tool for i in self.lacking],
            "beyond_bundle": [{"tool": h.tool, "role": h.role, "status": h.status}
                              for h in self.beyond],
            "training": [{"tool": r.tool, "kind": r.kind, "title": r.title, "url": r.url,
                          "champion": r.champion_email} for r in self.training],
        }


def parse_item(text: str) -> tuple[str, str]:
    """'Jira' -> ('Jira', 'member'); 'GitHub Enterprise:admin' -> (..., 'admin')."""
    name, sep, role = text.rpartition(":")
    if not sep:
        name, role = text, Role.MEMBER.value
    return required_text(name, "tool"), parse_choice(role, Role, f"role of {name.strip()}")


def set_bundle(ctx: ServiceContext, department: str, items: Sequence[tuple[str, str]], *,
               title: str | None = None) -> list[BundleRow]:
    """Replaces the bundle of a department (and title): `items` are (tool name, role).
    An empty list clears it. Audited with what it was and what it is."""
    dept = required_text(department, "department", 120)
    job = (title or "").strip()
    problems: list[str] = []
    with ctx.transaction() as session:
        wanted: dict[int, tuple[str, str]] = {}
        for name, role in items:
            try:
                tool = find_tool(session, name)
                granted = parse_choice(role, Role, f"role of {tool.name}")
            except (NotFoundError, ValidationError) as exc:
                problems.append(str(exc))
                continue
            if tool.id in wanted:  # one role per tool: which of two was meant is not guessed
                problems.append(f"{tool.name} is listed twice (as {wanted[tool.id][1]} and "
                                f"as {granted}): list each tool once, with its role")
                continue
            wanted[tool.id] = (tool.name, granted)
        if problems:
            raise ValidationError(problems)
        # Compared in Python, as tools.named says why: the same bundle on both engines.
        current = [item for item in session.scalars(select(BundleItem))
                   if (item.department or "").lower() == dept.lower()
                   and (item.title or "").lower() == job.lower()]
        if current:
            dept, job = current[0].department, current[0].title  # keep the first spelling
        names = {t.id: t.name for t in session.scalars(select(Tool).where(
            Tool.id.in_([c.tool_id for c in current])))}
        before = sorted(f"{names.get(c.tool_id, c.tool_id)}:{c.role}" for c in current)
        after = sorted(f"{name}:{role}" for name, role in wanted.values())
        if before != after:
            for item in current:
                session.delete(item)
            session.flush()
            for tool_id, (_name, role) in wanted.items():
                session.add(BundleItem(department=dept, title=job, tool_id=tool_id, role=role))
            who = f"{dept}{f' / {job}' if job else ''}"
            audit.record(session, ctx, action="update", entity="bundle", entity_id=None,
                         summary=f"onboarding bundle of {who}: {len(after)} tools",
                         changes={"bundle": [before, after]})
    return [b for b in list_bundles(ctx) if b.department.lower() == dept.lower()
            and b.title.lower() == job.lower()]


def list_bundles(ctx: ServiceContext) -> list[BundleRow]:
    query = (select(BundleItem, Tool.name, Person.name, Person.email)
             .join(Tool, Tool.id == BundleItem.tool_id)
             .outerjoin(Person, Person.id == Tool.owner_id))
    with ctx.read() as session:
        rows = [BundleRow(b.id, b.department, b.title, b.tool_id, name, b.role,
                          owner or owner_email, owner_email)
                for b, name, owner, owner_email in session.execute(query)]
    rows.sort(key=lambda b: (b.department.lower(), b.title.lower(), b.tool.lower()))
    return rows


def _find_person(session: Any, person: int | str) -> Person:
    if isinstance(person, int):
        found = session.get(Person, person)
    else:
        found = session.scalars(select(Person).where(
            Person.email == person.strip().lower())).first()
    if found is None:
        kind = "id" if isinstance(person, int) else "email"
        raise NotFoundError(f"there is no person with {kind} {person}")
    assert isinstance(found, Person)
    return found


def onboarding(ctx: ServiceContext, person: int | str) -> OnboardingView:
    """A person's checklist from the bundles of their department (every title, plus their
    own title's: a title's role wins for a tool in both), by id or email."""
    with ctx.read() as session:
        p = _find_person(session, person)
        facts = (p.id, p.name or p.email, p.email, p.department, p.title)
        dept, job = (p.department or "").lower(), (p.title or "").lower()
        held = {tool_id: (name, role, status) for tool_id, name, role, status in session.execute(
            select(Account.tool_id, Tool.name, Account.role, Account.status)
            .join(Tool, Tool.id == Account.tool_id)
            .where(Account.person_id == p.id, Account.status.in_(_HOLDING))
            .order_by(Account.id))}
    bundle: dict[int, BundleRow] = {}
    if dept:
        for b in list_bundles(ctx):
            if b.department.lower() != dept:
                continue
            # Department-wide items come first (sorted by title): a title's item overrides.
            if b.title == "" or b.title.lower() == job:
                bundle[b.tool_id] = b
    checklist = []
    for b in sorted(bundle.values(), key=lambda b: b.tool.lower()):
        has = held.get(b.tool_id)
        checklist.append(ChecklistItem(b.tool_id, b.tool, b.role, b.granted_by,
                                       b.granted_by_email, has is not None,
                                       None if has is None else has[2],
                                       None if has is None else has[1]))
    beyond = sorted((HeldTool(t, name, role, status) for t, (name, role, status) in held.items()
                     if t not in bundle), key=lambda h: h.tool.lower())
    training = list_resources(ctx, tool_ids=list(bundle)) if bundle else []
    return OnboardingView(*facts, checklist, beyond, training)


def export_checklist(ctx: ServiceContext, person: int | str, path: str | Path, *,
                     bom: bool = True) -> int:
    """Writes the checklist as an Excel-clean CSV (CHECKLIST_COLUMNS) for the admins who
    grant access; returns the rows written. Never over the open database or its files."""
    from stackadmin.services.spreadsheets.files import write_csv

    target = ctx.output_path(path)
    view = onboarding(ctx, person)
    rows = [(view.name, view.email, view.department, view.title, i.tool, i.role, i.granted_by,
             i.granted_by_email, "yes" if i.done else "no", i.account_status)
            for i in view.checklist]
    return write_csv(target, CHECKLIST_COLUMNS, rows, bom=bom)
