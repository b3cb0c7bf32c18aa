"""Tool requests: raise one, move it through its statuses (each change in the audit trail), and
see at once what the company already pays for in that category or under that name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackadmin.domain.requests import (
    OPEN,
    RequestStatus,
    check_transition,
    parse_status,
    parse_urgency,
)
from stackadmin.domain.terms import covers
from stackadmin.domain.values import normalize_email, optional_text, required_text
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.audit import AuditRow
from stackadmin.services.buying.paid import PaidInventory, PaidTool, paid_tools
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.inventory.tools import named
from stackadmin.store.models import (
    Evaluation,
    EvaluationCandidate,
    Person,
    SubscriptionTerm,
    Tool,
    ToolRequest,
)

ENTITY = "tool_request"
FIELDS = ("title", "requested_by_email", "team", "category", "tool_name", "problem",
          "considered", "urgency", "note", "status")


@dataclass(frozen=True, slots=True)
class RequestRow:
    id: int
    title: str
    status: str
    requested_by: str  # the requester's email
    requested_by_name: str | None
    requested_by_id: int | None
    team: str | None
    category: str | None
    tool_name: str | None  # the tool asked for by name, if any
    tool_id: int | None  # set when that name is a tool in the inventory
    problem: str | None
    considered: str | None
    urgency: str
    note: str | None
    status_reason: str | None
    duplicate_of_id: int | None
    purchased_tool_id: int | None
    purchased_tool: str | None
    purchased_term_id: int | None
    created_at: datetime
    updated_at: datetime
    candidates: int = 0  # in its evaluation
    already_paid: tuple[PaidTool, ...] = ()

    @property
    def open(self) -> bool:
        return RequestStatus(self.status) in OPEN

    def paid_sentences(self) -> list[str]:
        return [p.sentence() for p in self.already_paid]


@dataclass(frozen=True, slots=True)
class RequestView:
    """A request's page: the request, what is already paid for, its status history."""

    request: RequestRow
    history: list[AuditRow]
    duplicates: list[RequestRow]  # requests marked duplicates of this one
    base_currency: str


def _person_id(session: Session, email: str) -> int:
    person_id = session.scalar(select(Person.id).where(Person.email == email))
    if person_id is None:
        raise ValidationError(f"requested by: no one in the people list has the email {email} "
                              "(add them first, or import the people list)")
    return person_id


def _tool_match(session: Session, name: str | None) -> tuple[str | None, int | None]:
    clean = optional_text(name, "tool", 200)
    if clean is None:
        return None, None
    tool = named(session, Tool, clean)
    return (clean, None) if tool is None else (tool.name, tool.id)


def _requester(value: str | None) -> str:
    if not (value or "").strip():
        raise ValidationError("requested by is required: the requester's email")
    return normalize_email(value or "")


def create_request(ctx: ServiceContext, title: str, requested_by: str, *,
                   team: str | None = None, category: str | None = None,
                   tool: str | None = None, urgency: str | None = None,
                   problem: str | None = None, considered: str | None = None,
                   note: str | None = None) -> RequestRow:
    """A new request (status new) from someone in the people list; audited."""
    problems: list[str] = []
    values: dict[str, Any] = {}

    def take(key: str, parse: Any, raw: Any) -> None:
        try:
            values[key] = parse(raw)
        except ValidationError as exc:
            problems.extend(exc.problems)

    take("title", lambda v: required_text(v, "title", 200), title)
    take("requested_by_email", _requester, requested_by)
    take("team", lambda v: optional_text(v, "team", 120), team)
    take("category", lambda v: optional_text(v, "category", 120), category)
    take("urgency", lambda v: parse_urgency(v).value, urgency)
    take("problem", lambda v: optional_text(v, "problem", 10_000), problem)
    take("considered", lambda v: optional_text(v, "tools considered", 10_000), considered)
    take("note", lambda v: optional_text(v, "note", 10_000), note)
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        values["requested_by_id"] = _person_id(session, values["requested_by_email"])
        values["tool_name"], values["tool_id"] = _tool_match(session, tool)
        row = ToolRequest(status=RequestStatus.NEW.value, **values)
        session.add(row)
        session.flush()
        audit.record(session, ctx, action="create", entity=ENTITY, entity_id=row.id,
                     summary=f"request {row.id} raised by {row.requested_by_email}: "
                             f"{row.title}",
                     changes={k: [None, v] for k, v in audit.snapshot(row, FIELDS).items()})
        return _rows(session, [row])[0]


