"""Satisfaction feedback on the tools in use: survey rounds, each person's 1–5 score and comment
per tool (typed in here, or imported: `feedback_import`), and the report per round with each
tool's trend across rounds and its annual cost."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from stackadmin.domain.feedback import RoundScore, change
from stackadmin.domain.money import Money
from stackadmin.domain.scorecard import mean, parse_score
from stackadmin.domain.terms import TermPrice, covers
from stackadmin.domain.values import normalize_email, optional_text, required_text
from stackadmin.domain.vocab import PricingModel
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.terms import cancel_dates
from stackadmin.services.inventory.tools import find_tool
from stackadmin.services.records import RateTable
from stackadmin.store.models import (
    FeedbackResponse,
    FeedbackRound,
    Person,
    SubscriptionTerm,
    Tool,
)

LOW_SCORE = 2  # a 1 or a 2 is a complaint worth reading


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    name: str
    held_on: date
    responses: int
    tools: int
    people: int


@dataclass(frozen=True, slots=True)
class Comment:
    email: str
    score: int
    comment: str | None


@dataclass(frozen=True, slots=True)
class ToolSatisfaction:
    """One tool in one round: its average, how it moved since the round before, its cost."""

    tool_id: int
    tool: str
    category: str | None
    round_id: int
    round: str
    average: Decimal
    responses: int
    low_scores: int  # responses of 1 or 2
    trend: tuple[RoundScore, ...]  # every round up to this one in which it was rated
    annual_cost_base: Decimal | None  # terms in force on the day; None: a rate is missing
    base_currency: str
    comments: tuple[Comment, ...]

    @property
    def previous_average(self) -> Decimal | None:
        return self.trend[-2].average if len(self.trend) > 1 else None

    @property
    def change(self) -> Decimal | None:
        return change(self.trend)


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    round: RoundRow | None  # None: no feedback recorded yet
    rounds: list[RoundRow]  # every round, oldest first
    tools: list[ToolSatisfaction]  # lowest average first
    base_currency: str
    as_of: date


# -- rounds and typed-in feedback ----------------------------------------------------------
def find_round(session: Session, name: str) -> FeedbackRound | None:
    """The round of that name in any case (compared in Python, as tools.named says why)."""
    wanted = name.strip().lower()
    return next((r for r in session.scalars(select(FeedbackRound).order_by(FeedbackRound.id))
                 if r.name.lower() == wanted), None)


def check_held_on(found: FeedbackRound, held_on: date | None) -> None:
    if held_on is not None and held_on != found.held_on:
        raise ValidationError(
            f"the round {found.name} was held on {found.held_on.isoformat()}, not "
            f"{held_on.isoformat()}: leave out the date to add to it, or name a new round")


def round_named(session: Session, ctx: ServiceContext, name: str,
                held_on: date | None = None) -> FeedbackRound:
    """The round of that name (case-insensitive), created (audited) when new, held on
    `held_on` (default today). ValidationError when the round exists and `held_on` names
    another day (a round's date is what its trend is ordered by)."""
    clean = required_text(name, "round", 200)
    found = find_round(session, clean)
    if found is not None:
        check_held_on(found, held_on)
        return found
    row = FeedbackRound(name=clean, held_on=held_on or ctx.today())
    session.add(row)
    session.flush()
    audit.record(session, ctx, action="create", entity="feedback_round", entity_id=row.id,
                 summary=f"feedback round {clean} held on {row.held_on.isoformat()}")
    return row


def add_feedback(ctx: ServiceContext, round_name: str, tool: str, email: str, score: str | int,
                 comment: str | None = None, *, held_on: date | None = None) -> int:
    """One person's score and comment on one tool in a round, typed in (replacing what they
    said before in that round); returns the response's id."""
    address = normalize_email(email)
    value = parse_score(score)
    text = optional_text(comment, "comment", 10_000)
    with ctx.transaction() as session:
        found_tool = find_tool(session, tool)
        row = round_named(session, ctx, round_name, held_on)
        person_id = session.scalar(select(Person.id).where(Person.email == address))
        response = session.scalars(select(FeedbackResponse).where(
            FeedbackResponse.round_id == row.id, FeedbackResponse.tool_id == found_tool.id,
            FeedbackResponse.respondent_email == address)).first()
        before = None if response is None else [response.score, response.comment]
        if response is None:
            response = FeedbackResponse(round_id=row.id, tool_id=found_tool.id,
                                        respondent_email=address, person_id=person_id,
                                        score=value, comment=text, source="manual")
            session.add(response)
        else:
            response.score, response.comment = value, text
        session.flush()
        if before != [value, text]:
            audit.record(session, ctx, action="feedback", entity="feedback_response",
                         entity_id=response.id,
                         summary=f"{row.name}: {address} rated {found_tool.name} {value}/5",
                         changes={"score": [None if before is None else before[0], value],
                                  "comment": [None if before is None else before[1], text]})
        return response.id


def list_rounds(ctx: ServiceContext) -> list[RoundRow]:
    with ctx.read() as session:
        return _rounds(session)


def _rounds(session: Session) -> list[RoundRow]:
    counts = {r: (n, t, p) for r, n, t, p in session.execute(
        select(FeedbackResponse.round_id, func.count(),
               func.count(func.distinct(FeedbackResponse.tool_id)),
               func.count(func.distinct(FeedbackResponse.respondent_email)))
        .group_by(FeedbackResponse.round_id))}
    rounds = session.scalars(select(FeedbackRound).order_by(FeedbackRound.held_on,
                                                            FeedbackRound.id))
    return [RoundRow(r.id, r.name, r.held_on, *counts.get(r.id, (0, 0, 0))) for r in rounds]


# -- the report ------------------------------------------------------------------------------
def annual_costs(session: Session, day: date, rates: RateTable) -> dict[int, Decimal | None]:
    """Each tool's terms in force on the day, a year, in the base currency (None when a
    currency has no rate: unknown, never zero)."""
    out: dict[int, Decimal | None] = {}
    cancels = cancel_dates(session)
    for t in session.scalars(select(SubscriptionTerm)):
        if not covers(status=t.status, term_start=t.term_start, renewal_date=t.renewal_date,
                      auto_renew=t.auto_renew, as_of=day, cancelled_at=cancels.get(t.id)):
            continue
        price = TermPrice(PricingModel(t.pricing), Money(t.unit_price_minor, t.currency).amount,
                          t.seats, t.billing_months)
        base = rates.to_base(price.annual_cost, t.currency)
        if t.tool_id in out and out[t.tool_id] is None:
            continue
        out[t.tool_id] = None if base is None else (out.get(t.tool_id) or Decimal(0)) + base
    return out


def report(ctx: ServiceContext, round_name: str | None = None, *,
           tool_id: int | None = None) -> FeedbackReport:
    """A round's satisfaction per tool (the newest round with responses unless named), each
    with its trend over the rounds up to it and its annual cost as of today."""
    day = ctx.today()
    with ctx.read() as session:
        rates = load_rates(session, day)
        rounds = _rounds(session)
        if round_name is not None:
            found = find_round(session, round_name)
            if found is None:
                known = ", ".join(r.name for r in rounds) or "none yet"
                raise NotFoundError(f"there is no feedback round named '{round_name}' "
                                    f"(rounds: {known})")
            chosen: RoundRow | None = next(r for r in rounds if r.id == found.id)
        else:
            rated = [r for r in rounds if r.responses]
            chosen = rated[-1] if rated else None
        if chosen is None:
            return FeedbackReport(None, rounds, [], rates.base_currency, day)
        order = [r.id for r in rounds]
        upto = set(order[:order.index(chosen.id) + 1])
        query = (select(FeedbackResponse, Tool.name, Tool.category)
                 .join(Tool, Tool.id == FeedbackResponse.tool_id)
                 .where(FeedbackResponse.round_id.in_(upto))
                 .order_by(FeedbackResponse.id))
        if tool_id is not None:
            query = query.where(FeedbackResponse.tool_id == tool_id)
        scores: dict[tuple[int, int], list[int]] = defaultdict(list)
        comments: dict[int, list[Comment]] = defaultdict(list)
        names: dict[int, tuple[str, str | None]] = {}
        for response, name, category in session.execute(query):
            scores[(response.tool_id, response.round_id)].append(response.score)
            names[response.tool_id] = (name, category)
            if response.round_id == chosen.id:
                comments[response.tool_id].append(
                    Comment(response.respondent_email, response.score, response.comment))
        costs = annual_costs(session, day, rates)
    by_id = {r.id: r for r in rounds}
    tools: list[ToolSatisfaction] = []
    for tid, (name, category) in names.items():
        this = scores.get((tid, chosen.id))
        if not this:
            continue  # rated in earlier rounds only
        trend = tuple(
            RoundScore(rid, by_id[rid].name, mean(scores[(tid, rid)]) or Decimal(0),
                       len(scores[(tid, rid)]))
            for rid in order if rid in upto and scores.get((tid, rid)))
        tools.append(ToolSatisfaction(
            tid, name, category, chosen.id, chosen.name, mean(this) or Decimal(0), len(this),
            sum(1 for s in this if s <= LOW_SCORE), trend, costs.get(tid),
            rates.base_currency,
            tuple(sorted(comments[tid], key=lambda c: (c.score, c.email)))))
    tools.sort(key=lambda t: (t.average, -t.responses, t.tool.casefold()))
    return FeedbackReport(chosen, rounds, tools, rates.base_currency, day)


def lowest_rated(ctx: ServiceContext, limit: int = 5) -> FeedbackReport:
    """The newest round's lowest-rated tools (the dashboard's list), with their cost."""
    full = report(ctx)
    return FeedbackReport(full.round, full.rounds, full.tools[:limit], full.base_currency,
                          full.as_of)


@dataclass(frozen=True, slots=True)
class ToolFeedback:
    """A tool's satisfaction for its page: every round it was rated in, oldest first, and
    the latest round's comments."""

    tool_id: int
    tool: str
    trend: tuple[RoundScore, ...]
    latest: ToolSatisfaction | None
    rounds: int  # rounds held in all (a tool left out of one shows no point for it)


def tool_feedback(ctx: ServiceContext, tool_id: int) -> ToolFeedback:
    with ctx.read() as session:
        tool = get_or_404(session, Tool, tool_id, "tool")
        name = tool.name
        rated = list(session.scalars(
            select(FeedbackRound).join(FeedbackResponse,
                                       FeedbackResponse.round_id == FeedbackRound.id)
            .where(FeedbackResponse.tool_id == tool_id).distinct()
            .order_by(FeedbackRound.held_on, FeedbackRound.id)))
        held = session.scalar(select(func.count()).select_from(FeedbackRound)) or 0
    if not rated:
        return ToolFeedback(tool_id, name, (), None, held)
    latest = report(ctx, rated[-1].name, tool_id=tool_id).tools
    line = latest[0] if latest else None
    return ToolFeedback(tool_id, name, line.trend if line else (), line, held)
