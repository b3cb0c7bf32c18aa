"""Deciding an evaluation: the chosen candidate becomes a tool and its first term, pre-filled
from the quote, and the request is marked purchased, all in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.requests import RequestStatus, check_transition
from stackadmin.domain.terms import billing_period_label
from stackadmin.domain.values import required_text
from stackadmin.errors import ValidationError
from stackadmin.services import audit
from stackadmin.services.buying.evaluations import (
    candidate_of,
    evaluation_of,
    quote_of,
    refuse_if_decided,
)
from stackadmin.services.buying.requests import change_status
from stackadmin.services.buying.tags import tags_by_tool, write_tags
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.terms import add_term
from stackadmin.services.inventory.tools import add_tool, named
from stackadmin.services.records import by_name
from stackadmin.store.models import (
    EvaluationCandidate,
    EvaluationDecision,
    Tool,
    ToolRequest,
    ToolTag,
)


@dataclass(frozen=True, slots=True)
class PurchaseDraft:
    """What deciding for a candidate would create, for a form to show and change first.
    `tool` is None when the candidate is a tool the inventory has already; `term` is None
    when there is no quote to make a term from (an existing tool only)."""

    candidate: str
    existing_tool_id: int | None
    tool: dict[str, Any] | None
    term: dict[str, Any] | None
    tag: str | None = None  # the request's category when it is a capability tag


@dataclass(frozen=True, slots=True)
class Purchase:
    candidate: str
    tool_id: int
    tool: str
    created_tool: bool
    term_id: int | None
    request_id: int
    notes: tuple[str, ...] = field(default=())


def _existing_tool(session: Session, candidate: EvaluationCandidate) -> Tool | None:
    if candidate.tool_id is not None:
        tool = session.get(Tool, candidate.tool_id)
        if tool is not None:
            return tool
    return named(session, Tool, candidate.name)


def _category_or_tag(session: Session, wanted: str | None) -> tuple[str | None, str | None]:
    """The request's category for the new tool: a category the inventory uses (as spelled
    there), or a capability tag when that is what it names ("whiteboard")."""
    if not wanted:
        return None, None
    # Compared and ordered in Python (tools.named says why), not by the database's
    # collation: the same category on both engines when two differ only in case.
    known = next((c for c in sorted(filter(None, session.scalars(
        select(Tool.category).distinct())), key=by_name) if c.lower() == wanted.lower()), None)
    if known:
        return known, None
    if session.scalar(select(ToolTag.id).where(ToolTag.tag == wanted.lower())) is not None:
        return None, wanted.lower()
    return wanted, None


def _draft(session: Session, request: ToolRequest, candidate: EvaluationCandidate,
           today: date) -> PurchaseDraft:
    existing = _existing_tool(session, candidate)
    quote = quote_of(candidate)
    term = None
    if quote is not None:
        months = max(12, quote.billing_months)
        term = {
            "plan": quote.plan or "", "pricing": quote.pricing,
            "unit_price": quote.unit_price.amount, "currency": quote.unit_price.currency,
            "seats": quote.seats, "billing_period": billing_period_label(quote.billing_months),
            "term_start": today, "renewal_date": today + relativedelta(months=months),
            "auto_renew": True, "notice_days": 0,
            "notes": f"From the quote in the evaluation of request {request.id}: "
                     f"{request.title}",
        }
    if existing is not None:
        return PurchaseDraft(candidate.name, existing.id, None, term)
    category, tag = _category_or_tag(session, request.category)
    tool = {"name": candidate.name, "vendor": candidate.vendor, "category": category,
            "notes": f"Bought for request {request.id}: {request.title}"}
    return PurchaseDraft(candidate.name, None, tool, term, tag)


def purchase_draft(ctx: ServiceContext, request_id: int, candidate: str) -> PurchaseDraft:
    with ctx.read() as session:
        request = get_or_404(session, ToolRequest, request_id, "request")
        row = candidate_of(session, evaluation_of(session, request_id), candidate)
        return _draft(session, request, row, ctx.today())


def decide(ctx: ServiceContext, request_id: int, candidate: str, rationale: str, *,
           tool: Mapping[str, Any] | None = None, term: Mapping[str, Any] | None = None
           ) -> Purchase:
    """Records the decision and makes the purchase: for a new name, the tool and its first
    term from the quote (`tool` and `term` change what the draft says); for a tool already
    in the inventory, a new term when there is a quote. The request becomes purchased,
    linked to both. One transaction: on any problem nothing is written."""
    why = required_text(rationale, "rationale", 10_000)
    with ctx.transaction() as session:
        request = get_or_404(session, ToolRequest, request_id, "request")
        evaluation = evaluation_of(session, request_id)
        refuse_if_decided(session, evaluation)
        row = candidate_of(session, evaluation, candidate)
        check_transition(RequestStatus(request.status), RequestStatus.PURCHASED)
        draft = _draft(session, request, row, ctx.today())
        notes: list[str] = []
        if draft.tool is None:
            created = get_or_404(session, Tool, draft.existing_tool_id or 0, "tool")
            made_tool = False
        else:
            if draft.term is None:
                raise ValidationError(
                    f"{row.name} has no quote: record one first (`stackadmin evaluate quote "
                    f"{request_id} \"{row.name}\" --price P --currency C --seats N`), so its "
                    "first term can be made from it")
            created = add_tool(session, ctx, **{**draft.tool, **(tool or {})})
            made_tool = True
            if draft.tag:
                tags = set(tags_by_tool(session, [created.id]).get(created.id, ()))
                write_tags(session, ctx, created, sorted(tags | {draft.tag}))
                notes.append(f"tagged {draft.tag}")
        term_id = None
        if draft.term is not None:
            new_term = add_term(session, ctx, tool_id=created.id, **{**draft.term,
                                                                     **(term or {})})
            term_id = new_term.id
        decision = EvaluationDecision(evaluation_id=evaluation.id, candidate_id=row.id,
                                      rationale=why, tool_id=created.id, term_id=term_id,
                                      decided_by=ctx.actor)
        session.add(decision)
        session.flush()
        audit.record(session, ctx, action="decide", entity="evaluation",
                     entity_id=evaluation.id,
                     summary=f"request {request_id}: chose {row.name}: {why}",
                     changes={"candidate": [None, row.name], "rationale": [None, why],
                              "tool_id": [None, created.id], "term_id": [None, term_id]})
        change_status(session, ctx, request, RequestStatus.PURCHASED, reason=why,
                      tool_id=created.id, term_id=term_id)
        return Purchase(row.name, created.id, created.name, made_tool, term_id, request_id,
                        tuple(notes))