def _rows(session: Session, rows: Sequence[ToolRequest]) -> list[RequestRow]:
    ids = [r.id for r in rows]
    people = {p.id: p.name for p in session.scalars(
        select(Person).where(Person.id.in_({r.requested_by_id for r in rows
                                            if r.requested_by_id is not None})))}
    tools = dict(session.execute(select(Tool.id, Tool.name).where(
        Tool.id.in_({r.purchased_tool_id for r in rows if r.purchased_tool_id is not None})
    )).all())
    counts = dict(session.execute(
        select(Evaluation.request_id, func.count(EvaluationCandidate.id))
        .join(EvaluationCandidate, EvaluationCandidate.evaluation_id == Evaluation.id)
        .where(Evaluation.request_id.in_(ids)).group_by(Evaluation.request_id)).all())
    return [
        RequestRow(
            r.id, r.title, r.status, r.requested_by_email,
            people.get(r.requested_by_id) if r.requested_by_id is not None else None,
            r.requested_by_id, r.team, r.category, r.tool_name, r.tool_id, r.problem,
            r.considered, r.urgency, r.note, r.status_reason, r.duplicate_of_id,
            r.purchased_tool_id,
            tools.get(r.purchased_tool_id) if r.purchased_tool_id is not None else None,
            r.purchased_term_id, r.created_at, r.updated_at, counts.get(r.id, 0))
        for r in rows
    ]


def answers(tool: PaidTool, *, category: str | None, tool_name: str | None,
            tool_id: int | None = None) -> bool:
    """A paid tool answers a request when the request names it, or names its category or
    one of its capability tags (case does not matter)."""
    if tool_id is not None and tool_id == tool.tool_id:
        return True
    if tool_name and tool_name.strip().casefold() == tool.tool.casefold():
        return True
    wanted = (category or "").strip().casefold()
    if not wanted:
        return False
    return wanted == (tool.category or "").strip().casefold() or wanted in tool.tags


def paid_for(paid: PaidInventory, *, category: str | None, tool_name: str | None,
             tool_id: int | None = None) -> tuple[PaidTool, ...]:
    """The paid tools answering a request (or a request being typed): the named tool
    first, then the rest by the most unused seats."""
    found = [t for t in paid.tools
             if answers(t, category=category, tool_name=tool_name, tool_id=tool_id)]
    named = (tool_name or "").strip().casefold()
    return tuple(sorted(found, key=lambda t: (t.tool_id != tool_id and t.tool.casefold() != named,
                                              -(t.seats_unused or 0), t.tool.casefold())))


def already_paid(request: RequestRow, paid: PaidInventory) -> tuple[PaidTool, ...]:
    return paid_for(paid, category=request.category, tool_name=request.tool_name,
                    tool_id=request.tool_id)


def with_paid(rows: Iterable[RequestRow], paid: PaidInventory) -> list[RequestRow]:
    return [replace(r, already_paid=already_paid(r, paid)) for r in rows]


def list_requests(ctx: ServiceContext, *, statuses: Iterable[str] | None = None,
                  paid: PaidInventory | None = None, as_of: date | None = None
                  ) -> list[RequestRow]:
    """Requests by id (oldest first), optionally of some statuses only, each with the tools
    already paid for that answer it (as of today, unless `as_of`)."""
    wanted = None if statuses is None else {parse_status(s).value for s in statuses}
    query = select(ToolRequest).order_by(ToolRequest.id)
    if wanted is not None:
        query = query.where(ToolRequest.status.in_(sorted(wanted)))
    with ctx.read() as session:
        rows = _rows(session, list(session.scalars(query)))
    if not rows:
        return rows
    return with_paid(rows, paid if paid is not None else paid_tools(ctx, as_of, people=False))


def get_request(ctx: ServiceContext, request_id: int, *, paid: PaidInventory | None = None
                ) -> RequestRow:
    with ctx.read() as session:
        row = _rows(session, [get_or_404(session, ToolRequest, request_id, "request")])[0]
    inventory = paid if paid is not None else paid_tools(ctx, people=False)
    return replace(row, already_paid=already_paid(row, inventory))


def request_view(ctx: ServiceContext, request_id: int, as_of: date | None = None
                 ) -> RequestView:
    paid = paid_tools(ctx, as_of, people=False)
    row = get_request(ctx, request_id, paid=paid)
    history = list(reversed(audit.list_events(ctx, entity=ENTITY, entity_id=request_id)))
    with ctx.read() as session:
        dupes = _rows(session, list(session.scalars(
            select(ToolRequest).where(ToolRequest.duplicate_of_id == request_id)
            .order_by(ToolRequest.id))))
    return RequestView(row, history, dupes, paid.base_currency)


def _term_for(session: Session, tool_id: int, day: date) -> int | None:
    """The tool's term that a purchase became: the newest in force, else the newest."""
    terms = list(session.scalars(select(SubscriptionTerm).where(
        SubscriptionTerm.tool_id == tool_id).order_by(SubscriptionTerm.id.desc())))
    cancels = cancel_dates(session, [t.id for t in terms])
    in_force = [t for t in terms if covers(status=t.status, term_start=t.term_start,
                                           renewal_date=t.renewal_date,
                                           auto_renew=t.auto_renew, as_of=day,
                                           cancelled_at=cancels.get(t.id))]
    chosen = in_force or terms
    if not chosen:
        return None
    return max(chosen, key=lambda t: (t.term_start or date.min, t.id)).id


def change_status(session: Session, ctx: ServiceContext, row: ToolRequest,
                  status: RequestStatus, *, reason: str | None = None,
                  duplicate_of: int | None = None, tool_id: int | None = None,
                  term_id: int | None = None) -> None:
    """Moves the request inside the caller's transaction and audits the change (the status
    history is the audit trail)."""
    current = RequestStatus(row.status)
    check_transition(current, status)
    clean_reason = optional_text(reason, "reason", 10_000)
    if status is RequestStatus.REJECTED and not clean_reason:
        raise ValidationError("a rejection needs a reason (--reason TEXT)")
    if status is RequestStatus.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError("say which request this one duplicates (--duplicate-of ID)")
        if duplicate_of == row.id:
            raise ValidationError("a request cannot be a duplicate of itself")
        original = session.get(ToolRequest, duplicate_of)
        if original is None:
            raise NotFoundError(f"there is no request with id {duplicate_of}")
        if original.status == RequestStatus.DUPLICATE.value:
            raise ValidationError(
                f"request {duplicate_of} is itself a duplicate of request "
                f"{original.duplicate_of_id}: mark this one a duplicate of that one")
    elif duplicate_of is not None:
        raise ValidationError("--duplicate-of goes with the status duplicate")
    if status is RequestStatus.PURCHASED:
        if tool_id is None:
            raise ValidationError("say which tool the purchase became (--tool NAME)")
    elif tool_id is not None:
        raise ValidationError("--tool goes with the status purchased")
    before = audit.snapshot(row, ("status", "status_reason", "duplicate_of_id",
                                  "purchased_tool_id", "purchased_term_id"))
    row.status = status.value
    row.status_reason = clean_reason
    row.duplicate_of_id = duplicate_of
    if status is RequestStatus.PURCHASED:
        row.purchased_tool_id = tool_id
        row.purchased_term_id = term_id if term_id is not None else _term_for(
            session, tool_id, ctx.today())  # type: ignore[arg-type]
    session.flush()
    after = audit.snapshot(row, tuple(before))
    why = f" ({clean_reason})" if clean_reason else ""
    dup = f" of request {duplicate_of}" if duplicate_of is not None else ""
    audit.record(session, ctx, action="status", entity=ENTITY, entity_id=row.id,
                 summary=f"request {row.id}: {current.value} → {status.value}{dup}{why}",
                 changes=audit.diff(before, after))


def set_status(ctx: ServiceContext, request_id: int, status: str, *,
               reason: str | None = None, duplicate_of: int | None = None,
               tool: str | None = None) -> RequestRow:
    """`requests set`: the checks of `change_status` plus finding the tool by name."""
    wanted = parse_status(status)
    with ctx.transaction() as session:
        row = get_or_404(session, ToolRequest, request_id, "request")
        tool_id = None
        if tool is not None:
            found = named(session, Tool, tool)
            if found is None:
                raise NotFoundError(f"there is no tool named '{tool}' (add it, or decide the "
                                    "request's evaluation to create it from the quote)")
            tool_id = found.id
        change_status(session, ctx, row, wanted, reason=reason, duplicate_of=duplicate_of,
                      tool_id=tool_id)
        return _rows(session, [row])[0]


def update_request(ctx: ServiceContext, request_id: int, **values: Any) -> RequestRow:
    """Edits the request's own fields (title, team, category, tool, urgency, problem,
    considered, note); the status moves only through `set_status`."""
    allowed = {"title", "team", "category", "tool", "urgency", "problem", "considered", "note"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with ctx.transaction() as session:
        row = get_or_404(session, ToolRequest, request_id, "request")
        data: dict[str, Any] = {}
        problems: list[str] = []
        for key, value in values.items():
            try:
                if key == "title":
                    data["title"] = required_text(value, "title", 200)
                elif key == "urgency":
                    data["urgency"] = parse_urgency(value).value
                elif key == "tool":
                    data["tool_name"], data["tool_id"] = _tool_match(session, value)
                else:
                    limit = 120 if key in ("team", "category") else 10_000
                    data[key] = optional_text(value, key, limit)
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        before = audit.snapshot(row, tuple(data))
        for key, value in data.items():
            setattr(row, key, value)
        changes = audit.diff(before, audit.snapshot(row, tuple(data)))
        if changes:
            audit.record(session, ctx, action="update", entity=ENTITY, entity_id=row.id,
                         summary=f"request {row.id}: {', '.join(sorted(changes))}",
                         changes=changes)
        return _rows(session, [row])[0]


def count_open(ctx: ServiceContext) -> dict[str, int]:
    """How many requests there are in each open status (the dashboard, the digest)."""
    with ctx.read() as session:
        rows = session.execute(select(ToolRequest.status, func.count())
                               .group_by(ToolRequest.status)).all()
    return {status: n for status, n in rows if RequestStatus(status) in OPEN}
